package io.bitnetstreams.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class HugePagesTest {

    @Test
    void givesZeroedWritableNativeMemoryAlignedToHugePages() {
        long bytes = 3 * HugePages.HUGE_PAGE + 12345;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = HugePages.allocate(bytes, arena);
            assertThat(segment.byteSize()).isEqualTo(bytes);
            assertThat(VectorKernels.isPlainNative(segment)).isTrue();
            if (HugePages.available()) {
                assertThat(segment.address() % HugePages.HUGE_PAGE).isZero();
            }
            for (long at = 0; at < bytes; at += 4093) {
                assertThat(segment.get(ValueLayout.JAVA_BYTE, at)).isZero();
                segment.set(ValueLayout.JAVA_BYTE, at, (byte) at);
            }
            for (long at = 0; at < bytes; at += 4093) {
                assertThat(segment.get(ValueLayout.JAVA_BYTE, at)).isEqualTo((byte) at);
            }
            segment.set(ValueLayout.JAVA_BYTE, bytes - 1, (byte) 7);
            assertThat(segment.get(ValueLayout.JAVA_BYTE, bytes - 1)).isEqualTo((byte) 7);
        }
    }

    @Test
    void rejectsEmptySizes() {
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> HugePages.allocate(0, arena)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}

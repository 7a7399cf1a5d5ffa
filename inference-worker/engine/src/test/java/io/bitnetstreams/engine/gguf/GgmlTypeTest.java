package io.bitnetstreams.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GgmlTypeTest {

    @Test
    void idsMatchGgml() {
        assertThat(GgmlType.fromId(0)).isEqualTo(GgmlType.F32);
        assertThat(GgmlType.fromId(1)).isEqualTo(GgmlType.F16);
        assertThat(GgmlType.fromId(8)).isEqualTo(GgmlType.Q8_0);
        assertThat(GgmlType.fromId(14)).isEqualTo(GgmlType.Q6_K);
        assertThat(GgmlType.fromId(30)).isEqualTo(GgmlType.BF16);
        assertThat(GgmlType.fromId(34)).isEqualTo(GgmlType.TQ1_0);
        assertThat(GgmlType.fromId(35)).isEqualTo(GgmlType.TQ2_0);
        assertThat(GgmlType.fromId(36)).isEqualTo(GgmlType.I2_S);
        for (GgmlType type : GgmlType.values()) {
            assertThat(GgmlType.fromId(type.id())).isEqualTo(type);
        }
    }

    @Test
    void unknownAndRemovedIdsAreNamed() {
        assertThatThrownBy(() -> GgmlType.fromId(4)).isInstanceOf(GgufFormatException.class).hasMessageContaining("Q4_2");
        assertThatThrownBy(() -> GgmlType.fromId(99)).isInstanceOf(GgufFormatException.class).hasMessageContaining("99");
        assertThatThrownBy(() -> GgmlType.fromId(-1)).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("4294967295");
    }

    @Test
    void byteSizesFollowTheBlockLayouts() {
        assertThat(GgmlType.F32.byteSize(10)).isEqualTo(40);
        assertThat(GgmlType.F16.byteSize(10)).isEqualTo(20);
        assertThat(GgmlType.BF16.byteSize(10)).isEqualTo(20);
        assertThat(GgmlType.Q8_0.byteSize(64)).isEqualTo(68);
        assertThat(GgmlType.TQ2_0.byteSize(512)).isEqualTo(132);
        assertThat(GgmlType.TQ1_0.byteSize(512)).isEqualTo(108);
        // I2_S: elements / 4 + 32; the official 2560 x 2560 attn_q is 1,638,432 bytes
        assertThat(GgmlType.I2_S.byteSize(2560L * 2560)).isEqualTo(2560L * 2560 / 4 + 32).isEqualTo(1_638_432);
        assertThatThrownBy(() -> GgmlType.Q8_0.byteSize(33)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GgmlType.F32.byteSize(Long.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
    }
}

package io.bitnetstreams.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufReaderTest {

    private static final int F32 = 0;
    private static final int Q8_0 = 8;

    private static GgufFile parse(byte[] bytes) {
        return GgufFile.parse(MemorySegment.ofArray(bytes), "test.gguf");
    }

    private static void assertRejected(byte[] bytes, String... fragments) {
        assertThatThrownBy(() -> parse(bytes))
                .isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("test.gguf")
                .hasMessageContainingAll(fragments);
    }

    /** One key "a" (UINT32 7), one F32 tensor "t" of 4 elements at offset 0. */
    private static GgufBytes minimal(int version) {
        return new GgufBytes().header(version, 1, 1)
                .str("a").u32(GgufValueType.UINT32.id()).u32(7)
                .tensor("t", new long[] {4}, F32, 0)
                .padTo(32)
                .u32(Float.floatToIntBits(1f)).u32(Float.floatToIntBits(2f))
                .u32(Float.floatToIntBits(3f)).u32(Float.floatToIntBits(4f));
    }

    @Test
    void readsAHandBuiltFileOfVersionTwoAndThree() {
        for (int version : new int[] {2, 3}) {
            byte[] bytes = minimal(version).bytes();
            // 24 header + 17 key/value + 33 tensor info = 74, padded to 96, then 16 data bytes
            assertThat(bytes).hasSize(112);
            GgufFile file = parse(bytes);
            assertThat(file.version()).isEqualTo(version);
            assertThat(file.dataOffset()).isEqualTo(96);
            assertThat(file.metadata().keys()).containsExactly("a");
            assertThat(file.metadata().typeOf("a")).isEqualTo(GgufValueType.UINT32);
            assertThat(file.metadata().getInt("a")).isEqualTo(7);
            GgufTensorInfo t = file.tensor("t");
            assertThat(t.type()).isEqualTo(GgmlType.F32);
            assertThat(t.dims()).containsExactly(4);
            assertThat(t.byteSize()).isEqualTo(16);
            assertThat(t.cols()).isEqualTo(4);
            assertThat(t.rows()).isEqualTo(1);
            MemorySegment data = file.tensorData(t);
            assertThat(data.toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)))
                    .containsExactly(1f, 2f, 3f, 4f);
        }
    }

    @Test
    void writerProducesTheHandBuiltBytes() throws Exception {
        Path dir = Files.createTempDirectory("gguf");
        try {
            Path path = dir.resolve("w.gguf");
            ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            data.putFloat(1f).putFloat(2f).putFloat(3f).putFloat(4f);
            new GgufWriter().putUInt32("a", 7)
                    .addTensor("t", GgmlType.F32, new long[] {4}, GgufWriter.TensorDataSource.ofBytes(data.array()))
                    .write(path);
            assertThat(Files.readAllBytes(path)).isEqualTo(minimal(3).bytes());
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
    }

    @Test
    void rejectsBadMagicAndVersions() {
        byte[] bytes = minimal(3).bytes();
        bytes[0] = 'X';
        assertRejected(bytes, "bad magic", "offset 0");
        assertRejected(new byte[] {'G', 'G'}, "too short");
        assertRejected(new byte[0], "too short");
        assertRejected(minimal(1).bytes(), "version 1", "not supported");
        assertRejected(minimal(4).bytes(), "unsupported GGUF version 4");
        byte[] bigEndian = minimal(3).bytes();
        bigEndian[4] = 0;
        bigEndian[7] = 3;
        assertRejected(bigEndian, "big-endian");
    }

    @Test
    void rejectsAbsurdCounts() {
        assertRejected(new GgufBytes().header(3, 1L << 40, 0).bytes(), "tensor count", "absurd");
        assertRejected(new GgufBytes().header(3, -1L, 0).bytes(), "tensor count", "18446744073709551615");
        assertRejected(new GgufBytes().header(3, 0, 1_000_000).bytes(), "metadata key count", "absurd");
        assertRejected(new GgufBytes().header(3, 0, 1).str("k").u32(GgufValueType.ARRAY.id())
                .u32(GgufValueType.UINT32.id()).u64(1L << 33).zeros(16).bytes(), "'k'", "array length", "exceeds");
        assertRejected(new GgufBytes().header(3, 0, 1).str("k").u32(GgufValueType.STRING.id())
                .u64(Long.MAX_VALUE).zeros(8).bytes(), "'k'", "string length", "exceeds");
        assertRejected(new GgufBytes().header(3, 0, 1).u64(-1L).zeros(8).bytes(), "key length", "exceeds");
    }

    @Test
    void rejectsBadMetadata() {
        assertRejected(new GgufBytes().header(3, 0, 2).str("k").u32(4).u32(1).str("k").u32(4).u32(2).bytes(),
                "'k'", "duplicate key");
        assertRejected(new GgufBytes().header(3, 0, 1).str("k").u32(13).u32(1).bytes(), "'k'", "unknown value type 13");
        assertRejected(new GgufBytes().header(3, 0, 1).str("k").u32(GgufValueType.BOOL.id()).u8(2).bytes(),
                "'k'", "invalid BOOL");
        assertRejected(new GgufBytes().header(3, 0, 1).str("k").u32(GgufValueType.UINT64.id()).u32(0).bytes(),
                "'k'", "truncated");
        assertRejected(new GgufBytes().header(3, 0, 1).str("general.alignment").u32(4).u32(48).bytes(),
                "general.alignment", "power of two");
        assertRejected(new GgufBytes().header(3, 0, 1).str("general.alignment").u32(8).str("x").bytes(),
                "general.alignment", "expected an integer");
        GgufBytes nested = new GgufBytes().header(3, 0, 1).str("deep").u32(GgufValueType.ARRAY.id());
        for (int i = 0; i < 20; i++) nested.u32(GgufValueType.ARRAY.id()).u64(1);
        nested.u32(GgufValueType.UINT8.id()).u64(0);
        assertRejected(nested.bytes(), "'deep'", "nested deeper");
    }

    @Test
    void rejectsBadTensorInfos() {
        assertRejected(tensorFile(new long[] {4, 1, 1, 1, 1}, F32, 0, 64), "tensor 't'", "dimension count 5");
        assertRejected(tensorFile(new long[] {}, F32, 0, 64), "tensor 't'", "dimension count 0");
        assertRejected(tensorFile(new long[] {4, 0}, F32, 0, 64), "tensor 't'", "ne1 = 0", "not positive");
        assertRejected(tensorFile(new long[] {-4}, F32, 0, 64), "tensor 't'", "not positive");
        assertRejected(tensorFile(new long[] {1L << 32, 1L << 32}, F32, 0, 64), "tensor 't'", "overflows");
        assertRejected(tensorFile(new long[] {1L << 62}, F32, 0, 64), "tensor 't'", "overflows");
        assertRejected(tensorFile(new long[] {4}, 200, 0, 64), "tensor 't'", "unknown ggml type id 200");
        assertRejected(tensorFile(new long[] {4}, 31, 0, 64), "tensor 't'", "Q4_0_4_4");
        assertRejected(tensorFile(new long[] {16, 2}, Q8_0, 0, 64), "tensor 't'", "ne0 = 16", "block size 32");
        assertRejected(tensorFile(new long[] {4}, F32, 16, 64), "tensor 't'", "not a multiple of the alignment");
        assertRejected(tensorFile(new long[] {4}, F32, 64, 64), "tensor 't'", "past the end");
        assertRejected(tensorFile(new long[] {4}, F32, 0, 8), "tensor 't'", "past the end");
        assertRejected(tensorFile(new long[] {4}, F32, -32, 64), "tensor 't'");
    }

    @Test
    void rejectsDuplicateAndOverlappingTensors() {
        byte[] duplicate = new GgufBytes().header(3, 2, 0)
                .tensor("t", new long[] {4}, F32, 0).tensor("t", new long[] {4}, F32, 32).padTo(32).zeros(64).bytes();
        assertRejected(duplicate, "tensor 't'", "duplicate tensor name");
        byte[] overlapping = new GgufBytes().header(3, 2, 0)
                .tensor("a", new long[] {16}, F32, 0).tensor("b", new long[] {4}, F32, 32).padTo(32).zeros(64).bytes();
        assertRejected(overlapping, "'b'", "overlaps tensor 'a'");
    }

    @Test
    void rejectsTruncationAnywhere() {
        byte[] bytes = minimal(3).bytes();
        for (int length = 0; length < bytes.length; length++) {
            byte[] cut = java.util.Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> parse(cut)).as("length %d", length).isInstanceOf(GgufFormatException.class);
        }
    }

    @Test
    void missingTensorAndForeignInfoAreReported() {
        GgufFile file = parse(minimal(3).bytes());
        assertThat(file.findTensor("nope")).isEmpty();
        assertThatThrownBy(() -> file.tensor("nope")).isInstanceOf(GgufFormatException.class).hasMessageContaining("'nope'");
        GgufTensorInfo forged = new GgufTensorInfo("t", GgmlType.F32, new long[] {4}, 64, 16);
        assertThatThrownBy(() -> file.tensorData(forged)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mapsFilesLargerThanTwoGigabytes(@TempDir Path dir) throws Exception {
        // A sparse file: the tensor lies beyond 2^31, so int offsets would fail.
        long offset = 3L << 30;
        byte[] header = new GgufBytes().header(3, 1, 0).tensor("far", new long[] {4}, F32, offset).padTo(32).bytes();
        Path path = dir.resolve("big.gguf");
        try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
            raf.write(header);
            raf.setLength(header.length + offset + 16);
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ByteBuffer values = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            values.putFloat(5f).putFloat(6f).putFloat(7f).putFloat(8f).flip();
            ch.write(values, header.length + offset);
        }
        try (GgufFile file = GgufFile.open(path)) {
            assertThat(file.fileSize()).isGreaterThan(Integer.MAX_VALUE);
            assertThat(file.path()).isEqualTo(path);
            MemorySegment data = file.tensorData(file.tensor("far"));
            assertThat(data.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 12)).isEqualTo(8f);
        }
    }

    @Test
    void boundsTheHeapAHugeHeaderWouldTake(@TempDir Path dir) throws Exception {
        // 40 M UINT64 values fit the (sparse) file, but would take 320 MB of heap: rejected before allocating
        long count = 40_000_000L;
        byte[] header = new GgufBytes().header(3, 0, 1).str("big").u32(GgufValueType.ARRAY.id())
                .u32(GgufValueType.UINT64.id()).u64(count).bytes();
        Path path = dir.resolve("huge.gguf");
        try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
            raf.write(header);
            raf.setLength(header.length + 8 * count);
        }
        assertThatThrownBy(() -> GgufFile.open(path)).isInstanceOf(GgufFormatException.class)
                .hasMessageContainingAll("'big'", "MiB of memory");
    }

    @Test
    void openReportsMissingFilesAndCorruptOnes(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> GgufFile.open(dir.resolve("absent.gguf")))
                .isInstanceOf(java.io.UncheckedIOException.class).hasMessageContaining("absent.gguf");
        Path corrupt = dir.resolve("corrupt.gguf");
        Files.write(corrupt, new byte[] {'G', 'G', 'U', 'F', 1, 0, 0, 0});
        assertThatThrownBy(() -> GgufFile.open(corrupt))
                .isInstanceOf(GgufFormatException.class).hasMessageContaining("corrupt.gguf").hasMessageContaining("version 1");
    }

    /** One tensor "t" with the given info, followed by {@code dataBytes} zero bytes of data. */
    private static byte[] tensorFile(long[] dims, int type, long offset, int dataBytes) {
        return new GgufBytes().header(3, 1, 0).tensor("t", dims, type, offset).padTo(32).zeros(dataBytes).bytes();
    }
}

package io.bitnetstreams.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufWriterTest {

    @TempDir
    Path dir;

    private static byte[] randomBytes(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A writer with every metadata type and tensors of several types and shapes. */
    static GgufWriter everyType() {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "bitnet-b1.58");
        w.putString("unicode", "Ġhello wörld ✓ 𝄞");
        w.putString("empty", "");
        w.putUInt8("u8", 255);
        w.putInt8("i8", -128);
        w.putUInt16("u16", 65535);
        w.putInt16("i16", -32768);
        w.putUInt32("u32", 0xFFFF_FFFFL);
        w.putInt32("i32", Integer.MIN_VALUE);
        w.putUInt64("u64", -1L);
        w.putUInt64("u64.small", 123);
        w.putInt64("i64", Long.MIN_VALUE);
        w.putFloat32("f32", 1e-5f);
        w.putFloat64("f64", Math.PI);
        w.putBool("yes", true);
        w.putBool("no", false);
        w.putStringArray("tokens", List.of("a", "Ġb", "", "<|eot_id|>"));
        w.putInt32Array("token_type", new int[] {1, 3, -1, Integer.MAX_VALUE});
        w.putFloat32Array("scores", new float[] {0.5f, -0f, Float.NaN, Float.NEGATIVE_INFINITY});
        w.putArray("a.u8", GgufArray.ofUInt8(new byte[] {0, (byte) 200, (byte) 255}));
        w.putArray("a.i8", GgufArray.ofInt8(new byte[] {-1, 127}));
        w.putArray("a.u16", GgufArray.ofUInt16(new short[] {(short) 65535, 1}));
        w.putArray("a.i16", GgufArray.ofInt16(new short[] {-2, 3}));
        w.putArray("a.u32", GgufArray.ofUInt32(new int[] {-1, 5}));
        w.putArray("a.u64", GgufArray.ofUInt64(new long[] {-1L, 7}));
        w.putArray("a.i64", GgufArray.ofInt64(new long[] {Long.MIN_VALUE, 9}));
        w.putArray("a.f64", GgufArray.ofFloat64(new double[] {1.5, -2.25}));
        w.putArray("a.bool", GgufArray.ofBool(new boolean[] {true, false, true}));
        w.putArray("a.empty", GgufArray.ofInt32(new int[0]));
        w.putArray("a.nested", GgufArray.ofArrays(List.of(
                GgufArray.ofStrings(List.of("x", "y")),
                GgufArray.ofArrays(List.of(GgufArray.ofFloat32(new float[] {1f}))),
                GgufArray.ofUInt8(new byte[0]))));
        w.addTensor("f32", GgmlType.F32, new long[] {3, 2}, GgufWriter.TensorDataSource.ofBytes(randomBytes(1, 24)));
        w.addTensor("f16", GgmlType.F16, new long[] {5}, GgufWriter.TensorDataSource.ofBytes(randomBytes(2, 10)));
        w.addTensor("q8", GgmlType.Q8_0, new long[] {64, 2}, GgufWriter.TensorDataSource.ofBytes(randomBytes(3, 136)));
        w.addTensor("i2s", GgmlType.I2_S, new long[] {128, 3}, GgufWriter.TensorDataSource.ofBytes(randomBytes(4, 128)));
        w.addTensor("tq2", GgmlType.TQ2_0, new long[] {256, 1, 1, 2}, GgufWriter.TensorDataSource.ofBytes(randomBytes(5, 132)));
        return w;
    }

    @Test
    void roundTripsEveryMetadataTypeAndTensor() {
        Path path = dir.resolve("all.gguf");
        everyType().write(path);
        try (GgufFile file = GgufFile.open(path)) {
            GgufMetadata m = file.metadata();
            assertThat(file.version()).isEqualTo(3);
            assertThat(m.keys()).startsWith("general.architecture", "unicode", "empty", "u8").hasSize(30);
            assertThat(m.getString("general.architecture")).isEqualTo("bitnet-b1.58");
            assertThat(m.getString("unicode")).isEqualTo("Ġhello wörld ✓ 𝄞");
            assertThat(m.getString("empty")).isEmpty();
            assertThat(m.typeOf("u8")).isEqualTo(GgufValueType.UINT8);
            assertThat(m.getInt("u8")).isEqualTo(255);
            assertThat(m.getInt("i8")).isEqualTo(-128);
            assertThat(m.getInt("u16")).isEqualTo(65535);
            assertThat(m.getInt("i16")).isEqualTo(-32768);
            assertThat(m.getLong("u32")).isEqualTo(0xFFFF_FFFFL);
            assertThat(m.getInt("i32")).isEqualTo(Integer.MIN_VALUE);
            assertThat(m.getRaw("u64")).isEqualTo(-1L);
            assertThat(m.typeOf("u64")).isEqualTo(GgufValueType.UINT64);
            assertThat(m.getLong("u64.small")).isEqualTo(123);
            assertThat(m.getLong("i64")).isEqualTo(Long.MIN_VALUE);
            assertThat(m.getFloat("f32")).isEqualTo(1e-5f);
            assertThat(m.getRaw("f64")).isEqualTo(Math.PI);
            assertThat(m.getFloat("f64")).isEqualTo((float) Math.PI);
            assertThat(m.getBoolean("yes")).isTrue();
            assertThat(m.getBoolean("no")).isFalse();
            assertThat(m.getStringArray("tokens")).containsExactly("a", "Ġb", "", "<|eot_id|>");
            assertThat(m.getIntArray("token_type")).containsExactly(1, 3, -1, Integer.MAX_VALUE);
            assertThat(m.getFloatArray("scores")).containsExactly(0.5f, -0f, Float.NaN, Float.NEGATIVE_INFINITY);
            assertThat(m.getIntArray("a.u8")).containsExactly(0, 200, 255);
            assertThat(m.getIntArray("a.i8")).containsExactly(-1, 127);
            assertThat(m.getIntArray("a.u16")).containsExactly(65535, 1);
            assertThat(m.getIntArray("a.i16")).containsExactly(-2, 3);
            assertThat(m.getRaw("a.u32")).isEqualTo(GgufArray.ofUInt32(new int[] {-1, 5}));
            assertThat(m.getRaw("a.u64")).isEqualTo(GgufArray.ofUInt64(new long[] {-1L, 7}));
            assertThat(m.getRaw("a.i64")).isEqualTo(GgufArray.ofInt64(new long[] {Long.MIN_VALUE, 9}));
            assertThat(m.getFloatArray("a.f64")).containsExactly(1.5f, -2.25f);
            assertThat(((GgufArray) m.getRaw("a.bool")).values()).isEqualTo(new boolean[] {true, false, true});
            assertThat(m.arrayLength("a.empty")).isZero();
            GgufArray nested = (GgufArray) m.getRaw("a.nested");
            assertThat(nested.elementType()).isEqualTo(GgufValueType.ARRAY);
            assertThat(nested.get(0)).isEqualTo(GgufArray.ofStrings(List.of("x", "y")));
            assertThat(((GgufArray) nested.get(1)).get(0)).isEqualTo(GgufArray.ofFloat32(new float[] {1f}));
            assertThat(((GgufArray) nested.get(2)).elementType()).isEqualTo(GgufValueType.UINT8);

            assertThat(file.tensors()).extracting(GgufTensorInfo::name).containsExactly("f32", "f16", "q8", "i2s", "tq2");
            assertTensor(file, "f32", GgmlType.F32, 1, 24);
            assertTensor(file, "f16", GgmlType.F16, 2, 10);
            assertTensor(file, "q8", GgmlType.Q8_0, 3, 136);
            assertTensor(file, "i2s", GgmlType.I2_S, 4, 128);
            assertTensor(file, "tq2", GgmlType.TQ2_0, 5, 132);
            assertThat(file.tensor("tq2").rows()).isEqualTo(2);
            assertThat(file.tensor("tq2").dims()).containsExactly(256, 1, 1, 2);
            for (GgufTensorInfo t : file.tensors()) {
                assertThat(t.offset() % 32).isZero();
            }
            assertThat(file.dataOffset() % 32).isZero();
        }
    }

    private static void assertTensor(GgufFile file, String name, GgmlType type, long seed, int bytes) {
        GgufTensorInfo info = file.tensor(name);
        assertThat(info.type()).isEqualTo(type);
        assertThat(info.byteSize()).isEqualTo(bytes);
        assertThat(file.tensorData(info).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(randomBytes(seed, bytes));
    }

    @Test
    void typedGettersNameTheKeyOnMisuse() {
        Path path = dir.resolve("all.gguf");
        everyType().write(path);
        try (GgufFile file = GgufFile.open(path)) {
            GgufMetadata m = file.metadata();
            assertThatThrownBy(() -> m.getString("missing")).isInstanceOf(GgufFormatException.class)
                    .hasMessageContaining("'missing'").hasMessageContaining("missing");
            assertThatThrownBy(() -> m.getInt("unicode")).isInstanceOf(GgufFormatException.class)
                    .hasMessageContaining("'unicode'").hasMessageContaining("STRING");
            assertThatThrownBy(() -> m.getInt("u32")).isInstanceOf(GgufFormatException.class)
                    .hasMessageContaining("'u32'").hasMessageContaining("does not fit an int");
            assertThatThrownBy(() -> m.getLong("u64")).isInstanceOf(GgufFormatException.class)
                    .hasMessageContaining("18446744073709551615");
            assertThatThrownBy(() -> m.getFloat("u8")).isInstanceOf(GgufFormatException.class).hasMessageContaining("'u8'");
            assertThatThrownBy(() -> m.getStringArray("token_type")).isInstanceOf(GgufFormatException.class)
                    .hasMessageContaining("INT32");
            assertThatThrownBy(() -> m.getIntArray("a.u32")).isInstanceOf(GgufFormatException.class)
                    .hasMessageContaining("4294967295");
            assertThatThrownBy(() -> m.getIntArray("tokens")).isInstanceOf(GgufFormatException.class)
                    .hasMessageContaining("'tokens'");
            assertThatThrownBy(() -> m.getBoolean("u8")).isInstanceOf(GgufFormatException.class);
            assertThat(m.findString("missing")).isEmpty();
            assertThat(m.findLong("u16")).hasValue(65535);
            assertThat(m.findFloat("f32")).contains(1e-5f);
            assertThat(m.findBoolean("yes")).contains(true);
            assertThatThrownBy(() -> m.findString("u8")).isInstanceOf(GgufFormatException.class);
        }
    }

    @Test
    void writesDeterministicBytesAndLeavesNoTempFiles() throws Exception {
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        everyType().write(a);
        everyType().write(b);
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
        everyType().write(a); // overwrite in place
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("a.gguf", "b.gguf");
        }
    }

    @Test
    void honoursAlignmentAndVersionTwo() {
        Path path = dir.resolve("aligned.gguf");
        new GgufWriter().version(2).putUInt32("general.alignment", 64)
                .addTensor("x", GgmlType.F32, new long[] {3}, GgufWriter.TensorDataSource.ofBytes(randomBytes(7, 12)))
                .addTensor("y", GgmlType.F32, new long[] {5}, GgufWriter.TensorDataSource.ofBytes(randomBytes(8, 20)))
                .write(path);
        try (GgufFile file = GgufFile.open(path)) {
            assertThat(file.version()).isEqualTo(2);
            assertThat(file.alignment()).isEqualTo(64);
            assertThat(file.dataOffset() % 64).isZero();
            assertThat(file.tensor("y").offset()).isEqualTo(64);
            assertThat(file.tensorData(file.tensor("y")).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(randomBytes(8, 20));
        }
    }

    @Test
    void rejectsAWrongNumberOfTensorBytesAndKeepsTheOldFile() throws Exception {
        Path path = dir.resolve("keep.gguf");
        Files.write(path, new byte[] {1, 2, 3});
        GgufWriter w = new GgufWriter().addTensor("short", GgmlType.F32, new long[] {4},
                GgufWriter.TensorDataSource.ofBytes(new byte[12]));
        assertThatThrownBy(() -> w.write(path)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'short'").hasMessageContaining("wrote 12 bytes, expected 16");
        assertThat(Files.readAllBytes(path)).containsExactly(1, 2, 3);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).hasSize(1);
        }
    }

    @Test
    void rejectsBadWriterInput() {
        GgufWriter w = new GgufWriter().putString("k", "v");
        assertThatThrownBy(() -> w.putInt32("k", 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'k'");
        assertThatThrownBy(() -> w.putUInt8("u", 256)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> w.putUInt32("u", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> w.addTensor("q", GgmlType.Q8_0, new long[] {16, 2}, out -> {}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block size");
        assertThatThrownBy(() -> w.addTensor("z", GgmlType.F32, new long[] {0}, out -> {}))
                .isInstanceOf(IllegalArgumentException.class);
        w.addTensor("t", GgmlType.F32, new long[] {1}, out -> {});
        assertThatThrownBy(() -> w.addTensor("t", GgmlType.F32, new long[] {1}, out -> {}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> new GgufWriter().version(1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GgufWriter().write(dir.resolve("no/such/dir/x.gguf")))
                .isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void streamsLargeTensorsThroughSmallWrites() {
        // 8 MiB written in odd-sized pieces: the buffer must pass everything through in order.
        int total = 8 << 20;
        Path path = dir.resolve("stream.gguf");
        new GgufWriter().addTensor("big", GgmlType.I8, new long[] {total}, out -> {
            Random random = new Random(11);
            int written = 0;
            while (written < total) {
                int n = Math.min(total - written, 1 + random.nextInt(700_000));
                byte[] chunk = new byte[n];
                for (int i = 0; i < n; i++) chunk[i] = (byte) ((written + i) * 31);
                out.write(ByteBuffer.wrap(chunk));
                written += n;
            }
        }).write(path);
        try (GgufFile file = GgufFile.open(path)) {
            MemorySegment data = file.tensorData(file.tensor("big"));
            for (int i = 0; i < total; i += 4093) {
                assertThat(data.get(ValueLayout.JAVA_BYTE, i)).isEqualTo((byte) (i * 31));
            }
        }
    }
}

package io.bitnetstreams.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.bitnetstreams.engine.kernel.TernaryWeights;
import io.bitnetstreams.engine.tensor.FloatTensor;
import io.bitnetstreams.engine.tensor.Tensors;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property: whatever a corrupt file looks like, parsing ends either in a usable file whose tensor
 * slices lie inside it, or in a {@link GgufFormatException}; never in any other exception or error.
 */
class GgufFuzzTest {

    private static final int ITERATIONS = 6000;
    private static final long SEED = 0x6B17_5EEDL;
    private static final long[] EXTREMES = {-1L, 0L, Long.MAX_VALUE, Long.MIN_VALUE, 0x7FFF_FFFFL, 0x8000_0000L,
            0xFFFF_FFFFL, 1L << 32, 1L << 40, 1, 2, 3, 4, 5, 9, 12, 13, 36, 255, 256, 65_535};

    @Test
    void mutatedFilesOpenCleanlyOrFailWithOneFormatException(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("base.gguf");
        GgufWriterTest.everyType().write(path);
        byte[] base = Files.readAllBytes(path);
        GgufFile.parse(MemorySegment.ofArray(base), "base"); // the unmutated file is valid

        Random random = new Random(SEED);
        int opened = 0;
        int rejected = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] mutated = base.clone();
            int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                mutated = mutate(mutated, random);
            }
            try {
                GgufFile file = GgufFile.parse(MemorySegment.ofArray(mutated), "fuzz#" + i);
                checkUsable(file, mutated.length);
                opened++;
            } catch (GgufFormatException expected) {
                assertThat(expected.getMessage()).startsWith("fuzz#" + i + ": "); // names the file
                rejected++;
            } catch (Throwable t) {
                fail("iteration " + i + " (seed " + SEED + ", " + mutated.length + " bytes) threw " + t, t);
            }
        }
        // Both outcomes must actually occur, or the mutations are too weak or too strong to mean anything.
        assertThat(opened).isGreaterThan(ITERATIONS / 20);
        assertThat(rejected).isGreaterThan(ITERATIONS / 4);
    }

    /** Everything a user of an opened file would touch must work or throw GgufFormatException. */
    private static void checkUsable(GgufFile file, long fileSize) {
        for (String key : file.metadata().keys()) {
            assertThat(file.metadata().getRaw(key)).isNotNull();
        }
        for (GgufTensorInfo info : file.tensors()) {
            long start = file.dataOffset() + info.offset();
            assertThat(start).isBetween(0L, fileSize);
            assertThat(start + info.byteSize()).isBetween(start, fileSize);
            MemorySegment data = file.tensorData(info);
            assertThat(data.byteSize()).isEqualTo(info.byteSize());
            try {
                switch (info.type()) {
                    case I2_S, TQ1_0, TQ2_0 -> {
                        TernaryWeights w = Tensors.ternary(info, data);
                        byte[] codes = new byte[w.cols()];
                        w.readCodes(w.rows() - 1, codes, 0);
                        w.dotCodes(0, codes, 0);
                    }
                    default -> {
                        FloatTensor t = Tensors.floating(info, data);
                        t.get(t.elementCount() - 1);
                    }
                }
            } catch (GgufFormatException expected) {
                // an unusable type or scale is reported, not crashed on
            }
        }
    }

    private static byte[] mutate(byte[] b, Random random) {
        if (b.length == 0) {
            return b;
        }
        int at = random.nextInt(b.length);
        switch (random.nextInt(7)) {
            case 0 -> { // bit flips
                int flips = 1 + random.nextInt(8);
                for (int f = 0; f < flips; f++) {
                    int p = random.nextInt(b.length);
                    b[p] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> { // byte overwrite with extreme values
                byte v = (byte) new int[] {0xFF, 0x00, 0x7F, 0x80, 0x01}[random.nextInt(5)];
                int n = 1 + random.nextInt(8);
                for (int k = 0; k < n && at + k < b.length; k++) b[at + k] = v;
            }
            case 2 -> { // an extreme little-endian u64/u32 at a (likely field-aligned) position
                long v = EXTREMES[random.nextInt(EXTREMES.length)];
                int width = random.nextBoolean() ? 8 : 4;
                int p = random.nextBoolean() ? at & ~3 : at;
                for (int k = 0; k < width && p + k < b.length; k++) b[p + k] = (byte) (v >>> (8 * k));
            }
            case 3 -> { // truncation
                return Arrays.copyOf(b, random.nextInt(b.length));
            }
            case 4 -> { // duplicate a region (insert a copy of it)
                int len = 1 + random.nextInt(Math.min(64, b.length - at));
                int to = random.nextInt(b.length + 1);
                byte[] out = new byte[b.length + len];
                System.arraycopy(b, 0, out, 0, to);
                System.arraycopy(b, at, out, to, len);
                System.arraycopy(b, to, out, to + len, b.length - to);
                return out;
            }
            case 5 -> { // delete a region
                int len = 1 + random.nextInt(Math.min(64, b.length - at));
                byte[] out = new byte[b.length - len];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + len, out, at, b.length - at - len);
                return out;
            }
            default -> { // random byte
                b[at] = (byte) random.nextInt(256);
            }
        }
        return b;
    }

    /** Found by {@link GgufParserFuzz}: model settings whose architecture key is not a string fail naming the key. */
    @Test
    void modelSettingsWithAKeyOfTheWrongTypeFailNamingTheKey(@TempDir Path dir) {
        Path path = dir.resolve("wrong-type");
        new GgufWriter().putUInt8("general.architecture", 0).write(path);
        try (GgufFile file = GgufFile.open(path)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> io.bitnetstreams.engine.model.BitNetConfig.fromMetadata(file.metadata()))
                    .isInstanceOf(io.bitnetstreams.engine.model.ModelFormatException.class)
                    .hasMessageContaining("general.architecture").hasMessageContaining("expected STRING, found UINT8");
        }
    }
}

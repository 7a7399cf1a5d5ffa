package io.bitnetstreams.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pure-Java versions of the reference runtime's float routines: RoPE angles against C's own
 * {@code powf}/{@code cosf}/{@code sinf} (compiled at test time; skipped without a C compiler), and
 * ggml's vectorized exp and softmax against their scalar transcriptions.
 */
class ReferenceMathTest {

    private static final int POSITIONS = 4096;
    private static final int PAIRS = 64;

    @TempDir
    Path dir;

    @Test
    void ropeAnglesEqualCsForEveryPositionOfA4096Context() throws Exception {
        Path compiler = Stream.of("/usr/bin/gcc", "/usr/bin/cc", "/usr/local/bin/gcc").map(Path::of)
                .filter(Files::isExecutable).findFirst().orElse(null);
        assumeTrue(compiler != null, "no C compiler (gcc/cc) to compute the reference values");
        Path source = dir.resolve("rope.c");
        Files.writeString(source, """
                #include <math.h>
                #include <stdio.h>
                #include <stdint.h>
                #include <string.h>
                static uint32_t bits(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }
                int main(void) {
                    float scale = powf(500000.0f, -2.0f / 128);
                    printf("%08x\\n", bits(scale));
                    for (int p = 0; p < @POSITIONS@; p++) {
                        float theta = (float) p;
                        for (int i = 0; i < @PAIRS@; i++) {
                            printf("%08x %08x\\n", bits(cosf(theta)), bits(sinf(theta)));
                            theta *= scale;
                        }
                    }
                    return 0;
                }
                """.replace("@POSITIONS@", Integer.toString(POSITIONS)).replace("@PAIRS@", Integer.toString(PAIRS)));
        Path binary = dir.resolve("rope");
        Process cc = new ProcessBuilder(compiler.toString(), "-O0", "-o", binary.toString(), source.toString(), "-lm")
                .redirectErrorStream(true).start();
        String ccOutput = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cc.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assumeTrue(cc.exitValue() == 0, "the C compiler failed: " + ccOutput);

        Process run = new ProcessBuilder(binary.toString()).start();
        int mismatches = 0;
        String firstMismatch = null;
        try (BufferedReader c = new BufferedReader(new InputStreamReader(run.getInputStream(), StandardCharsets.US_ASCII))) {
            float scale = ModelMath.ropeThetaScale(128, 500000f);
            assertThat(Integer.toHexString(Float.floatToRawIntBits(scale)))
                    .isEqualTo(Integer.toHexString(Integer.parseUnsignedInt(c.readLine(), 16)));
            float[] cos = new float[PAIRS];
            float[] sin = new float[PAIRS];
            for (int p = 0; p < POSITIONS; p++) {
                ModelMath.ropeAngles(p, scale, cos, sin);
                for (int i = 0; i < PAIRS; i++) {
                    String[] expected = c.readLine().split(" ");
                    int ec = Integer.parseUnsignedInt(expected[0], 16);
                    int es = Integer.parseUnsignedInt(expected[1], 16);
                    if (Float.floatToRawIntBits(cos[i]) != ec || Float.floatToRawIntBits(sin[i]) != es) {
                        mismatches++;
                        if (firstMismatch == null) {
                            firstMismatch = "position " + p + " pair " + i + ": C " + Float.intBitsToFloat(ec) + "/"
                                    + Float.intBitsToFloat(es) + ", Java " + cos[i] + "/" + sin[i];
                        }
                    }
                }
            }
        }
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(mismatches).as("angles differing from C's (first: %s)", firstMismatch).isZero();
    }

    @Test
    void vectorExpAndSoftmaxEqualTheirScalarTranscription() {
        Random random = new Random(5);
        for (int n : new int[] {1, 15, 16, 17, 33, 100, 257}) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                // scores of attention, with a few far below the maximum (exp underflow and subnormals)
                x[i] = random.nextInt(10) == 0 ? (float) (-90 - 20 * random.nextDouble()) : (float) (8 * random.nextGaussian());
            }
            float[] vector = x.clone();
            ModelMath.softmax(vector, n);

            float[] expected = scalarSoftmax(x);
            for (int i = 0; i < n; i++) {
                assertThat(Float.floatToRawIntBits(vector[i])).as("n %d, element %d", n, i)
                        .isEqualTo(Float.floatToRawIntBits(expected[i]));
            }
        }
    }

    /**
     * The padded-row softmax of prompt attention against the scalar transcription: rows of every length mod 16
     * (a masked partial last block), stale values in the padding (never read), values from the maximum down past
     * the subnormals (exp -87 .. -104) to exact zeros (below -104, and below n = -192), and a row with a NaN.
     */
    @Test
    void paddedSoftmaxEqualsTheScalarTranscriptionOverTheWholeExpRange() {
        Random random = new Random(9);
        for (int n = 1; n <= 70; n++) {
            for (int trial = 0; trial < 8; trial++) {
                int padded = (n + 15) / 16 * 16;
                float[] row = new float[3 + padded + 5];
                for (int i = 0; i < row.length; i++) {
                    row[i] = (float) (1e3 * random.nextGaussian()); // stale values around the row
                }
                float[] x = new float[n];
                for (int i = 0; i < n; i++) {
                    x[i] = switch (random.nextInt(4)) {
                        case 0 -> (float) (8 * random.nextGaussian());
                        case 1 -> (float) (-80 - 30 * random.nextDouble()); // subnormal probabilities and zeros
                        case 2 -> (float) (-100 - 200 * random.nextDouble()); // zeros, some with n below -192
                        default -> (float) (-87.3 - random.nextDouble());
                    };
                }
                if (trial == 7 && n > 3) {
                    x[n / 2] = Float.NaN;
                }
                System.arraycopy(x, 0, row, 3, n);
                float[] stale = row.clone();
                ReferenceSoftmax.softmaxPadded(row, 3, n);
                float[] expected = scalarSoftmax(x);
                for (int i = 0; i < n; i++) {
                    if (Float.isNaN(expected[i])) {
                        assertThat(row[3 + i]).as("n %d trial %d element %d", n, trial, i).isNaN();
                        continue;
                    }
                    assertThat(Float.floatToRawIntBits(row[3 + i])).as("n %d trial %d element %d", n, trial, i)
                            .isEqualTo(Float.floatToRawIntBits(expected[i]));
                }
                for (int i = n; i < padded; i++) {
                    assertThat(Float.floatToRawIntBits(row[3 + i])).as("padding %d of n %d", i, n).isZero();
                }
                assertThat(Arrays.copyOfRange(row, 0, 3)).containsExactly(Arrays.copyOfRange(stale, 0, 3));
                assertThat(Arrays.copyOfRange(row, 3 + padded, row.length))
                        .containsExactly(Arrays.copyOfRange(stale, 3 + padded, row.length));
            }
        }
    }

    /** ggml's soft_max on one row, scalar: expf per value, block lane trees summed in double, times 1 / sum. */
    private static float[] scalarSoftmax(float[] x) {
        int n = x.length;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : x) {
            max = Math.max(max, v);
        }
        float[] expected = new float[n];
        double sum = 0;
        for (int block = 0; block < n; block += 16) {
            float[] lanes = new float[16];
            for (int l = 0; l < 16 && block + l < n; l++) {
                lanes[l] = ReferenceSoftmax.expf(x[block + l] - max);
                expected[block + l] = lanes[l];
            }
            sum += ReferenceSoftmax.lanes16Sum(lanes);
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) {
            expected[i] *= inv;
        }
        return expected;
    }

    @Test
    void ggmlExpIsWithinTwoUlpsOfExp() {
        for (float x = -100f; x <= 0f; x += 0.0137f) {
            float expected = (float) Math.exp(x);
            float actual = ReferenceSoftmax.expf(x);
            assertThat(Math.abs(actual - expected)).as("exp(%s)", x).isLessThanOrEqualTo(2 * Math.ulp(expected));
        }
        assertThat(ReferenceSoftmax.expf(Float.NEGATIVE_INFINITY)).isZero();
        assertThat(ReferenceSoftmax.expf(-200f)).isZero();
    }

    @Test
    void rmsNormScaleIsRoundedInFloatTwice() {
        // mean + eps, sqrtf and the float division each round; (float) (1 / Math.sqrt(double)) rounds once
        float[] x = new float[64];
        Random random = new Random(11);
        float[] weight = new float[64];
        java.util.Arrays.fill(weight, 1f);
        int differing = 0;
        for (int trial = 0; trial < 2000; trial++) {
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            float[] out = new float[64];
            ModelMath.rmsNorm(x, 0, weight, 1e-5f, out, 0, 64);
            double sum = 0;
            for (float v : x) {
                sum += v * v;
            }
            float mean = (float) (sum / 64);
            float scale = 1.0f / (float) Math.sqrt(mean + 1e-5f);
            assertThat(out[0]).isEqualTo(x[0] * scale);
            if (scale != (float) (1.0 / Math.sqrt(mean + 1e-5f))) {
                differing++;
            }
        }
        assertThat(differing).as("cases where one rounding would differ (the test can tell them apart)").isPositive();
    }
}

package io.bitnetstreams.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The vectorized per-token int8 quantization against a plain scalar version of its definition. */
class QuantizedActivationsTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 8, 9, 31, 64, 100, 2560, 6912})
    void matchesTheScalarDefinitionOnRandomRowsAndRoundingTies(int cols) {
        Random random = new Random(cols);
        int tokens = 5;
        float[] x = new float[tokens * cols + 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian() * (i % 3 == 0 ? 10f : 0.1f);
        }
        // token 1: every value an exact half step after scaling (amax 127 -> s = 1), so rint's ties-to-even decides
        for (int k = 0; k < cols; k++) {
            x[3 + cols + k] = k == 0 ? 127f : (random.nextInt(254) - 127) + 0.5f * (k % 2 == 0 ? 1 : -1);
        }
        // token 2: all zeros (amax below the 1e-5 floor)
        java.util.Arrays.fill(x, 3 + 2 * cols, 3 + 3 * cols, 0f);
        QuantizedActivations q = new QuantizedActivations(tokens, cols).quantize(x, 3, tokens);
        for (int t = 0; t < tokens; t++) {
            float amax = 0f;
            for (int k = 0; k < cols; k++) {
                amax = Math.max(amax, Math.abs(x[3 + t * cols + k]));
            }
            float s = 127f / Math.max(amax, 1e-5f);
            int sum = 0;
            for (int k = 0; k < cols; k++) {
                int expected = Math.max(-128, Math.min(127, (int) Math.rint(x[3 + t * cols + k] * s)));
                assertThat(q.values()[t * cols + k]).as("token %d col %d", t, k).isEqualTo((byte) expected);
                sum += expected;
            }
            assertThat(q.scale(t)).isEqualTo(s);
            assertThat(q.sum(t)).isEqualTo(sum);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 16})
    void poolVariantGivesTheSameValues(int tokens) {
        int cols = 333;
        Random random = new Random(tokens);
        float[] x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        QuantizedActivations serial = new QuantizedActivations(tokens, cols).quantize(x, 0, tokens);
        try (ComputePool pool = new ComputePool(2)) {
            QuantizedActivations parallel = new QuantizedActivations(tokens, cols).quantize(x, 0, tokens, pool);
            assertThat(parallel.values()).isEqualTo(serial.values());
            for (int t = 0; t < tokens; t++) {
                assertThat(parallel.scale(t)).isEqualTo(serial.scale(t));
                assertThat(parallel.sum(t)).isEqualTo(serial.sum(t));
            }
        }
    }
}

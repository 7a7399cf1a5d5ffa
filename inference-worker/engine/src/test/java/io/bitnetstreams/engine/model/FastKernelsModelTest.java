package io.bitnetstreams.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bitnetstreams.engine.gguf.GgmlType;
import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.kernel.InPlaceKernels;
import io.bitnetstreams.engine.kernel.Kernels;
import io.bitnetstreams.engine.kernel.KernelProvider;
import io.bitnetstreams.engine.kernel.VectorKernels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The vector kernels, the repack cache and the vector/q8 heads inside the model. */
class FastKernelsModelTest {

    @TempDir
    Path dir;

    private static final int[] PROMPT = {1, 72, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100, 33, 10, 200};

    private static KernelProvider vectorKernels() {
        int bits = Kernels.defaultVectorBits();
        assumeTrue(bits > 0, "no native vector width on this CPU/JVM");
        return Kernels.forVectorBits(bits);
    }

    private static float[] logits(Path file, KernelProvider kernels, LoadOptions options, ComputePool pool) {
        try (GgufFile gguf = GgufFile.open(file)) {
            BitNetModel model = BitNetModel.load(gguf, kernels, pool, options).withMaxBatch(4);
            return model.forwardAll(model.newCache(PROMPT.length), PROMPT);
        }
    }

    @Test
    void vectorKernelModelGivesTheInPlaceModelsLogitsBitForBit() {
        KernelProvider vector = vectorKernels();
        for (GgmlType type : List.of(GgmlType.I2_S, GgmlType.TQ2_0, GgmlType.TQ1_0)) {
            Path file = TestModels.write(dir, "m" + type, TestModels.spec(2, 4, 2, null, type, 61));
            try (ComputePool pool = new ComputePool(2)) {
                float[] expected = logits(file, new InPlaceKernels(), LoadOptions.defaults(), pool);
                float[] actual = logits(file, vector, LoadOptions.defaults(), pool);
                // Ternary outputs are bit-exact (VectorKernelsTest); the head reduces vector lanes in an
                // order that may differ between JIT tiers, so logits agree to float rounding.
                assertClose(actual, expected, type.name());
            }
        }
    }

    @Test
    void vectorHeadMatchesTheScalarHeadWithinRounding() {
        Path file = TestModels.write(dir, "head", TestModels.spec(2, 4, 2, null, GgmlType.I2_S, 62));
        try (GgufFile gguf = GgufFile.open(file); ComputePool pool = new ComputePool(2)) {
            BitNetModel model = BitNetModel.load(gguf, new InPlaceKernels(), pool);
            float[] x = new float[3 * model.config().dim()];
            Random random = new Random(3);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            int vocab = model.config().vocabSize();
            float[] vector = new float[3 * vocab];
            float[] scalar = new float[3 * vocab];
            model.lmHead().logits(x, 3, vector, pool);
            new FloatTensorHead(io.bitnetstreams.engine.tensor.Tensors.floating(gguf.tensor("token_embd.weight"),
                    gguf.tensorData(gguf.tensor("token_embd.weight"))), vocab, model.config().dim())
                    .logits(x, 3, scalar, pool);
            for (int i = 0; i < scalar.length; i++) {
                assertThat(vector[i]).isCloseTo(scalar[i], within(1e-3f + 1e-4f * Math.abs(scalar[i])));
            }
        }
    }

    @Test
    void repackCacheIsWrittenOnceThenReadBackWithTheSameLogits() throws IOException {
        KernelProvider vector = vectorKernels();
        Path file = TestModels.write(dir, "cached", TestModels.spec(2, 4, 2, null, GgmlType.I2_S, 63));
        Path cache = dir.resolve("cache");
        LoadOptions options = LoadOptions.defaults().withCache(cache);
        try (ComputePool pool = new ComputePool(2)) {
            float[] uncached = logits(file, vector, LoadOptions.defaults(), pool);
            float[] first = logits(file, vector, options, pool);
            List<Path> written = files(cache);
            assertThat(written).hasSize(1);
            long modified = Files.getLastModifiedTime(written.get(0)).toMillis();
            float[] second = logits(file, vector, options, pool);
            assertClose(first, uncached, "first load");
            assertClose(second, uncached, "cached load");
            assertThat(files(cache)).containsExactlyElementsOf(written);
            assertThat(Files.getLastModifiedTime(written.get(0)).toMillis()).isEqualTo(modified);

            // A damaged cache file is ignored (and replaced), never trusted.
            byte[] bytes = Files.readAllBytes(written.get(0));
            Files.write(written.get(0), java.util.Arrays.copyOf(bytes, bytes.length - 10));
            assertClose(logits(file, vector, options, pool), uncached, "after damage");
            assertThat(Files.size(written.get(0))).isEqualTo(bytes.length);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(value = LmHeadKind.class, names = {"Q8_0", "Q4_0", "Q2"})
    void quantizedHeadAgreesOnTheTopTokenAndIsCachedToo(LmHeadKind kind) throws IOException {
        Path file = TestModels.write(dir, kind.label(), TestModels.spec(2, 4, 2, null, GgmlType.I2_S, 64));
        Path cache = dir.resolve(kind.label() + "cache");
        int[] tokens = new Random(9).ints(120, 0, 256).toArray();
        try (GgufFile gguf = GgufFile.open(file); ComputePool pool = new ComputePool(2)) {
            BitNetModel exact = BitNetModel.load(gguf, new InPlaceKernels(), pool);
            BitNetModel q8 = BitNetModel.load(gguf, new InPlaceKernels(), pool,
                    new LoadOptions(kind, java.util.Optional.of(cache)));
            assertThat(q8.headKind()).isEqualTo(kind);
            float[] a = exact.forwardAll(exact.newCache(tokens.length), tokens);
            float[] b = q8.forwardAll(q8.newCache(tokens.length), tokens);
            int vocab = exact.config().vocabSize();
            int agree = 0;
            double maxDiff = 0;
            for (int t = 0; t < tokens.length; t++) {
                agree += argmax(a, t * vocab, vocab) == argmax(b, t * vocab, vocab) ? 1 : 0;
                for (int v = 0; v < vocab; v++) {
                    maxDiff = Math.max(maxDiff, Math.abs(a[t * vocab + v] - b[t * vocab + v]));
                }
            }
            assertThat(maxDiff).isGreaterThan(0); // it really is another head
            // The quantized head rescores its best candidates exactly: the top token is the exact head's.
            assertThat(agree).isEqualTo(tokens.length);
            assertThat(files(cache)).hasSize(1);
            BitNetModel cached = BitNetModel.load(gguf, new InPlaceKernels(), pool,
                    new LoadOptions(kind, java.util.Optional.of(cache)));
            assertClose(cached.forwardAll(cached.newCache(tokens.length), tokens), b, "cached " + kind.label() + " head");
        }
    }

    @Test
    void kernelWarmUpChangesNothingButTimingAndIsBounded() {
        KernelProvider vector = vectorKernels();
        Path file = TestModels.write(dir, "warm", TestModels.spec(1, 4, 2, null, GgmlType.I2_S, 65));
        try (ComputePool pool = new ComputePool(2)) {
            float[] cold = logits(file, vector, LoadOptions.defaults(), pool);
            float[] warm = logits(file, vector, LoadOptions.defaults().withKernelWarmUp(java.time.Duration.ofMillis(50)), pool);
            assertClose(warm, cold, "warm");
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> LoadOptions.defaults().withKernelWarmUp(java.time.Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> LoadOptions.defaults().withKernelWarmUp(java.time.Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertClose(float[] actual, float[] expected, String what) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as(what + " logit " + i).isCloseTo(expected[i], within(1e-5f + 1e-5f * Math.abs(expected[i])));
        }
    }

    private static int argmax(float[] values, int offset, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (values[offset + i] > values[offset + best]) {
                best = i;
            }
        }
        return best;
    }

    private static List<Path> files(Path directory) throws IOException {
        try (Stream<Path> s = Files.list(directory)) {
            return s.sorted().toList();
        }
    }
}

package io.bitnetstreams.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class VectorKernelsTest {

    /** 70 and 128 on two threads: pieces of tokens per thread (the last one partial for 70), the others row chunks. */
    private static final int[] TOKEN_COUNTS = {1, 2, 3, 5, 8, 17, 70, 128};

    private static ComputePool onePool;
    private static ComputePool twoPool;

    @BeforeAll
    static void pools() {
        onePool = ComputePool.singleThreaded();
        twoPool = new ComputePool(2);
    }

    @AfterAll
    static void closePools() {
        onePool.close();
        twoPool.close();
    }

    /** rows x cols: lane-aligned, ragged M, awkward K (not a multiple of 8 or 9), K long enough to flush. */
    static Stream<Arguments> widthsAndShapes() {
        int[][] shapes = {{64, 128}, {100, 256}, {33, 9 * 7 + 5}, {7, 1}, {65, 8 * 37 + 3}, {40, 2560}};
        return IntStream.of(0, 128, 256, 512).boxed()
                .flatMap(bits -> Stream.of(shapes).map(s -> Arguments.of(bits, s[0], s[1])));
    }

    @ParameterizedTest(name = "{0} bits, {1} x {2}")
    @MethodSource("widthsAndShapes")
    void matchesScalarReferenceBitForBit(int bits, int rows, int cols) {
        assumeTrue(Kernels.isSupported(bits), bits + "-bit vectors not supported here");
        ArrayTernaryWeights weights = ArrayTernaryWeights.random(rows, cols, 31L * rows + cols);
        TernaryMatmul reference = new ScalarKernels().prepare(weights);
        TernaryMatmul kernel = Kernels.forVectorBits(bits).prepare(weights);
        assertThat(kernel.rows()).isEqualTo(rows);
        assertThat(kernel.cols()).isEqualTo(cols);
        Random random = new Random(rows * 7919L + cols);
        for (int tokens : TOKEN_COUNTS) {
            QuantizedActivations x = randomActivations(random, tokens, cols);
            float[] expected = new float[tokens * rows];
            reference.multiply(x, expected, onePool);
            for (ComputePool pool : new ComputePool[] {onePool, twoPool}) {
                float[] actual = new float[tokens * rows];
                kernel.multiply(x, actual, pool);
                assertThat(actual).as("T=%d, threads=%d", tokens, pool.threads()).isEqualTo(expected);
            }
        }
    }

    /** Every product at its largest magnitude, so the int16 accumulators sit at their bound before each flush. */
    @ParameterizedTest(name = "{0} bits")
    @ValueSource(ints = {128, 256, 512})
    void staysExactAtTheInt16Bound(int bits) {
        assumeTrue(Kernels.isSupported(bits));
        int rows = 48;
        int cols = 9 * 8 * 40 + 7;
        for (int code : new int[] {0, 2}) {
            ArrayTernaryWeights weights = ArrayTernaryWeights.constant(rows, cols, code, 1.25f);
            for (byte value : new byte[] {-128, 127}) {
                int tokens = 6; // a 4-token prefill tile (tile2x4) and two single tokens: both paths at the bound
                byte[] q = new byte[tokens * cols];
                java.util.Arrays.fill(q, value);
                QuantizedActivations x = new QuantizedActivations(tokens, cols)
                        .load(q, new float[] {1f, 2f, 0.5f, 1f, 4f, 1f}, tokens);
                float[] expected = new float[tokens * rows];
                new ScalarKernels().prepare(weights).multiply(x, expected, onePool);
                float[] actual = new float[tokens * rows];
                Kernels.forVectorBits(bits).prepare(weights).multiply(x, actual, twoPool);
                assertThat(actual).as("code %d, q %d", code, value).isEqualTo(expected);
                assertThat(expected[0]).isEqualTo((code - 1) * value * (float) cols / 1f * 1.25f);
            }
        }
    }

    @ParameterizedTest(name = "{0} bits")
    @ValueSource(ints = {128, 256, 512})
    void packedWordsInNativeOrMappedMemoryGiveThePreparedResults(int bits) throws java.io.IOException {
        assumeTrue(Kernels.isSupported(bits), bits + "-bit vectors not supported here");
        VectorKernels kernels = VectorKernels.forBits(bits);
        int rows = 100;
        int cols = 9 * 40 + 4;
        ArrayTernaryWeights weights = ArrayTernaryWeights.random(rows, cols, 77L + bits);
        long bytes = kernels.packedBytes(rows, cols);
        java.nio.file.Path file = java.nio.file.Files.createTempFile("packed", ".bin");
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
            java.lang.foreign.MemorySegment words = arena.allocate(bytes, VectorKernels.WORD_ALIGNMENT);
            kernels.packInto(weights, words);
            java.nio.file.Files.write(file, words.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            java.lang.foreign.MemorySegment mapped;
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file)) {
                mapped = channel.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, bytes, arena);
            }
            java.lang.foreign.MemorySegment mappedAsNative = java.lang.foreign.MemorySegment.ofAddress(mapped.address())
                    .reinterpret(bytes, arena, null).asReadOnly();
            TernaryMatmul expected = new ScalarKernels().prepare(weights);
            Random random = new Random(bits);
            for (java.lang.foreign.MemorySegment segment : new java.lang.foreign.MemorySegment[] {words, mappedAsNative}) {
                TernaryMatmul matrix = kernels.fromPacked(rows, cols, weights.scale(), segment);
                for (int tokens : new int[] {1, 6}) {
                    QuantizedActivations x = randomActivations(random, tokens, cols);
                    float[] want = new float[tokens * rows];
                    float[] got = new float[tokens * rows];
                    expected.multiply(x, want, onePool);
                    matrix.multiply(x, got, twoPool);
                    assertThat(got).containsExactly(want);
                }
            }
            // Heap and mapped segments are another implementation class: refused, so the kernels
            // are only ever compiled for one (see fromPacked).
            assertThatThrownBy(() -> kernels.fromPacked(rows, cols, 1f, mapped))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("native");
            assertThatThrownBy(() -> kernels.fromPacked(rows, cols, 1f,
                    java.lang.foreign.MemorySegment.ofArray(new byte[(int) bytes])))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("native");
            assertThatThrownBy(() -> kernels.fromPacked(rows, cols, 1f, words.asSlice(0, bytes - 2)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bytes");
            assertThatThrownBy(() -> kernels.packInto(weights, arena.allocate(bytes + 2)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bytes");
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    @Test
    void reusesTheSameActivationsObjectForFewerTokens() {
        int bits = Kernels.defaultVectorBits();
        assumeTrue(bits > 0);
        ArrayTernaryWeights weights = ArrayTernaryWeights.random(50, 300, 5);
        TernaryMatmul kernel = Kernels.forVectorBits(bits).prepare(weights);
        TernaryMatmul reference = new ScalarKernels().prepare(weights);
        QuantizedActivations x = new QuantizedActivations(40, 300);
        Random random = new Random(9);
        for (int tokens : new int[] {40, 3, 1, 0}) {
            float[] floats = new float[tokens * 300];
            for (int i = 0; i < floats.length; i++) {
                floats[i] = (float) random.nextGaussian();
            }
            x.quantize(floats, 0, tokens);
            float[] expected = new float[tokens * 50];
            float[] actual = new float[tokens * 50];
            reference.multiply(x, expected, twoPool);
            kernel.multiply(x, actual, twoPool);
            assertThat(actual).isEqualTo(expected);
        }
    }

    @Test
    void rejectsMismatchedActivationsAndUnknownWidths() {
        int bits = Kernels.defaultVectorBits();
        assumeTrue(bits > 0);
        TernaryMatmul kernel = Kernels.forVectorBits(bits).prepare(ArrayTernaryWeights.random(8, 16, 1));
        QuantizedActivations wrongCols = new QuantizedActivations(1, 17).quantize(new float[17], 0, 1);
        assertThatThrownBy(() -> kernel.multiply(wrongCols, new float[8], onePool))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("17");
        QuantizedActivations x = new QuantizedActivations(2, 16).quantize(new float[32], 0, 2);
        assertThatThrownBy(() -> kernel.multiply(x, new float[15], onePool))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16");
        assertThatThrownBy(() -> Kernels.forVectorBits(64)).isInstanceOf(IllegalArgumentException.class);
        byte[] badCodes = new byte[16];
        badCodes[3] = 3;
        assertThatThrownBy(() -> Kernels.forVectorBits(bits).prepare(new ArrayTernaryWeights(1, 16, 1f, badCodes)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("column 3");
    }

    @Test
    void systemPropertySelectsTheWidth() {
        String old = System.getProperty(Kernels.VECTOR_BITS_PROPERTY);
        try {
            System.setProperty(Kernels.VECTOR_BITS_PROPERTY, "0");
            assertThat(Kernels.fromSystemProperty()).isInstanceOf(ScalarKernels.class);
            if (Kernels.isSupported(256)) {
                System.setProperty(Kernels.VECTOR_BITS_PROPERTY, "256");
                assertThat(Kernels.fromSystemProperty().name()).isEqualTo("vector-lut-256");
            }
            System.setProperty(Kernels.VECTOR_BITS_PROPERTY, "fast");
            assertThatThrownBy(Kernels::fromSystemProperty).hasMessageContaining("fast");
            System.clearProperty(Kernels.VECTOR_BITS_PROPERTY);
            KernelProvider byDefault = Kernels.fromSystemProperty();
            int expected = Kernels.defaultVectorBits();
            assertThat(byDefault.name()).isEqualTo(expected == 0 ? "scalar" : "vector-lut-" + expected);
        } finally {
            if (old == null) {
                System.clearProperty(Kernels.VECTOR_BITS_PROPERTY);
            } else {
                System.setProperty(Kernels.VECTOR_BITS_PROPERTY, old);
            }
        }
    }

    @ParameterizedTest(name = "{0} bits")
    @ValueSource(ints = {0, 128, 256, 512})
    void multiplyAllEqualsEachMatrixAloneAndChecksEveryShape(int bits) {
        assumeTrue(Kernels.isSupported(bits), bits + "-bit vectors not supported here");
        KernelProvider kernels = Kernels.forVectorBits(bits);
        int cols = 9 * 30 + 4;
        int[] rows = {100, 33, 64}; // like Q, K and V: different row counts, one K
        TernaryMatmul[] matrices = new TernaryMatmul[rows.length];
        for (int i = 0; i < rows.length; i++) {
            matrices[i] = kernels.prepare(ArrayTernaryWeights.random(rows[i], cols, 500L + i));
        }
        Random random = new Random(bits);
        for (ComputePool pool : new ComputePool[] {onePool, twoPool}) {
            for (int tokens : new int[] {1, 3, 8, 40}) { // 40: more than one chunk of tables
                QuantizedActivations x = randomActivations(random, tokens, cols);
                float[][] fused = new float[rows.length][];
                float[][] alone = new float[rows.length][];
                for (int i = 0; i < rows.length; i++) {
                    fused[i] = new float[tokens * rows[i]];
                    alone[i] = new float[tokens * rows[i]];
                    matrices[i].multiply(x, alone[i], pool);
                }
                TernaryMatmul.multiplyAll(x, matrices, fused, pool);
                for (int i = 0; i < rows.length; i++) {
                    assertThat(fused[i]).as("matrix %d, %d tokens", i, tokens).isEqualTo(alone[i]);
                }
            }
        }
        float[][] tooSmall = {new float[1], new float[1], new float[1]};
        QuantizedActivations x = randomActivations(random, 2, cols);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TernaryMatmul.multiplyAll(x, matrices, tooSmall, twoPool))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Full int8 range including -128 (which per-token quantization never produces, but the contract allows). */
    private static QuantizedActivations randomActivations(Random random, int tokens, int cols) {
        byte[] q = new byte[tokens * cols];
        random.nextBytes(q);
        q[0] = -128;
        float[] scales = new float[tokens];
        for (int t = 0; t < tokens; t++) {
            scales[t] = 0.01f + random.nextFloat() * 200f;
        }
        return new QuantizedActivations(tokens, cols).load(q, scales, tokens);
    }
}

package io.bitnetstreams.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeadKernelsTest {

    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int[] TOKEN_COUNTS = {1, 2, 3, 4, 5, 7, 8, 9, 16, 17};

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

    @ParameterizedTest(name = "dim {0}")
    @ValueSource(ints = {64, 96, 40, 7, 100, 2560})
    void f16HeadMatchesTheScalarReference(int dim) {
        int vocab = 131;
        Random random = new Random(dim);
        MemorySegment rows = randomF16Rows(random, vocab, dim);
        LmHead reference = HeadKernels.f16Reference(rows, vocab, dim);
        LmHead head = HeadKernels.f16(rows, vocab, dim);
        assertThat(head.vocab()).isEqualTo(vocab);
        assertThat(head.dim()).isEqualTo(dim);
        for (int tokens : TOKEN_COUNTS) {
            float[] x = randomInput(random, tokens, dim);
            float[] expected = new float[tokens * vocab];
            reference.logits(x, tokens, expected, onePool);
            float[] bound = errorBound(rows, x, tokens, vocab, dim);
            for (ComputePool pool : new ComputePool[] {onePool, twoPool}) {
                float[] actual = new float[tokens * vocab];
                head.logits(x, tokens, actual, pool);
                for (int i = 0; i < actual.length; i++) {
                    assertThat(actual[i]).as("T=%d i=%d", tokens, i).isCloseTo(expected[i], within(bound[i]));
                }
            }
        }
    }

    /** One-hot inputs read every finite F16 bit pattern back: the in-register conversion is exact. */
    @Test
    void f16ConversionIsExactForEveryFinitePattern() {
        int dim = 32;
        int vocab = 2048; // 65536 patterns
        byte[] bytes = new byte[vocab * dim * 2];
        MemorySegment rows = MemorySegment.ofArray(bytes);
        for (int p = 0; p < vocab * dim; p++) {
            short bits = (short) p;
            boolean finite = (p & 0x7c00) != 0x7c00;
            rows.set(F16, 2L * p, finite ? bits : 0);
        }
        float[] x = new float[dim * dim];
        for (int t = 0; t < dim; t++) {
            x[t * dim + t] = 1f;
        }
        float[] out = new float[dim * vocab];
        HeadKernels.f16(rows, vocab, dim).logits(x, dim, out, twoPool);
        for (int v = 0; v < vocab; v++) {
            for (int t = 0; t < dim; t++) {
                float expected = Float.float16ToFloat(rows.get(F16, 2L * (v * dim + t)));
                assertThat(out[t * vocab + v]).as("pattern %04x", v * dim + t).isEqualTo(expected, within(0f));
            }
        }
    }

    @Test
    void infinitiesAndNanPropagateLikeTheReference() {
        int dim = 64;
        byte[] bytes = new byte[3 * dim * 2];
        MemorySegment rows = MemorySegment.ofArray(bytes);
        rows.set(F16, 2L * 5, (short) 0x7c00);             // +inf in row 0
        rows.set(F16, 2L * (dim + 7), (short) 0xfc00);     // -inf in row 1
        rows.set(F16, 2L * (2 * dim + 9), (short) 0x7e01); // NaN in row 2
        float[] x = new float[dim];
        java.util.Arrays.fill(x, 0.5f);
        float[] out = new float[3];
        HeadKernels.f16(rows, 3, dim).logits(x, 1, out, onePool);
        assertThat(out[0]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(out[1]).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(out[2]).isNaN();
    }

    /** Rows holding infinities or NaNs take the exact conversion in every tile shape; their neighbours do not change. */
    @ParameterizedTest(name = "tokens {0}")
    @ValueSource(ints = {1, 4, 5, 9})
    void infinitiesAndNanPropagateInTilesToo(int tokens) {
        int dim = 96;
        int vocab = 10;
        Random random = new Random(tokens);
        MemorySegment rows = randomF16Rows(random, vocab, dim);
        MemorySegment clean = MemorySegment.ofArray(rows.toArray(ValueLayout.JAVA_BYTE));
        rows.set(F16, 2L * 5, (short) 0x7c00);                  // +inf in row 0
        rows.set(F16, 2L * (5 * dim + 70), (short) 0xfc00);     // -inf in row 5
        rows.set(F16, 2L * (6 * dim + 33), (short) 0x7e01);     // NaN in row 6
        float[] x = new float[tokens * dim];
        java.util.Arrays.fill(x, 0.5f);
        float[] out = new float[tokens * vocab];
        float[] cleanOut = new float[tokens * vocab];
        HeadKernels.f16(rows, vocab, dim).logits(x, tokens, out, twoPool);
        HeadKernels.f16(clean, vocab, dim).logits(x, tokens, cleanOut, twoPool);
        for (int t = 0; t < tokens; t++) {
            assertThat(out[t * vocab]).isEqualTo(Float.POSITIVE_INFINITY);
            assertThat(out[t * vocab + 5]).isEqualTo(Float.NEGATIVE_INFINITY);
            assertThat(out[t * vocab + 6]).isNaN();
            for (int v : new int[] {1, 2, 3, 4, 7, 8, 9}) {
                assertThat(out[t * vocab + v]).as("row %d", v).isEqualTo(cleanOut[t * vocab + v]);
            }
        }
    }

    @Test
    void rowSubsetsGiveTheSameValuesAsTheFullHead() {
        int vocab = 90;
        int dim = 96;
        Random random = new Random(3);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment heap = randomF16Rows(random, vocab, dim);
            MemorySegment rows = arena.allocate(heap.byteSize());
            rows.copyFrom(heap);
            HeadKernels.Q8Rows q8 = HeadKernels.quantizeQ8(rows, vocab, dim, twoPool);
            HeadKernels.Q4Rows q4 = quantizeQ4(rows, vocab, dim, arena);
            HeadKernels.Q2Rows q2 = quantizeQ2(rows, vocab, dim, arena);
            LmHead[] heads = {HeadKernels.q2(q2), HeadKernels.q2(q2, HeadKernels.f16(rows, vocab, dim)),
                HeadKernels.q2Reference(q2), HeadKernels.f16(rows, vocab, dim), HeadKernels.q8(q8),
                HeadKernels.q8(q8, HeadKernels.f16(rows, vocab, dim)),
                HeadKernels.f16Reference(rows, vocab, dim), HeadKernels.q8Reference(q8),
                HeadKernels.q4(q4), HeadKernels.q4(q4, HeadKernels.f16(rows, vocab, dim)), HeadKernels.q4Reference(q4)};
            int[] ids = {17, 0, 89, 17, 42};
            for (LmHead head : heads) {
                for (int tokens : TOKEN_COUNTS) {
                    float[] x = randomInput(random, tokens, dim);
                    float[] all = new float[tokens * vocab];
                    head.logits(x, tokens, all, twoPool);
                    float[] subset = new float[tokens * ids.length];
                    head.logitsForRows(ids, x, tokens, subset, twoPool);
                    for (int t = 0; t < tokens; t++) {
                        for (int i = 0; i < ids.length; i++) {
                            assertThat(subset[t * ids.length + i]).isEqualTo(all[t * vocab + ids[i]]);
                        }
                    }
                }
                assertThatThrownBy(() -> head.logitsForRows(new int[] {vocab}, new float[dim], 1, new float[1], onePool))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(String.valueOf(vocab));
            }
        }
    }

    @ParameterizedTest(name = "dim {0}")
    @ValueSource(ints = {32, 96, 2560})
    void q8HeadQuantizesPerBlockAndMatchesItsReference(int dim) {
        int vocab = 77;
        Random random = new Random(dim + 1);
        MemorySegment rows = randomF16Rows(random, vocab, dim);
        HeadKernels.Q8Rows q8 = HeadKernels.quantizeQ8(rows, vocab, dim, twoPool);
        for (int v = 0; v < vocab; v++) {
            for (int d = 0; d < dim; d++) {
                float original = Float.float16ToFloat(rows.get(F16, 2L * (v * dim + d)));
                float scale = q8.scales()[v * (dim / 32) + d / 32];
                float restored = q8.quants()[v * dim + d] * scale;
                assertThat(restored).isCloseTo(original, within(scale * 0.5f + 1e-6f));
            }
        }
        LmHead reference = HeadKernels.q8Reference(q8);
        LmHead head = HeadKernels.q8(q8);
        for (int tokens : TOKEN_COUNTS) {
            float[] x = randomInput(random, tokens, dim);
            float[] expected = new float[tokens * vocab];
            reference.logits(x, tokens, expected, onePool);
            float[] bound = errorBound(rows, x, tokens, vocab, dim);
            float[] actual = new float[tokens * vocab];
            head.logits(x, tokens, actual, twoPool);
            for (int i = 0; i < actual.length; i++) {
                assertThat(actual[i]).as("T=%d i=%d", tokens, i).isCloseTo(expected[i], within(bound[i]));
            }
        }
    }

    @ParameterizedTest(name = "dim {0}")
    @ValueSource(ints = {32, 96, 2560})
    void q4HeadQuantizesPerBlockAndMatchesItsReference(int dim) {
        int vocab = 77;
        Random random = new Random(dim + 2);
        MemorySegment rows = randomF16Rows(random, vocab, dim);
        try (Arena arena = Arena.ofShared()) {
            HeadKernels.Q4Rows q4 = quantizeQ4(rows, vocab, dim, arena);
            double squaredError = 0;
            double squaredValues = 0;
            for (int v = 0; v < vocab; v++) {
                for (int d = 0; d < dim; d++) {
                    float original = Float.float16ToFloat(rows.get(F16, 2L * (v * dim + d)));
                    float scale = q4.scale(v, d / 32);
                    int code = q4.code(v, d);
                    assertThat(code).isBetween(-8, 7);
                    // at most one step off (the clamp at +7), half a step for most values
                    assertThat(code * scale).isCloseTo(original, within(Math.abs(scale) * 1.0001f + 1e-7f));
                    squaredError += (code * scale - original) * (double) (code * scale - original);
                    squaredValues += original * (double) original;
                }
            }
            assertThat(Math.sqrt(squaredError / squaredValues)).as("relative RMS error of 4-bit blocks").isLessThan(0.12);
            LmHead reference = HeadKernels.q4Reference(q4);
            LmHead head = HeadKernels.q4(q4);
            for (int tokens : TOKEN_COUNTS) {
                float[] x = randomInput(random, tokens, dim);
                float[] expected = new float[tokens * vocab];
                reference.logits(x, tokens, expected, onePool);
                float[] bound = errorBound((v, d) -> q4.code(v, d) * q4.scale(v, d / 32), x, tokens, vocab, dim);
                for (ComputePool pool : new ComputePool[] {onePool, twoPool}) {
                    float[] actual = new float[tokens * vocab];
                    head.logits(x, tokens, actual, pool);
                    for (int i = 0; i < actual.length; i++) {
                        assertThat(actual[i]).as("T=%d i=%d", tokens, i).isCloseTo(expected[i], within(bound[i]));
                    }
                }
            }
        }
    }

    /** Every code and the extreme scales survive packing: one-hot inputs read each value back exactly. */
    @Test
    void q4PackingReadsEveryCodeBack() {
        int dim = 64;
        int vocab = 16;
        MemorySegment rows = MemorySegment.ofArray(new byte[vocab * dim * 2]);
        for (int v = 0; v < vocab; v++) {
            for (int d = 0; d < dim; d++) {
                int code = (v + d) % 16 - 8; // every code in every nibble position
                // each block holds every code once or twice, -8 included: scale = extreme / -8 fits exactly
                float step = d < 32 ? 0.125f : 0.0625f;
                rows.set(F16, 2L * (v * dim + d), Float.floatToFloat16(code * step));
            }
        }
        try (Arena arena = Arena.ofShared()) {
            HeadKernels.Q4Rows q4 = quantizeQ4(rows, vocab, dim, arena);
            float[] x = new float[dim * dim];
            for (int t = 0; t < dim; t++) {
                x[t * dim + t] = 1f;
            }
            float[] out = new float[dim * vocab];
            HeadKernels.q4(q4).logits(x, dim, out, twoPool);
            for (int v = 0; v < vocab; v++) {
                for (int t = 0; t < dim; t++) {
                    float expected = Float.float16ToFloat(rows.get(F16, 2L * (v * dim + t)));
                    assertThat(out[t * vocab + v]).as("row %d column %d", v, t).isEqualTo(expected);
                }
            }
        }
    }

    /**
     * The 2-bit head (rows in lanes, 16-row groups, odd row counts padded) against its scalar
     * reference on random tensors; and the quantizer's error: each value within 1.52 steps (the clamp
     * at the outer levels, and the bf16 rounding of the scale), the whole block near the best 4-level quantizer's 0.34 relative RMS.
     */
    @ParameterizedTest(name = "dim {0}")
    @ValueSource(ints = {32, 96, 2560})
    void q2HeadQuantizesPerBlockAndMatchesItsReference(int dim) {
        Random random = new Random(dim + 3);
        for (int vocab : new int[] {1, 15, 16, 17, 77}) {
            MemorySegment rows = randomF16Rows(random, vocab, dim);
            try (Arena arena = Arena.ofShared()) {
                HeadKernels.Q2Rows q2 = quantizeQ2(rows, vocab, dim, arena);
                double squaredError = 0;
                double squaredValues = 0;
                for (int v = 0; v < vocab; v++) {
                    for (int d = 0; d < dim; d++) {
                        float original = Float.float16ToFloat(rows.get(F16, 2L * (v * dim + d)));
                        float scale = q2.scale(v, d / 32);
                        assertThat(q2.code(v, d)).isBetween(0, 3);
                        assertThat(q2.value(v, d)).isCloseTo(original, within(Math.abs(scale) * 1.52f + 1e-7f));
                        squaredError += (q2.value(v, d) - original) * (double) (q2.value(v, d) - original);
                        squaredValues += original * (double) original;
                    }
                }
                assertThat(Math.sqrt(squaredError / squaredValues)).as("relative RMS error of 2-bit blocks").isLessThan(0.40);
                LmHead reference = HeadKernels.q2Reference(q2);
                LmHead head = HeadKernels.q2(q2);
                for (int tokens : TOKEN_COUNTS) {
                    float[] x = randomInput(random, tokens, dim);
                    float[] expected = new float[tokens * vocab];
                    reference.logits(x, tokens, expected, onePool);
                    float[] bound = q2ErrorBound(q2, x, tokens);
                    for (ComputePool pool : new ComputePool[] {onePool, twoPool}) {
                        float[] actual = new float[tokens * vocab];
                        head.logits(x, tokens, actual, pool);
                        for (int i = 0; i < actual.length; i++) {
                            assertThat(actual[i]).as("vocab %d T=%d i=%d", vocab, tokens, i).isCloseTo(expected[i], within(bound[i]));
                        }
                    }
                }
            }
        }
    }

    /**
     * The kernel's rounding: per block its chains carry the input scaled up by up to 2^9 (the codes'
     * places in the float mantissa), so a few ulps of {@code sum |x| * 2^9} per term and block, times
     * the block scale; plus the reference's own reordering error.
     */
    private static float[] q2ErrorBound(HeadKernels.Q2Rows q2, float[] x, int tokens) {
        int vocab = q2.vocab();
        int dim = q2.dim();
        float[] bound = errorBound(q2::value, x, tokens, vocab, dim);
        for (int t = 0; t < tokens; t++) {
            for (int v = 0; v < vocab; v++) {
                double sum = 0;
                for (int b = 0; b < dim / 32; b++) {
                    double abs = 0;
                    for (int i = 0; i < 32; i++) {
                        abs += Math.abs(x[t * dim + 32 * b + i]) * (512 + 1.5);
                    }
                    sum += Math.abs(q2.scale(v, b)) * abs * 32 * 0x1p-24 * 2;
                }
                bound[t * vocab + v] += (float) sum;
            }
        }
        return bound;
    }

    /** Every code in every bit position survives packing: one-hot inputs read each value back exactly. */
    @Test
    void q2PackingReadsEveryCodeBack() {
        int dim = 64;
        int vocab = 19; // a full group and a padded one
        MemorySegment rows = MemorySegment.ofArray(new byte[vocab * dim * 2]);
        for (int v = 0; v < vocab; v++) {
            for (int d = 0; d < dim; d++) {
                // every code in every place; each block holds +-1.5 steps, so amax / 1.5 is the exact step
                int code = (v + d) % 4;
                float step = d < 32 ? 0.125f : 0.0625f * (1 + v % 3);
                rows.set(F16, 2L * (v * dim + d), Float.floatToFloat16((code - 1.5f) * step));
            }
        }
        try (Arena arena = Arena.ofShared()) {
            HeadKernels.Q2Rows q2 = quantizeQ2(rows, vocab, dim, arena);
            float[] x = new float[dim * dim];
            for (int t = 0; t < dim; t++) {
                x[t * dim + t] = 1f;
            }
            float[] out = new float[dim * vocab];
            HeadKernels.q2(q2).logits(x, dim, out, twoPool);
            for (int v = 0; v < vocab; v++) {
                for (int t = 0; t < dim; t++) {
                    float expected = Float.float16ToFloat(rows.get(F16, 2L * (v * dim + t)));
                    assertThat(q2.value(v, t)).as("row %d column %d", v, t).isEqualTo(expected);
                    assertThat(out[t * vocab + v]).as("row %d column %d", v, t).isEqualTo(expected);
                }
            }
        }
    }

    /**
     * Continuous batching: a token's logits must not depend on the batch it shares or its place in it
     * (batched forward equals one token at a time, bit for bit).
     */
    @ParameterizedTest(name = "dim {0}")
    @ValueSource(ints = {7, 40, 96, 100, 2560})
    void everyLogitHasTheSameBitsAloneOrInAnyBatchPosition(int dim) {
        int vocab = 37; // not a multiple of the row tile
        Random random = new Random(dim + 5);
        MemorySegment rows = randomF16Rows(random, vocab, dim);
        int maxTokens = 17;
        float[] x = randomInput(random, maxTokens, dim);
        for (LmHead head : vectorHeads(rows, vocab, dim)) {
            float[] alone = new float[maxTokens * vocab];
            for (int t = 0; t < maxTokens; t++) {
                float[] one = new float[vocab];
                head.logits(java.util.Arrays.copyOfRange(x, t * dim, (t + 1) * dim), 1, one, onePool);
                System.arraycopy(one, 0, alone, t * vocab, vocab);
            }
            for (int tokens = 1; tokens <= maxTokens; tokens++) {
                int shift = tokens % 5; // token (shift + j) % 17 sits at position j
                float[] batch = new float[tokens * dim];
                for (int j = 0; j < tokens; j++) {
                    System.arraycopy(x, ((shift + j) % maxTokens) * dim, batch, j * dim, dim);
                }
                for (ComputePool pool : new ComputePool[] {onePool, twoPool}) {
                    float[] out = new float[tokens * vocab];
                    head.logits(batch, tokens, out, pool);
                    for (int j = 0; j < tokens; j++) {
                        int t = (shift + j) % maxTokens;
                        for (int v = 0; v < vocab; v++) {
                            assertThat(Float.floatToRawIntBits(out[j * vocab + v])).as("T=%d pos %d token %d row %d", tokens, j, t, v)
                                    .isEqualTo(Float.floatToRawIntBits(alone[t * vocab + v]));
                        }
                    }
                }
            }
        }
    }

    /**
     * Heads split their rows into guided pieces whose bounds depend on timing: a vocabulary large enough
     * to be split (odd, not a multiple of the row tile or the q2 group) must give every logit the bits of
     * the one-thread pool on two and three threads, for every head kind and for 1 and 5 tokens.
     */
    @Test
    void everyLogitHasTheSameBitsOnAnyPoolWhenTheRowsAreSplit() {
        int vocab = 1201; // several pieces of 256+ rows (q2: of 16+ groups) on two threads
        int dim = 32;
        Random random = new Random(41);
        MemorySegment rows = randomF16Rows(random, vocab, dim);
        float[] x = randomInput(random, 5, dim);
        try (ComputePool three = new ComputePool(3)) {
            for (LmHead head : vectorHeads(rows, vocab, dim)) {
                for (int tokens : new int[] {1, 5}) {
                    float[] expected = new float[tokens * vocab];
                    head.logits(x, tokens, expected, onePool);
                    for (ComputePool pool : new ComputePool[] {twoPool, three}) {
                        for (int round = 0; round < 2; round++) {
                            float[] actual = new float[tokens * vocab];
                            head.logits(x, tokens, actual, pool);
                            int firstDifference = -1;
                            for (int i = 0; i < actual.length && firstDifference < 0; i++) {
                                if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(expected[i])) {
                                    firstDifference = i;
                                }
                            }
                            assertThat(firstDifference).as("first differing logit, %s T=%d threads %d", head, tokens,
                                    pool.threads()).isEqualTo(-1);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"q8", "q4", "q2"})
    void rescoredHeadPicksTheExactTopTokenWhereThePlainHeadDoesNot(String kind) {
        int dim = 256;
        int vocab = 300;
        int nearTies = 12; // fewer than the rescored candidates
        Random random = new Random(11);
        float[] base = new float[dim];
        for (int d = 0; d < dim; d++) {
            base[d] = (float) random.nextGaussian() * 0.05f;
        }
        MemorySegment rows = MemorySegment.ofArray(new byte[vocab * dim * 2]);
        for (int v = 0; v < vocab; v++) {
            for (int d = 0; d < dim; d++) {
                float value = v < nearTies ? base[d] * (1 + (float) random.nextGaussian() * 0.004f)
                        : (float) random.nextGaussian() * 0.01f;
                rows.set(F16, 2L * (v * dim + d), Float.floatToFloat16(value));
            }
        }
        int tokens = 64;
        float[] x = new float[tokens * dim];
        for (int t = 0; t < tokens; t++) {
            for (int d = 0; d < dim; d++) {
                x[t * dim + d] = base[d] * 20f + (float) random.nextGaussian() * 0.3f;
            }
        }
        LmHead exact = HeadKernels.f16(rows, vocab, dim);
        Arena arena = Arena.ofAuto();
        LmHead plain;
        LmHead rescored;
        if (kind.equals("q8")) {
            HeadKernels.Q8Rows q8 = HeadKernels.quantizeQ8(rows, vocab, dim, twoPool);
            plain = HeadKernels.q8(q8);
            rescored = HeadKernels.q8(q8, exact);
        } else if (kind.equals("q4")) {
            HeadKernels.Q4Rows q4 = quantizeQ4(rows, vocab, dim, arena);
            plain = HeadKernels.q4(q4);
            rescored = HeadKernels.q4(q4, exact);
        } else {
            HeadKernels.Q2Rows q2 = quantizeQ2(rows, vocab, dim, arena);
            plain = HeadKernels.q2(q2);
            rescored = HeadKernels.q2(q2, exact);
        }
        float[] exactOut = new float[tokens * vocab];
        float[] plainOut = new float[tokens * vocab];
        float[] rescoredOut = new float[tokens * vocab];
        exact.logits(x, tokens, exactOut, twoPool);
        plain.logits(x, tokens, plainOut, twoPool);
        rescored.logits(x, tokens, rescoredOut, twoPool);
        int plainMisses = 0;
        for (int t = 0; t < tokens; t++) {
            int top = argmax(exactOut, t * vocab, vocab);
            assertThat(top).isLessThan(nearTies);
            plainMisses += argmax(plainOut, t * vocab, vocab) == top ? 0 : 1;
            assertThat(argmax(rescoredOut, t * vocab, vocab)).as("token %d", t).isEqualTo(top);
            assertThat(rescoredOut[t * vocab + top]).isEqualTo(exactOut[t * vocab + top]);
            for (int v = nearTies; v < vocab; v++) { // far from the top: left at approximate values
                if (rescoredOut[t * vocab + v] != plainOut[t * vocab + v]) {
                    assertThat(rescoredOut[t * vocab + v]).isEqualTo(exactOut[t * vocab + v]);
                }
            }
        }
        assertThat(plainMisses).as("near ties the plain %s head gets wrong", kind).isPositive();
    }

    @Test
    void topCandidatesAreTheLargestWithTiesToTheLowerIndex() {
        Random random = new Random(5);
        for (int round = 0; round < 200; round++) {
            int n = 1 + random.nextInt(60);
            float[] values = new float[n + 3];
            for (int i = 0; i < values.length; i++) {
                values[i] = switch (random.nextInt(6)) {
                    case 0 -> Float.NaN;
                    case 1 -> Float.NEGATIVE_INFINITY;
                    default -> random.nextInt(8); // many ties
                };
            }
            int k = 1 + random.nextInt(Math.min(n, 16));
            int[] ids = new int[k];
            RescoredHead.topCandidates(values, 3, n, ids);
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, (a, b) -> {
                float va = Float.isNaN(values[3 + a]) ? Float.NEGATIVE_INFINITY : values[3 + a];
                float vb = Float.isNaN(values[3 + b]) ? Float.NEGATIVE_INFINITY : values[3 + b];
                return va != vb ? Float.compare(vb, va) : Integer.compare(a, b);
            });
            for (int i = 0; i < k; i++) {
                assertThat(ids[i]).as("round %d rank %d", round, i).isEqualTo(order[i]);
            }
        }
    }

    private static LmHead[] vectorHeads(MemorySegment rows, int vocab, int dim) {
        if (dim % 32 != 0) {
            return new LmHead[] {HeadKernels.f16(rows, vocab, dim)};
        }
        HeadKernels.Q8Rows q8 = HeadKernels.quantizeQ8(rows, vocab, dim, twoPool);
        HeadKernels.Q4Rows q4 = quantizeQ4(rows, vocab, dim, Arena.ofAuto());
        HeadKernels.Q2Rows q2 = quantizeQ2(rows, vocab, dim, Arena.ofAuto());
        LmHead f16 = HeadKernels.f16(rows, vocab, dim);
        return new LmHead[] {f16, HeadKernels.q8(q8), HeadKernels.q8(q8, f16), HeadKernels.q4(q4), HeadKernels.q4(q4, f16),
            HeadKernels.q2(q2), HeadKernels.q2(q2, f16)};
    }

    private static int argmax(float[] values, int base, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (values[base + i] > values[base + best]) {
                best = i;
            }
        }
        return best;
    }

    @Test
    void rejectsBadShapes() {
        MemorySegment rows = MemorySegment.ofArray(new byte[10 * 48 * 2]);
        assertThatThrownBy(() -> HeadKernels.f16(rows, 11, 48)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bytes");
        assertThatThrownBy(() -> HeadKernels.quantizeQ8(rows, 10, 48, onePool)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32");
        assertThatThrownBy(() -> HeadKernels.quantizeQ4(rows, 10, 48, MemorySegment.ofArray(new byte[10 * 30]), onePool))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32");
        MemorySegment rows64 = MemorySegment.ofArray(new byte[10 * 64 * 2]);
        assertThatThrownBy(() -> HeadKernels.quantizeQ4(rows64, 10, 64, MemorySegment.ofArray(new byte[10]), onePool))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bytes");
        LmHead head = HeadKernels.f16(rows, 10, 48);
        assertThatThrownBy(() -> head.logits(new float[47], 1, new float[10], onePool))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> head.logits(new float[48], 1, new float[9], onePool))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static MemorySegment randomF16Rows(Random random, int vocab, int dim) {
        MemorySegment rows = MemorySegment.ofArray(new byte[vocab * dim * 2]);
        for (int i = 0; i < vocab * dim; i++) {
            float value = (float) random.nextGaussian() * 0.05f;
            if (random.nextInt(50) == 0) {
                value = random.nextFloat() * 1e-6f; // F16 subnormal range
            }
            rows.set(F16, 2L * i, Float.floatToFloat16(value));
        }
        return rows;
    }

    private static float[] randomInput(Random random, int tokens, int dim) {
        float[] x = new float[tokens * dim];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian() * 3f;
        }
        return x;
    }

    private static HeadKernels.Q4Rows quantizeQ4(MemorySegment f16Rows, int vocab, int dim, Arena arena) {
        MemorySegment dst = HugePages.allocate(HeadKernels.Q4Rows.bytes(vocab, dim), arena);
        return HeadKernels.quantizeQ4(f16Rows, vocab, dim, dst, twoPool);
    }

    private static HeadKernels.Q2Rows quantizeQ2(MemorySegment f16Rows, int vocab, int dim, Arena arena) {
        MemorySegment dst = HugePages.allocate(HeadKernels.Q2Rows.bytes(vocab, dim), arena);
        return HeadKernels.quantizeQ2(f16Rows, vocab, dim, dst, twoPool);
    }

    private interface Values {
        float at(int row, int column);
    }

    private static float[] errorBound(MemorySegment rows, float[] x, int tokens, int vocab, int dim) {
        return errorBound((v, d) -> Float.float16ToFloat(rows.get(F16, 2L * (v * dim + d))), x, tokens, vocab, dim);
    }

    /** Float-sum reordering error bound: a few ulps of sum |e * x| per term. */
    private static float[] errorBound(Values rows, float[] x, int tokens, int vocab, int dim) {
        float[] bound = new float[tokens * vocab];
        for (int t = 0; t < tokens; t++) {
            for (int v = 0; v < vocab; v++) {
                double abs = 0;
                for (int d = 0; d < dim; d++) {
                    abs += Math.abs(rows.at(v, d) * x[t * dim + d]);
                }
                bound[t * vocab + v] = (float) (abs * dim * 0x1p-24 * 2) + 1e-30f;
            }
        }
        return bound;
    }
}

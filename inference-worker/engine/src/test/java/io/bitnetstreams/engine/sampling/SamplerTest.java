package io.bitnetstreams.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {

    private static final SamplingParams PLAIN = new SamplingParams(1f, 0, 1f, 0f, 1f, 0, 42L);

    /** Logits whose softmax (temperature 1) is exactly the given distribution. */
    private static float[] logitsOf(double... probabilities) {
        float[] logits = new float[probabilities.length];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) Math.log(probabilities[i]);
        }
        return logits;
    }

    private static float[] randomLogits(long seed, int size) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] logits = new float[size];
        for (int i = 0; i < size; i++) {
            logits[i] = (float) (random.nextGaussian() * 3);
        }
        return logits;
    }

    private static int[] counts(Sampler sampler, float[] logits, int draws) {
        int[] counts = new int[logits.length];
        for (int i = 0; i < draws; i++) {
            counts[sampler.sample(logits.clone(), null, 0)]++;
        }
        return counts;
    }

    /** Asserts each observed frequency is within 5 standard deviations (+ a small slack) of its expectation. */
    private static void assertFrequencies(int[] counts, double[] expected, int draws) {
        for (int i = 0; i < expected.length; i++) {
            double observed = counts[i] / (double) draws;
            double sigma = Math.sqrt(expected[i] * (1 - expected[i]) / draws);
            assertThat(observed).as("frequency of token %d", i).isCloseTo(expected[i],
                    org.assertj.core.data.Offset.offset(5 * sigma + 1e-3));
            if (expected[i] == 0) {
                assertThat(counts[i]).as("draws of excluded token %d", i).isZero();
            }
        }
    }

    @Test
    void greedyPicksArgmaxWithTiesToLowestIdAndIgnoresNaN() {
        Sampler sampler = new Sampler(SamplingParams.greedy());
        assertThat(sampler.sample(new float[] {0.1f, 3f, -2f, 2.9f}, null, 0)).isEqualTo(1);
        assertThat(sampler.sample(new float[] {1f, 5f, 5f, 5f}, null, 0)).isEqualTo(1);
        assertThat(sampler.sample(new float[] {Float.NaN, -1f, Float.NaN}, null, 0)).isEqualTo(1);
        assertThat(sampler.sample(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, null, 0)).isZero();
    }

    @Test
    void allNaNLogitsAreRejected() {
        Sampler sampler = new Sampler(PLAIN);
        assertThatIllegalArgumentException().isThrownBy(() -> sampler.sample(new float[] {Float.NaN, Float.NaN}, null, 0))
                .withMessageContaining("NaN");
    }

    @Test
    void onlyFiniteCandidateIsChosenWhenOthersAreExcluded() {
        Sampler sampler = new Sampler(PLAIN);
        float[] logits = {Float.NEGATIVE_INFINITY, Float.NaN, 0.5f, Float.NEGATIVE_INFINITY};
        for (int i = 0; i < 100; i++) {
            assertThat(sampler.sample(logits.clone(), null, 0)).isEqualTo(2);
        }
        assertThat(new Sampler(PLAIN).sample(new float[] {1f, Float.POSITIVE_INFINITY, 2f}, null, 0)).isEqualTo(1);
        float[] allExcluded = {Float.NaN, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        assertThat(new Sampler(PLAIN.withTopP(0.5f)).sample(allExcluded, null, 0)).isEqualTo(1);
    }

    @Test
    void sameSeedSameTokensDifferentSeedDifferentTokens() {
        SamplingParams params = new SamplingParams(0.9f, 50, 0.95f, 0.02f, 1.1f, 16, 1234L);
        float[] logits = randomLogits(7, 2_000);
        int[] first = new int[300];
        int[] second = new int[300];
        int[] other = new int[300];
        Sampler a = new Sampler(params);
        Sampler b = new Sampler(params);
        Sampler c = new Sampler(params.withSeed(99L));
        for (int i = 0; i < first.length; i++) {
            first[i] = a.sample(logits.clone(), first, i);
            second[i] = b.sample(logits.clone(), second, i);
            other[i] = c.sample(logits.clone(), other, i);
        }
        assertThat(second).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
        assertThat(Arrays.stream(first).distinct().count()).as("the draws vary").isGreaterThan(5);
    }

    @Test
    void frequenciesMatchTheDistributionAtTemperatureOne() {
        double[] expected = {0.5, 0.3, 0.15, 0.05};
        int draws = 100_000;
        assertFrequencies(counts(new Sampler(PLAIN), logitsOf(expected), draws), expected, draws);
    }

    @Test
    void temperatureSharpensAndFlattens() {
        double[] base = {0.5, 0.3, 0.2};
        int draws = 100_000;
        // softmax(log p / T) is proportional to p^(1/T)
        double[] sharp = normalized(Math.pow(0.5, 2), Math.pow(0.3, 2), Math.pow(0.2, 2));
        assertFrequencies(counts(new Sampler(PLAIN.withTemperature(0.5f)), logitsOf(base), draws), sharp, draws);
        double[] flat = normalized(Math.sqrt(0.5), Math.sqrt(0.3), Math.sqrt(0.2));
        assertFrequencies(counts(new Sampler(PLAIN.withTemperature(2f)), logitsOf(base), draws), flat, draws);
    }

    @Test
    void topKNeverPicksOutsideTheTopK() {
        float[] logits = randomLogits(11, 5_000);
        logits[17] = logits[4_000] = 9f; // a tie at the top
        int k = 5;
        Set<Integer> topK = topIdsByReference(logits, k);
        Sampler sampler = new Sampler(PLAIN.withTopK(k).withTemperature(5f)); // flat: every allowed id shows up
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 5_000; i++) {
            seen.add(sampler.sample(logits.clone(), null, 0));
        }
        assertThat(seen).isEqualTo(topK);
    }

    @Test
    void topKTieAtTheBoundaryKeepsTheLowerId() {
        float[] logits = {1f, 3f, 2f, 2f, 2f};
        Sampler sampler = new Sampler(PLAIN.withTopK(2).withTemperature(10f));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            seen.add(sampler.sample(logits.clone(), null, 0));
        }
        assertThat(seen).containsExactlyInAnyOrder(1, 2);
    }

    @Test
    void topPKeepsTheSmallestNucleus() {
        double[] probabilities = {0.15, 0.5, 0.05, 0.3};
        int draws = 50_000;
        // 0.5 + 0.3 = 0.8 >= 0.75 -> {1, 3}, renormalized
        double[] expected = {0, 0.625, 0, 0.375};
        assertFrequencies(counts(new Sampler(PLAIN.withTopP(0.75f)), logitsOf(probabilities), draws), expected, draws);
        assertFrequencies(counts(new Sampler(PLAIN.withTopP(0.75f).withTopK(3)), logitsOf(probabilities), draws),
                expected, draws);
        // A tiny top-p still keeps the most likely token.
        assertFrequencies(counts(new Sampler(PLAIN.withTopP(0.01f)), logitsOf(probabilities), draws),
                new double[] {0, 1, 0, 0}, draws);
    }

    @Test
    void minPDropsTokensBelowTheFractionOfTheBest() {
        double[] probabilities = {0.5, 0.3, 0.15, 0.05};
        int draws = 50_000;
        // threshold 0.2 * 0.5 = 0.1 -> token 3 is dropped
        double[] expected = normalized(0.5, 0.3, 0.15, 0);
        assertFrequencies(counts(new Sampler(PLAIN.withMinP(0.2f)), logitsOf(probabilities), draws), expected, draws);
    }

    private static final SamplingParams[] CHAINS = {
        new SamplingParams(0.7f, 20, 0.9f, 0.05f, 1f, 0, 5L),
        new SamplingParams(1.3f, 0, 0.8f, 0f, 1f, 0, 6L),   // top-p without top-k: the unsorted path
        new SamplingParams(0.9f, 0, 1f, 0.1f, 1f, 0, 8L),   // min-p alone
        new SamplingParams(1f, 0, 0.6f, 0.2f, 1f, 0, 9L),   // min-p and top-p, no top-k
        new SamplingParams(2f, 300, 0.97f, 0f, 1f, 0, 10L), // wide top-k and top-p
    };

    /** Random logits with a peaked head spread over the ids, as in a real model. */
    private static float[] peakedLogits(long seed, int size) {
        float[] logits = randomLogits(seed, size);
        for (int i = 0; i < 40; i++) {
            logits[(int) ((i * 7_919L) % size)] = 9f - i * 0.1f;
        }
        return logits;
    }

    @Test
    void fullChainMatchesASortingReferenceInDistribution() {
        float[] logits = peakedLogits(21, 2_000);
        Integer[] order = sortedIds(logits);
        int draws = 25_000;
        for (SamplingParams params : CHAINS) {
            double[] expected = referenceDistribution(logits, order, params);
            assertFrequencies(counts(new Sampler(params), logits, draws), expected, draws);
        }
    }

    @Test
    void fullChainStaysInsideTheReferenceSupportOnTheFullVocabulary() {
        float[] logits = peakedLogits(22, 128_256);
        Integer[] order = sortedIds(logits);
        for (SamplingParams params : CHAINS) {
            double[] expected = referenceDistribution(logits, order, params);
            Sampler sampler = new Sampler(params);
            for (int i = 0; i < 200; i++) {
                int id = sampler.sample(logits.clone(), null, 0);
                assertThat(expected[id]).as("probability of drawn id %d under %s", id, params).isPositive();
            }
        }
    }

    @Test
    void topPEndingInsideABlockOfTiesKeepsTheLowestIds() {
        float[] logits = new float[3_000];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = 2 - i % 3; // 1,000 ids each at logits 2, 1 and 0, interleaved
        }
        // mass 7389 + 2718 + 1000: top-p 0.8 takes all of logit 2 and the 551 lowest ids of logit 1
        SamplingParams params = new SamplingParams(1f, 0, 0.8f, 0f, 1f, 0, 12L);
        double[] expected = referenceDistribution(logits, params);
        assertThat(Arrays.stream(expected).filter(p -> p > 0).count()).isEqualTo(1_551);
        int draws = 20_000;
        assertFrequencies(counts(new Sampler(params), logits, draws), expected, draws);
    }

    @Test
    void repetitionPenaltyFollowsLlamaCpp() {
        SamplingParams params = SamplingParams.greedy().withRepetitionPenalty(2f, 3);
        float[] logits = {2f, -1f, 1f, 0.5f, 4f};
        int[] history = {4, 0, 1, 0, 3}; // last 3: 1, 0, 3 (4 is outside the window); 0 only once
        new Sampler(params).sample(logits, history, history.length);
        assertThat(logits).containsExactly(1f, -2f, 1f, 0.25f, 4f);
    }

    @Test
    void repetitionPenaltyChangesTheGreedyChoice() {
        SamplingParams params = SamplingParams.greedy().withRepetitionPenalty(4f, 64);
        float[] logits = {2f, -1f, 1f};
        assertThat(new Sampler(SamplingParams.greedy()).sample(logits.clone(), new int[] {0}, 1)).isZero();
        assertThat(new Sampler(params).sample(logits.clone(), new int[] {0}, 1)).isEqualTo(2);
        assertThat(new Sampler(params).sample(logits.clone(), new int[] {0, 7}, 1)).as("only historyLength counts")
                .isEqualTo(2);
    }

    @Test
    void repetitionPenaltyLowersTheFrequencyOfRepeatedTokens() {
        float[] logits = logitsOf(0.5, 0.5);
        int[] history = {0};
        Sampler sampler = new Sampler(PLAIN.withRepetitionPenalty(2f, 8));
        int zeros = 0;
        int draws = 20_000;
        for (int i = 0; i < draws; i++) {
            if (sampler.sample(logits.clone(), history, 1) == 0) {
                zeros++;
            }
        }
        // log 0.5 < 0, so it is multiplied by 2: p0 = 0.25 / (0.25 + 0.5) = 1/3
        assertThat(zeros / (double) draws).isCloseTo(1.0 / 3, org.assertj.core.data.Offset.offset(0.02));
    }

    @Test
    void rejectsBadInput() {
        Sampler sampler = new Sampler(PLAIN.withRepetitionPenalty(1.2f, 4));
        assertThatIllegalArgumentException().isThrownBy(() -> sampler.sample(new float[0], null, 0))
                .withMessageContaining("empty");
        assertThatIllegalArgumentException().isThrownBy(() -> sampler.sample(new float[3], new int[] {1}, 2))
                .withMessageContaining("historyLength");
        assertThatIllegalArgumentException().isThrownBy(() -> sampler.sample(new float[3], new int[] {3}, 1))
                .withMessageContaining("outside vocabulary");
    }

    private static double[] normalized(double... weights) {
        double sum = Arrays.stream(weights).sum();
        return Arrays.stream(weights).map(w -> w / sum).toArray();
    }

    /** Ids of the k largest logits (ties to lower ids) by a plain full sort. */
    private static Set<Integer> topIdsByReference(float[] logits, int k) {
        Integer[] order = sortedIds(logits);
        return new HashSet<>(Arrays.asList(order).subList(0, k));
    }

    private static Integer[] sortedIds(float[] logits) {
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
        return order;
    }

    /** The textbook chain with a full sort: top-k, temperature, softmax, top-p, min-p, renormalize. */
    private static double[] referenceDistribution(float[] logits, SamplingParams params) {
        return referenceDistribution(logits, sortedIds(logits), params);
    }

    private static double[] referenceDistribution(float[] logits, Integer[] order, SamplingParams params) {
        int k = params.topK() == 0 ? logits.length : Math.min(params.topK(), logits.length);
        double max = logits[order[0]];
        double[] p = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            p[i] = Math.exp((logits[order[i]] - max) / params.temperature());
            sum += p[i];
        }
        int kept = k;
        if (params.topP() < 1f) {
            double cumulative = 0;
            for (int i = 0; i < k; i++) {
                cumulative += p[i] / sum;
                if (cumulative >= params.topP()) {
                    kept = i + 1;
                    break;
                }
            }
        }
        double keptSum = 0;
        double[] result = new double[logits.length];
        for (int i = 0; i < kept; i++) {
            if (p[i] >= params.minP() * p[0]) {
                result[order[i]] = p[i];
                keptSum += p[i];
            }
        }
        for (int i = 0; i < result.length; i++) {
            result[i] /= keptSum;
        }
        return result;
    }
}

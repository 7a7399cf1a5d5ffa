package io.bitnetstreams.engine.sampling;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Picks the next token from a row of logits: repetition penalty (llama.cpp semantics), then
 * top-k, temperature, softmax, top-p, min-p and a seeded draw. Temperature 0 is greedy (argmax,
 * ties to the lowest id). NaN logits count as negative infinity.
 *
 * <p>Cost per call is O(V) plus O(V log k) for top-k; candidates are only sorted after they have
 * been cut down (top-k, or the exact pre-filter of {@link #keepNucleus}), never V log V for a
 * small k. No boxing: all work happens on primitive scratch arrays reused across calls.
 *
 * <p>Deterministic: the same parameters (seed included), logits and history give the same
 * sequence of tokens on every run. Not thread-safe; use one sampler per sequence.
 */
public final class Sampler {

    private final SamplingParams params;
    private final SplittableRandom random;

    // Scratch space reused across calls (sized to the vocabulary on first use).
    private float[] values = new float[0];
    private int[] ids = new int[0];
    private int[] penaltyStamps = new int[0];
    private int currentStamp;

    public Sampler(SamplingParams params) {
        this.params = Objects.requireNonNull(params, "params");
        this.random = new SplittableRandom(params.seed());
    }

    public SamplingParams params() {
        return params;
    }

    /**
     * Returns the id of the next token.
     *
     * @param logits        one logit per vocabulary entry; modified in place by the repetition penalty
     * @param history       previous tokens (prompt and generated), oldest first; may be null when
     *                      historyLength is 0
     * @param historyLength how many entries of {@code history} are valid
     */
    public int sample(float[] logits, int[] history, int historyLength) {
        validateInput(logits, history, historyLength);
        if (params.penalizesRepetition()) {
            applyRepetitionPenalty(logits, history, historyLength);
        }
        int best = argmax(logits);
        if (params.isGreedy() || logits[best] == Float.POSITIVE_INFINITY) {
            return best;
        }
        int count = collectCandidates(logits);
        boolean sorted = params.topK() > 0 && params.topK() < logits.length; // collectTopK sorts
        double fullMass = toRelativeProbabilities(count, logits[best]);
        int totalCount = count;
        count = keepMinP(count);
        if (params.topP() < 1f) {
            count = keepNucleus(count, sorted, fullMass, totalCount);
        }
        return draw(count);
    }

    private static void validateInput(float[] logits, int[] history, int historyLength) {
        Objects.requireNonNull(logits, "logits");
        if (logits.length == 0) {
            throw new IllegalArgumentException("logits are empty");
        }
        int available = history == null ? 0 : history.length;
        if (historyLength < 0 || historyLength > available) {
            throw new IllegalArgumentException(
                    "historyLength " + historyLength + " outside [0, " + available + "]");
        }
    }

    /** llama.cpp: each distinct token among the last N gets logit > 0 ? logit / p : logit * p, once. */
    private void applyRepetitionPenalty(float[] logits, int[] history, int historyLength) {
        if (penaltyStamps.length != logits.length) {
            penaltyStamps = new int[logits.length];
            currentStamp = 0;
        }
        if (++currentStamp == Integer.MAX_VALUE) {
            Arrays.fill(penaltyStamps, 0);
            currentStamp = 1;
        }
        float penalty = params.repetitionPenalty();
        int from = Math.max(0, historyLength - params.repetitionLastN());
        for (int i = from; i < historyLength; i++) {
            int id = history[i];
            if (id < 0 || id >= logits.length) {
                throw new IllegalArgumentException(
                        "history token " + id + " at " + i + " outside vocabulary of " + logits.length);
            }
            if (penaltyStamps[id] != currentStamp) {
                penaltyStamps[id] = currentStamp;
                float logit = logits[id];
                logits[id] = logit > 0f ? logit / penalty : logit * penalty;
            }
        }
    }

    /** Index of the largest logit, lowest id on ties; NaN never wins. */
    static int argmax(float[] logits) {
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
            float value = logits[i];
            if (value > bestValue) {
                bestValue = value;
                best = i;
            }
        }
        if (best < 0) {
            // Every logit is -inf or NaN: fall back to the first -inf (lowest id), or fail on all-NaN.
            for (int i = 0; i < logits.length; i++) {
                if (logits[i] == Float.NEGATIVE_INFINITY) {
                    return i;
                }
            }
            throw new IllegalArgumentException("logits are all NaN");
        }
        return best;
    }

    /** Fills values/ids with the candidates: the top k (sorted best first) or every finite logit. */
    private int collectCandidates(float[] logits) {
        int vocabulary = logits.length;
        int k = params.topK();
        if (k > 0 && k < vocabulary) {
            return collectTopK(logits, k);
        }
        ensureScratch(vocabulary);
        int count = 0;
        for (int i = 0; i < vocabulary; i++) {
            float value = logits[i];
            if (value > Float.NEGATIVE_INFINITY) { // false for NaN
                values[count] = value;
                ids[count] = i;
                count++;
            }
        }
        return count;
    }

    /** Min-heap of the k best (root = worst kept), then heap-sorted best first: O(V log k). */
    private int collectTopK(float[] logits, int k) {
        ensureScratch(k);
        int size = 0;
        for (int i = 0; i < logits.length; i++) {
            float value = logits[i];
            if (!(value > Float.NEGATIVE_INFINITY)) {
                continue;
            }
            if (size < k) {
                values[size] = value;
                ids[size] = i;
                siftUp(size);
                size++;
            } else if (value > values[0]) { // ids arrive ascending, so an equal value never beats the root
                values[0] = value;
                ids[0] = i;
                siftDown(0, size);
            }
        }
        sortBestFirst(size, true);
        return size;
    }

    /** Turns logits into exp((logit - max) / T) in place; returns their sum. */
    private double toRelativeProbabilities(int count, float maxLogit) {
        double inverseTemperature = 1.0 / params.temperature();
        double sum = 0;
        for (int i = 0; i < count; i++) {
            float p = (float) Math.exp((values[i] - maxLogit) * inverseTemperature);
            values[i] = p;
            sum += p;
        }
        return sum;
    }

    /** Keeps tokens with p >= minP * pMax; pMax is exactly 1 here. Order is preserved. */
    private int keepMinP(int count) {
        float minP = params.minP();
        if (minP <= 0f) {
            return count;
        }
        int kept = 0;
        for (int i = 0; i < count; i++) {
            if (values[i] >= minP) {
                values[kept] = values[i];
                ids[kept] = ids[i];
                kept++;
            }
        }
        return kept;
    }

    /**
     * Keeps the smallest best-first prefix whose probability (relative to the full distribution
     * before min-p) reaches topP. Min-p also keeps a best-first prefix, so applying top-p after
     * it and cutting at the shorter prefix equals applying top-p first.
     *
     * <p>Unsorted candidates are first cut without sorting: tokens below
     * eps = (1 - topP) * mass / n together hold less than (1 - topP) of the mass, so the nucleus
     * lies entirely among tokens >= eps. Only those are sorted.
     */
    private int keepNucleus(int count, boolean sorted, double fullMass, int totalCount) {
        double target = params.topP() * fullMass;
        if (!sorted) {
            double epsilon = (1.0 - params.topP()) * fullMass / totalCount;
            int kept = 0;
            for (int i = 0; i < count; i++) {
                if (values[i] >= epsilon) {
                    values[kept] = values[i];
                    ids[kept] = ids[i];
                    kept++;
                }
            }
            count = kept;
            sortBestFirst(count, false);
        }
        double cumulative = 0;
        for (int i = 0; i < count; i++) {
            cumulative += values[i];
            if (cumulative >= target) {
                return i + 1;
            }
        }
        return count;
    }

    private int draw(int count) {
        double total = 0;
        for (int i = 0; i < count; i++) {
            total += values[i];
        }
        double r = random.nextDouble() * total;
        double cumulative = 0;
        for (int i = 0; i < count; i++) {
            cumulative += values[i];
            if (r < cumulative) {
                return ids[i];
            }
        }
        return ids[count - 1]; // rounding: r landed on the total
    }

    private void ensureScratch(int size) {
        if (values.length < size) {
            values = new float[size];
            ids = new int[size];
        }
    }

    // ---- heap on (values, ids); "worse" = lower value, or equal value and higher id ----

    private boolean worse(int a, int b) {
        return values[a] < values[b] || (values[a] == values[b] && ids[a] > ids[b]);
    }

    private void swap(int a, int b) {
        float v = values[a];
        values[a] = values[b];
        values[b] = v;
        int id = ids[a];
        ids[a] = ids[b];
        ids[b] = id;
    }

    private void siftUp(int index) {
        while (index > 0) {
            int parent = (index - 1) >>> 1;
            if (!worse(index, parent)) {
                return;
            }
            swap(index, parent);
            index = parent;
        }
    }

    private void siftDown(int index, int size) {
        while (true) {
            int left = 2 * index + 1;
            if (left >= size) {
                return;
            }
            int worst = left;
            int right = left + 1;
            if (right < size && worse(right, left)) {
                worst = right;
            }
            if (!worse(worst, index)) {
                return;
            }
            swap(index, worst);
            index = worst;
        }
    }

    /** Heap sort with a min-heap: repeatedly moving the worst to the end leaves the best first. */
    private void sortBestFirst(int count, boolean alreadyHeap) {
        if (!alreadyHeap) {
            for (int i = (count >>> 1) - 1; i >= 0; i--) {
                siftDown(i, count);
            }
        }
        for (int end = count - 1; end > 0; end--) {
            swap(0, end);
            siftDown(0, end);
        }
    }
}

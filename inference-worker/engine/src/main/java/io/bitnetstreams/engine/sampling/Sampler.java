package io.bitnetstreams.engine.sampling;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Picks the next token from a row of logits: repetition penalty (llama.cpp semantics), then
 * top-k, temperature, softmax, top-p, min-p and a seeded draw. Temperature 0 is greedy (argmax,
 * ties to the lowest id). NaN logits count as negative infinity.
 *
 * <p>Cost per call is O(V) plus O(V log k) for top-k: the top k come from a bounded heap and the
 * top-p nucleus from a quickselect, so there is never a V log V sort. No boxing: all work happens
 * on primitive scratch arrays reused across calls.
 *
 * <p>Deterministic: the same parameters (seed included), logits and history give the same
 * sequence of tokens on every run (on one kind of CPU: the vectorized exp may differ in the last
 * bit between vector widths). Not thread-safe; use one sampler per sequence.
 */
public final class Sampler {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Below this many candidates the nucleus search just sorts. */
    private static final int SELECTION_CUTOFF = 32;

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
        if (params.isGreedy() || Float.isInfinite(logits[best])) {
            return best; // +inf dominates everything; all -inf leaves nothing to draw from
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
                siftDown(0, 0, size);
            }
        }
        sortBestFirst(0, size, true);
        return size;
    }

    /**
     * Turns logits into exp((logit - max) / T) in place; returns their sum. Vectorized because
     * without top-k this runs over the whole vocabulary for every token (Math.exp per logit costs
     * milliseconds at V = 128,256).
     */
    private double toRelativeProbabilities(int count, float maxLogit) {
        float inverseTemperature = (float) (1.0 / params.temperature());
        float[] v = values;
        int i = 0;
        for (int bound = SPECIES.loopBound(count); i < bound; i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, v, i).sub(maxLogit).mul(inverseTemperature)
                    .lanewise(VectorOperators.EXP).intoArray(v, i);
        }
        for (; i < count; i++) {
            v[i] = (float) Math.exp((v[i] - maxLogit) * inverseTemperature);
        }
        double sum = 0;
        for (int j = 0; j < count; j++) {
            sum += v[j];
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
     * lies entirely among tokens >= eps. The nucleus is then found by selection, not sorting.
     */
    private int keepNucleus(int count, boolean sorted, double fullMass, int totalCount) {
        double target = params.topP() * fullMass;
        if (sorted) {
            return prefixReaching(0, count, target);
        }
        double epsilon = (1.0 - params.topP()) * fullMass / totalCount;
        int kept = 0;
        for (int i = 0; i < count; i++) {
            if (values[i] >= epsilon) {
                values[kept] = values[i];
                ids[kept] = ids[i];
                kept++;
            }
        }
        return selectNucleus(kept, target);
    }

    /** End of the smallest prefix of the best-first range [from, to) whose mass reaches {@code needed}. */
    private int prefixReaching(int from, int to, double needed) {
        double cumulative = 0;
        for (int i = from; i < to; i++) {
            cumulative += values[i];
            if (cumulative >= needed) {
                return i + 1;
            }
        }
        return to;
    }

    /**
     * Quickselect for the nucleus in expected O(n): a three-way partition around a pivot value
     * either puts the whole nucleus among the larger values, ends it inside the block equal to
     * the pivot (lowest ids first, as in the sorted order), or takes the larger and equal values
     * and continues among the smaller ones. Leaves the nucleus (unordered) in [0, end), returns end.
     */
    private int selectNucleus(int count, double target) {
        int lo = 0;
        int hi = count;
        double needed = target;
        while (hi - lo > SELECTION_CUTOFF) {
            float pivot = medianOfThree(values[lo], values[(lo + hi) >>> 1], values[hi - 1]);
            int greaterEnd = lo; // [lo, greaterEnd) > pivot, [greaterEnd, i) == pivot, [lessStart, hi) < pivot
            int lessStart = hi;
            int i = lo;
            while (i < lessStart) {
                float value = values[i];
                if (value > pivot) {
                    swap(greaterEnd++, i++);
                } else if (value < pivot) {
                    swap(i, --lessStart);
                } else {
                    i++;
                }
            }
            double greaterMass = mass(lo, greaterEnd);
            if (greaterMass >= needed) {
                hi = greaterEnd;
                continue;
            }
            double equalMass = mass(greaterEnd, lessStart);
            if (greaterMass + equalMass >= needed) {
                sortBestFirst(greaterEnd, lessStart - greaterEnd, false);
                return prefixReaching(greaterEnd, lessStart, needed - greaterMass);
            }
            needed -= greaterMass + equalMass;
            lo = lessStart;
        }
        sortBestFirst(lo, hi - lo, false);
        return prefixReaching(lo, hi, needed);
    }

    private double mass(int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += values[i];
        }
        return sum;
    }

    private static float medianOfThree(float a, float b, float c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
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

    /** Sift-down in the heap stored at [base, base + size). */
    private void siftDown(int base, int index, int size) {
        while (true) {
            int left = 2 * index + 1;
            if (left >= size) {
                return;
            }
            int worst = left;
            int right = left + 1;
            if (right < size && worse(base + right, base + left)) {
                worst = right;
            }
            if (!worse(base + worst, base + index)) {
                return;
            }
            swap(base + index, base + worst);
            index = worst;
        }
    }

    /**
     * Heap sort of [base, base + count) with a min-heap: repeatedly moving the worst to the end
     * leaves the best first (ties: lower id first).
     */
    private void sortBestFirst(int base, int count, boolean alreadyHeap) {
        if (!alreadyHeap) {
            for (int i = (count >>> 1) - 1; i >= 0; i--) {
                siftDown(base, i, count);
            }
        }
        for (int end = count - 1; end > 0; end--) {
            swap(base, base + end);
            siftDown(base, 0, end);
        }
    }
}

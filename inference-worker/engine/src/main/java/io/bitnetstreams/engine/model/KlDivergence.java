package io.bitnetstreams.engine.model;

import java.util.Arrays;

/**
 * The statistics of llama.cpp's {@code llama-perplexity --kl-divergence}, computed the same way from
 * this engine's logits and a base file's quantized log-probabilities ({@link LogProbFile}): per scored
 * position the KL divergence {@code sum p_base (log p_base - log p)} over tokens with
 * {@code log p_base > -16}, whether the top tokens agree, and the change of the probability of the
 * actual next token.
 */
public final class KlDivergence {

    /** The figures llama.cpp prints; uncertainties as it computes them. */
    public record Stats(long count, double pplQ, double pplBase, double lnPplRatio, double lnPplRatioUnc,
                        double meanKld, double meanKldUnc, double medianKld, double kld90, double kld99, double kld999,
                        double maxKld, double minKld, double sameTop, double sameTopUnc, double meanDeltaP,
                        double rmsDeltaP, double rmsDeltaPUnc, double maxAbsDeltaP) {
    }

    private double sumNll;
    private double sumNll2;
    private double sumNllBase;
    private double sumNllBase2;
    private double sumNllNllBase;
    private double sumKld;
    private double sumKld2;
    private double sumPDiff;
    private double sumPDiff2;
    private double sumPDiff4;
    private float maxPDiff;
    private long sameTop;
    private float[] kldValues = new float[64];
    private float[] pDiffValues = new float[64];
    private int count;

    /**
     * Adds one position: {@code logits[offset .. offset + vocab)} of this engine, the base row, and
     * the actual next token.
     */
    public void add(float[] logits, int offset, int vocab, LogProbFile.Row base, char[] baseValues, int target) {
        float maxLogit = logits[offset];
        int top = 0;
        for (int i = 1; i < vocab; i++) {
            if (logits[offset + i] > maxLogit) {
                maxLogit = logits[offset + i];
                top = i;
            }
        }
        double sumExp = 0;
        for (int i = 0; i < vocab; i++) {
            sumExp += expf(logits[offset + i] - maxLogit);
        }
        float logSumExp = (float) Math.log(sumExp);
        float scale = base.scale();
        float minLogProb = base.minLogProb();
        float nll = maxLogit + logSumExp - logits[offset + target];
        float nllBase = -(scale * baseValues[target] + minLogProb);
        sumNll += nll;
        sumNll2 += (double) nll * nll;
        sumNllBase += nllBase;
        sumNllBase2 += (double) nllBase * nllBase;
        sumNllNllBase += (double) nll * nllBase;
        float shifted = maxLogit + logSumExp;
        double kld = 0;
        int topBase = -1;
        float topBaseLog = 0;
        for (int i = 0; i < vocab; i++) {
            float logBase = scale * baseValues[i] + minLogProb;
            if (i == 0 || logBase > topBaseLog) {
                topBaseLog = logBase;
                topBase = i;
            }
            if (logBase > -16f) {
                float pBase = expf(logBase);
                kld += pBase * (logBase - logits[offset + i] + shifted);
            }
        }
        sumKld += kld;
        sumKld2 += kld * kld;
        if (top == topBase) {
            sameTop++;
        }
        float pDiff = expf(-nll) - expf(-nllBase);
        sumPDiff += pDiff;
        double pDiff2 = (double) pDiff * pDiff;
        sumPDiff2 += pDiff2;
        sumPDiff4 += pDiff2 * pDiff2;
        maxPDiff = Math.max(maxPDiff, Math.abs(pDiff));
        if (count == kldValues.length) {
            kldValues = Arrays.copyOf(kldValues, 2 * count);
            pDiffValues = Arrays.copyOf(pDiffValues, 2 * count);
        }
        kldValues[count] = (float) kld;
        pDiffValues[count] = pDiff;
        count++;
    }

    public long count() {
        return count;
    }

    public Stats stats() {
        if (count == 0) {
            throw new IllegalStateException("no positions scored");
        }
        float[] klds = Arrays.copyOf(kldValues, count);
        Arrays.sort(klds);
        double[] logPpl = meanAndUncertainty(sumNll, sumNll2, count);
        double[] logPplBase = meanAndUncertainty(sumNllBase, sumNllBase2, count);
        double cov = covariance(sumNll, sumNllBase, sumNllNllBase, count);
        double ratio = logPpl[0] - logPplBase[0];
        double ratioUnc = Math.sqrt(Math.max(0, logPpl[1] * logPpl[1] + logPplBase[1] * logPplBase[1] - 2 * cov));
        double[] kl = meanAndUncertainty(sumKld, sumKld2, count);
        double[] pDiffMse = meanAndUncertainty(sumPDiff2, sumPDiff4, count);
        double rms = Math.sqrt(pDiffMse[0]);
        double rmsUnc = rms > 0 ? 0.5 / rms * pDiffMse[1] : 0;
        double top = (double) sameTop / count;
        double topUnc = count > 1 ? Math.sqrt(top * (1 - top) / (count - 1)) : 0;
        double median = count % 2 == 0 ? 0.5f * (klds[count / 2] + klds[count / 2 - 1]) : klds[count / 2];
        return new Stats(count, Math.exp(logPpl[0]), Math.exp(logPplBase[0]), ratio, ratioUnc, kl[0], kl[1], median,
                percentile(klds, 0.90f), percentile(klds, 0.99f), percentile(klds, 0.999f), klds[count - 1], klds[0],
                top, topUnc, sumPDiff / count, rms, rmsUnc, maxPDiff);
    }

    /** llama.cpp's mean and its standard error (0 for fewer than 11 values). */
    private static double[] meanAndUncertainty(double sum, double sum2, long n) {
        double f = sum / n;
        double df = sum2 / n - f * f;
        df = df > 0 && n > 10 ? Math.sqrt(df / (n - 1)) : 0;
        return new double[] {f, df};
    }

    private static double covariance(double a, double b, double ab, long n) {
        if (n < 10) {
            return 0;
        }
        return (ab / n - (a / n) * (b / n)) / (n - 1);
    }

    /** llama.cpp's linear interpolation between sorted values. */
    static float percentile(float[] sorted, float fraction) {
        float p = fraction * (sorted.length - 1);
        int ip = (int) p;
        p -= ip;
        return (1 - p) * sorted[ip] + p * sorted[Math.min(ip + 1, sorted.length - 1)];
    }

    /** C's expf, to within the last bit: the double exp rounded to float. */
    static float expf(float x) {
        return (float) Math.exp(x);
    }
}

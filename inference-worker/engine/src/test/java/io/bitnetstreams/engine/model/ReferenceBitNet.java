package io.bitnetstreams.engine.model;

import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.gguf.GgufTensorInfo;
import io.bitnetstreams.engine.kernel.TernaryWeights;
import io.bitnetstreams.engine.tensor.FloatTensor;
import io.bitnetstreams.engine.tensor.Tensors;

/**
 * A deliberately plain BitNet b1.58 forward pass written straight from the reference sheet, for
 * tests only: weights dequantized to floats ({@code trit * scale}), the sequence recomputed from
 * scratch with no cache, norms/softmax/RoPE in double, activations quantized explicitly. Queries,
 * keys and values are rounded to F16 (the model's F16 KV cache; Q meets K in F16), and with
 * {@link #decodeLast} the last position's attention probabilities too (a one-token decode step).
 */
final class ReferenceBitNet {

    private final int vocab;
    private final int dim;
    private final int layers;
    private final int ffn;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final int ropeDim;
    private final double eps;
    private final double theta;
    private final String activation;
    private final float[][] embedding;
    private final float[][] output;
    private final float[] outputNorm;
    private final float[][] attnNorm;
    private final float[][] attnSubNorm;
    private final float[][] ffnNorm;
    private final float[][] ffnSubNorm;
    private final float[][][] wq;
    private final float[][][] wk;
    private final float[][][] wv;
    private final float[][][] wo;
    private final float[][][] wGate;
    private final float[][][] wUp;
    private final float[][][] wDown;

    ReferenceBitNet(GgufFile file) {
        var md = file.metadata();
        String arch = md.getString("general.architecture");
        dim = (int) md.getLong(arch + ".embedding_length");
        layers = (int) md.getLong(arch + ".block_count");
        ffn = (int) md.getLong(arch + ".feed_forward_length");
        heads = (int) md.getLong(arch + ".attention.head_count");
        kvHeads = (int) md.getLong(arch + ".attention.head_count_kv");
        headDim = dim / heads;
        ropeDim = md.has(arch + ".rope.dimension_count") ? (int) md.getLong(arch + ".rope.dimension_count") : headDim;
        eps = md.getFloat(arch + ".attention.layer_norm_rms_epsilon");
        theta = md.getFloat(arch + ".rope.freq_base");
        activation = md.has(arch + ".hidden_activation") ? md.getString(arch + ".hidden_activation") : "relu2";
        embedding = matrix(file, "token_embd.weight");
        vocab = embedding.length;
        output = file.findTensor("output.weight").isPresent() ? matrix(file, "output.weight") : embedding;
        outputNorm = vector(file, "output_norm.weight");
        attnNorm = new float[layers][];
        attnSubNorm = new float[layers][];
        ffnNorm = new float[layers][];
        ffnSubNorm = new float[layers][];
        wq = new float[layers][][];
        wk = new float[layers][][];
        wv = new float[layers][][];
        wo = new float[layers][][];
        wGate = new float[layers][][];
        wUp = new float[layers][][];
        wDown = new float[layers][][];
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            attnNorm[l] = vector(file, p + "attn_norm.weight");
            attnSubNorm[l] = vector(file, p + "attn_sub_norm.weight");
            ffnNorm[l] = vector(file, p + "ffn_norm.weight");
            ffnSubNorm[l] = vector(file, p + "ffn_sub_norm.weight");
            wq[l] = ternary(file, p + "attn_q.weight");
            wk[l] = ternary(file, p + "attn_k.weight");
            wv[l] = ternary(file, p + "attn_v.weight");
            wo[l] = ternary(file, p + "attn_output.weight");
            wGate[l] = ternary(file, p + "ffn_gate.weight");
            wUp[l] = ternary(file, p + "ffn_up.weight");
            wDown[l] = ternary(file, p + "ffn_down.weight");
        }
    }

    int vocab() {
        return vocab;
    }

    /** Logits of every position of {@code tokens}: [position][vocab]. */
    float[][] logits(int[] tokens) {
        return logits(tokens, false);
    }

    /** The last position's logits as a one-token decode step after the others computes them. */
    float[] decodeLast(int[] tokens) {
        return logits(tokens, true)[tokens.length - 1];
    }

    private float[][] logits(int[] tokens, boolean decodeLast) {
        int n = tokens.length;
        float[][] x = new float[n][];
        for (int t = 0; t < n; t++) {
            x[t] = embedding[tokens[t]].clone();
        }
        for (int l = 0; l < layers; l++) {
            float[][] q = new float[n][];
            float[][] k = new float[n][];
            float[][] v = new float[n][];
            for (int t = 0; t < n; t++) {
                float[] a = rmsNorm(x[t], attnNorm[l]);
                q[t] = half(rope(bitLinear(wq[l], a), t, heads));
                k[t] = half(rope(bitLinear(wk[l], a), t, kvHeads));
                v[t] = half(bitLinear(wv[l], a));
            }
            for (int t = 0; t < n; t++) {
                float[] o = attend(q, k, v, t, decodeLast && t == n - 1);
                float[] attnOut = bitLinear(wo[l], rmsNorm(o, attnSubNorm[l]));
                for (int i = 0; i < dim; i++) {
                    x[t][i] += attnOut[i];
                }
            }
            for (int t = 0; t < n; t++) {
                float[] f = rmsNorm(x[t], ffnNorm[l]);
                float[] gate = bitLinear(wGate[l], f);
                float[] up = bitLinear(wUp[l], f);
                float[] m = new float[ffn];
                for (int i = 0; i < ffn; i++) {
                    m[i] = act(gate[i]) * up[i];
                }
                float[] down = bitLinear(wDown[l], rmsNorm(m, ffnSubNorm[l]));
                for (int i = 0; i < dim; i++) {
                    x[t][i] += down[i];
                }
            }
        }
        float[][] logits = new float[n][vocab];
        for (int t = 0; t < n; t++) {
            float[] h = rmsNorm(x[t], outputNorm);
            for (int tok = 0; tok < vocab; tok++) {
                double dot = 0;
                for (int i = 0; i < dim; i++) {
                    dot += (double) h[i] * output[tok][i];
                }
                logits[t][tok] = (float) dot;
            }
        }
        return logits;
    }

    /**
     * Activations that landed within float noise of a rounding boundary (x*s within 4 ulps of k + 0.5). There,
     * float rounding differences legitimately flip the int8 value and the two implementations part ways,
     * so a comparison of logits is only meaningful when this stays 0.
     */
    int nearTies() {
        return nearTies;
    }

    private int nearTies;

    /** W1.58 A8: quantize x per token to int8 (round half even), multiply by the float weights, undo the scale. */
    private float[] bitLinear(float[][] w, float[] x) {
        float amax = 1e-5f;
        for (float value : x) {
            amax = Math.max(amax, Math.abs(value));
        }
        float s = 127f / amax;
        float[] q = new float[x.length];
        for (int k = 0; k < x.length; k++) {
            q[k] = (float) Math.max(-128, Math.min(127, Math.rint(x[k] * s)));
            double scaled = (double) x[k] * s;
            if (Math.abs(scaled - Math.floor(scaled) - 0.5) < 4 * Math.ulp((float) scaled)) {
                nearTies++;
            }
        }
        float[] y = new float[w.length];
        for (int m = 0; m < w.length; m++) {
            double acc = 0;
            for (int k = 0; k < x.length; k++) {
                acc += (double) w[m][k] * q[k];
            }
            y[m] = (float) (acc / s);
        }
        return y;
    }

    private float[] rmsNorm(float[] x, float[] weight) {
        double ss = 0;
        for (float v : x) {
            ss += (double) v * v;
        }
        double r = 1.0 / Math.sqrt(ss / x.length + eps);
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (float) (x[i] * r * weight[i]);
        }
        return y;
    }

    /** NEOX RoPE: in each head, element i rotates with element i + ropeDim/2. */
    private float[] rope(float[] x, int pos, int headCount) {
        float[] y = x.clone();
        int half = ropeDim / 2;
        for (int h = 0; h < headCount; h++) {
            int base = h * headDim;
            for (int i = 0; i < half; i++) {
                double angle = pos * Math.pow(theta, -2.0 * i / ropeDim);
                double a = x[base + i];
                double b = x[base + i + half];
                y[base + i] = (float) (a * Math.cos(angle) - b * Math.sin(angle));
                y[base + i + half] = (float) (a * Math.sin(angle) + b * Math.cos(angle));
            }
        }
        return y;
    }

    private static float[] half(float[] x) {
        float[] y = x.clone();
        ModelMath.roundToF16(y, y.length);
        return y;
    }

    private float[] attend(float[][] q, float[][] k, float[][] v, int t, boolean halfProbabilities) {
        float[] out = new float[dim];
        int group = heads / kvHeads;
        for (int h = 0; h < heads; h++) {
            int kvBase = (h / group) * headDim;
            double[] scores = new double[t + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j <= t; j++) {
                double dot = 0;
                for (int d = 0; d < headDim; d++) {
                    dot += (double) q[t][h * headDim + d] * k[j][kvBase + d];
                }
                scores[j] = dot / Math.sqrt(headDim);
                max = Math.max(max, scores[j]);
            }
            double sum = 0;
            for (int j = 0; j <= t; j++) {
                scores[j] = Math.exp(scores[j] - max);
                sum += scores[j];
            }
            for (int d = 0; d < headDim; d++) {
                double acc = 0;
                for (int j = 0; j <= t; j++) {
                    double p = scores[j] / sum;
                    acc += (halfProbabilities ? Float.float16ToFloat(Float.floatToFloat16((float) p)) : p) * v[j][kvBase + d];
                }
                out[h * headDim + d] = (float) acc;
            }
        }
        return out;
    }

    private float act(float g) {
        return switch (activation) {
            case "silu" -> (float) (g / (1 + Math.exp(-g)));
            case "gelu" -> (float) (0.5 * g * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (g + 0.044715 * g * g * g))));
            default -> g > 0 ? g * g : 0f;
        };
    }

    private static float[][] ternary(GgufFile file, String name) {
        GgufTensorInfo info = file.tensor(name);
        TernaryWeights weights = Tensors.ternary(info, file.tensorData(info));
        float[][] w = new float[weights.rows()][weights.cols()];
        byte[] codes = new byte[weights.cols()];
        for (int m = 0; m < weights.rows(); m++) {
            weights.readCodes(m, codes, 0);
            for (int k = 0; k < codes.length; k++) {
                w[m][k] = (codes[k] - 1) * weights.scale();
            }
        }
        return w;
    }

    private static float[][] matrix(GgufFile file, String name) {
        GgufTensorInfo info = file.tensor(name);
        FloatTensor t = Tensors.floating(info, file.tensorData(info));
        int cols = info.cols();
        int rows = info.rows();
        float[][] m = new float[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                m[r][c] = t.get((long) r * cols + c);
            }
        }
        return m;
    }

    private static float[] vector(GgufFile file, String name) {
        GgufTensorInfo info = file.tensor(name);
        FloatTensor t = Tensors.floating(info, file.tensorData(info));
        float[] v = new float[(int) info.elementCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.get(i);
        }
        return v;
    }
}

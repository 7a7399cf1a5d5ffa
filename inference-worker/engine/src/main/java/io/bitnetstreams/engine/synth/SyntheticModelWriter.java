package io.bitnetstreams.engine.synth;

import io.bitnetstreams.engine.gguf.GgmlType;
import io.bitnetstreams.engine.gguf.GgufWriter;
import io.bitnetstreams.engine.tensor.I2STensor;
import io.bitnetstreams.engine.tensor.TQ1_0Tensor;
import io.bitnetstreams.engine.tensor.TQ2_0Tensor;
import io.bitnetstreams.engine.tokenizer.Vocabulary;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a BitNet b1.58 GGUF with random weights and the metadata layout of the official release:
 * random ternary projections with per-tensor scales in [0.74, 4.6], F32 norms near 1 and a small
 * random F16 embedding. Tensor data is generated while it streams to disk, one tensor at a time.
 *
 * <p>Every tensor has its own random stream derived from the seed and the tensor's name, so the
 * output is byte-identical for the same spec and vocabulary, and the same trits and scales come out
 * whatever the storage type (scales are rounded to F16 so TQ1_0/TQ2_0 store them exactly).
 */
public final class SyntheticModelWriter {

    private static final Logger LOG = LoggerFactory.getLogger(SyntheticModelWriter.class);

    public static final String ARCHITECTURE = "bitnet-b1.58";
    static final float MIN_SCALE = 0.74f;
    static final float MAX_SCALE = 4.6f;
    static final String CHAT_TEMPLATE = "{% for message in messages %}{% if loop.first %}{{ bos_token }}{% endif %}"
            + "{{ message['role'] | capitalize }}: {{ message['content'] | trim }}<|eot_id|>{% endfor %}"
            + "{% if add_generation_prompt %}Assistant: {% endif %}";
    private static final int EMBEDDING_ROWS_PER_WRITE = 256;

    private SyntheticModelWriter() {
    }

    /** One tensor to write; tests may edit it (or drop it) through {@link #write(SyntheticSpec, Vocabulary, Path, UnaryOperator)}. */
    public record TensorPlan(String name, GgmlType type, long[] dims) {
        long elements() {
            long n = 1;
            for (long d : dims) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }
    }

    /** Writes the model to {@code out} (atomically, via the GGUF writer's temp file). */
    public static void write(SyntheticSpec spec, Vocabulary vocabulary, Path out) throws IOException {
        write(spec, vocabulary, out, UnaryOperator.identity());
    }

    /**
     * Writes the model with every tensor plan passed through {@code edit} first (null drops the
     * tensor). Data follows the edited type: ternary types get random trits, F32 values near 1, F16
     * small embedding-like values. Meant for tests of malformed files.
     */
    public static void write(SyntheticSpec spec, Vocabulary vocabulary, Path out, UnaryOperator<TensorPlan> edit)
            throws IOException {
        write(spec, vocabulary, out, edit, List.of());
    }

    /** As above, with {@code extra} tensors (e.g. an untied {@code output.weight}) appended. */
    public static void write(SyntheticSpec spec, Vocabulary vocabulary, Path out, UnaryOperator<TensorPlan> edit,
                             List<TensorPlan> extra) throws IOException {
        long start = System.nanoTime();
        int vocab = modelVocabSize(spec, vocabulary);
        GgufWriter writer = new GgufWriter();
        putMetadata(writer, spec, vocabulary, vocab);
        List<TensorPlan> all = new ArrayList<>(plans(spec, vocab));
        all.addAll(extra);
        for (TensorPlan plan : all) {
            TensorPlan edited = edit.apply(plan);
            if (edited != null) {
                writer.addTensor(edited.name(), edited.type(), edited.dims(), channel -> writeData(channel, spec, edited));
            }
        }
        writer.write(out);
        LOG.info("wrote synthetic {} model ({} layers, dim {}, vocab {}) to {} in {} ms", spec.weightType(),
                spec.layers(), spec.dim(), vocab, out, (System.nanoTime() - start) / 1_000_000);
    }

    /** The tensors of the official file, in its order: embedding, then each block, then the output norm. */
    static List<TensorPlan> plans(SyntheticSpec spec, int vocab) {
        List<TensorPlan> plans = new ArrayList<>();
        GgmlType w = spec.weightType();
        long dim = spec.dim();
        long ffn = spec.ffnDim();
        long kvDim = (long) spec.kvHeads() * spec.headDim();
        plans.add(new TensorPlan("token_embd.weight", GgmlType.F16, new long[] {dim, vocab}));
        for (int l = 0; l < spec.layers(); l++) {
            String p = "blk." + l + ".";
            plans.add(new TensorPlan(p + "attn_norm.weight", GgmlType.F32, new long[] {dim}));
            plans.add(new TensorPlan(p + "attn_q.weight", w, new long[] {dim, dim}));
            plans.add(new TensorPlan(p + "attn_k.weight", w, new long[] {dim, kvDim}));
            plans.add(new TensorPlan(p + "attn_v.weight", w, new long[] {dim, kvDim}));
            plans.add(new TensorPlan(p + "attn_sub_norm.weight", GgmlType.F32, new long[] {dim}));
            plans.add(new TensorPlan(p + "attn_output.weight", w, new long[] {dim, dim}));
            plans.add(new TensorPlan(p + "ffn_norm.weight", GgmlType.F32, new long[] {dim}));
            plans.add(new TensorPlan(p + "ffn_gate.weight", w, new long[] {dim, ffn}));
            plans.add(new TensorPlan(p + "ffn_up.weight", w, new long[] {dim, ffn}));
            plans.add(new TensorPlan(p + "ffn_sub_norm.weight", GgmlType.F32, new long[] {ffn}));
            plans.add(new TensorPlan(p + "ffn_down.weight", w, new long[] {ffn, dim}));
        }
        plans.add(new TensorPlan("output_norm.weight", GgmlType.F32, new long[] {dim}));
        return plans;
    }

    private static void writeData(WritableByteChannel channel, SyntheticSpec spec, TensorPlan plan) throws IOException {
        switch (plan.type()) {
            case I2_S, TQ2_0, TQ1_0 -> writeTernary(channel, spec, plan);
            case F32 -> writeNorm(channel, spec, plan);
            case F16 -> writeEmbedding(channel, spec, plan);
            default -> throw new IllegalArgumentException("synthetic data of type " + plan.type() + " is not supported");
        }
    }

    /** The embedding rows: the spec's vocabulary size, or the vocabulary's own when the spec says 0. */
    static int modelVocabSize(SyntheticSpec spec, Vocabulary vocabulary) {
        int tokens = vocabulary.tokens().size();
        if (spec.vocabSize() == 0) {
            return tokens;
        }
        if (spec.vocabSize() < tokens) {
            throw new IllegalArgumentException("vocab size " + spec.vocabSize() + " is smaller than the vocabulary's "
                    + tokens + " tokens");
        }
        return spec.vocabSize();
    }

    private static void putMetadata(GgufWriter w, SyntheticSpec spec, Vocabulary vocabulary, int vocab) {
        String a = ARCHITECTURE + ".";
        w.putString("general.architecture", ARCHITECTURE);
        w.putString("general.name", "bitnet-synthetic-" + spec.dim() + "x" + spec.layers());
        w.putUInt32(a + "vocab_size", vocab);
        w.putUInt32(a + "context_length", spec.contextLength());
        w.putUInt32(a + "embedding_length", spec.dim());
        w.putUInt32(a + "block_count", spec.layers());
        w.putUInt32(a + "feed_forward_length", spec.ffnDim());
        w.putUInt32(a + "rope.dimension_count", spec.headDim());
        w.putUInt32(a + "attention.head_count", spec.heads());
        w.putUInt32(a + "attention.head_count_kv", spec.kvHeads());
        w.putFloat32(a + "attention.layer_norm_rms_epsilon", spec.rmsEps());
        w.putFloat32(a + "rope.freq_base", spec.ropeTheta());
        if (spec.activation() != null) {
            w.putString(a + "hidden_activation", spec.activation());
        }
        w.putUInt32("general.file_type", fileType(spec.weightType()));
        w.putString("tokenizer.ggml.model", "gpt2");
        List<String> tokens = new ArrayList<>(vocabulary.tokens());
        int[] types = Arrays.copyOf(vocabulary.tokenTypes(), vocab);
        for (int id = tokens.size(); id < vocab; id++) {
            // Padding rows are control tokens: plain text can never produce them.
            tokens.add("<|pad_" + id + "|>");
            types[id] = 3;
        }
        w.putStringArray("tokenizer.ggml.tokens", tokens);
        w.putInt32Array("tokenizer.ggml.token_type", types);
        w.putStringArray("tokenizer.ggml.merges", vocabulary.merges());
        w.putUInt32("tokenizer.ggml.bos_token_id", vocabulary.bosId());
        w.putUInt32("tokenizer.ggml.eos_token_id", vocabulary.eosId());
        w.putUInt32("tokenizer.ggml.padding_token_id", vocabulary.eosId());
        w.putBool("tokenizer.ggml.add_bos_token", true);
        w.putString("tokenizer.chat_template", CHAT_TEMPLATE);
        w.putUInt32("general.quantization_version", 2);
    }

    /** llama.cpp's file types: MOSTLY_TQ1_0 36, MOSTLY_TQ2_0 37; bitnet.cpp's I2_S is 40. */
    static int fileType(GgmlType type) {
        return switch (type) {
            case I2_S -> 40;
            case TQ1_0 -> 36;
            case TQ2_0 -> 37;
            default -> throw new IllegalArgumentException("not a ternary type: " + type);
        };
    }

    /** A random stream per tensor, independent of the order in which tensors are written. */
    static SplittableRandom random(long seed, String tensorName) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (byte b : tensorName.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ b) * 0x100000001B3L;
        }
        return new SplittableRandom(h);
    }

    private static void writeNorm(WritableByteChannel channel, SyntheticSpec spec, TensorPlan plan) throws IOException {
        SplittableRandom random = random(spec.seed(), plan.name());
        int n = Math.toIntExact(plan.elements());
        ByteBuffer buf = ByteBuffer.allocate(n * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            buf.putFloat((float) (1.0 + 0.1 * (random.nextDouble() * 2 - 1)));
        }
        writeFully(channel, buf.flip());
    }

    private static void writeTernary(WritableByteChannel channel, SyntheticSpec spec, TensorPlan plan) throws IOException {
        int cols = Math.toIntExact(plan.dims()[0]);
        int rows = Math.toIntExact(plan.elements() / cols);
        SplittableRandom random = random(spec.seed(), plan.name());
        float scale = Float.float16ToFloat(Float.floatToFloat16(
                (float) (MIN_SCALE + random.nextDouble() * (MAX_SCALE - MIN_SCALE))));
        byte[] codes = randomCodes(random, Math.multiplyExact(rows, cols));
        byte[] packed = new byte[Math.toIntExact(packedSize(plan.type(), rows, cols))];
        MemorySegment dst = MemorySegment.ofArray(packed);
        switch (plan.type()) {
            case I2_S -> I2STensor.pack(codes, rows, cols, scale, dst);
            case TQ2_0 -> TQ2_0Tensor.pack(codes, rows, cols, scale, dst);
            case TQ1_0 -> TQ1_0Tensor.pack(codes, rows, cols, scale, dst);
            default -> throw new IllegalStateException("not a ternary type: " + plan.type());
        }
        writeFully(channel, ByteBuffer.wrap(packed));
    }

    static long packedSize(GgmlType type, int rows, int cols) {
        return switch (type) {
            case I2_S -> I2STensor.byteSize(rows, cols);
            case TQ2_0 -> TQ2_0Tensor.byteSize(rows, cols);
            case TQ1_0 -> TQ1_0Tensor.byteSize(rows, cols);
            default -> throw new IllegalArgumentException("not a ternary type: " + type);
        };
    }

    /** Codes (trit + 1) with P(-1) = P(+1) = 1/4 and P(0) = 1/2, two random bits per weight. */
    static byte[] randomCodes(SplittableRandom random, int n) {
        byte[] codes = new byte[n];
        int i = 0;
        while (i < n) {
            long bits = random.nextLong();
            int end = Math.min(n, i + 32);
            for (; i < end; i++) {
                int v = (int) (bits & 3);
                codes[i] = (byte) (v == 3 ? 1 : v);
                bits >>>= 2;
            }
        }
        return codes;
    }

    /**
     * F16 rows uniform in [-a, a] with a chosen so that logits of a unit-RMS hidden state have a
     * standard deviation near 2: std(e) = 2 / sqrt(dim).
     */
    private static void writeEmbedding(WritableByteChannel channel, SyntheticSpec spec, TensorPlan plan)
            throws IOException {
        SplittableRandom random = random(spec.seed(), plan.name());
        int dim = Math.toIntExact(plan.dims()[0]);
        long vocab = plan.elements() / dim;
        double amplitude = Math.sqrt(3.0) * 2.0 / Math.sqrt(dim);
        ByteBuffer buf = ByteBuffer.allocate(EMBEDDING_ROWS_PER_WRITE * dim * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (long row = 0; row < vocab; row += EMBEDDING_ROWS_PER_WRITE) {
            int rows = (int) Math.min(EMBEDDING_ROWS_PER_WRITE, vocab - row);
            buf.clear();
            int n = rows * dim;
            int i = 0;
            while (i < n) {
                long bits = random.nextLong();
                int end = Math.min(n, i + 4);
                for (; i < end; i++) {
                    double u = ((bits & 0xFFFF) - 32767.5) / 32767.5;
                    buf.putShort(Float.floatToFloat16((float) (u * amplitude)));
                    bits >>>= 16;
                }
            }
            writeFully(channel, buf.flip());
        }
    }

    private static void writeFully(WritableByteChannel channel, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }
}

package io.bitnetstreams.engine.model;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * llama.cpp's log-probability file ({@code llama-perplexity --kl-divergence-base FILE}), little endian:
 * the magic {@code _logits_}, {@code n_ctx} (u32), {@code n_vocab} and {@code n_chunk} (i32), the
 * {@code n_chunk * n_ctx} evaluated tokens (i32, as tokenized: the BOS that replaces each chunk's
 * first token is not stored), then per chunk one row per scored position ({@code n_ctx/2 .. n_ctx-2}):
 * {@code nv = 2 * ((n_vocab + 1) / 2) + 4} uint16 values, the first four holding two floats (scale,
 * minimum log-probability), then per token {@code round((logit - min_logit) / scale)} with
 * {@code min_logit >= max_logit - 16} (0 below it).
 */
public final class LogProbFile {

    static final byte[] MAGIC = "_logits_".getBytes(StandardCharsets.US_ASCII);
    /** Bounds on header fields: a hostile header must not make us allocate gigabytes. */
    static final int MAX_CTX = 1 << 20;
    static final int MAX_VOCAB = 1 << 22;
    static final int HEADER_BYTES = 8 + 4 + 4 + 4;

    /** The header and the evaluated tokens. */
    public record Header(int ctx, int vocab, int chunks, int[] tokens) {

        /** Scored positions per chunk. */
        public int rowsPerChunk() {
            return ctx - 1 - ctx / 2;
        }

        /** uint16 values per row. */
        public int rowValues() {
            return LogProbFile.rowValues(vocab);
        }

        long expectedBytes() {
            return HEADER_BYTES + 4L * tokens.length + 2L * rowValues() * rowsPerChunk() * chunks;
        }
    }

    private LogProbFile() {
    }

    static int rowValues(int vocab) {
        return 2 * ((vocab + 1) / 2) + 4;
    }

    /** Reads a base file; every row is checked against the file's length before anything large is allocated. */
    public static final class Reader implements AutoCloseable {
        private final DataInputStream in;
        private final Header header;
        private final Path path;
        private final byte[] rowBytes;

        public Reader(Path path) throws IOException {
            this.path = path;
            long size = Files.size(path);
            this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path), 1 << 16));
            try {
                byte[] head = readFully(HEADER_BYTES, "the header");
                if (!Arrays.equals(Arrays.copyOf(head, 8), MAGIC)) {
                    throw new IOException(path + " is not a log-probability file (llama-perplexity --kl-divergence-base):"
                            + " it does not start with _logits_");
                }
                ByteBuffer b = ByteBuffer.wrap(head, 8, 12).order(ByteOrder.LITTLE_ENDIAN);
                long ctx = b.getInt() & 0xffffffffL;
                int vocab = b.getInt();
                int chunks = b.getInt();
                if (ctx < 4 || ctx > MAX_CTX) {
                    throw new IOException(path + ": n_ctx " + ctx + " outside [4, " + MAX_CTX + "]");
                }
                if (vocab < 2 || vocab > MAX_VOCAB) {
                    throw new IOException(path + ": n_vocab " + vocab + " outside [2, " + MAX_VOCAB + "]");
                }
                if (chunks < 1 || (long) chunks * ctx > Integer.MAX_VALUE / 4) {
                    throw new IOException(path + ": n_chunk " + chunks + " is not a plausible count");
                }
                Header sizes = new Header((int) ctx, vocab, chunks, new int[0]);
                long expected = sizes.expectedBytes() + 4L * chunks * ctx;
                if (size != expected) {
                    throw new IOException(path + " is " + size + " bytes; a file of " + chunks + " chunks of " + ctx
                            + " tokens over a vocabulary of " + vocab + " has " + expected + " (truncated or not this format)");
                }
                byte[] tokenBytes = readFully(4 * chunks * (int) ctx, "the tokens");
                int[] tokens = new int[chunks * (int) ctx];
                ByteBuffer.wrap(tokenBytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(tokens);
                for (int i = 0; i < tokens.length; i++) {
                    if (tokens[i] < 0 || tokens[i] >= vocab) {
                        throw new IOException(path + ": token " + i + " is " + tokens[i] + ", outside the vocabulary of " + vocab);
                    }
                }
                this.header = new Header((int) ctx, vocab, chunks, tokens);
                this.rowBytes = new byte[2 * header.rowValues()];
            } catch (IOException | RuntimeException e) {
                in.close();
                throw e;
            }
        }

        public Header header() {
            return header;
        }

        /** The next row: {@code scale}, {@code minLogProb} and the quantized values into {@code values}. */
        public Row next(char[] values) throws IOException {
            readFully(rowBytes, "a row of log-probabilities");
            ByteBuffer b = ByteBuffer.wrap(rowBytes).order(ByteOrder.LITTLE_ENDIAN);
            float scale = b.getFloat(0);
            float min = b.getFloat(4);
            if (!Float.isFinite(scale) || !Float.isFinite(min) || scale < 0) {
                throw new IOException(path + ": a row has scale " + scale + " and minimum " + min);
            }
            b.position(8);
            b.asCharBuffer().get(values, 0, header.vocab);
            return new Row(scale, min);
        }

        private byte[] readFully(int n, String what) throws IOException {
            byte[] bytes = new byte[n];
            readFully(bytes, what);
            return bytes;
        }

        private void readFully(byte[] bytes, String what) throws IOException {
            try {
                in.readFully(bytes);
            } catch (EOFException e) {
                throw new IOException(path + " ends inside " + what + " (truncated file)", e);
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** One row's dequantization: {@code log p_i = scale * value_i + minLogProb}. */
    public record Row(float scale, float minLogProb) {
    }

    /** Writes a base file as llama-perplexity does. */
    public static final class Writer implements AutoCloseable {
        private final OutputStream out;
        private final int vocab;
        private final ByteBuffer row;

        public Writer(Path path, int ctx, int vocab, int chunks, int[] tokens) throws IOException {
            if (tokens.length != (long) ctx * chunks) {
                throw new IllegalArgumentException("expected " + ctx * chunks + " tokens, got " + tokens.length);
            }
            this.vocab = vocab;
            this.out = new BufferedOutputStream(Files.newOutputStream(path), 1 << 16);
            ByteBuffer head = ByteBuffer.allocate(HEADER_BYTES + 4 * tokens.length).order(ByteOrder.LITTLE_ENDIAN);
            head.put(MAGIC).putInt(ctx).putInt(vocab).putInt(chunks);
            for (int t : tokens) {
                head.putInt(t);
            }
            out.write(head.array());
            this.row = ByteBuffer.allocate(2 * rowValues(vocab)).order(ByteOrder.LITTLE_ENDIAN);
        }

        /**
         * Quantizes one row of logits (llama.cpp's {@code log_softmax} of the writer) and returns the
         * negative log-likelihood of {@code target}.
         */
        public double write(float[] logits, int offset, int target) throws IOException {
            float max = logits[offset];
            float min = logits[offset];
            for (int i = 1; i < vocab; i++) {
                max = Math.max(max, logits[offset + i]);
                min = Math.min(min, logits[offset + i]);
            }
            min = Math.max(min, max - 16);
            double sumExp = 0;
            for (int i = 0; i < vocab; i++) {
                sumExp += KlDivergence.expf(logits[offset + i] - max);
            }
            float logSumExp = (float) Math.log(sumExp);
            float minLogProb = min - max - logSumExp;
            float scale = (max - min) / 65535f;
            Arrays.fill(row.array(), (byte) 0);
            row.putFloat(0, scale).putFloat(4, minLogProb);
            if (scale != 0) {
                float inv = 1 / scale;
                for (int i = 0; i < vocab; i++) {
                    float l = logits[offset + i];
                    row.putChar(8 + 2 * i, l > min ? (char) nearestInt(inv * (l - min)) : 0);
                }
            }
            out.write(row.array());
            return max + logSumExp - logits[offset + target];
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /** ggml's nearest_int: round half to even through the 1.5 * 2^23 shifter. */
    static int nearestInt(float value) {
        float shifted = value + 12582912.f;
        return (Float.floatToRawIntBits(shifted) & 0x007fffff) - 0x00400000;
    }
}

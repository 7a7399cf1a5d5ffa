package io.bitnetstreams.engine.kernel;

/**
 * Ternary matmul with the JDK Vector API: lookup tables over trit groups, rows in lanes.
 *
 * <p>{@link #prepare} repacks the weights once ({@link LutLayout}: 1.78 bits per weight at 256/512
 * bits, 2 bits at 128). Per call, each token gets an int16 table per column group holding
 * {@code sum trit * q} for every trit combination; the kernel looks packed indices up with
 * {@code selectFrom} ({@code vpermw}), adds into int16 accumulators and flushes them to int32
 * before they can overflow, so {@code D - S} is exact and the outputs are bit-identical to
 * {@link ScalarKernels}. Tiles are 2 row groups x 4 tokens (each weight load serves 4 tokens), or
 * 4 (then 2) row groups x 1 token for decode and leftover tokens. Work is split over row groups.
 */
public final class VectorKernels implements KernelProvider {

    /** Tokens sharing one pass over the weights. */
    private static final int TOKEN_TILE = 4;
    /** Tokens whose tables are built at once: bounds the table scratch (147 KB per token at K=6912). */
    private static final int TABLE_TOKENS = 32;
    /** Row ranges per thread, claimed dynamically so a slowed thread does not hold the others up. */
    private static final int CHUNKS_PER_THREAD = 4;
    /** Per-calling-thread table scratch, grown on demand. */
    private static final ThreadLocal<short[]> TABLES = ThreadLocal.withInitial(() -> new short[0]);

    private enum Width { W128, W256, W512 }

    private final int bits;
    private final Width width;

    private VectorKernels(int bits) {
        this.bits = bits;
        this.width = switch (bits) {
            case 128 -> Width.W128;
            case 256 -> Width.W256;
            case 512 -> Width.W512;
            default -> throw new IllegalArgumentException("vector width must be 128, 256 or 512 bits: " + bits);
        };
    }

    /**
     * The provider for {@code bits} (128, 256 or 512).
     *
     * @throws IllegalArgumentException if the width is unknown or this CPU/JVM cannot run it natively
     */
    public static VectorKernels forBits(int bits) {
        VectorKernels kernels = new VectorKernels(bits);
        if (!Kernels.isSupported(bits)) {
            throw new IllegalArgumentException(bits + "-bit vectors are not supported on this CPU/JVM (max "
                    + Kernels.maxVectorBits() + ")");
        }
        return kernels;
    }

    public int vectorBits() {
        return bits;
    }

    @Override
    public String name() {
        return "vector-lut-" + bits;
    }

    @Override
    public TernaryMatmul prepare(TernaryWeights weights) {
        int rows = weights.rows();
        int cols = weights.cols();
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("matrix shape must be positive: " + rows + " x " + cols);
        }
        LutLayout layout = layout(rows, cols);
        return new Prepared(width, layout, weights.scale(), layout.pack(weights));
    }

    private LutLayout layout(int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("matrix shape must be positive: " + rows + " x " + cols);
        }
        return switch (width) {
            case W128 -> Lut128.layout(rows, cols);
            case W256 -> Lut256.layout(rows, cols);
            case W512 -> Lut512.layout(rows, cols);
        };
    }

    /**
     * The repacked words of {@code weights} in this provider's layout: what {@link #prepare} keeps,
     * exposed so a model loader can store them (a repack cache) and rebuild the matrix later with
     * {@link #fromPacked} without reading the original codes again.
     */
    public short[] pack(TernaryWeights weights) {
        return layout(weights.rows(), weights.cols()).pack(weights);
    }

    /** Shorts {@link #pack} produces for a {@code rows x cols} matrix. */
    public long packedLength(int rows, int cols) {
        LutLayout layout = layout(rows, cols);
        return (long) layout.groups() * layout.words() * layout.lanes();
    }

    /**
     * A matrix from words {@link #pack} produced earlier (same provider width, same shape).
     *
     * @throws IllegalArgumentException if the length does not match the shape
     */
    public TernaryMatmul fromPacked(int rows, int cols, float scale, short[] packed) {
        if (packed.length != packedLength(rows, cols)) {
            throw new IllegalArgumentException("packed " + rows + " x " + cols + " matrix needs "
                    + packedLength(rows, cols) + " words, got " + packed.length);
        }
        return new Prepared(width, layout(rows, cols), scale, packed);
    }

    private record Prepared(Width width, LutLayout layout, float scale, short[] packed) implements TernaryMatmul {

        @Override
        public int rows() {
            return layout.rows();
        }

        @Override
        public int cols() {
            return layout.cols();
        }

        @Override
        public void multiply(QuantizedActivations x, float[] out, ComputePool pool) {
            int tokens = x.tokens();
            if (x.cols() != layout.cols()) {
                throw new IllegalArgumentException("activations have " + x.cols() + " columns, matrix has " + layout.cols());
            }
            if (out.length < (long) tokens * layout.rows()) {
                throw new IllegalArgumentException("output holds " + out.length + " floats, needs " + (long) tokens * layout.rows());
            }
            int tableLength = layout.tableLength();
            int chunk = Math.min(tokens, TABLE_TOKENS);
            short[] tables = tableScratch(chunk * tableLength);
            for (int first = 0; first < tokens; first += chunk) {
                int count = Math.min(chunk, tokens - first);
                int firstToken = first;
                pool.parallelFor(0, count, (from, to) -> buildTables(x, firstToken, from, to, tables));
                pool.parallelForChunks(0, layout.groups() / 2, CHUNKS_PER_THREAD * pool.threads(),
                        (from, to) -> multiplyGroups(x, firstToken, count, tables, out, from, to));
            }
        }

        private static short[] tableScratch(int length) {
            short[] tables = TABLES.get();
            if (tables.length < length) {
                tables = new short[length];
                TABLES.set(tables);
            }
            return tables;
        }

        private void buildTables(QuantizedActivations x, int firstToken, int from, int to, short[] tables) {
            byte[] q = x.values();
            int cols = layout.cols();
            int words = layout.words();
            int tableLength = layout.tableLength();
            for (int t = from; t < to; t++) {
                int qOff = (firstToken + t) * cols;
                switch (width) {
                    case W128 -> Lut128.buildTable(q, qOff, cols, words, tables, t * tableLength);
                    case W256 -> Lut256.buildTable(q, qOff, cols, words, tables, t * tableLength);
                    case W512 -> Lut512.buildTable(q, qOff, cols, words, tables, t * tableLength);
                }
            }
        }

        /** Row-group pairs [fromPair, toPair) for tokens firstToken .. firstToken + count - 1. */
        private void multiplyGroups(QuantizedActivations x, int firstToken, int count, short[] tables, float[] out,
                                    int fromPair, int toPair) {
            int lanes = layout.lanes();
            int words = layout.words();
            int tableLength = layout.tableLength();
            int[] acc = new int[2 * TOKEN_TILE * lanes];
            int t = 0;
            for (; t + TOKEN_TILE <= count; t += TOKEN_TILE) {
                for (int pair = fromPair; pair < toPair; pair++) {
                    java.util.Arrays.fill(acc, 0);
                    int base = 2 * pair * words * lanes;
                    int tabOff = t * tableLength;
                    switch (width) {
                        case W128 -> Lut128.tile2x4(packed, base, words, tables, tabOff, tableLength, acc);
                        case W256 -> Lut256.tile2x4(packed, base, words, tables, tabOff, tableLength, acc);
                        case W512 -> Lut512.tile2x4(packed, base, words, tables, tabOff, tableLength, acc);
                    }
                    store(x, firstToken + t, TOKEN_TILE, 2, 2 * pair, acc, out);
                }
            }
            for (; t < count; t++) {
                int tabOff = t * tableLength;
                int pair = fromPair;
                for (; pair + 2 <= toPair; pair += 2) { // 4 groups share each table load
                    java.util.Arrays.fill(acc, 0, 4 * lanes, 0);
                    int base = 2 * pair * words * lanes;
                    switch (width) {
                        case W128 -> Lut128.tile4x1(packed, base, words, tables, tabOff, tableLength, acc);
                        case W256 -> Lut256.tile4x1(packed, base, words, tables, tabOff, tableLength, acc);
                        case W512 -> Lut512.tile4x1(packed, base, words, tables, tabOff, tableLength, acc);
                    }
                    store(x, firstToken + t, 1, 4, 2 * pair, acc, out);
                }
                for (; pair < toPair; pair++) {
                    java.util.Arrays.fill(acc, 0, 2 * lanes, 0);
                    int base = 2 * pair * words * lanes;
                    switch (width) {
                        case W128 -> Lut128.tile2x1(packed, base, words, tables, tabOff, tableLength, acc);
                        case W256 -> Lut256.tile2x1(packed, base, words, tables, tabOff, tableLength, acc);
                        case W512 -> Lut512.tile2x1(packed, base, words, tables, tabOff, tableLength, acc);
                    }
                    store(x, firstToken + t, 1, 2, 2 * pair, acc, out);
                }
            }
        }

        /** Writes {@code (D - S) / s * scale} for {@code tileGroups} row groups x {@code tileTokens} tokens. */
        private void store(QuantizedActivations x, int token0, int tileTokens, int tileGroups, int group0, int[] acc,
                           float[] out) {
            int rows = layout.rows();
            int lanes = layout.lanes();
            for (int r = 0; r < tileGroups; r++) {
                int rowBase = (group0 + r) * lanes;
                int valid = Math.min(lanes, rows - rowBase);
                for (int t = 0; t < tileTokens; t++) {
                    float s = x.scale(token0 + t);
                    int outBase = (token0 + t) * rows + rowBase;
                    int accBase = (r * tileTokens + t) * lanes;
                    for (int i = 0; i < valid; i++) {
                        out[outBase + i] = acc[accBase + i] / s * scale;
                    }
                }
            }
        }
    }
}

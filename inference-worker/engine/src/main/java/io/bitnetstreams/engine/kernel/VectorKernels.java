package io.bitnetstreams.engine.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Ternary matmul with the JDK Vector API: lookup tables over trit groups, rows in lanes.
 *
 * <p>{@link #prepare} repacks the weights once ({@link LutLayout}: 1.78 bits per weight at 256/512
 * bits, 2 bits at 128) into native memory (off the Java heap; a model loader may instead keep them
 * in a mapped cache file, see {@link #fromPacked}). Per call, each token gets an int16 table per column group holding
 * {@code sum trit * q} for every trit combination; the kernel looks packed indices up with
 * {@code selectFrom} ({@code vpermw}), adds into int16 accumulators and flushes them to int32
 * before they can overflow, so {@code D - S} is exact and the outputs are bit-identical to
 * {@link ScalarKernels}. Tiles are 2 row groups x 4 tokens (each weight load serves 4 tokens), or
 * 4 (then 2) row groups x 1 token for decode and leftover tokens. Several threads split a prefill
 * by tokens ({@link #runTokenPieces}), and one token or a few by row groups.
 */
public final class VectorKernels implements KernelProvider {

    /** Tokens sharing one pass over the weights. */
    private static final int TOKEN_TILE = 4;
    /** Tokens whose tables are built at once: bounds the table scratch (147 KB per token at K=6912). */
    private static final int TABLE_TOKENS = 32;
    /** Row ranges per thread, claimed dynamically so a slowed thread does not hold the others up. */
    private static final int CHUNKS_PER_THREAD = 4;
    /**
     * Per-calling-thread table scratch, grown on demand: native and cache-line aligned so that no
     * table load straddles two lines (each token's table is a whole number of lines long).
     */
    private static final ThreadLocal<MemorySegment> TABLES = ThreadLocal.withInitial(() -> MemorySegment.NULL);

    /** Alignment of the words in memory: one cache line, so no vector load straddles two lines. */
    public static final long WORD_ALIGNMENT = 64;
    /** The implementation class of plain native segments (Arena.allocate, ofAddress/reinterpret). */
    private static final Class<?> NATIVE_SEGMENT_CLASS = MemorySegment.ofAddress(0).getClass();

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

    /**
     * Repacks {@code weights} into native memory that the garbage collector frees with the returned
     * matrix (a model loader that wants the words elsewhere uses {@link #packInto} and {@link #fromPacked}).
     */
    @Override
    public TernaryMatmul prepare(TernaryWeights weights) {
        LutLayout layout = layout(weights.rows(), weights.cols());
        MemorySegment packed = Arena.ofAuto().allocate(layout.packedBytes(), WORD_ALIGNMENT);
        layout.packInto(weights, packed);
        return new Prepared(width, layout, weights.scale(), packed);
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

    /** Bytes of the repacked words of a {@code rows x cols} matrix in this provider's layout. */
    public long packedBytes(int rows, int cols) {
        return layout(rows, cols).packedBytes();
    }

    /**
     * Writes the repacked words of {@code weights} (little-endian, exactly {@link #packedBytes} bytes)
     * into {@code dst}: what a model loader stores (a repack cache file) and later hands to
     * {@link #fromPacked} without reading the original codes again.
     *
     * @throws IllegalArgumentException if {@code dst} has another size or a code is not 0, 1 or 2
     */
    public void packInto(TernaryWeights weights, MemorySegment dst) {
        layout(weights.rows(), weights.cols()).packInto(weights, dst);
    }

    /**
     * A matrix over words {@link #packInto} wrote earlier (same provider width, same shape). The
     * segment must be plain native memory ({@code Arena.allocate}, or a mapping re-viewed with
     * {@code MemorySegment.ofAddress(..).reinterpret(..)}): the kernels then only ever load from one
     * segment implementation, which keeps their JIT profile monomorphic. It is read, never copied,
     * and must stay alive as long as the matrix is used.
     *
     * @throws IllegalArgumentException if the size does not match the shape or the segment is not plain native memory
     */
    public TernaryMatmul fromPacked(int rows, int cols, float scale, MemorySegment packed) {
        LutLayout layout = layout(rows, cols);
        if (packed.byteSize() != layout.packedBytes()) {
            throw new IllegalArgumentException("a packed " + rows + " x " + cols + " matrix takes "
                    + layout.packedBytes() + " bytes, got " + packed.byteSize());
        }
        if (!isPlainNative(packed)) {
            throw new IllegalArgumentException("packed words must be in plain native memory, not " + packed);
        }
        return new Prepared(width, layout, scale, packed);
    }

    /** Whether {@code segment} is of the one segment kind the kernels are compiled for. */
    public static boolean isPlainNative(MemorySegment segment) {
        return segment.getClass() == NATIVE_SEGMENT_CLASS;
    }

    /**
     * {@link TernaryMatmul#multiplyAll} for matrices that are all of these kernels with one width and
     * column count: one driver call for all of them, so each token's tables are built once for all the
     * matrices. Returns false (nothing done) for any other mix.
     */
    static boolean multiplyFused(QuantizedActivations x, TernaryMatmul[] matrices, float[][] outs, ComputePool pool) {
        if (matrices.length < 2 || !(matrices[0] instanceof Prepared first)) {
            return false;
        }
        Prepared[] prepared = new Prepared[matrices.length];
        int[] firstPair = new int[matrices.length + 1];
        for (int i = 0; i < matrices.length; i++) {
            if (!(matrices[i] instanceof Prepared p) || p.width != first.width || p.layout.cols() != first.layout.cols()) {
                return false;
            }
            TernaryMatmul.checkShapes(p, x, outs[i]);
            prepared[i] = p;
            firstPair[i + 1] = firstPair[i] + p.layout.groups() / 2;
        }
        run(x, prepared, firstPair, outs, pool);
        return true;
    }

    /**
     * The one driver of every multiply of {@code matrices} (matrix i owns row-group pairs {@code
     * firstPair[i] .. firstPair[i + 1]}): on several threads, one token by row groups, enough tokens by
     * pieces of tokens; on one thread, or with too few tokens to give every thread
     * {@link #MIN_PIECES_PER_THREAD} pieces, by {@link #runFewTokensOrOneThread}.
     */
    private static void run(QuantizedActivations x, Prepared[] matrices, int[] firstPair, float[][] outs,
                            ComputePool pool) {
        int tokens = x.tokens();
        if (tokens == 1 && pool.threads() > 1) {
            runOneToken(x, matrices, firstPair, outs, pool);
        } else if (pool.threads() > 1
                && tokens >= MIN_PIECES_PER_THREAD * pool.threads() * matrices[0].tokensPerPiece()) {
            runTokenPieces(x, matrices, firstPair, outs, pool);
        } else {
            runFewTokensOrOneThread(x, matrices, firstPair, outs, pool);
        }
    }

    /**
     * One thread, or a few tokens on several threads (too few pieces of tokens to share evenly): per chunk
     * of {@link #TABLE_TOKENS} tokens, the tables are built once (split by tokens) and then the row-group
     * pairs of all matrices are claimed from one range. Until 2026-12-04 this also ran every prefill on
     * several threads; pieces of tokens beat it there (pp128 1.07x, pp512 1.09x, medians of 24 alternated
     * pairs on two threads), so it is kept for these cases only.
     */
    private static void runFewTokensOrOneThread(QuantizedActivations x, Prepared[] matrices, int[] firstPair,
                                                float[][] outs, ComputePool pool) {
        Prepared first = matrices[0];
        int tokens = x.tokens();
        int tableLength = first.layout.tableLength();
        int chunk = Math.max(1, Math.min(tokens, TABLE_TOKENS));
        MemorySegment tables = Prepared.tableScratch(chunk * tableLength);
        for (int start = 0; start < tokens; start += chunk) {
            int count = Math.min(chunk, tokens - start);
            int firstToken = start;
            pool.parallelFor(0, count, (from, to) -> first.buildTables(x, firstToken, from, to, tables));
            pool.parallelForChunks(0, firstPair[matrices.length], CHUNKS_PER_THREAD * pool.threads() * matrices.length,
                    (from, to) -> {
                        for (int i = 0; i < matrices.length; i++) {
                            int lo = Math.max(from, firstPair[i]);
                            int hi = Math.min(to, firstPair[i + 1]);
                            if (lo < hi) {
                                matrices[i].multiplyGroups(x, firstToken, count, tables, outs[i], lo - firstPair[i],
                                        hi - firstPair[i]);
                            }
                        }
                    });
        }
    }

    /** Table bytes of the tokens of one piece at most: they stay in the core's L2 with the weights passing by. */
    private static final long PIECE_TABLE_BYTES = 512 * 1024;
    /** Tokens per piece at most (small matrices): enough pieces to share evenly. */
    private static final int MAX_PIECE_TOKENS = 16;
    /** Pieces per thread below which a multiply splits rows instead (few tokens: too few pieces to share evenly). */
    private static final int MIN_PIECES_PER_THREAD = 2;
    /** Row-group pairs whose weights one pass over a piece's tokens reuses from L2 (144 KB at K=2560). */
    private static final int PAIRS_PER_PASS = 4;

    /**
     * Several tokens on several threads, as one job: the threads claim pieces of tokens, and each builds the
     * tables of its piece itself, in its own scratch (so they sit in its own L2, not in the other core's), then
     * runs every row of every matrix for them, {@link #PAIRS_PER_PASS} row-group pairs at a time (their weights
     * then serve all the piece's tokens from L2). Nothing is shared between the threads but the weights, which
     * are only read, and there is one hand-off per multiply instead of two per 32 tokens. Same tables, same
     * tiles, same values: only who computes which tokens changes.
     */
    private static void runTokenPieces(QuantizedActivations x, Prepared[] matrices, int[] firstPair, float[][] outs,
                                       ComputePool pool) {
        Prepared first = matrices[0];
        int tokens = x.tokens();
        int tableLength = first.layout.tableLength();
        int per = first.tokensPerPiece();
        int pieces = (tokens + per - 1) / per;
        pool.parallelForChunks(0, pieces, pieces, (from, to) -> {
            MemorySegment tables = Prepared.tableScratch(per * tableLength);
            for (int p = from; p < to; p++) {
                int t0 = p * per;
                int count = Math.min(per, tokens - t0);
                first.buildTables(x, t0, 0, count, tables);
                for (int i = 0; i < matrices.length; i++) {
                    int pairs = firstPair[i + 1] - firstPair[i];
                    for (int pair = 0; pair < pairs; pair += PAIRS_PER_PASS) {
                        matrices[i].multiplyGroups(x, t0, count, tables, outs[i], pair,
                                Math.min(pairs, pair + PAIRS_PER_PASS));
                    }
                }
            }
        });
    }

    /** Which multiply a thread's one-token table was last built for (see {@link #runOneToken}). */
    private static final class OwnTable {
        long builtFor = -1;
        MemorySegment table = MemorySegment.NULL;
    }

    private static final ThreadLocal<OwnTable> OWN_TABLE = ThreadLocal.withInitial(OwnTable::new);
    private static final AtomicLong ONE_TOKEN_CALLS = new AtomicLong();
    /** Smallest piece of a one-token multiply: one {@code tile4x1} (two row-group pairs). */
    private static final int MIN_PAIRS_PER_PIECE = 2;

    /**
     * One token (decode) on several threads, as one job: every thread builds the token's table itself,
     * in its own scratch, when it first claims a piece of this multiply, then claims guided pieces of
     * row-group pairs. Built once by the caller before the job, the table (54-147 KB) was serial work
     * while the worker waited, and then sat in the caller's cache for the worker to pull across cores.
     * Guided pieces shrink towards the end, so the thread that finishes first waits for at most a small
     * piece of the other's. Same tables, same tiles, same values: only who computes which rows changes.
     */
    private static void runOneToken(QuantizedActivations x, Prepared[] matrices, int[] firstPair, float[][] outs,
                                    ComputePool pool) {
        Prepared first = matrices[0];
        long tableBytes = 2L * first.layout.tableLength();
        long call = ONE_TOKEN_CALLS.incrementAndGet();
        pool.parallelForGuided(0, firstPair[matrices.length], MIN_PAIRS_PER_PIECE, (from, to) -> {
            OwnTable own = OWN_TABLE.get();
            if (own.builtFor != call) {
                if (own.table.byteSize() < tableBytes) {
                    own.table = Arena.ofAuto().allocate(tableBytes, WORD_ALIGNMENT);
                }
                first.buildTables(x, 0, 0, 1, own.table);
                own.builtFor = call;
            }
            for (int i = 0; i < matrices.length; i++) {
                int lo = Math.max(from, firstPair[i]);
                int hi = Math.min(to, firstPair[i + 1]);
                if (lo < hi) {
                    matrices[i].multiplyGroups(x, 0, 1, own.table, outs[i], lo - firstPair[i], hi - firstPair[i]);
                }
            }
        });
    }

    private record Prepared(Width width, LutLayout layout, float scale, MemorySegment packed) implements TernaryMatmul {

        /** The output conversion's species: the CPU's preferred width (a lane count divides every group). */
        private static final VectorSpecies<Float> STORE_FLOATS = FloatVector.SPECIES_PREFERRED;
        private static final VectorSpecies<Integer> STORE_INTS = STORE_FLOATS.withLanes(int.class);

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
            TernaryMatmul.checkShapes(this, x, out);
            run(x, new Prepared[] {this}, new int[] {0, layout.groups() / 2}, new float[][] {out}, pool);
        }

        /** Tokens of one piece of {@link #runTokenPieces}: whole 4-token tiles whose tables fit {@link #PIECE_TABLE_BYTES}. */
        int tokensPerPiece() {
            long fit = PIECE_TABLE_BYTES / (2L * layout.tableLength()) / TOKEN_TILE * TOKEN_TILE;
            return (int) Math.max(TOKEN_TILE, Math.min(MAX_PIECE_TOKENS, fit));
        }

        /** At least {@code length} shorts of table scratch for the calling thread. */
        private static MemorySegment tableScratch(int length) {
            MemorySegment tables = TABLES.get();
            if (tables.byteSize() < 2L * length) {
                tables = Arena.ofAuto().allocate(2L * length, WORD_ALIGNMENT);
                TABLES.set(tables);
            }
            return tables;
        }

        private void buildTables(QuantizedActivations x, int firstToken, int from, int to, MemorySegment tables) {
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
        private void multiplyGroups(QuantizedActivations x, int firstToken, int count, MemorySegment tables, float[] out,
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

        /**
         * Writes {@code (D - S) / s * scale} for {@code tileGroups} row groups x {@code tileTokens} tokens.
         * Vectorized but exact: int to float is exact here (|D - S| < 2^24) and the division and the
         * multiplication are the same IEEE operations per lane as the scalar expression.
         */
        private void store(QuantizedActivations x, int token0, int tileTokens, int tileGroups, int group0, int[] acc,
                           float[] out) {
            int rows = layout.rows();
            int lanes = layout.lanes();
            int step = STORE_FLOATS.length();
            for (int r = 0; r < tileGroups; r++) {
                int rowBase = (group0 + r) * lanes;
                int valid = Math.min(lanes, rows - rowBase);
                int vectorValid = valid - valid % step;
                for (int t = 0; t < tileTokens; t++) {
                    float s = x.scale(token0 + t);
                    int outBase = (token0 + t) * rows + rowBase;
                    int accBase = (r * tileTokens + t) * lanes;
                    int i = 0;
                    for (; i < vectorValid; i += step) {
                        ((FloatVector) IntVector.fromArray(STORE_INTS, acc, accBase + i)
                                .convert(VectorOperators.I2F, 0)).div(s).mul(scale).intoArray(out, outBase + i);
                    }
                    for (; i < valid; i++) {
                        out[outBase + i] = acc[accBase + i] / s * scale;
                    }
                }
            }
        }
    }
}

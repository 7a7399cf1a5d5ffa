package io.bitnetstreams.engine.tensor;

import io.bitnetstreams.engine.kernel.TernaryWeights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * In-place {@code dotCodes} over a whole 2B4T FFN matrix (M = 6912 rows of K = 2560), weights in
 * native memory as a mapping would be; GMAC/s = M*K / time. Also F16 {@code dotRow} over the tied
 * embedding shape's row length (the logits loop).
 *
 * <p>Run: {@code java -cp <test-classes:classes:deps> org.openjdk.jmh.Main TernaryDotBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TernaryDotBenchmark {

    private static final int ROWS = 6912;
    private static final int COLS = 2560;

    @Param({"I2_S", "TQ2_0", "TQ1_0"})
    public String format;

    private Arena arena;
    private TernaryWeights weights;
    private F16Tensor embedding;
    private MemorySegment embeddingData;
    private byte[] q;
    private float[] x;

    @Setup(Level.Trial)
    public void setUp() {
        Random random = new Random(1);
        byte[] codes = new byte[ROWS * COLS];
        for (int i = 0; i < codes.length; i++) codes[i] = (byte) random.nextInt(3);
        arena = Arena.ofShared();
        weights = switch (format) {
            case "I2_S" -> {
                MemorySegment seg = arena.allocate(I2STensor.byteSize(ROWS, COLS));
                I2STensor.pack(codes, ROWS, COLS, 1.5f, seg);
                yield I2STensor.of(seg, ROWS, COLS);
            }
            case "TQ2_0" -> {
                MemorySegment seg = arena.allocate(TQ2_0Tensor.byteSize(ROWS, COLS));
                TQ2_0Tensor.pack(codes, ROWS, COLS, 1.5f, seg);
                yield TQ2_0Tensor.of(seg, ROWS, COLS);
            }
            default -> {
                MemorySegment seg = arena.allocate(TQ1_0Tensor.byteSize(ROWS, COLS));
                TQ1_0Tensor.pack(codes, ROWS, COLS, 1.5f, seg);
                yield TQ1_0Tensor.of(seg, ROWS, COLS);
            }
        };
        q = new byte[COLS];
        random.nextBytes(q);
        float[] values = new float[ROWS * COLS / 8];
        for (int i = 0; i < values.length; i++) values[i] = (float) random.nextGaussian();
        MemorySegment emb = arena.allocate(F16Tensor.byteSize(values.length));
        F16Tensor.pack(values, 0, values.length, emb, 0);
        embedding = F16Tensor.of(emb, values.length);
        embeddingData = emb;
        x = new float[COLS];
        for (int i = 0; i < COLS; i++) x[i] = (float) random.nextGaussian();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public int ternaryMatrix() {
        int acc = 0;
        for (int m = 0; m < ROWS; m++) {
            acc += weights.dotCodes(m, q, 0);
        }
        return acc;
    }

    @Benchmark
    public float f16RowsLanes() {
        float acc = 0;
        for (int r = 0; r < ROWS / 8; r++) {
            acc += F16Rows.dotLanes(embeddingData, (long) r * COLS * 2, COLS, x, 0);
        }
        return acc;
    }

    @Benchmark
    public float f16RowsScalar() {
        float acc = 0;
        for (int r = 0; r < ROWS / 8; r++) {
            acc += embedding.dotScalar((long) r * COLS * 2, COLS, x, 0);
        }
        return acc;
    }

    @Benchmark
    public float f16Rows() {
        float acc = 0;
        for (int r = 0; r < ROWS / 8; r++) {
            acc += embedding.dotRow(r, COLS, x, 0);
        }
        return acc;
    }
}

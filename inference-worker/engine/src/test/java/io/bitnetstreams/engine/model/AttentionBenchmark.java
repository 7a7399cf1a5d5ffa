package io.bitnetstreams.engine.model;

import io.bitnetstreams.engine.kernel.ComputePool;
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
 * One layer's attention of the 2B4T shape (20 query heads over 5 key/value heads of 128) over an F16
 * cache, on one thread: the engine's tiled kernel ({@link Attention#run}) against a plain scalar
 * loop over the same F16 cache (per query: F16 to float per element, dot, softmax with
 * {@link Math#exp}, weighted sum; no tiles, no vectors). {@code shape} is {@code rows:before}: a
 * decode step at position {@code before} ({@code rows} = 1) or a prompt batch of {@code rows} tokens
 * after {@code before} cached ones (multi-token shapes take {@link PromptAttention}). AttentionTest checks the kernel's bits; this measures its time.
 *
 * <p>Run: {@code bin/jmh AttentionBenchmark -f 1 -wi 3 -i 5}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AttentionBenchmark {

    @Param({"1:255", "1:1023", "64:448", "512:0", "1024:0"})
    public String shape;

    private final Attention.Shape geometry = new Attention.Shape(20, 5, 128, 1.0f / (float) Math.sqrt(128));
    private ComputePool pool;
    private Attention.Rows[] rows;
    private short[] keys;
    private short[] values;
    private float[] q;
    private float[] out;
    private float[] scores;
    private int rowCount;
    private int before;

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = shape.split(":");
        rowCount = Integer.parseInt(parts[0]);
        before = Integer.parseInt(parts[1]);
        int visible = before + rowCount;
        Random random = new Random(7);
        keys = AttentionTest.halves(random, visible * geometry.kvDim());
        values = AttentionTest.halves(random, visible * geometry.kvDim());
        q = AttentionTest.randoms(random, rowCount * geometry.dim());
        out = new float[rowCount * geometry.dim()];
        scores = new float[visible];
        rows = new Attention.Rows[] {new Attention.Rows(Attention.Parts.single(keys, values, visible), 0, rowCount,
                before + 1)};
        pool = ComputePool.singleThreaded();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
    }

    @Benchmark
    public float[] tiled() {
        Attention.run(pool, geometry, rows, q, out);
        return out;
    }

    @Benchmark
    public float[] plainScalar() {
        int headDim = geometry.headDim();
        int dim = geometry.dim();
        int kvDim = geometry.kvDim();
        for (int r = 0; r < rowCount; r++) {
            int visible = before + r + 1;
            for (int h = 0; h < geometry.heads(); h++) {
                int qOff = r * dim + h * headDim;
                int kvOff = (h / geometry.group()) * headDim;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < visible; j++) {
                    float dot = 0;
                    for (int d = 0; d < headDim; d++) {
                        dot += q[qOff + d] * Float.float16ToFloat(keys[j * kvDim + kvOff + d]);
                    }
                    scores[j] = dot * geometry.scale();
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j < visible; j++) {
                    scores[j] = (float) Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int d = 0; d < headDim; d++) {
                    out[qOff + d] = 0;
                }
                for (int j = 0; j < visible; j++) {
                    float p = (float) (scores[j] / sum);
                    for (int d = 0; d < headDim; d++) {
                        out[qOff + d] += p * Float.float16ToFloat(values[j * kvDim + kvOff + d]);
                    }
                }
            }
        }
        return out;
    }
}

package io.bitnetstreams.engine.kernel.bench;

import java.util.Collection;
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
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.kernel.Kernels;
import io.bitnetstreams.engine.kernel.QuantizedActivations;
import io.bitnetstreams.engine.kernel.TernaryMatmul;
import io.bitnetstreams.engine.kernel.TernaryWeights;

/**
 * Ternary matmul throughput: GEMV (tokens=1) and GEMM (tokens=128) on the model's FFN shapes
 * ({@code rows x cols} = M x K). {@code matrices > 1} rotates over that many distinct weight
 * matrices so that the weights come from DRAM, as in decode, instead of staying in L3.
 * GMAC/s = rows * cols * tokens / time.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp ... io.bitnetstreams.engine.kernel.bench.TernaryMatmulBench
 * [JMH options, e.g. -p bits=512 -p tokens=1]}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx6g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
public class TernaryMatmulBench {

    @Param({"6912x2560", "2560x6912"})
    public String shape;

    @Param({"1", "128"})
    public int tokens;

    @Param({"512"})
    public int bits;

    @Param({"1", "2"})
    public int threads;

    @Param({"1"})
    public int matrices;

    private TernaryMatmul[] prepared;
    private QuantizedActivations x;
    private float[] out;
    private ComputePool pool;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        int rows = rows(shape);
        int cols = cols(shape);
        Random random = new Random(42);
        prepared = new TernaryMatmul[matrices];
        for (int i = 0; i < matrices; i++) {
            prepared[i] = Kernels.forVectorBits(bits).prepare(RandomWeights.of(rows, cols, random.nextLong()));
        }
        float[] floats = new float[tokens * cols];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = (float) random.nextGaussian();
        }
        x = new QuantizedActivations(tokens, cols).quantize(floats, 0, tokens);
        out = new float[tokens * rows];
        pool = new ComputePool(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
    }

    @Benchmark
    public float multiply() {
        TernaryMatmul m = prepared[next];
        next = next + 1 == prepared.length ? 0 : next + 1;
        m.multiply(x, out, pool);
        return out[0];
    }

    static int rows(String shape) {
        return Integer.parseInt(shape.substring(0, shape.indexOf('x')));
    }

    static int cols(String shape) {
        return Integer.parseInt(shape.substring(shape.indexOf('x') + 1));
    }

    /** Random codes, one byte each (benchmark setup only). */
    record RandomWeights(int rows, int cols, float scale, byte[] codes) implements TernaryWeights {
        static RandomWeights of(int rows, int cols, long seed) {
            Random random = new Random(seed);
            byte[] codes = new byte[rows * cols];
            for (int i = 0; i < codes.length; i++) {
                codes[i] = (byte) random.nextInt(3);
            }
            return new RandomWeights(rows, cols, 1.5f, codes);
        }

        @Override
        public void readCodes(int row, byte[] dst, int offset) {
            System.arraycopy(codes, row * cols, dst, offset, cols);
        }
    }

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .parent(new CommandLineOptions(args))
                .include(TernaryMatmulBench.class.getName())
                .build()).run();
        for (RunResult r : results) {
            var p = r.getParams();
            String shape = p.getParam("shape");
            long macs = (long) rows(shape) * cols(shape) * Integer.parseInt(p.getParam("tokens"));
            double micros = r.getPrimaryResult().getScore();
            System.out.printf("%s tokens=%s bits=%s threads=%s matrices=%s: %.1f us, %.1f GMAC/s%n", shape,
                    p.getParam("tokens"), p.getParam("bits"), p.getParam("threads"), p.getParam("matrices"),
                    micros, macs / micros / 1e3);
        }
    }
}

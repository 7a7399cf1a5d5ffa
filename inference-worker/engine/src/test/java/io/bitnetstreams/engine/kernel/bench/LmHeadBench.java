package io.bitnetstreams.engine.kernel.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
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
import io.bitnetstreams.engine.kernel.HeadKernels;
import io.bitnetstreams.engine.kernel.HugePages;
import io.bitnetstreams.engine.kernel.LmHead;

/**
 * LM head 128256 x 2560 (the tied BitNet embedding): F16 rows read in place from an off-heap
 * segment (like the mapped GGUF), the q8 per-block copy alone ("q8") and with exact rescoring of the
 * best candidates per token ("q8r", what the model uses). 657 MB / 369 MB per call, so T=1 is memory
 * bound; the rows are read once per call whatever the number of tokens. "f16h": the F16 rows copied
 * into {@link HugePages} memory; "q4": the 4-bit copy (205 MB, huge pages) alone, "q4r" with exact
 * rescoring, "q4r4k" the same in ordinary 4 KB pages; "q2": the 2-bit
 * screening copy (103 MB, 16-row interleaved groups, huge pages) alone, "q2r" with exact rescoring of
 * its 64 best candidates. GMAC/s = vocab * dim * tokens / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx3g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
public class LmHeadBench {

    private static final int DIM = 2560;

    /** Rows; the model has 128256. A few thousand rows fit in L3 and show the compute limit. */
    @Param({"128256"})
    public int vocab;

    @Param({"f16", "f16h", "q8", "q8r", "q4", "q4r", "q4r4k", "q2", "q2r"})
    public String kind;

    @Param({"1", "4", "8", "16"})
    public int tokens;

    @Param({"2"})
    public int threads;

    private Arena arena;
    private LmHead head;
    private float[] x;
    private float[] out;
    private ComputePool pool;

    @Setup(Level.Trial)
    public void setUp() {
        pool = new ComputePool(threads);
        arena = Arena.ofShared();
        MemorySegment rows = arena.allocate((long) vocab * DIM * 2, 64);
        ValueLayout.OfShort f16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        Random random = new Random(7);
        for (long i = 0; i < (long) vocab * DIM; i++) {
            rows.set(f16, 2 * i, Float.floatToFloat16((random.nextInt(2001) - 1000) * 1e-4f));
        }
        head = switch (kind) {
            case "f16" -> HeadKernels.f16(rows, vocab, DIM);
            case "q8" -> HeadKernels.q8(HeadKernels.quantizeQ8(rows, vocab, DIM, pool));
            case "q8r" -> HeadKernels.q8(HeadKernels.quantizeQ8(rows, vocab, DIM, pool), HeadKernels.f16(rows, vocab, DIM));
            case "f16h" -> {
                MemorySegment huge = HugePages.allocate(rows.byteSize(), arena);
                huge.copyFrom(rows);
                yield HeadKernels.f16(huge, vocab, DIM);
            }
            case "q4" -> HeadKernels.q4(HeadKernels.quantizeQ4(rows, vocab, DIM,
                    HugePages.allocate(HeadKernels.Q4Rows.bytes(vocab, DIM), arena), pool));
            case "q4r" -> HeadKernels.q4(HeadKernels.quantizeQ4(rows, vocab, DIM,
                    HugePages.allocate(HeadKernels.Q4Rows.bytes(vocab, DIM), arena), pool), HeadKernels.f16(rows, vocab, DIM));
            case "q4r4k" -> HeadKernels.q4(HeadKernels.quantizeQ4(rows, vocab, DIM,
                    arena.allocate(HeadKernels.Q4Rows.bytes(vocab, DIM), 64), pool), HeadKernels.f16(rows, vocab, DIM));
            case "q2" -> HeadKernels.q2(HeadKernels.quantizeQ2(rows, vocab, DIM,
                    HugePages.allocate(HeadKernels.Q2Rows.bytes(vocab, DIM), arena), pool));
            case "q2r" -> HeadKernels.q2(HeadKernels.quantizeQ2(rows, vocab, DIM,
                    HugePages.allocate(HeadKernels.Q2Rows.bytes(vocab, DIM), arena), pool), HeadKernels.f16(rows, vocab, DIM));
            default -> throw new IllegalArgumentException(kind);
        };
        x = new float[tokens * DIM];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        out = new float[tokens * vocab];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public float logits() {
        head.logits(x, tokens, out, pool);
        return out[0];
    }

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .parent(new CommandLineOptions(args))
                .include(LmHeadBench.class.getName())
                .build()).run();
        for (RunResult r : results) {
            var p = r.getParams();
            double millis = r.getPrimaryResult().getScore();
            long macs = Long.parseLong(p.getParam("vocab")) * DIM * Integer.parseInt(p.getParam("tokens"));
            System.out.printf("head %s vocab=%s tokens=%s threads=%s: %.2f ms, %.1f GMAC/s%n", p.getParam("kind"),
                    p.getParam("vocab"), p.getParam("tokens"), p.getParam("threads"), millis, macs / millis / 1e6);
        }
    }
}

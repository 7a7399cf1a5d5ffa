package io.bitnetstreams.engine.sampling;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of one sampling step over the Llama 3 vocabulary (128,256 logits), copy of the logits included.
 * Run: java -cp target/test-classes:target/classes:$(deps) org.openjdk.jmh.Main SamplerBenchmark
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SamplerBenchmark {

    @Param({"greedy", "defaults", "topP-only", "plain"})
    public String chain;

    private final float[] logits = new float[128_256];
    private final float[] work = new float[128_256];
    private final int[] history = new int[64];
    private Sampler sampler;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (random.nextGaussian() * 3);
        }
        for (int i = 0; i < history.length; i++) {
            history[i] = random.nextInt(logits.length);
        }
        SamplingParams params = switch (chain) {
            case "greedy" -> SamplingParams.greedy();
            case "defaults" -> SamplingParams.defaults(1).withRepetitionPenalty(1.1f, 64);
            case "topP-only" -> new SamplingParams(0.8f, 0, 0.95f, 0f, 1f, 0, 1);
            default -> new SamplingParams(1f, 0, 1f, 0f, 1f, 0, 1);
        };
        sampler = new Sampler(params);
    }

    @Benchmark
    public int sample() {
        System.arraycopy(logits, 0, work, 0, logits.length);
        return sampler.sample(work, history, history.length);
    }
}

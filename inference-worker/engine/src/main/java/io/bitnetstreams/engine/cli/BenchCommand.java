package io.bitnetstreams.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.model.BitNetModel;
import io.bitnetstreams.engine.model.KvCache;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bitnet bench MODEL}: llama-bench-like throughput of prompt processing (pp: {@code -p}
 * tokens as one batch into a fresh cache) and generation (tg: {@code -n} single-token decode steps
 * into a fresh cache), per thread count, as mean ± standard deviation over {@code -r} repetitions
 * after a JIT warm-up. Token ids are random (fixed seed): speed does not depend on them.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure prompt processing (pp) and generation (tg) speed in tokens per second.")
final class BenchCommand implements Callable<Integer> {

    static final int MAX_TOKENS = 8192;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "GGUF model file.")
    Path model;

    @Option(names = {"-p", "--n-prompt"}, defaultValue = "128", split = ",", paramLabel = "N[,N...]",
            description = "Prompt tokens of the pp tests (one test per value, like llama-bench); 0 = skip it"
                    + " (default: ${DEFAULT-VALUE}).")
    List<Integer> promptSizes;

    @Option(names = {"-n", "--n-gen"}, defaultValue = "64", paramLabel = "N",
            description = "Generated tokens of the tg test; 0 = skip it (default: ${DEFAULT-VALUE}).")
    int genTokens;

    @Option(names = {"-t", "--threads"}, split = ",", paramLabel = "N[,N...]",
            description = "Thread counts to test (default: available processors).")
    List<Integer> threads;

    @Option(names = {"-r", "--repetitions"}, defaultValue = "3", paramLabel = "N",
            description = "Repetitions per test (default: ${DEFAULT-VALUE}).")
    int repetitions;

    @Option(names = "--warmup", defaultValue = "2", paramLabel = "SECONDS",
            description = "JIT warm-up before measuring, per thread count (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--kernels", paramLabel = "NAME", defaultValue = "vector",
            description = "vector, in-place or scalar (default: ${DEFAULT-VALUE}).")
    String kernels;

    @Option(names = "--head", paramLabel = "KIND", defaultValue = "f16", description = "f16, q8_0, q4_0 or q2 (default: ${DEFAULT-VALUE}).")
    String head;

    @Option(names = "--repack-cache", paramLabel = "DIR", description = "As for generate; 'none' = no cache.")
    String repackCache;

    @Option(names = "--json", description = "Print one JSON object per result row.")
    boolean json;

    /** One result row. */
    record Row(String model, long sizeBytes, String kernels, String head, int threads, String test, int tokens,
               double meanTokensPerSecond, double stddevTokensPerSecond, double[] samples) {
    }

    @Override
    public Integer call() throws Exception {
        ModelOptions options = modelOptions();
        List<Integer> threadCounts = threads == null || threads.isEmpty()
                ? List.of(Runtime.getRuntime().availableProcessors()) : threads;
        validate(threadCounts);
        PrintWriter out = spec.commandLine().getOut();
        int maxThreads = threadCounts.stream().mapToInt(Integer::intValue).max().orElse(1);
        try (LoadedModel loaded = LoadedModel.open(model, maxThreads, options.kernelProvider(), options.loadOptions())) {
            if (!json) {
                out.printf("| %-24s | %9s | %-14s | %-5s | %7s | %-6s | %18s |%n", "model", "size", "kernels", "head",
                        "threads", "test", "t/s");
                out.printf("| %s | %s | %s | %s | %s | %s | %s |%n", "-".repeat(24), "-".repeat(9), "-".repeat(14),
                        "-".repeat(5), "-".repeat(7), "-".repeat(6), "-".repeat(18));
                out.flush();
            }
            for (int t : threadCounts) {
                try (ComputePool pool = new ComputePool(t)) {
                    BitNetModel m = loaded.model.withPool(pool);
                    warmUp(m);
                    for (int promptTokens : promptSizes) {
                        if (promptTokens > 0) {
                            print(out, row(loaded, m, t, "pp" + promptTokens, promptTokens, () -> prefill(m, promptTokens)));
                        }
                    }
                    if (genTokens > 0) {
                        print(out, row(loaded, m, t, "tg" + genTokens, genTokens, () -> decode(m)));
                    }
                }
            }
        }
        return BitnetCli.EXIT_OK;
    }

    private ModelOptions modelOptions() {
        ModelOptions options = new ModelOptions();
        options.kernels = kernels;
        options.head = head;
        options.repackCache = repackCache;
        options.validate(spec.commandLine());
        return options;
    }

    private void validate(List<Integer> threadCounts) {
        for (int t : threadCounts) {
            if (t < 1 || t > ModelOptions.MAX_THREADS) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--threads values must be in [1, " + ModelOptions.MAX_THREADS + "]: " + t);
            }
        }
        boolean anyPrompt = false;
        for (int promptTokens : promptSizes) {
            if (promptTokens < 0 || promptTokens > MAX_TOKENS) {
                throw new CommandLine.ParameterException(spec.commandLine(), "-p and -n must be in [0, " + MAX_TOKENS + "]");
            }
            anyPrompt |= promptTokens > 0;
        }
        if (promptSizes.size() > 16) {
            throw new CommandLine.ParameterException(spec.commandLine(), "at most 16 -p values");
        }
        if (genTokens < 0 || genTokens > MAX_TOKENS) {
            throw new CommandLine.ParameterException(spec.commandLine(), "-p and -n must be in [0, " + MAX_TOKENS + "]");
        }
        if (!anyPrompt && genTokens == 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "nothing to measure: -p and -n are both 0");
        }
        if (repetitions < 1 || repetitions > 1000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--repetitions must be in [1, 1000]");
        }
        if (!(warmupSeconds >= 0 && warmupSeconds <= 600)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--warmup must be in [0, 600] seconds");
        }
    }

    /** Runs both tests until the warm-up time has passed (at least once each): C2 needs seconds here. */
    private void warmUp(BitNetModel m) {
        long end = System.nanoTime() + (long) (warmupSeconds * 1e9);
        do {
            for (int promptTokens : promptSizes) {
                if (promptTokens > 0) {
                    prefill(m, promptTokens);
                }
            }
            if (genTokens > 0) {
                decode(m);
            }
        } while (System.nanoTime() < end);
    }

    private void prefill(BitNetModel m, int promptTokens) {
        KvCache cache = m.newCache(promptTokens);
        m.forwardLast(cache, randomTokens(m, promptTokens, 1));
    }

    private void decode(BitNetModel m) {
        KvCache cache = m.newCache(genTokens);
        int[] tokens = randomTokens(m, genTokens, 2);
        for (int token : tokens) {
            m.forwardLast(cache, new int[] {token});
        }
    }

    private static int[] randomTokens(BitNetModel m, int n, long seed) {
        return new SplittableRandom(seed).ints(n, 0, m.config().vocabSize()).toArray();
    }

    private Row row(LoadedModel loaded, BitNetModel m, int t, String test, int tokens, Runnable body) {
        double[] samples = new double[repetitions];
        for (int r = 0; r < repetitions; r++) {
            long start = System.nanoTime();
            body.run();
            samples[r] = tokens / ((System.nanoTime() - start) / 1e9);
        }
        double mean = 0;
        for (double s : samples) {
            mean += s;
        }
        mean /= samples.length;
        double variance = 0;
        for (double s : samples) {
            variance += (s - mean) * (s - mean);
        }
        double stddev = samples.length > 1 ? Math.sqrt(variance / (samples.length - 1)) : 0;
        return new Row(model.getFileName().toString(), loaded.file.fileSize(), m.kernelName(), m.headKind().label(), t,
                test, tokens, mean, stddev, samples);
    }

    private void print(PrintWriter out, Row row) throws Exception {
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode node = mapper.createObjectNode()
                    .put("model", row.model()).put("size_bytes", row.sizeBytes()).put("kernels", row.kernels())
                    .put("head", row.head()).put("threads", row.threads()).put("test", row.test())
                    .put("tokens", row.tokens()).put("avg_ts", row.meanTokensPerSecond())
                    .put("stddev_ts", row.stddevTokensPerSecond());
            var samples = node.putArray("samples_ts");
            for (double s : row.samples()) {
                samples.add(s);
            }
            out.println(mapper.writeValueAsString(node));
        } else {
            out.printf("| %-24s | %9s | %-14s | %-5s | %7d | %-6s | %8.2f ± %7.2f |%n", row.model(),
                    String.format("%.2f GiB", row.sizeBytes() / (double) (1L << 30)), row.kernels(), row.head(),
                    row.threads(), row.test(), row.meanTokensPerSecond(), row.stddevTokensPerSecond());
        }
        out.flush();
    }
}

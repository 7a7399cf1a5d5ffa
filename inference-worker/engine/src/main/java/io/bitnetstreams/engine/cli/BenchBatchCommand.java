package io.bitnetstreams.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.bitnetstreams.engine.tasks.ClassificationRequest;
import io.bitnetstreams.engine.tasks.EngineConfig;
import io.bitnetstreams.engine.tasks.GenerationRequest;
import io.bitnetstreams.engine.tasks.InferenceEngine;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bitnet bench-batch MODEL --concurrency 1,4,8,16}: engine throughput at several concurrency levels. */
@Command(name = "bench-batch", mixinStandardHelpOptions = true,
        description = "Measure engine throughput (continuous batching) at several concurrency levels.")
public final class BenchBatchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "GGUF model file.")
    Path model;

    @Option(names = "--concurrency", split = ",", defaultValue = "1,4,8,16", paramLabel = "N,...",
            description = "Concurrent requests per round (default: ${DEFAULT-VALUE}).")
    List<Integer> concurrency;

    @Option(names = "--task", defaultValue = "generate", paramLabel = "TASK",
            description = "generate or classify (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = {"-n", "--max-tokens"}, defaultValue = "32", paramLabel = "N",
            description = "Generated tokens per generate request (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--step-budget", defaultValue = "256", paramLabel = "N",
            description = "Tokens per batched step (default: ${DEFAULT-VALUE}).")
    int stepBudget;

    @Option(names = "--json", description = "Print the measurements as JSON.")
    boolean json;

    @Mixin
    ModelOptions modelOptions;

    /** One measured round. */
    record Round(int concurrency, int requests, long millis, long tokens, long steps, double requestsPerSecond,
                 double tokensPerSecond) {
    }

    @Override
    public Integer call() throws Exception {
        modelOptions.validate(spec.commandLine());
        if (!task.equals("generate") && !task.equals("classify")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--task must be generate or classify: " + task);
        }
        for (int c : concurrency) {
            if (c < 1 || c > 1024) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--concurrency values must be in [1, 1024]");
            }
        }
        if (maxTokens < 1 || maxTokens > 4096) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-tokens must be in [1, 4096]");
        }
        List<Round> rounds = new ArrayList<>();
        try (LoadedModel loaded = LoadedModel.open(model, modelOptions.threads, modelOptions.kernelProvider())) {
            EngineConfig config = EngineConfig.defaults().withStepTokenBudget(stepBudget).withMaxQueued(1024);
            for (int c : concurrency) {
                try (InferenceEngine engine = new InferenceEngine(loaded.model, loaded.tokenizer, config)) {
                    rounds.add(round(engine, c));
                }
            }
        }
        print(spec.commandLine().getOut(), rounds);
        return BitnetCli.EXIT_OK;
    }

    private Round round(InferenceEngine engine, int c) {
        long start = System.nanoTime();
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int i = 0; i < c; i++) {
            String text = "Request " + i + ": the quick brown fox jumps over the lazy dog.";
            if (task.equals("generate")) {
                futures.add(engine.generate(GenerationRequest.of(text, maxTokens), null)
                        .thenApply(r -> (long) r.tokens().length));
            } else {
                futures.add(engine.classify(ClassificationRequest.of(text, List.of("positive", "negative", "neutral")))
                        .thenApply(r -> 1L));
            }
        }
        long tokens = 0;
        for (CompletableFuture<Long> f : futures) {
            tokens += f.join();
        }
        long nanos = System.nanoTime() - start;
        double seconds = nanos / 1e9;
        return new Round(c, c, nanos / 1_000_000, tokens, engine.stats().steps(), c / seconds, tokens / seconds);
    }

    private void print(PrintWriter out, List<Round> rounds) throws Exception {
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ArrayNode array = mapper.createArrayNode();
            rounds.forEach(r -> array.add(mapper.valueToTree(r)));
            out.println(mapper.writeValueAsString(mapper.createObjectNode().put("task", task).set("rounds", array)));
        } else {
            out.printf("%-12s %10s %10s %8s %12s %12s%n", "concurrency", "ms", "tokens", "steps", "requests/s",
                    "tokens/s");
            for (Round r : rounds) {
                out.printf("%-12d %10d %10d %8d %12.2f %12.2f%n", r.concurrency(), r.millis(), r.tokens(), r.steps(),
                        r.requestsPerSecond(), r.tokensPerSecond());
            }
        }
        out.flush();
    }
}

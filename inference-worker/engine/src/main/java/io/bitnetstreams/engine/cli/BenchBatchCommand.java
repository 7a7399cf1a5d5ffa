package io.bitnetstreams.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bitnetstreams.engine.tasks.ClassificationRequest;
import io.bitnetstreams.engine.tasks.EngineConfig;
import io.bitnetstreams.engine.tasks.GenerationRequest;
import io.bitnetstreams.engine.tasks.InferenceEngine;
import io.bitnetstreams.engine.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bitnet bench-batch MODEL --concurrency 1,4,8,16}: engine throughput (continuous batching) at
 * several concurrency levels, after one untimed warm-up round.
 *
 * <ul>
 *   <li>{@code generate}: N requests start together and each generates {@code -n} tokens (greedy, no
 *       stop). The aggregate decode rate counts only the engine's decode-only steps (like
 *       llama-batched-bench's S_TG); the end-to-end rate includes the prompts.</li>
 *   <li>{@code classify}: documents of {@code --document-tokens} tokens (default {@value #DOCUMENT_TOKENS}), {@value #LABEL_COUNT} labels
 *       and one shared instruction of {@value #INSTRUCTION_TOKENS} tokens; N requests in flight at a
 *       time (a new one starts when one finishes), {@code --documents-per-level} x N documents per
 *       level, measured with the prefix cache and again without it.</li>
 * </ul>
 */
@Command(name = "bench-batch", mixinStandardHelpOptions = true,
        description = "Measure engine throughput (continuous batching) at several concurrency levels.")
public final class BenchBatchCommand implements Callable<Integer> {

    static final int DOCUMENT_TOKENS = 128;
    /** The longest document the benchmark builds: bounded so a typo cannot ask for an unbounded text. */
    static final int MAX_DOCUMENT_TOKENS = 4096;
    static final int INSTRUCTION_TOKENS = 48;
    static final int LABEL_COUNT = 4;
    private static final List<String> LABELS = List.of("billing", "technical support", "account access", "feedback");
    private static final String INSTRUCTION_SOURCE = "Read the customer message below and decide which team should"
            + " handle it. Answer with exactly one of the labels listed, with no explanation, no punctuation and no"
            + " other words. If the message mentions several problems, choose the label of the most urgent one,"
            + " and if none fits well choose feedback.";
    private static final String[] WORDS = ("the invoice payment card account password login error screen app"
            + " order delivery refund charge month plan upgrade support team thanks great slow crash update"
            + " email reset access locked bill twice price discount feature request review help urgent today"
            + " yesterday please customer service agent phone call waiting since week problem issue working"
            + " again after before when because but and with from about our my your new old first last").split(" ");

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "GGUF model file.")
    Path model;

    @Option(names = "--concurrency", split = ",", defaultValue = "1,4,8,16", paramLabel = "N,...",
            description = "Concurrent requests per level (default: ${DEFAULT-VALUE}).")
    List<Integer> concurrency;

    @Option(names = "--task", defaultValue = "generate", paramLabel = "TASK",
            description = "generate or classify (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = {"-n", "--max-tokens"}, defaultValue = "64", paramLabel = "N",
            description = "Generated tokens per generate request (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--documents-per-level", defaultValue = "4", paramLabel = "K",
            description = "classify: documents per level = K x concurrency (default: ${DEFAULT-VALUE}).")
    int documentsPerLevel;

    @Option(names = "--document-tokens", defaultValue = "" + DOCUMENT_TOKENS, paramLabel = "N",
            description = "classify: tokens per document (default: ${DEFAULT-VALUE}); the model's context must hold"
                    + " the instruction, the document and the labels.")
    int documentTokens;

    @Option(names = "--step-budget", defaultValue = "256", paramLabel = "N",
            description = "Tokens per batched step (default: ${DEFAULT-VALUE}).")
    int stepBudget;

    @Option(names = "--json", description = "Print one JSON object per concurrency level (one per line).")
    boolean json;

    @Mixin
    ModelOptions modelOptions;

    /** One measured level: the fields printed, in order. */
    record Level(String task, int concurrency, Map<String, Object> values) {
    }

    @Override
    public Integer call() throws Exception {
        validate();
        try (LoadedModel loaded = LoadedModel.open(model, modelOptions)) {
            EngineConfig config = EngineConfig.defaults().withStepTokenBudget(stepBudget).withMaxQueued(1024);
            Workload workload = new Workload(loaded.tokenizer, documentTokens);
            List<Level> levels = new ArrayList<>();
            // untimed warm-up: the kernels' JIT compilation would otherwise land in the first level
            try (InferenceEngine engine = new InferenceEngine(loaded.model, loaded.tokenizer, config)) {
                if (task.equals("generate")) {
                    // 5 sequences: both the 4-token tiles and the single-token remainder paths get compiled
                    generate(engine, 5, Math.min(maxTokens, 16));
                } else {
                    classify(engine, workload, 2, 2);
                }
            }
            for (int c : concurrency) {
                levels.add(task.equals("generate") ? generateLevel(loaded, config, c) : classifyLevel(loaded, config, workload, c));
            }
            print(spec.commandLine().getOut(), levels);
        }
        return BitnetCli.EXIT_OK;
    }

    private void validate() {
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
        if (documentsPerLevel < 1 || documentsPerLevel > 100) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--documents-per-level must be in [1, 100]");
        }
        if (documentTokens < 1 || documentTokens > MAX_DOCUMENT_TOKENS) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--document-tokens must be in [1, " + MAX_DOCUMENT_TOKENS + "]");
        }
    }

    private Level generateLevel(LoadedModel loaded, EngineConfig config, int c) {
        try (InferenceEngine engine = new InferenceEngine(loaded.model, loaded.tokenizer, config)) {
            long start = System.nanoTime();
            long tokens = generate(engine, c, maxTokens);
            double seconds = (System.nanoTime() - start) / 1e9;
            InferenceEngine.Stats stats = engine.stats();
            return new Level("generate", c, ordered(
                    "aggregate_tok_s", round(stats.decodeTokensPerSecond()),
                    "end_to_end_tok_s", round(tokens / seconds),
                    "tokens", tokens,
                    "seconds", round(seconds),
                    "steps", stats.steps()));
        }
    }

    /** Starts {@code c} generations together; returns the tokens they generated. */
    private static long generate(InferenceEngine engine, int c, int tokens) {
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int i = 0; i < c; i++) {
            String text = "Request " + i + ": the quick brown fox jumps over the lazy dog.";
            futures.add(engine.generate(GenerationRequest.of(text, tokens), null).thenApply(r -> (long) r.tokens().length));
        }
        return futures.stream().mapToLong(CompletableFuture::join).sum();
    }

    private Level classifyLevel(LoadedModel loaded, EngineConfig config, Workload workload, int c) throws InterruptedException {
        int documents = documentsPerLevel * c;
        double[] perSecond = new double[2];
        long hits = 0;
        for (int variant = 0; variant < 2; variant++) {
            EngineConfig variantConfig = variant == 0 ? config : config.withPrefixCacheBytes(0);
            try (InferenceEngine engine = new InferenceEngine(loaded.model, loaded.tokenizer, variantConfig)) {
                long start = System.nanoTime();
                classify(engine, workload, c, documents);
                perSecond[variant] = documents / ((System.nanoTime() - start) / 1e9);
                if (variant == 0) {
                    hits = engine.stats().prefixHits();
                }
            }
        }
        return new Level("classify", c, ordered(
                "docs_per_s", round(perSecond[0]),
                "docs_per_s_without_prefix_reuse", round(perSecond[1]),
                "documents", documents,
                "prefix_hits", hits,
                "document_tokens", workload.documentTokens,
                "instruction_tokens", workload.instructionTokens,
                "labels", LABEL_COUNT));
    }

    /** Classifies {@code documents} documents keeping {@code c} in flight (closed loop). */
    private static void classify(InferenceEngine engine, Workload workload, int c, int documents)
            throws InterruptedException {
        Semaphore inFlight = new Semaphore(c);
        List<CompletableFuture<?>> futures = new ArrayList<>();
        for (int d = 0; d < documents; d++) {
            inFlight.acquire();
            ClassificationRequest request = new ClassificationRequest(workload.document(d), LABELS, workload.instruction,
                    List.of(), false, Map.of(), null);
            futures.add(engine.classify(request).whenComplete((r, e) -> inFlight.release()));
        }
        futures.forEach(CompletableFuture::join);
    }

    /** The classification texts, cut to the exact token counts of the benchmark's definition. */
    private static final class Workload {
        final String instruction;
        final int instructionTokens;
        /** The requested document length; {@link #documentTokens} is what the last cut re-encodes to. */
        private final int targetTokens;
        int documentTokens;
        private final Tokenizer tokenizer;
        private final List<String> documents = new ArrayList<>();

        Workload(Tokenizer tokenizer, int targetTokens) {
            this.tokenizer = tokenizer;
            this.targetTokens = targetTokens;
            this.instruction = firstTokens(INSTRUCTION_SOURCE.repeat(4), INSTRUCTION_TOKENS);
            this.instructionTokens = tokenizer.encode(instruction).length;
        }

        /** Document {@code d}: distinct random English-like words, {@code targetTokens} tokens. */
        String document(int d) {
            while (documents.size() <= d) {
                Random random = new Random(documents.size());
                StringBuilder text = new StringBuilder("Message " + documents.size() + ":");
                while (tokenizer.encode(text.toString()).length < targetTokens + 8) {
                    text.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
                }
                String document = firstTokens(text.toString(), targetTokens);
                documentTokens = tokenizer.encode(document).length;
                documents.add(document);
            }
            return documents.get(d);
        }

        /** The text of the first {@code n} tokens of {@code text} (re-encodes to n tokens, or one fewer at a merge). */
        private String firstTokens(String text, int n) {
            int[] ids = tokenizer.encode(text);
            return tokenizer.decode(Arrays.copyOf(ids, Math.min(n, ids.length)));
        }
    }

    private static Map<String, Object> ordered(Object... keyValues) {
        Map<String, Object> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    private void print(PrintWriter out, List<Level> levels) throws Exception {
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            for (Level level : levels) {
                ObjectNode node = mapper.createObjectNode().put("task", level.task()).put("concurrency", level.concurrency());
                level.values().forEach((k, v) -> node.set(k, mapper.valueToTree(v)));
                out.println(mapper.writeValueAsString(node));
            }
        } else {
            List<String> keys = new ArrayList<>(levels.getFirst().values().keySet());
            StringBuilder header = new StringBuilder(String.format("%-12s", "concurrency"));
            keys.forEach(k -> header.append(String.format(" %" + Math.max(10, k.length()) + "s", k)));
            out.println(header);
            for (Level level : levels) {
                StringBuilder line = new StringBuilder(String.format("%-12d", level.concurrency()));
                for (String k : keys) {
                    line.append(String.format(" %" + Math.max(10, k.length()) + "s", level.values().get(k)));
                }
                out.println(line);
            }
        }
        out.flush();
    }
}

package io.bitnetstreams.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.engine.chat.ChatFormat;
import io.bitnetstreams.engine.model.Generator;
import io.bitnetstreams.engine.model.KvCache;
import io.bitnetstreams.engine.sampling.Sampler;
import io.bitnetstreams.engine.sampling.SamplingParams;
import io.bitnetstreams.engine.tokenizer.StreamingDecoder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bitnet generate MODEL -p PROMPT}: streams the continuation to stdout. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate text from a prompt, streaming it to stdout as it is produced.")
final class GenerateCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(GenerateCommand.class);
    static final int MAX_CTX = 1 << 20;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "GGUF model file.")
    Path model;

    @Option(names = {"-p", "--prompt"}, required = true, paramLabel = "PROMPT", description = "The prompt text.")
    String prompt;

    @Option(names = {"-n", "--n-predict"}, paramLabel = "N", defaultValue = "128",
            description = "Maximum tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temp", paramLabel = "T", defaultValue = "0.8",
            description = "Temperature; 0 = greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "40", description = "Top-k, 0 = off (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "0.95", description = "Top-p, 1 = off (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--min-p", paramLabel = "P", defaultValue = "0.05", description = "Min-p, 0 = off (default: ${DEFAULT-VALUE}).")
    float minP;

    @Option(names = "--repeat-penalty", paramLabel = "R", defaultValue = "1.0",
            description = "Repetition penalty, 1 = off (default: ${DEFAULT-VALUE}).")
    float repeatPenalty;

    @Option(names = "--repeat-last-n", paramLabel = "N", defaultValue = "64",
            description = "Tokens the repetition penalty looks back at (default: ${DEFAULT-VALUE}).")
    int repeatLastN;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "-1", description = "Sampling seed; -1 = random (default).")
    long seed;

    @Option(names = "--chat", description = "Wrap the prompt in the chat format (System/User/Assistant).")
    boolean chat;

    @Option(names = "--system", paramLabel = "S", description = "System message for --chat.")
    String system;

    @Option(names = "--ctx", paramLabel = "N", defaultValue = "4096",
            description = "Context size in tokens; the KV cache grows on demand up to it (default: ${DEFAULT-VALUE}).")
    int ctx;

    @Option(names = "--json", description = "Print {\"prompt_ids\":[...],\"ids\":[...],\"text\":...} at the end instead of streaming.")
    boolean json;

    @Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() throws Exception {
        modelOptions.validate(spec.commandLine());
        long start = System.nanoTime();
        SamplingParams params = samplingParams();
        if (ctx < 1 || ctx > MAX_CTX) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--ctx must be in [1, " + MAX_CTX + "]: " + ctx);
        }
        if (maxTokens < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "-n must be >= 0: " + maxTokens);
        }
        if (system != null && !chat) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--system needs --chat");
        }
        try (LoadedModel loaded = LoadedModel.open(model, modelOptions.threads, modelOptions.kernelProvider())) {
            long loadNanos = System.nanoTime() - start;
            int[] promptIds = chat ? new ChatFormat(loaded.tokenizer).encodePrompt(system, prompt)
                    : loaded.encodeWithBos(prompt);
            if (promptIds.length >= ctx) {
                throw new IllegalArgumentException("the prompt has " + promptIds.length + " tokens, which does not fit --ctx "
                        + ctx);
            }
            int budget = Math.min(maxTokens, ctx - promptIds.length);
            KvCache cache = loaded.model.newCache(Math.min(ctx, promptIds.length + budget));
            PrintWriter out = spec.commandLine().getOut();
            StreamingDecoder decoder = loaded.tokenizer.streamingDecoder();
            StringBuilder text = new StringBuilder();
            long[] firstToken = {0};
            Generator.Result result = new Generator(loaded.model).generate(promptIds, budget, new Sampler(params),
                    loaded.stopIds(), cache, id -> {
                        if (firstToken[0] == 0) {
                            firstToken[0] = System.nanoTime();
                            LOG.info("time to first token: {} ms after the start of loading (load {} ms, prompt {} tokens)",
                                    (firstToken[0] - start) / 1_000_000, loadNanos / 1_000_000, promptIds.length);
                        }
                        String piece = decoder.accept(id);
                        text.append(piece);
                        if (!json && !piece.isEmpty()) {
                            out.print(piece);
                            out.flush();
                        }
                        return true;
                    });
            String tail = decoder.flush();
            text.append(tail);
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("prompt_ids", result.promptIds());
                doc.put("ids", result.ids());
                doc.put("text", text.toString());
                out.println(new ObjectMapper().writeValueAsString(doc));
            } else {
                out.println(tail);
            }
            out.flush();
            logSpeed(result, promptIds.length, cache);
        }
        return BitnetCli.EXIT_OK;
    }

    private SamplingParams samplingParams() {
        long effectiveSeed = seed == -1 ? System.nanoTime() : seed;
        if (seed == -1 && temperature > 0) {
            LOG.info("sampling seed {}", effectiveSeed);
        }
        try {
            return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, effectiveSeed);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private static void logSpeed(Generator.Result result, int promptTokens, KvCache cache) {
        double prefillMs = result.prefillNanos() / 1e6;
        int decoded = Math.max(0, result.ids().length - 1);
        double decodeMs = result.decodeNanos() / 1e6;
        LOG.info("prompt: {} tokens in {} ms ({} tok/s); generated {} tokens, decode {} tok/s; stop: {}; KV cache {} MB",
                promptTokens, Math.round(prefillMs), rate(promptTokens, prefillMs), result.ids().length,
                rate(decoded, decodeMs), result.stopReason(), cache.allocatedBytes() / (1 << 20));
    }

    private static String rate(int tokens, double ms) {
        return ms <= 0 ? "-" : String.format("%.2f", tokens * 1000.0 / ms);
    }
}

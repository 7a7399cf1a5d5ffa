package io.bitnetstreams.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.engine.model.Perplexity;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

/** {@code bitnet perplexity MODEL -f FILE}: llama.cpp's perplexity over chunks of --ctx tokens. */
@Command(name = "perplexity", mixinStandardHelpOptions = true,
        description = {"Perplexity of a text file, computed as llama.cpp's perplexity tool does.",
                "BOS + the tokenized file is cut into chunks of --ctx tokens (each starting with BOS, on a fresh KV",
                "cache); the next-token log-likelihood is scored over the second half of every chunk."})
final class PerplexityCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(PerplexityCommand.class);
    static final long MAX_FILE_BYTES = 256L << 20;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "GGUF model file.")
    Path model;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "TEXT_FILE", description = "UTF-8 text file.")
    Path textFile;

    @Option(names = {"-c", "--ctx"}, paramLabel = "N", defaultValue = "512", description = "Chunk length in tokens (default: ${DEFAULT-VALUE}).")
    int ctx;

    @Option(names = "--chunks", paramLabel = "K", defaultValue = "-1", description = "Score at most K chunks (default: all).")
    int chunks;

    @Option(names = "--json", description = "Print {\"perplexity\": ..., \"tokens_scored\": ...} only.")
    boolean json;

    @Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() throws Exception {
        modelOptions.validate(spec.commandLine());
        if (ctx < 4 || ctx > GenerateCommand.MAX_CTX) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--ctx must be in [4, " + GenerateCommand.MAX_CTX + "]: " + ctx);
        }
        if (chunks == 0 || chunks < -1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--chunks must be positive: " + chunks);
        }
        long size = Files.size(textFile);
        if (size > MAX_FILE_BYTES) {
            throw new IllegalArgumentException(textFile + " is " + size + " bytes; the limit is " + MAX_FILE_BYTES);
        }
        // Lenient like llama.cpp, which reads raw bytes: invalid UTF-8 becomes U+FFFD instead of failing.
        String text = new String(Files.readAllBytes(textFile), StandardCharsets.UTF_8);
        PrintWriter out = spec.commandLine().getOut();
        try (LoadedModel loaded = LoadedModel.open(model, modelOptions.threads, modelOptions.kernelProvider())) {
            int[] tokens = loaded.encodeWithBos(text);
            int bos = loaded.vocabulary.bosId();
            if (bos < 0) {
                throw new IllegalArgumentException("the model has no BOS token (tokenizer.ggml.bos_token_id)");
            }
            if (tokens.length < ctx) {
                throw new IllegalArgumentException(textFile + " has " + tokens.length + " tokens, fewer than one chunk of --ctx "
                        + ctx + "; use a longer file or a smaller --ctx");
            }
            if (ctx > loaded.model.config().contextLength()) {
                LOG.warn("--ctx {} exceeds the model's trained context of {} tokens", ctx,
                        loaded.model.config().contextLength());
            }
            int planned = Perplexity.chunkCount(tokens.length, ctx, chunks);
            LOG.info("{} tokens, {} chunks of {} tokens, scoring {} tokens per chunk", tokens.length, planned, ctx,
                    ctx - 1 - ctx / 2);
            long start = System.nanoTime();
            Perplexity.Result result = Perplexity.compute(loaded.model, tokens, ctx, chunks, bos, progress -> {
                if (!json) {
                    out.printf("[%d/%d] running perplexity %.4f%n", progress.chunk(), progress.chunks(),
                            progress.runningPerplexity());
                    out.flush();
                }
                LOG.debug("chunk {} done after {} ms", progress.chunk(), (System.nanoTime() - start) / 1_000_000);
            });
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("perplexity", result.perplexity());
                doc.put("tokens_scored", result.tokensScored());
                doc.put("chunks", result.chunks());
                doc.put("ctx", ctx);
                out.println(new ObjectMapper().writeValueAsString(doc));
            } else {
                out.printf("perplexity: %.4f over %d tokens (%d chunks of %d)%n", result.perplexity(),
                        result.tokensScored(), result.chunks(), ctx);
            }
            out.flush();
        }
        return BitnetCli.EXIT_OK;
    }
}

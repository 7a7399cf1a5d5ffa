package io.bitnetstreams.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.engine.model.KlDivergence;
import io.bitnetstreams.engine.model.LogProbFile;
import io.bitnetstreams.engine.model.Perplexity;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
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
                "cache); the next-token log-likelihood is scored over the second half of every chunk.",
                "--kl-divergence-base FILE writes llama.cpp's log-probability file of those positions;",
                "--kl-divergence-base FILE --kl-divergence reads one (written by this tool or by llama-perplexity,",
                "tokens included, so no -f) and prints llama.cpp's KL-divergence statistics against it."})
final class PerplexityCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(PerplexityCommand.class);
    static final long MAX_FILE_BYTES = 256L << 20;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "GGUF model file.")
    Path model;

    @Option(names = {"-f", "--file"}, paramLabel = "TEXT_FILE", description = "UTF-8 text file (not with --kl-divergence).")
    Path textFile;

    @Option(names = "--kl-divergence-base", paramLabel = "FILE",
            description = "llama.cpp log-probability file: written, or read with --kl-divergence.")
    Path klBase;

    @Option(names = "--kl-divergence", description = "Compare with --kl-divergence-base FILE (its tokens and context).")
    boolean klDivergence;

    @Option(names = {"-c", "--ctx"}, paramLabel = "N", defaultValue = "512", description = "Chunk length in tokens (default: ${DEFAULT-VALUE}).")
    int ctx;

    @Option(names = "--chunks", paramLabel = "K", defaultValue = "-1", description = "Score at most K chunks (default: all).")
    int chunks;

    @Option(names = "--json", description = "Print one JSON object ({\"perplexity\": ..., \"tokens_scored\": ...}, or the"
            + " KL-divergence statistics) only.")
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
        if (klDivergence) {
            if (klBase == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--kl-divergence needs --kl-divergence-base FILE");
            }
            if (textFile != null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--kl-divergence takes its tokens from --kl-divergence-base FILE; drop -f");
            }
            return compareWithBase();
        }
        if (textFile == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing required option: '--file=TEXT_FILE'");
        }
        long size = Files.size(textFile);
        if (size > MAX_FILE_BYTES) {
            throw new IllegalArgumentException(textFile + " is " + size + " bytes; the limit is " + MAX_FILE_BYTES);
        }
        // Lenient like llama.cpp, which reads raw bytes: invalid UTF-8 becomes U+FFFD instead of failing.
        String text = new String(Files.readAllBytes(textFile), StandardCharsets.UTF_8);
        PrintWriter out = spec.commandLine().getOut();
        try (LoadedModel loaded = LoadedModel.open(model, modelOptions)) {
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
            Consumer<Perplexity.ChunkProgress> progressPrinter = progress -> {
                if (!json) {
                    out.printf("[%d/%d] running perplexity %.4f%n", progress.chunk(), progress.chunks(),
                            progress.runningPerplexity());
                    out.flush();
                }
                LOG.debug("chunk {} done after {} ms", progress.chunk(), (System.nanoTime() - start) / 1_000_000);
            };
            Perplexity.Result result;
            if (klBase != null) {
                int vocab = loaded.model.config().vocabSize();
                int[] evaluated = Arrays.copyOf(tokens, planned * ctx);
                try (LogProbFile.Writer writer = new LogProbFile.Writer(klBase, ctx, vocab, planned, evaluated)) {
                    result = Perplexity.compute(loaded.model, tokens, ctx, chunks, bos, progressPrinter,
                            (logits, offset, target) -> writer.write(logits, offset, target));
                }
                LOG.info("wrote the log-probabilities of {} positions to {}", result.tokensScored(), klBase);
            } else {
                result = Perplexity.compute(loaded.model, tokens, ctx, chunks, bos, progressPrinter);
            }
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

    /** {@code --kl-divergence}: this model's logits on the base file's tokens against its log-probabilities. */
    private int compareWithBase() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (LogProbFile.Reader reader = new LogProbFile.Reader(klBase);
             LoadedModel loaded = LoadedModel.open(model, modelOptions)) {
            LogProbFile.Header header = reader.header();
            int vocab = loaded.model.config().vocabSize();
            if (header.vocab() != vocab) {
                throw new IllegalArgumentException(klBase + " has a vocabulary of " + header.vocab() + " tokens, the model "
                        + vocab + ": it was written for another model");
            }
            int bos = loaded.vocabulary.bosId();
            if (bos < 0) {
                throw new IllegalArgumentException("the model has no BOS token (tokenizer.ggml.bos_token_id)");
            }
            KlDivergence kld = new KlDivergence();
            char[] baseValues = new char[vocab];
            LOG.info("{} chunks of {} tokens from {}", header.chunks(), header.ctx(), klBase);
            Perplexity.compute(loaded.model, header.tokens(), header.ctx(), chunks, bos, progress -> {
                if (!json) {
                    out.printf("[%d/%d] chunk done%n", progress.chunk(), progress.chunks());
                    out.flush();
                }
            }, (logits, offset, target) -> kld.add(logits, offset, vocab, reader.next(baseValues), baseValues, target));
            print(out, kld.stats());
        }
        return BitnetCli.EXIT_OK;
    }

    private void print(PrintWriter out, KlDivergence.Stats s) throws Exception {
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("positions", s.count());
            doc.put("ppl_q", s.pplQ());
            doc.put("ppl_base", s.pplBase());
            doc.put("ln_ppl_ratio", s.lnPplRatio());
            doc.put("ln_ppl_ratio_unc", s.lnPplRatioUnc());
            doc.put("mean_kld", s.meanKld());
            doc.put("mean_kld_unc", s.meanKldUnc());
            doc.put("median_kld", s.medianKld());
            doc.put("kld_90", s.kld90());
            doc.put("kld_99", s.kld99());
            doc.put("kld_99_9", s.kld999());
            doc.put("max_kld", s.maxKld());
            doc.put("min_kld", s.minKld());
            doc.put("same_top_p", s.sameTop());
            doc.put("same_top_p_unc", s.sameTopUnc());
            doc.put("mean_delta_p", s.meanDeltaP());
            doc.put("rms_delta_p", s.rmsDeltaP());
            doc.put("rms_delta_p_unc", s.rmsDeltaPUnc());
            doc.put("max_abs_delta_p", s.maxAbsDeltaP());
            out.println(new ObjectMapper().writeValueAsString(doc));
        } else {
            out.printf("====== Perplexity statistics (%d positions) ======%n", s.count());
            out.printf("Mean PPL(Q)                   : %12.6f%n", s.pplQ());
            out.printf("Mean PPL(base)                : %12.6f%n", s.pplBase());
            out.printf("Mean ln(PPL(Q)/PPL(base))     : %10.6f ± %10.6f%n", s.lnPplRatio(), s.lnPplRatioUnc());
            out.printf("====== KL divergence statistics ======%n");
            out.printf("Mean    KLD: %10.6f ± %10.6f%n", s.meanKld(), s.meanKldUnc());
            out.printf("Maximum KLD: %10.6f%n", s.maxKld());
            out.printf("99.9%%   KLD: %10.6f%n", s.kld999());
            out.printf("99.0%%   KLD: %10.6f%n", s.kld99());
            out.printf("90.0%%   KLD: %10.6f%n", s.kld90());
            out.printf("Median  KLD: %10.6f%n", s.medianKld());
            out.printf("Minimum KLD: %10.6f%n", s.minKld());
            out.printf("====== Token probability statistics ======%n");
            out.printf("Mean    Δp: %6.3f %%%n", 100 * s.meanDeltaP());
            out.printf("RMS Δp    : %6.3f ± %5.3f %%%n", 100 * s.rmsDeltaP(), 100 * s.rmsDeltaPUnc());
            out.printf("Same top p: %6.3f ± %5.3f %%%n", 100 * s.sameTop(), 100 * s.sameTopUnc());
        }
        out.flush();
    }
}

package io.bitnetstreams.engine.cli;

import io.bitnetstreams.engine.gguf.GgmlType;
import io.bitnetstreams.engine.synth.SyntheticModelWriter;
import io.bitnetstreams.engine.synth.SyntheticSpec;
import io.bitnetstreams.engine.tokenizer.Vocabulary;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bitnet synth -o FILE}: writes a BitNet GGUF with random ternary weights. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {"Write a synthetic BitNet b1.58 GGUF (random ternary weights, official metadata layout).",
                "Same arguments give byte-identical files."})
final class SynthCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Output GGUF file.")
    Path output;

    @Option(names = "--shape", paramLabel = "SHAPE", defaultValue = "tiny",
            description = "2b4t (the real model's sizes, ~1.19 GB as i2_s), small, tiny or custom (default: ${DEFAULT-VALUE}).")
    String shape;

    @Option(names = "--wtype", paramLabel = "TYPE", defaultValue = "i2_s",
            description = "Ternary storage: i2_s, tq2_0 or tq1_0 (default: ${DEFAULT-VALUE}).")
    String weightType;

    @Option(names = "--vocab", paramLabel = "PATH|bytes", defaultValue = "bytes",
            description = "Vocabulary: a tiktoken ranks file, or 'bytes' for 256 byte tokens + 5 specials (default: ${DEFAULT-VALUE}).")
    String vocab;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--layers", paramLabel = "N", description = "Override the block count.")
    Integer layers;

    @Option(names = "--dim", paramLabel = "N", description = "custom: embedding length (multiple of 256).")
    Integer dim;

    @Option(names = "--ffn", paramLabel = "N", description = "custom: feed-forward length (multiple of 256).")
    Integer ffn;

    @Option(names = "--heads", paramLabel = "N", description = "custom: attention heads.")
    Integer heads;

    @Option(names = "--kv-heads", paramLabel = "N", description = "custom: key/value heads (default: --heads).")
    Integer kvHeads;

    @Option(names = "--vocab-size", paramLabel = "N",
            description = "Embedding rows; extra rows beyond the vocabulary become control tokens (default: the shape's).")
    Integer vocabSize;

    @Option(names = "--ctx-length", paramLabel = "N", description = "custom: trained context written to the metadata (default 4096).")
    Integer contextLength;

    @Option(names = "--rope-theta", paramLabel = "F", description = "custom: RoPE base (default 500000).")
    Float ropeTheta;

    @Option(names = "--activation", paramLabel = "NAME",
            description = "Write <arch>.hidden_activation (relu2, silu, gelu); the official file has none.")
    String activation;

    @Override
    public Integer call() throws Exception {
        SyntheticSpec synthSpec = synthSpec();
        Vocabulary vocabulary = vocab.equals("bytes") ? Vocabulary.byteLevel() : Vocabulary.fromTiktoken(Path.of(vocab));
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        SyntheticModelWriter.write(synthSpec, vocabulary, output);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("wrote %s (%,d bytes)%n", output, Files.size(output));
        out.flush();
        return BitnetCli.EXIT_OK;
    }

    private SyntheticSpec synthSpec() {
        GgmlType type = switch (weightType.toLowerCase(Locale.ROOT)) {
            case "i2_s" -> GgmlType.I2_S;
            case "tq2_0" -> GgmlType.TQ2_0;
            case "tq1_0" -> GgmlType.TQ1_0;
            default -> throw usage("--wtype must be i2_s, tq2_0 or tq1_0: " + weightType);
        };
        try {
            SyntheticSpec base;
            if (shape.equalsIgnoreCase("custom")) {
                if (dim == null || ffn == null || heads == null) {
                    throw usage("--shape custom needs --dim, --ffn and --heads");
                }
                base = new SyntheticSpec(dim, layers == null ? 2 : layers, ffn, heads, kvHeads == null ? heads : kvHeads,
                        vocabSize == null ? 0 : vocabSize, contextLength == null ? 4096 : contextLength,
                        ropeTheta == null ? 500000f : ropeTheta, 1e-5f, activation, type, seed);
            } else {
                if (dim != null || ffn != null || heads != null || kvHeads != null || contextLength != null || ropeTheta != null) {
                    throw usage("--dim, --ffn, --heads, --kv-heads, --ctx-length and --rope-theta need --shape custom");
                }
                base = SyntheticSpec.preset(shape, type, seed).withActivation(activation);
                if (layers != null) {
                    base = base.withLayers(layers);
                }
                if (vocabSize != null) {
                    base = new SyntheticSpec(base.dim(), base.layers(), base.ffnDim(), base.heads(), base.kvHeads(),
                            vocabSize, base.contextLength(), base.ropeTheta(), base.rmsEps(), base.activation(), type, seed);
                }
            }
            return base;
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}

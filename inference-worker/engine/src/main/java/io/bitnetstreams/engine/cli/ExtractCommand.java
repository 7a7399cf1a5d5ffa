package io.bitnetstreams.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bitnetstreams.engine.sampling.SamplingParams;
import io.bitnetstreams.engine.tasks.EngineConfig;
import io.bitnetstreams.engine.tasks.ExtractionRequest;
import io.bitnetstreams.engine.tasks.ExtractionResult;
import io.bitnetstreams.engine.tasks.InferenceEngine;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bitnet extract MODEL --schema S.json --text T}: JSON that always parses and validates against the schema. */
@Command(name = "extract", mixinStandardHelpOptions = true,
        description = "Extract JSON matching a JSON Schema from text (constrained decoding).")
public final class ExtractCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "GGUF model file.")
    Path model;

    @Option(names = "--schema", required = true, paramLabel = "S.json", description = "JSON Schema file.")
    Path schema;

    @Option(names = "--text", paramLabel = "T", description = "The input text.")
    String text;

    @Option(names = "--file", paramLabel = "F", description = "Read the input text from this file.")
    Path file;

    @Option(names = "--seed", paramLabel = "S",
            description = "Sample with this seed (temperature 0.8); default greedy.")
    Long seed;

    @Option(names = {"-n", "--max-tokens"}, paramLabel = "N", defaultValue = "512",
            description = "Token limit; reaching it gives a TRUNCATED result (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--json", description = "Print {\"result\": ..., \"status\": ...} instead of the bare result.")
    boolean json;

    @Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() throws Exception {
        modelOptions.validate(spec.commandLine());
        if (maxTokens < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-tokens must be positive: " + maxTokens);
        }
        String input = TaskInput.text(spec.commandLine(), text, file);
        String schemaText = TaskInput.read(spec.commandLine(), schema, "--schema");
        SamplingParams sampling = seed == null ? SamplingParams.greedy() : SamplingParams.defaults(seed);
        try (LoadedModel loaded = LoadedModel.open(model, modelOptions.threads, modelOptions.kernelProvider());
             InferenceEngine engine = new InferenceEngine(loaded.model, loaded.tokenizer, EngineConfig.defaults())) {
            ExtractionResult result = TaskInput.await(engine.extract(new ExtractionRequest(input, schemaText, null, maxTokens, sampling,
                    null)));
            ObjectMapper mapper = new ObjectMapper();
            if (json) {
                ObjectNode doc = mapper.createObjectNode();
                doc.set("result", result.result());
                doc.put("status", result.status().name());
                spec.commandLine().getOut().println(mapper.writeValueAsString(doc));
            } else {
                spec.commandLine().getOut().println(mapper.writeValueAsString(result.result()));
                if (result.status() == ExtractionResult.Status.TRUNCATED) {
                    spec.commandLine().getErr().println("TRUNCATED: the token limit was reached first");
                }
            }
            spec.commandLine().getOut().flush();
        }
        return BitnetCli.EXIT_OK;
    }
}

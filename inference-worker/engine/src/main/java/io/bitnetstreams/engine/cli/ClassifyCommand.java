package io.bitnetstreams.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bitnetstreams.engine.tasks.ClassificationRequest;
import io.bitnetstreams.engine.tasks.ClassificationResult;
import io.bitnetstreams.engine.tasks.EngineConfig;
import io.bitnetstreams.engine.tasks.InferenceEngine;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bitnet classify MODEL --labels a,b,c --text T}: label probabilities from the model's log-likelihoods. */
@Command(name = "classify", mixinStandardHelpOptions = true,
        description = "Classify text into one of the given labels (probabilities from label log-likelihoods).")
public final class ClassifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "GGUF model file.")
    Path model;

    @Option(names = "--labels", required = true, split = ",", paramLabel = "A,B,...", description = "The labels.")
    List<String> labels;

    @Option(names = "--text", paramLabel = "T", description = "The text to classify.")
    String text;

    @Option(names = "--file", paramLabel = "F", description = "Read the text from this file.")
    Path file;

    @Option(names = "--instruction", paramLabel = "I", description = "Task instruction.")
    String instruction;

    @Option(names = "--multi-label", description = "Select every label whose probability reaches 1/labels.")
    boolean multiLabel;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() throws Exception {
        modelOptions.validate(spec.commandLine());
        String input = TaskInput.text(spec.commandLine(), text, file);
        try (LoadedModel loaded = LoadedModel.open(model, modelOptions.threads, modelOptions.kernelProvider());
             InferenceEngine engine = new InferenceEngine(loaded.model, loaded.tokenizer, EngineConfig.defaults())) {
            ClassificationResult result = TaskInput.await(engine.classify(new ClassificationRequest(input, labels, instruction,
                    List.of(), multiLabel, Map.of(), null)));
            print(spec.commandLine().getOut(), result);
        }
        return BitnetCli.EXIT_OK;
    }

    private void print(PrintWriter out, ClassificationResult result) throws Exception {
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode doc = mapper.createObjectNode().put("label", result.label());
            ArrayNode scores = doc.putArray("labels");
            for (ClassificationResult.LabelScore s : result.labels()) {
                scores.addObject().put("label", s.label()).put("probability", s.probability())
                        .put("log_likelihood", s.logLikelihood());
            }
            if (multiLabel) {
                ArrayNode selected = doc.putArray("selected");
                result.selected().forEach(selected::add);
            }
            out.println(mapper.writeValueAsString(doc));
        } else {
            out.println(result.label());
            for (ClassificationResult.LabelScore s : result.labels()) {
                out.printf("  %-20s p=%.4f  log-likelihood=%.4f%n", s.label(), s.probability(), s.logLikelihood());
            }
            if (multiLabel) {
                out.println("selected: " + String.join(", ", result.selected()));
            }
        }
        out.flush();
    }
}

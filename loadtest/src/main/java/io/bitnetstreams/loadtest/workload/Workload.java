package io.bitnetstreams.loadtest.workload;

import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.GenerateTask;
import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.contract.TaskKind;
import io.bitnetstreams.standalone.input.SampleCorpus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * What the requests of a run ask for: the task mix, the documents, the classification labels, the extraction schema
 * and the generation length. Documents are prepared before the run ({@link #prepare}) so that building them never
 * delays a send.
 */
public record Workload(TaskMix mix, DocumentSource documents, List<String> labels, String schema, int generateMaxTokens,
                       long seed) {

    public static final String TENANT = "loadtest";
    public static final int MAX_LABELS = 256;
    public static final int MAX_GENERATE_TOKENS = 4096;
    /** Distinct documents prepared per run; longer runs reuse them cyclically (under fresh request ids). */
    public static final int MAX_PREPARED = 20_000;

    public Workload {
        if (labels.size() < 2 || labels.size() > MAX_LABELS) {
            throw new IllegalArgumentException("classification needs 2 to " + MAX_LABELS + " labels, not " + labels.size());
        }
        if (generateMaxTokens < 1 || generateMaxTokens > MAX_GENERATE_TOKENS) {
            throw new IllegalArgumentException("--max-tokens must be in [1, " + MAX_GENERATE_TOKENS + "]");
        }
        labels = List.copyOf(labels);
    }

    /** {@code --labels}: a count (that many generated labels) or a comma-separated list; empty: the sample's labels. */
    public static List<String> labels(String spec) {
        if (spec == null || spec.isBlank()) {
            return SampleCorpus.labels();
        }
        if (spec.strip().matches("\\d{1,4}")) {
            int count = Integer.parseInt(spec.strip());
            return IntStream.rangeClosed(1, count).mapToObj(i -> "category_" + i).toList();
        }
        return List.of(spec.split(",")).stream().map(String::strip).filter(s -> !s.isEmpty()).distinct().toList();
    }

    /** One request before it gets its id and send time. */
    public record Template(TaskKind task, String text, int textTokens) {
    }

    /** The first {@code count} requests of the run (at most {@link #MAX_PREPARED}; the run cycles through them). */
    public List<Template> prepare(int count, TokenCounter tokens) {
        Random random = new Random(seed);
        List<Template> templates = new ArrayList<>();
        for (int i = 0; i < Math.min(count, MAX_PREPARED); i++) {
            TaskKind task = mix.pick(random);
            String text = documents.document(i, random, tokens);
            templates.add(new Template(task, text, tokens.count(text)));
        }
        return templates;
    }

    /** The Avro request for a template; generation prompts carry the document as the prompt. */
    public InferenceRequest request(String requestId, Template template, Instant now) {
        Object task = switch (template.task()) {
            case CLASSIFY -> ClassifyTask.newBuilder().setLabels(labels).build();
            case EXTRACT -> ExtractTask.newBuilder().setJsonSchema(schema).build();
            case GENERATE -> GenerateTask.newBuilder().setPrompt("Summarize in one sentence: " + template.text())
                    .setMaxTokens(generateMaxTokens).build();
        };
        return InferenceRequest.newBuilder()
                .setRequestId(requestId)
                .setTenant(TENANT)
                .setCreatedAt(now)
                .setTask(task)
                .setText(template.task() == TaskKind.GENERATE ? "" : template.text())
                .setMetadata(Map.of("source", "loadtest"))
                .build();
    }
}

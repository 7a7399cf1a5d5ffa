package io.bitnetstreams.topology.config;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/** Names of every topic the application reads or writes; see {@link TopologyConfig} for the keys. */
public record TopicNames(
        String requests,
        String deadLetters,
        String workClassify,
        String workExtract,
        String workGenerate,
        String workResults,
        String classificationResults,
        String extractionResults,
        String generationResults) {

    /** Kafka's legal topic name characters and length. */
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public static final TopicNames DEFAULTS = new TopicNames("bitnet.requests", "bitnet.dlq", "bitnet.work.classify",
            "bitnet.work.extract", "bitnet.work.generate", "bitnet.work.results", "bitnet.results.classification",
            "bitnet.results.extraction", "bitnet.results.generation");

    public TopicNames {
        List<String> names = java.util.Arrays.asList(requests, deadLetters, workClassify, workExtract, workGenerate,
                workResults, classificationResults, extractionResults, generationResults);
        for (String name : names) {
            Objects.requireNonNull(name, "topic name");
            if (!LEGAL.matcher(name).matches()) {
                throw new IllegalArgumentException("illegal topic name '" + name + "' (allowed: letters, digits, . _ -)");
            }
        }
        if (names.stream().distinct().count() != names.size()) {
            throw new IllegalArgumentException("topic names must be distinct: " + names);
        }
    }

    /** Every name, inputs first. */
    public List<String> all() {
        return List.of(requests, workResults, deadLetters, workClassify, workExtract, workGenerate,
                classificationResults, extractionResults, generationResults);
    }
}

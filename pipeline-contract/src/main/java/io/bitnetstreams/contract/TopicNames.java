package io.bitnetstreams.contract;

import io.bitnetstreams.contract.config.ConfigException;
import io.bitnetstreams.contract.config.ConfigValues;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Names of every topic of the pipeline, with their one set of defaults and config keys. Topology, worker,
 * standalone and submit all read them with {@link #from(ConfigValues)}, so parts started with defaults meet on the
 * same topics (one dead-letter topic for everybody: {@code bitnet.dlq}).
 *
 * <p>The topology creates every missing topic at start ({@code TopicProvisioner}); the other parts check that the
 * topics they use exist ({@link TopicCheck}) and fail naming the missing ones.
 */
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

    public static final String REQUESTS = "bitnet.topic.requests";
    public static final String DEAD_LETTERS = "bitnet.topic.dlq";
    public static final String WORK_CLASSIFY = "bitnet.topic.work.classify";
    public static final String WORK_EXTRACT = "bitnet.topic.work.extract";
    public static final String WORK_GENERATE = "bitnet.topic.work.generate";
    public static final String WORK_RESULTS = "bitnet.topic.work.results";
    public static final String CLASSIFICATION_RESULTS = "bitnet.topic.results.classification";
    public static final String EXTRACTION_RESULTS = "bitnet.topic.results.extraction";
    public static final String GENERATION_RESULTS = "bitnet.topic.results.generation";

    /** The config keys, one per topic. */
    public static final Set<String> KEYS = Set.of(REQUESTS, DEAD_LETTERS, WORK_CLASSIFY, WORK_EXTRACT, WORK_GENERATE,
            WORK_RESULTS, CLASSIFICATION_RESULTS, EXTRACTION_RESULTS, GENERATION_RESULTS);

    /** Kafka's legal topic name characters and length (before DEFAULTS, which the constructor checks). */
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public static final TopicNames DEFAULTS = new TopicNames("bitnet.requests", "bitnet.dlq", "bitnet.work.classify",
            "bitnet.work.extract", "bitnet.work.generate", "bitnet.work.results", "bitnet.results.classification",
            "bitnet.results.extraction", "bitnet.results.generation");

    public TopicNames {
        List<String> names = Arrays.asList(requests, deadLetters, workClassify, workExtract, workGenerate,
                workResults, classificationResults, extractionResults, generationResults);
        for (String name : names) {
            Objects.requireNonNull(name, "topic name");
            if (!LEGAL.matcher(name).matches()) {
                throw new IllegalArgumentException("illegal topic name '" + name + "' (allowed: 1-249 of letters, digits, . _ -)");
            }
        }
        if (names.stream().distinct().count() != names.size()) {
            throw new IllegalArgumentException("topic names must be distinct: " + names);
        }
    }

    /** The names configured in {@code values} ({@code bitnet.topic.*}), defaults for the rest; errors name the key. */
    public static TopicNames from(ConfigValues values) {
        Map<String, String> chosen = new java.util.LinkedHashMap<>();
        for (String key : List.of(REQUESTS, DEAD_LETTERS, WORK_CLASSIFY, WORK_EXTRACT, WORK_GENERATE, WORK_RESULTS,
                CLASSIFICATION_RESULTS, EXTRACTION_RESULTS, GENERATION_RESULTS)) {
            String name = values.text(key, DEFAULTS.byKey(key));
            if (!LEGAL.matcher(name).matches()) {
                throw new ConfigException(key, "'" + name + "' is not a legal topic name (1-249 of letters, digits, . _ -)");
            }
            chosen.put(key, name);
        }
        try {
            return new TopicNames(chosen.get(REQUESTS), chosen.get(DEAD_LETTERS), chosen.get(WORK_CLASSIFY),
                    chosen.get(WORK_EXTRACT), chosen.get(WORK_GENERATE), chosen.get(WORK_RESULTS),
                    chosen.get(CLASSIFICATION_RESULTS), chosen.get(EXTRACTION_RESULTS), chosen.get(GENERATION_RESULTS));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("bitnet.topic.*", e.getMessage());
        }
    }

    /** The topic the topology routes work of this kind to, and workers consume. */
    public String work(TaskKind kind) {
        return switch (kind) {
            case CLASSIFY -> workClassify;
            case EXTRACT -> workExtract;
            case GENERATE -> workGenerate;
        };
    }

    /** The topic final results of this kind go to. */
    public String results(TaskKind kind) {
        return switch (kind) {
            case CLASSIFY -> classificationResults;
            case EXTRACT -> extractionResults;
            case GENERATE -> generationResults;
        };
    }

    /** Every name, inputs first. */
    public List<String> all() {
        return List.of(requests, workResults, deadLetters, workClassify, workExtract, workGenerate,
                classificationResults, extractionResults, generationResults);
    }

    private String byKey(String key) {
        return switch (key) {
            case REQUESTS -> requests;
            case DEAD_LETTERS -> deadLetters;
            case WORK_CLASSIFY -> workClassify;
            case WORK_EXTRACT -> workExtract;
            case WORK_GENERATE -> workGenerate;
            case WORK_RESULTS -> workResults;
            case CLASSIFICATION_RESULTS -> classificationResults;
            case EXTRACTION_RESULTS -> extractionResults;
            case GENERATION_RESULTS -> generationResults;
            default -> throw new IllegalArgumentException("not a topic key: " + key);
        };
    }
}

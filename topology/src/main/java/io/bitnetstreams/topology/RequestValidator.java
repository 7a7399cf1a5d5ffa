package io.bitnetstreams.topology;

import io.bitnetstreams.avro.ChatMessage;
import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.DeadLetterReason;
import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.FewShotExample;
import io.bitnetstreams.avro.GenerateTask;
import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.engine.chat.ChatFormat;
import io.bitnetstreams.engine.json.InvalidSchemaException;
import io.bitnetstreams.engine.json.JsonSchemaParser;
import io.bitnetstreams.engine.tasks.EngineException;
import io.bitnetstreams.engine.tasks.RequestLimits;
import io.bitnetstreams.engine.tasks.TaskRules;
import io.bitnetstreams.engine.tokenizer.Tokenizer;
import io.bitnetstreams.topology.config.TopologyConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Checks a decoded request before any work is created; the first problem found is reported. */
public final class RequestValidator {

    /** Why a request is refused: the dead-letter reason and a message for humans. */
    public record Rejection(DeadLetterReason reason, String message) {}

    static final int MAX_ID_CHARS = 256;
    static final int MAX_LABEL_CHARS = RequestLimits.MAX_LABEL_CHARS;
    static final int MAX_SCHEMA_CHARS = RequestLimits.MAX_SCHEMA_CHARS;
    static final int MAX_STOP_STRINGS = 16;
    static final int MAX_METADATA_ENTRIES = 128;

    private final TopologyConfig config;
    private final Tokenizer tokenizer;
    private final ChatFormat chat;

    /** {@code tokenizer}: the model's, so that prompts are counted as the engine counts them. */
    public RequestValidator(TopologyConfig config, Tokenizer tokenizer) {
        this.config = config;
        this.tokenizer = tokenizer;
        this.chat = new ChatFormat(tokenizer);
    }

    /** Empty when the request may be processed; {@code key} is the record key as text, {@code now} epoch ms. */
    public Optional<Rejection> check(String key, InferenceRequest request, long now) {
        String problem = identityProblem(key, request);
        if (problem == null) {
            problem = switch (request.getTask()) {
                case ClassifyTask task -> classifyProblem(task, request.getText());
                case ExtractTask task -> extractProblem(task, request.getText());
                case GenerateTask task -> generateProblem(task, request.getText());
                case null, default -> "unknown task " + (request.getTask() == null ? "null" : request.getTask().getClass().getName());
            };
        }
        if (problem != null) {
            return Optional.of(new Rejection(DeadLetterReason.INVALID_REQUEST, problem));
        }
        if (request.getDeadline() != null && request.getDeadline().toEpochMilli() <= now) {
            return Optional.of(new Rejection(DeadLetterReason.DEADLINE_PASSED,
                    "deadline " + request.getDeadline() + " passed before the request was processed"));
        }
        if (request.getTask() instanceof GenerateTask task) {
            long needed = promptTokens(task, request.getText()) + task.getMaxTokens();
            if (needed > config.contextTokens()) {
                return Optional.of(new Rejection(DeadLetterReason.PROMPT_TOO_LONG, "prompt plus maxTokens needs "
                        + needed + " tokens, the context holds " + config.contextTokens()));
            }
        }
        return Optional.empty();
    }

    private String identityProblem(String key, InferenceRequest request) {
        String id = request.getRequestId();
        if (id == null || id.isBlank() || id.length() > MAX_ID_CHARS) {
            return "requestId must be 1.." + MAX_ID_CHARS + " characters";
        }
        if (!id.equals(key)) {
            // results, dedupe and status are partitioned by request id: the key must be it
            return "record key '" + abbreviate(key) + "' differs from requestId '" + abbreviate(id) + "'";
        }
        if (request.getTenant() == null || request.getTenant().isBlank()) {
            return "tenant must not be blank";
        }
        if (request.getText().length() > config.maxTextChars()) {
            return "text has " + request.getText().length() + " characters, more than " + config.maxTextChars();
        }
        if (request.getMetadata().size() > MAX_METADATA_ENTRIES) {
            return "metadata has more than " + MAX_METADATA_ENTRIES + " entries";
        }
        return null;
    }

    private String classifyProblem(ClassifyTask task, String text) {
        if (text.isBlank()) {
            return "text is empty";
        }
        var labels = task.getLabels();
        if (labels.isEmpty()) {
            return "classification needs at least one label";
        }
        if (labels.size() > config.maxLabels()) {
            return "classification has " + labels.size() + " labels, more than " + config.maxLabels();
        }
        Set<String> seen = new HashSet<>();
        for (String label : labels) {
            if (label.isBlank() || label.length() > MAX_LABEL_CHARS) {
                return "labels must be 1.." + MAX_LABEL_CHARS + " non-blank characters";
            }
            if (!seen.add(label)) {
                return "label '" + abbreviate(label) + "' appears twice";
            }
            if (tokenizer.encode(label).length > TaskRules.MAX_LABEL_TOKENS) {
                return "label '" + abbreviate(label) + "' has more than " + TaskRules.MAX_LABEL_TOKENS + " tokens";
            }
        }
        for (FewShotExample example : task.getExamples()) {
            if (!seen.contains(example.getLabel())) {
                return "example label '" + abbreviate(example.getLabel()) + "' is not one of the labels";
            }
        }
        for (Map.Entry<String, Double> threshold : task.getThresholds().entrySet()) {
            if (!seen.contains(threshold.getKey())) {
                return "threshold for unknown label '" + abbreviate(threshold.getKey()) + "'";
            }
            double value = threshold.getValue();
            if (!(value >= 0 && value <= 1)) {
                return "threshold of '" + abbreviate(threshold.getKey()) + "' = " + value + " is outside [0, 1]";
            }
        }
        return null;
    }

    private String extractProblem(ExtractTask task, String text) {
        if (text.isBlank()) {
            return "text is empty";
        }
        String schema = task.getJsonSchema();
        if (schema.length() > MAX_SCHEMA_CHARS) {
            return "jsonSchema is longer than " + MAX_SCHEMA_CHARS + " characters";
        }
        try {
            // the parser of the workers' constrained decoder: what it refuses never reaches a worker
            JsonSchemaParser.parse(schema);
        } catch (InvalidSchemaException e) {
            return "invalid jsonSchema: " + e.getMessage();
        }
        return null;
    }

    private String generateProblem(GenerateTask task, String text) {
        try {
            conversation(task, text);
        } catch (EngineException e) {
            return e.getMessage();
        }
        for (ChatMessage message : task.getMessages()) {
            if (message.getContent().length() > config.maxTextChars()) {
                return "a message is longer than " + config.maxTextChars() + " characters";
            }
        }
        if (task.getPrompt() != null && task.getPrompt().length() > config.maxTextChars()) {
            return "prompt is longer than " + config.maxTextChars() + " characters";
        }
        int maxTokens = Math.min(config.contextTokens(), RequestLimits.MAX_GENERATED_TOKENS);
        if (task.getMaxTokens() < 1 || task.getMaxTokens() > maxTokens) {
            return "maxTokens = " + task.getMaxTokens() + " is outside [1, " + maxTokens + "]";
        }
        float temperature = task.getTemperature();
        if (!(temperature >= 0 && temperature <= 5)) {
            return "temperature = " + temperature + " is outside [0, 5]";
        }
        if (task.getTopK() < 0) {
            return "topK = " + task.getTopK() + " is negative";
        }
        float topP = task.getTopP();
        if (!(topP > 0 && topP <= 1)) {
            return "topP = " + topP + " is outside (0, 1]";
        }
        if (task.getStop().size() > MAX_STOP_STRINGS) {
            return "more than " + MAX_STOP_STRINGS + " stop strings";
        }
        for (String stop : task.getStop()) {
            if (stop.isEmpty() || stop.length() > MAX_LABEL_CHARS) {
                return "stop strings must be 1.." + MAX_LABEL_CHARS + " characters";
            }
        }
        return null;
    }

    /** Prompt tokens as the engine will count them: the whole conversation in the model's chat format. */
    long promptTokens(GenerateTask task, String text) {
        return chat.encodeConversation(conversation(task, text)).length;
    }

    /** The engine's conversation of a generate task ({@link TaskRules#conversation}). */
    static List<io.bitnetstreams.engine.chat.ChatMessage> conversation(GenerateTask task, String text) {
        List<io.bitnetstreams.engine.chat.ChatMessage> messages = new ArrayList<>(task.getMessages().size());
        for (ChatMessage message : task.getMessages()) {
            messages.add(new io.bitnetstreams.engine.chat.ChatMessage(
                    io.bitnetstreams.engine.chat.ChatMessage.Role.valueOf(message.getRole().name()), message.getContent()));
        }
        return TaskRules.conversation(task.getSystem(), messages, task.getPrompt(), text);
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "null";
        }
        return text.length() <= 64 ? text : text.substring(0, 61) + "...";
    }
}

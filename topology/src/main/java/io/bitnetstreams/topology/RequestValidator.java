package io.bitnetstreams.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.avro.ChatMessage;
import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.DeadLetterReason;
import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.FewShotExample;
import io.bitnetstreams.avro.GenerateTask;
import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.engine.tokenizer.Tokenizer;
import io.bitnetstreams.topology.config.TopologyConfig;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Checks a decoded request before any work is created; the first problem found is reported. */
public final class RequestValidator {

    /** Why a request is refused: the dead-letter reason and a message for humans. */
    public record Rejection(DeadLetterReason reason, String message) {}

    static final int MAX_ID_CHARS = 256;
    static final int MAX_LABEL_CHARS = 256;
    static final int MAX_SCHEMA_CHARS = 64 * 1024;
    static final int MAX_STOP_STRINGS = 16;
    static final int MAX_METADATA_ENTRIES = 128;
    /** Chat-template tokens around each message (header ids, role, separators, end of turn). */
    static final int TOKENS_PER_MESSAGE = 5;
    private static final Set<String> JSON_TYPES = Set.of("object", "array", "string", "number", "integer", "boolean", "null");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final TopologyConfig config;
    private final Tokenizer tokenizer;

    public RequestValidator(TopologyConfig config, Tokenizer tokenizer) {
        this.config = config;
        this.tokenizer = tokenizer;
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
            long needed = promptTokens(task) + task.getMaxTokens();
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
        JsonNode root;
        try {
            root = MAPPER.readTree(schema);
        } catch (JsonProcessingException e) {
            return "jsonSchema is not JSON: " + e.getOriginalMessage();
        }
        if (root == null || !root.isObject()) {
            return "jsonSchema must be a JSON object";
        }
        JsonNode type = root.get("type");
        if (type != null && !(type.isTextual() && type.asText().equals("object"))) {
            return "jsonSchema must describe an object (type \"object\")";
        }
        String problem = schemaProblem(root, "$", 0);
        return problem == null ? null : "invalid jsonSchema: " + problem;
    }

    /** The structural rules of the JSON Schema subset the workers' constrained decoder supports. */
    private static String schemaProblem(JsonNode node, String path, int depth) {
        if (depth > 32) {
            return path + " nests deeper than 32 levels";
        }
        if (!node.isObject()) {
            return path + " must be a schema object";
        }
        JsonNode type = node.get("type");
        if (type != null) {
            if (type.isTextual()) {
                if (!JSON_TYPES.contains(type.asText())) {
                    return path + ".type '" + type.asText() + "' is not a JSON Schema type";
                }
            } else if (type.isArray()) {
                for (JsonNode each : type) {
                    if (!each.isTextual() || !JSON_TYPES.contains(each.asText())) {
                        return path + ".type lists a value that is not a JSON Schema type";
                    }
                }
            } else {
                return path + ".type must be a string or an array of strings";
            }
        }
        JsonNode properties = node.get("properties");
        if (properties != null) {
            if (!properties.isObject()) {
                return path + ".properties must be an object";
            }
            for (Map.Entry<String, JsonNode> field : properties.properties()) {
                String problem = schemaProblem(field.getValue(), path + ".properties." + field.getKey(), depth + 1);
                if (problem != null) {
                    return problem;
                }
            }
        }
        JsonNode required = node.get("required");
        if (required != null && (!required.isArray() || !allText(required))) {
            return path + ".required must be an array of strings";
        }
        JsonNode items = node.get("items");
        if (items != null) {
            return schemaProblem(items, path + ".items", depth + 1);
        }
        return null;
    }

    private static boolean allText(JsonNode array) {
        for (JsonNode each : array) {
            if (!each.isTextual()) {
                return false;
            }
        }
        return true;
    }

    private String generateProblem(GenerateTask task, String text) {
        boolean hasPrompt = task.getPrompt() != null && !task.getPrompt().isBlank();
        if (!hasPrompt && task.getMessages().isEmpty()) {
            return "generation needs a prompt or messages";
        }
        for (ChatMessage message : task.getMessages()) {
            if (message.getContent().length() > config.maxTextChars()) {
                return "a message is longer than " + config.maxTextChars() + " characters";
            }
        }
        if (hasPrompt && task.getPrompt().length() > config.maxTextChars()) {
            return "prompt is longer than " + config.maxTextChars() + " characters";
        }
        if (task.getMaxTokens() < 1 || task.getMaxTokens() > config.contextTokens()) {
            return "maxTokens = " + task.getMaxTokens() + " is outside [1, " + config.contextTokens() + "]";
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

    /** Prompt tokens as the worker will feed them: system, messages (or prompt) and the template around them. */
    long promptTokens(GenerateTask task) {
        long tokens = 1; // begin_of_text
        if (task.getSystem() != null) {
            tokens += tokenizer.encode(task.getSystem()).length + TOKENS_PER_MESSAGE;
        }
        if (task.getMessages().isEmpty()) {
            tokens += tokenizer.encode(task.getPrompt()).length + TOKENS_PER_MESSAGE;
        } else {
            for (ChatMessage message : task.getMessages()) {
                tokens += tokenizer.encode(message.getContent()).length + TOKENS_PER_MESSAGE;
            }
        }
        return tokens + TOKENS_PER_MESSAGE; // the assistant header the answer follows
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "null";
        }
        return text.length() <= 64 ? text : text.substring(0, 61) + "...";
    }
}

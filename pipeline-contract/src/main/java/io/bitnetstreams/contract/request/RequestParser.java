package io.bitnetstreams.contract.request;

import io.bitnetstreams.contract.TaskKind;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.engine.chat.ChatMessage;
import io.bitnetstreams.engine.json.InvalidSchemaException;
import io.bitnetstreams.engine.json.JsonSchemaParser;
import io.bitnetstreams.engine.tasks.EngineException;
import io.bitnetstreams.engine.tasks.RequestLimits;
import io.bitnetstreams.engine.tasks.TaskRules;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one JSONL line into a {@link RequestSpec} or an {@link InputProblem}; never throws for bad input.
 *
 * <pre>{"id", "task": "classify"|"extract"|"generate", "text", "labels": [...], "instruction", "schema": {...},
 *  "system", "prompt", "messages": [{"role", "content"}, ...], "max_tokens", "deadline_ms"}</pre>
 *
 * Unknown fields are refused (a typo must not silently change the request). For generation, {@code text} is the
 * user turn, after {@code prompt} (or {@code instruction}) when one is given; or {@code messages} is the whole
 * conversation. The engine's rule ({@link TaskRules#conversation}) decides what is a valid conversation.
 */
public final class RequestParser {

    public static final int MAX_ID_CHARS = 200;
    /**
     * Characters of a line's text: a document read from JSONL or by the document source must still fit one Kafka
     * record (see the limits table in pipeline-contract/README.md); the other limits are the engine's.
     */
    public static final int MAX_TEXT_CHARS = 200_000;
    public static final int MAX_LABELS = RequestLimits.MAX_LABELS;
    public static final int MAX_LABEL_CHARS = RequestLimits.MAX_LABEL_CHARS;
    public static final int MAX_INSTRUCTION_CHARS = 4_000;
    public static final int MAX_GENERATED_TOKENS = RequestLimits.MAX_GENERATED_TOKENS;
    public static final int DEFAULT_GENERATED_TOKENS = 64;
    public static final long MAX_DEADLINE_MS = 24L * 3600 * 1000;
    public static final int MAX_MESSAGES = RequestLimits.MAX_MESSAGES;
    private static final Set<String> FIELDS = Set.of("id", "task", "text", "labels", "instruction", "schema", "system",
            "prompt", "messages", "max_tokens", "deadline_ms");
    private static final Set<String> MESSAGE_FIELDS = Set.of("role", "content");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private RequestParser() {
    }

    public static ParsedLine parse(int line, String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return invalid(line, null, "not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            return invalid(line, null, "not a JSON object");
        }
        JsonNode idNode = root.get("id");
        if (idNode == null || !idNode.isTextual()) {
            return invalid(line, null, "\"id\" is missing or not a string");
        }
        String id = idNode.asText();
        String idProblem = idProblem(id);
        if (idProblem != null) {
            return invalid(line, null, idProblem);
        }
        try {
            return new ParsedLine.Valid(request(line, id, root));
        } catch (IllegalArgumentException e) {
            return invalid(line, id, e.getMessage());
        }
    }

    /** Null when {@code id} is usable as a request id (and Kafka key). */
    public static String idProblem(String id) {
        if (id.isBlank() || id.length() > MAX_ID_CHARS) {
            return "\"id\" must have 1.." + MAX_ID_CHARS + " characters";
        }
        if (id.chars().anyMatch(Character::isISOControl)) {
            return "\"id\" contains control characters";
        }
        return null;
    }

    private static RequestSpec request(int line, String id, JsonNode root) {
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (!FIELDS.contains(field.getKey())) {
                throw new IllegalArgumentException("unknown field \"" + shorten(field.getKey()) + "\" (known: " + FIELDS + ")");
            }
        }
        String taskName = text(root, "task", 32);
        if (taskName == null) {
            throw new IllegalArgumentException("\"task\" is missing (classify, extract or generate)");
        }
        TaskKind task = TaskKind.fromWireName(taskName).orElseThrow(() -> new IllegalArgumentException(
                "unknown task \"" + shorten(taskName) + "\" (classify, extract or generate)"));
        String text = text(root, "text", MAX_TEXT_CHARS);
        String instruction = text(root, "instruction", MAX_INSTRUCTION_CHARS);
        long deadlineMs = wholeNumber(root, "deadline_ms", 1, MAX_DEADLINE_MS, 0);
        return switch (task) {
            case CLASSIFY -> {
                onlyFor(root, task, "schema", "system", "prompt", "messages", "max_tokens");
                requireText(text, "classify needs a non-empty \"text\"");
                yield new RequestSpec(id, task, text, labels(root), instruction, null, null, null, 0, deadlineMs, line);
            }
            case EXTRACT -> {
                onlyFor(root, task, "labels", "system", "prompt", "messages", "max_tokens");
                requireText(text, "extract needs a non-empty \"text\"");
                yield new RequestSpec(id, task, text, List.of(), instruction, schema(root), null, null, 0, deadlineMs, line);
            }
            case GENERATE -> {
                onlyFor(root, task, "labels", "schema");
                yield generation(line, id, root, text, instruction, deadlineMs);
            }
        };
    }

    /** A generate request: text as the user turn (after prompt or instruction), or a whole list of messages. */
    private static RequestSpec generation(int line, String id, JsonNode root, String text, String instruction,
                                          long deadlineMs) {
        String prompt = text(root, "prompt", MAX_TEXT_CHARS);
        if (prompt != null && instruction != null) {
            throw new IllegalArgumentException("give \"prompt\" or \"instruction\", not both");
        }
        if (prompt == null) {
            prompt = instruction;
        }
        List<ChatMessage> messages = messages(root);
        if (!messages.isEmpty() && (text != null || prompt != null)) {
            throw new IllegalArgumentException("\"messages\" is the whole conversation: give it without \"text\", "
                    + "\"prompt\" or \"instruction\"");
        }
        String system = text(root, "system", MAX_INSTRUCTION_CHARS);
        try {
            TaskRules.conversation(system, messages, prompt, text);
        } catch (EngineException e) {
            throw new IllegalArgumentException("generate: " + e.getMessage());
        }
        int maxTokens = (int) wholeNumber(root, "max_tokens", 1, MAX_GENERATED_TOKENS, DEFAULT_GENERATED_TOKENS);
        return new RequestSpec(id, TaskKind.GENERATE, text, List.of(), null, null, system, prompt, maxTokens, deadlineMs,
                line, messages);
    }

    private static List<ChatMessage> messages(JsonNode root) {
        JsonNode node = root.get("messages");
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray() || node.isEmpty()) {
            throw new IllegalArgumentException("\"messages\" must be a non-empty array of {\"role\", \"content\"}");
        }
        if (node.size() > MAX_MESSAGES) {
            throw new IllegalArgumentException("more than " + MAX_MESSAGES + " messages");
        }
        List<ChatMessage> messages = new ArrayList<>();
        long chars = 0;
        for (JsonNode message : node) {
            if (!message.isObject()) {
                throw new IllegalArgumentException("every message must be an object {\"role\", \"content\"}");
            }
            for (Map.Entry<String, JsonNode> field : message.properties()) {
                if (!MESSAGE_FIELDS.contains(field.getKey())) {
                    throw new IllegalArgumentException("unknown message field \"" + shorten(field.getKey())
                            + "\" (known: role, content)");
                }
            }
            String role = text(message, "role", 16);
            ChatMessage.Role parsed = role == null ? null : switch (role) {
                case "system" -> ChatMessage.Role.SYSTEM;
                case "user" -> ChatMessage.Role.USER;
                case "assistant" -> ChatMessage.Role.ASSISTANT;
                default -> null;
            };
            if (parsed == null) {
                throw new IllegalArgumentException("a message \"role\" must be system, user or assistant");
            }
            String content = text(message, "content", MAX_TEXT_CHARS);
            if (content == null) {
                throw new IllegalArgumentException("every message needs a \"content\" string");
            }
            chars += content.length();
            if (chars > MAX_TEXT_CHARS) {
                throw new IllegalArgumentException("the messages have more than " + MAX_TEXT_CHARS + " characters together");
            }
            messages.add(new ChatMessage(parsed, content));
        }
        return messages;
    }

    private static List<String> labels(JsonNode root) {
        JsonNode node = root.get("labels");
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new IllegalArgumentException("classify needs \"labels\": a non-empty array of strings");
        }
        if (node.size() > MAX_LABELS) {
            throw new IllegalArgumentException("more than " + MAX_LABELS + " labels");
        }
        List<String> labels = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode label : node) {
            if (!label.isTextual() || label.asText().isBlank() || label.asText().length() > MAX_LABEL_CHARS) {
                throw new IllegalArgumentException("every label must be a string of 1.." + MAX_LABEL_CHARS + " characters");
            }
            if (!seen.add(label.asText())) {
                throw new IllegalArgumentException("label \"" + shorten(label.asText()) + "\" appears twice");
            }
            labels.add(label.asText());
        }
        return labels;
    }

    /** The schema as compact JSON text, checked by the same parser the workers' constrained decoder uses. */
    private static String schema(JsonNode root) {
        JsonNode node = root.get("schema");
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("extract needs \"schema\": a JSON Schema object");
        }
        String text = node.toString();
        if (text.length() > RequestLimits.MAX_SCHEMA_CHARS) {
            throw new IllegalArgumentException("\"schema\" has " + text.length() + " characters; the limit is "
                    + RequestLimits.MAX_SCHEMA_CHARS);
        }
        try {
            JsonSchemaParser.parse(node);
        } catch (InvalidSchemaException e) {
            throw new IllegalArgumentException("invalid \"schema\": " + e.getMessage());
        }
        return text;
    }

    private static void onlyFor(JsonNode root, TaskKind task, String... fields) {
        for (String field : fields) {
            if (root.has(field)) {
                throw new IllegalArgumentException("\"" + field + "\" does not apply to task " + task.wireName());
            }
        }
    }

    private static String text(JsonNode root, String field, int maxChars) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a string");
        }
        if (node.asText().length() > maxChars) {
            throw new IllegalArgumentException("\"" + field + "\" is longer than " + maxChars + " characters");
        }
        return node.asText();
    }

    private static long wholeNumber(JsonNode root, String field, long min, long max, long fallback) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.canConvertToLong() || !node.isIntegralNumber() || node.asLong() < min || node.asLong() > max) {
            throw new IllegalArgumentException("\"" + field + "\" must be a whole number in [" + min + ", " + max + "]");
        }
        return node.asLong();
    }

    private static void requireText(String value, String message) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(message);
        }
    }

    private static ParsedLine invalid(int line, String id, String reason) {
        return new ParsedLine.Invalid(new InputProblem(line, id, reason));
    }

    static String shorten(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }
}

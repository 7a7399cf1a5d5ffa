package io.bitnetstreams.engine.tasks;

import io.bitnetstreams.engine.chat.ChatFormat;
import io.bitnetstreams.engine.chat.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The task rules every part of a pipeline shares, so that what one part accepts another never refuses:
 * how a generation request's fields become the conversation the model reads, and which labels a
 * classification selects. The engine applies them itself; callers (a topology validating requests, a
 * merger combining chunk scores) call the same methods instead of restating them.
 */
public final class TaskRules {

    /** Tokens a classification label may have (it is scored token by token after the prompt). */
    public static final int MAX_LABEL_TOKENS = RequestLimits.MAX_LABEL_TOKENS;

    private TaskRules() {
    }

    /**
     * The conversation of a generation request. With {@code messages}, the whole list in order (after
     * {@code system}, when not blank); {@code prompt} is then ignored and {@code text} must be blank, since
     * the last message is the user turn. Without messages, one user turn: {@code prompt} (an instruction)
     * and {@code text} (the user's text), each trimmed, joined by a blank line, whichever are not blank.
     *
     * @throws EngineException INVALID_REQUEST when there is no user turn, both text and messages are given,
     *                         or a part exceeds the size limits
     */
    public static List<ChatMessage> conversation(String system, List<ChatMessage> messages, String prompt, String text) {
        List<ChatMessage> turns = new ArrayList<>();
        if (system != null && !Requests.text(system, "system prompt").isBlank()) {
            turns.add(ChatMessage.system(system));
        }
        boolean hasText = text != null && !Requests.text(text, "text").isBlank();
        if (messages != null && !messages.isEmpty()) {
            if (hasText) {
                throw new EngineException(EngineException.Reason.INVALID_REQUEST,
                        "give the user turn either as text or as the messages, not both");
            }
            if (messages.size() > ChatFormat.MAX_MESSAGES - turns.size()) {
                throw new EngineException(EngineException.Reason.INVALID_REQUEST, "more than "
                        + (ChatFormat.MAX_MESSAGES - turns.size()) + " messages"
                        + (turns.isEmpty() ? "" : " besides the system prompt"));
            }
            for (ChatMessage message : messages) {
                if (message == null) {
                    throw new EngineException(EngineException.Reason.INVALID_REQUEST, "a message is missing");
                }
                Requests.text(message.content(), "message content");
                turns.add(message);
            }
            return List.copyOf(turns);
        }
        boolean hasPrompt = prompt != null && !Requests.text(prompt, "prompt").isBlank();
        if (!hasPrompt && !hasText) {
            throw new EngineException(EngineException.Reason.INVALID_REQUEST,
                    "generation needs a user turn: text, a prompt or messages");
        }
        String user = hasPrompt && hasText ? prompt.strip() + "\n\n" + text.strip() : hasPrompt ? prompt : text;
        turns.add(ChatMessage.user(Requests.text(user, "user turn")));
        return List.copyOf(turns);
    }

    /** The probability a label needs for multi-label selection when the request names no threshold for it. */
    public static double defaultThreshold(int labelCount) {
        return 1.0 / labelCount;
    }

    /**
     * The selected labels, in {@code labels} order: for multi-label, every label whose probability reaches
     * its threshold ({@link #defaultThreshold} when {@code thresholds} has none for it); otherwise the most
     * probable label (the first of equals).
     *
     * @param probabilities label -> probability; a label absent here counts as 0
     */
    public static List<String> selectLabels(List<String> labels, Map<String, Double> probabilities, boolean multiLabel,
                                            Map<String, Double> thresholds) {
        if (labels.isEmpty()) {
            return List.of();
        }
        if (!multiLabel) {
            return List.of(argmax(labels, probabilities));
        }
        List<String> selected = new ArrayList<>();
        double fallback = defaultThreshold(labels.size());
        for (String label : labels) {
            if (probabilities.getOrDefault(label, 0.0) >= thresholds.getOrDefault(label, fallback)) {
                selected.add(label);
            }
        }
        return List.copyOf(selected);
    }

    /** The most probable label; the first one wins a tie. */
    public static String argmax(List<String> labels, Map<String, Double> probabilities) {
        String best = labels.getFirst();
        for (String label : labels) {
            if (probabilities.getOrDefault(label, 0.0) > probabilities.getOrDefault(best, 0.0)) {
                best = label;
            }
        }
        return best;
    }
}

package io.bitnetstreams.engine.chat;

import java.util.Objects;

/**
 * One turn of a chat conversation. The content is untrusted plain text: {@link ChatFormat} never turns
 * it into control tokens, whatever special-token strings it contains.
 */
public record ChatMessage(Role role, String content) {

    /** Who speaks a turn; {@link #prefix()} is what the model's template writes before the content. */
    public enum Role {
        SYSTEM("System: "), USER("User: "), ASSISTANT("Assistant: ");

        private final String prefix;

        Role(String prefix) {
            this.prefix = prefix;
        }

        public String prefix() {
            return prefix;
        }
    }

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content);
    }
}

package io.bitnetstreams.engine.chat;

import io.bitnetstreams.engine.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The BitNet b1.58 2B4T chat prompt, as the reference's template ({@code bitnet-25} in llama.cpp, the
 * model's {@code chat_template}) writes it: {@code <|begin_of_text|>}, then every turn of the
 * conversation in order as {@code Role: {content}<|eot_id|>} (roles {@code System}, {@code User},
 * {@code Assistant}; contents trimmed), then {@code Assistant: } for the answer. A one-turn prompt is
 * {@code <|begin_of_text|>System: {sys}<|eot_id|>User: {msg}<|eot_id|>Assistant: } with the system part
 * left out when the system text is null or blank.
 *
 * <p>Control tokens are inserted by id only. The system and user texts go through
 * {@link Tokenizer#encode}, which treats special-token strings as plain text, so untrusted text
 * can never produce a control token. Immutable and thread-safe.
 */
public final class ChatFormat {

    public static final String BEGIN_OF_TEXT = "<|begin_of_text|>";
    public static final String END_OF_TEXT = "<|end_of_text|>";
    public static final String END_OF_TURN = "<|eot_id|>";

    /** Turns a conversation may hold; requests come from outside, so their size is bounded. */
    public static final int MAX_MESSAGES = io.bitnetstreams.engine.tasks.RequestLimits.MAX_MESSAGES;

    private final Tokenizer tokenizer;
    private final int beginOfTextId;
    private final int endOfTurnId;
    private final int[] stopTokenIds;

    public ChatFormat(Tokenizer tokenizer) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.beginOfTextId = requireSpecial(tokenizer, BEGIN_OF_TEXT);
        this.endOfTurnId = requireSpecial(tokenizer, END_OF_TURN);
        int endOfTextId = tokenizer.specialTokenId(END_OF_TEXT);
        this.stopTokenIds = endOfTextId >= 0 && endOfTextId != endOfTurnId
                ? new int[] {endOfTextId, endOfTurnId}
                : new int[] {endOfTurnId};
    }

    private static int requireSpecial(Tokenizer tokenizer, String piece) {
        int id = tokenizer.specialTokenId(piece);
        if (id < 0) {
            throw new IllegalArgumentException("tokenizer has no " + piece + " token; the chat format needs it");
        }
        return id;
    }

    /**
     * Token ids of a one-turn chat prompt, BOS first, ending with {@code "Assistant: "}.
     *
     * @param system optional system text; null or blank leaves the system part out
     * @param user   the user's message (untrusted plain text)
     */
    public int[] encodePrompt(String system, String user) {
        return encodeConversation(oneTurn(system, user));
    }

    /** The prompt as text (for logs and debugging); control tokens appear as their pieces. */
    public String renderPrompt(String system, String user) {
        return renderConversation(oneTurn(system, user));
    }

    /**
     * Token ids of a whole conversation, turn by turn, BOS first, ending with {@code "Assistant: "}.
     * Control tokens are inserted by id; every content goes through {@link Tokenizer#encode}, so text
     * that spells a special token stays plain text.
     */
    public int[] encodeConversation(List<ChatMessage> conversation) {
        checkConversation(conversation);
        IdBuffer ids = new IdBuffer();
        ids.add(beginOfTextId);
        for (ChatMessage message : conversation) {
            ids.addAll(tokenizer.encode(message.role().prefix() + message.content().strip()));
            ids.add(endOfTurnId);
        }
        ids.addAll(tokenizer.encode(ChatMessage.Role.ASSISTANT.prefix()));
        return ids.toArray();
    }

    /** The conversation's prompt as text (for logs and debugging); control tokens appear as their pieces. */
    public String renderConversation(List<ChatMessage> conversation) {
        checkConversation(conversation);
        StringBuilder text = new StringBuilder(BEGIN_OF_TEXT);
        for (ChatMessage message : conversation) {
            text.append(message.role().prefix()).append(message.content().strip()).append(END_OF_TURN);
        }
        return text.append(ChatMessage.Role.ASSISTANT.prefix()).toString();
    }

    /**
     * How many leading ids of {@code encodeConversation(conversation)} belong to its opening system
     * turn (BOS included), 0 when it does not open with one: the part that requests can share.
     */
    public int systemTurnLength(List<ChatMessage> conversation, int[] ids) {
        if (conversation.isEmpty() || conversation.getFirst().role() != ChatMessage.Role.SYSTEM) {
            return 0;
        }
        for (int i = 1; i < ids.length; i++) {
            if (ids[i] == endOfTurnId) {
                return i + 1;
            }
        }
        return 0;
    }

    /** A system turn (when the text is not blank) and a user turn. */
    public static List<ChatMessage> oneTurn(String system, String user) {
        Objects.requireNonNull(user, "user");
        return system == null || system.isBlank()
                ? List.of(ChatMessage.user(user))
                : List.of(ChatMessage.system(system), ChatMessage.user(user));
    }

    private static void checkConversation(List<ChatMessage> conversation) {
        Objects.requireNonNull(conversation, "conversation");
        if (conversation.isEmpty()) {
            throw new IllegalArgumentException("a conversation needs at least one message");
        }
        if (conversation.size() > MAX_MESSAGES) {
            throw new IllegalArgumentException("a conversation holds at most " + MAX_MESSAGES + " messages, got "
                    + conversation.size());
        }
        for (ChatMessage message : conversation) {
            Objects.requireNonNull(message, "message");
        }
    }

    /** Ids that end generation: {@code <|end_of_text|>} (when present) and {@code <|eot_id|>}. */
    public int[] stopTokenIds() {
        return stopTokenIds.clone();
    }

    /** True when {@code id} ends generation. */
    public boolean isStopToken(int id) {
        for (int stop : stopTokenIds) {
            if (stop == id) {
                return true;
            }
        }
        return false;
    }

    /** Growable int list without boxing. */
    private static final class IdBuffer {
        private int[] ids = new int[64];
        private int size;

        void add(int id) {
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size * 2);
            }
            ids[size++] = id;
        }

        void addAll(int[] more) {
            if (size + more.length > ids.length) {
                ids = Arrays.copyOf(ids, Math.max(ids.length * 2, size + more.length));
            }
            System.arraycopy(more, 0, ids, size, more.length);
            size += more.length;
        }

        int[] toArray() {
            return Arrays.copyOf(ids, size);
        }
    }
}

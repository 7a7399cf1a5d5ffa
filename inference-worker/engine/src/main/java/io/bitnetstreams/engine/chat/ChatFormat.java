package io.bitnetstreams.engine.chat;

import io.bitnetstreams.engine.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.Objects;

/**
 * The BitNet b1.58 2B4T chat prompt:
 * {@code <|begin_of_text|>System: {sys}<|eot_id|>User: {msg}<|eot_id|>Assistant: } with contents
 * trimmed and the system part left out when the system text is null or blank.
 *
 * <p>Control tokens are inserted by id only. The system and user texts go through
 * {@link Tokenizer#encode}, which treats special-token strings as plain text, so untrusted text
 * can never produce a control token. Immutable and thread-safe.
 */
public final class ChatFormat {

    public static final String BEGIN_OF_TEXT = "<|begin_of_text|>";
    public static final String END_OF_TEXT = "<|end_of_text|>";
    public static final String END_OF_TURN = "<|eot_id|>";

    private static final String SYSTEM_PREFIX = "System: ";
    private static final String USER_PREFIX = "User: ";
    private static final String ASSISTANT_PREFIX = "Assistant: ";

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
        Objects.requireNonNull(user, "user");
        IdBuffer ids = new IdBuffer();
        ids.add(beginOfTextId);
        if (system != null && !system.isBlank()) {
            ids.addAll(tokenizer.encode(SYSTEM_PREFIX + system.strip()));
            ids.add(endOfTurnId);
        }
        ids.addAll(tokenizer.encode(USER_PREFIX + user.strip()));
        ids.add(endOfTurnId);
        ids.addAll(tokenizer.encode(ASSISTANT_PREFIX));
        return ids.toArray();
    }

    /** The prompt as text (for logs and debugging); control tokens appear as their pieces. */
    public String renderPrompt(String system, String user) {
        Objects.requireNonNull(user, "user");
        StringBuilder text = new StringBuilder(BEGIN_OF_TEXT);
        if (system != null && !system.isBlank()) {
            text.append(SYSTEM_PREFIX).append(system.strip()).append(END_OF_TURN);
        }
        return text.append(USER_PREFIX).append(user.strip()).append(END_OF_TURN).append(ASSISTANT_PREFIX).toString();
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

package io.bitnetstreams.engine.tokenizer;

/**
 * Text to token ids and back. {@link #encode} treats its input as untrusted plain text: strings
 * that look like special tokens (e.g. {@code <|eot_id|>}) are tokenized as ordinary bytes and never
 * become control tokens. Control tokens are only ever added by id (see {@link #specialTokenId}).
 * Implementations are immutable and thread-safe.
 */
public interface Tokenizer {

    /** Encodes plain text without BOS; special-token strings inside it are plain text. */
    int[] encode(String text);

    /** The UTF-8 bytes one token stands for (empty for special tokens; possibly a partial character). */
    byte[] tokenBytes(int id);

    /** The token's text as stored in the vocabulary (e.g. {@code Ġworld}, {@code <|eot_id|>}). */
    String tokenPiece(int id);

    /**
     * Decodes ids to text, skipping special tokens (they render as empty text: chat markers never
     * leak into output); invalid UTF-8 becomes U+FFFD, one per maximal invalid subpart.
     *
     * @throws IllegalArgumentException for an id outside the vocabulary
     */
    String decode(int[] ids);

    int vocabularySize();

    boolean isSpecial(int id);

    /** The id of a special token such as {@code <|begin_of_text|>}, or -1 when there is none. */
    int specialTokenId(String piece);

    /** A fresh decoder for a stream of generated ids that never splits a multi-byte character. */
    StreamingDecoder streamingDecoder();
}

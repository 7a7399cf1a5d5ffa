package io.bitnetstreams.engine.tokenizer;

/**
 * Turns generated token ids into text as they arrive. Bytes of an incomplete UTF-8 sequence are
 * held back until the sequence completes, so no character is ever split. Not thread-safe: one per
 * sequence.
 */
public interface StreamingDecoder {

    /**
     * Accepts one id and returns the text that became complete (possibly empty). Special tokens
     * add no text; concatenating every result and {@link #flush()} equals decoding all ids at once.
     */
    String accept(int id);

    /** Returns whatever is held back, with U+FFFD for an incomplete trailing sequence. */
    String flush();
}

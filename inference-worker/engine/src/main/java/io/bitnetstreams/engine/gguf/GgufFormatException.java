package io.bitnetstreams.engine.gguf;

/**
 * The one exception for a GGUF file (or tensor bytes) that cannot be used: the message names the
 * problem and where it is (file, key or tensor, byte offset).
 */
public class GgufFormatException extends RuntimeException {

    public GgufFormatException(String message) {
        super(message);
    }

    public GgufFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

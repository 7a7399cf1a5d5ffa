package io.bitnetstreams.topology.app;

/** The application cannot start: the message says what is missing (cluster, registry, topics, tokenizer). */
public class StartupException extends RuntimeException {

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}

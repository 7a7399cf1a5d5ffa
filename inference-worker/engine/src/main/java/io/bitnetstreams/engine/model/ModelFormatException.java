package io.bitnetstreams.engine.model;

/** A model file whose metadata or tensors do not describe a runnable BitNet model; names the key or tensor. */
public class ModelFormatException extends RuntimeException {

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

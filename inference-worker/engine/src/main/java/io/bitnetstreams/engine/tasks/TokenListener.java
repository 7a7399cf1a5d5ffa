package io.bitnetstreams.engine.tasks;

/**
 * Receives generated text as it becomes safe to show (never a partial character or a possible
 * stop-string start). Called on the engine's scheduler thread: keep it short. Throwing cancels the
 * request.
 */
@FunctionalInterface
public interface TokenListener {

    TokenListener NONE = text -> { };

    void onText(String text);
}

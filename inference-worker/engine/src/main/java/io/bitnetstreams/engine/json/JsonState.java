package io.bitnetstreams.engine.json;

/**
 * An immutable automaton state: the top frame and the rest of the stack. Equal states accept equal
 * continuations, so states key the token-mask cache. {@link #COMPLETE} means a whole document.
 */
public record JsonState(JsonAutomaton.Frame top, JsonState below) {

    public static final JsonState COMPLETE = new JsonState(null, null);
}

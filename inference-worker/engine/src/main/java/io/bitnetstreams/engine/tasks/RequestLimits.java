package io.bitnetstreams.engine.tasks;

/**
 * The bounds on one request, each defined here once. The JSONL request parser (pipeline-contract), the topology's
 * request validator, the schema parser and the engine itself all refer to these constants, so a request one part
 * accepts is never refused by another for size. The table of every limit (these, the topology's configurable
 * document size and the record-size limit of the Kafka path) is in pipeline-contract/README.md, "Limits".
 */
public final class RequestLimits {

    /** Labels of one classification (the engine scores each label as a continuation of the prompt). */
    public static final int MAX_LABELS = 64;
    /** Characters of one label (also of one stop string). */
    public static final int MAX_LABEL_CHARS = 256;
    /** Tokens of one label, in the model's tokenizer. */
    public static final int MAX_LABEL_TOKENS = 64;
    /** Turns of one conversation, the system prompt included. */
    public static final int MAX_MESSAGES = 1024;
    /** Characters of one text the engine tokenizes (a chunk, a prompt, a message); longer documents are chunked first. */
    public static final int MAX_TEXT_CHARS = 1 << 20;
    /** Characters of an extraction's JSON Schema. */
    public static final int MAX_SCHEMA_CHARS = 64 * 1024;
    /** Nesting of an extraction's JSON Schema (every object property and array item is one level). */
    public static final int MAX_SCHEMA_DEPTH = 16;
    /** Schema nodes of an extraction's JSON Schema. */
    public static final int MAX_SCHEMA_NODES = 4096;
    /** Tokens one generation may ask for ({@code max_tokens}); the context may bound it further. */
    public static final int MAX_GENERATED_TOKENS = 2048;

    private RequestLimits() {
    }
}

package io.bitnetstreams.engine.tasks;

import io.bitnetstreams.engine.chat.ChatFormat;
import io.bitnetstreams.engine.chat.ChatMessage;
import io.bitnetstreams.engine.chat.StopStrings;
import io.bitnetstreams.engine.json.InvalidSchemaException;
import io.bitnetstreams.engine.json.JsonSchema;
import io.bitnetstreams.engine.json.JsonSchemaParser;
import io.bitnetstreams.engine.json.TokenMasker;
import io.bitnetstreams.engine.model.BatchedForward;
import io.bitnetstreams.engine.model.BitNetModel;
import io.bitnetstreams.engine.sampling.Sampler;
import io.bitnetstreams.engine.sampling.SamplingParams;
import io.bitnetstreams.engine.tokenizer.Tokenizer;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One engine for classification, extraction and generation, serving many concurrent requests on
 * one model with continuous batching. Thread-safe. This class is about what each task's sequence is:
 * requests are validated, put in the model's chat format and tokenized on the caller's thread
 * (invalid ones fail fast with {@link EngineException} reason INVALID_REQUEST) into a
 * {@link ClassificationSequence} or a {@link DecodingSequence}; how sequences are batched, admitted
 * against KV memory and stepped is the {@link BatchScheduler}'s business.
 *
 * <p>Futures complete on the scheduler thread: attach heavy work with the {@code *Async} methods.
 */
public final class InferenceEngine implements AutoCloseable {

    private static final int MAX_LABEL_TOKENS = TaskRules.MAX_LABEL_TOKENS;

    private final BitNetModel model;
    private final Tokenizer tokenizer;
    private final ChatFormat chat;
    private final EngineConfig config;
    private final PrefixCache prefixes;
    private final int context;
    private final Map<String, TokenMasker> maskers = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TokenMasker> eldest) {
            return size() > 32;
        }
    };

    private final BatchScheduler scheduler;

    public InferenceEngine(BitNetModel model, Tokenizer tokenizer, EngineConfig config) {
        this.model = model;
        BatchedForward forward = new BatchedForward(model);
        this.tokenizer = tokenizer;
        this.chat = new ChatFormat(tokenizer);
        this.config = config;
        this.prefixes = config.prefixCacheBytes() > 0
                ? new PrefixCache(config.prefixCacheBytes(), forward.bytesPerToken()) : null;
        this.context = model.config().contextLength();
        if (tokenizer.vocabularySize() > model.config().vocabSize()) {
            throw new IllegalArgumentException("tokenizer has " + tokenizer.vocabularySize()
                    + " tokens but the model only " + model.config().vocabSize());
        }
        this.scheduler = new BatchScheduler(forward, config, prefixes);
    }

    // ------------------------------------------------------------------ public API

    public CompletableFuture<ClassificationResult> classify(ClassificationRequest request) {
        return submit(() -> classification(request));
    }

    public CompletableFuture<ExtractionResult> extract(ExtractionRequest request) {
        return submit(() -> extraction(request));
    }

    public CompletableFuture<GenerationResult> generate(GenerationRequest request, TokenListener listener) {
        return submit(() -> generation(request, listener == null ? TokenListener.NONE : listener));
    }

    /**
     * Counters for monitoring and benchmarks. {@code decodeStepTokens} and {@code decodeStepNanos}
     * cover the steps in which every sequence was decoding (no prompt work): their ratio is the
     * aggregate decode rate, forward pass and sampling included. {@code stepSequences} sums the
     * sequences of every step: between two snapshots, its growth over the growth of {@code steps} is
     * the mean batch size of the steps run in between.
     */
    public record Stats(long steps, long stepTokens, int maxBatchSequences, int running, int queued,
                        long reservedKvBytes, int prefixEntries, long prefixHits, long prefixMisses,
                        long decodeStepTokens, long decodeStepNanos, long stepSequences) {

        /** Aggregate decode tokens per second over the decode-only steps so far (0 before any). */
        public double decodeTokensPerSecond() {
            return decodeStepNanos == 0 ? 0 : decodeStepTokens * 1e9 / decodeStepNanos;
        }
    }

    public Stats stats() {
        return scheduler.stats();
    }

    /** Stops the scheduler; running and queued requests fail with reason CLOSED. */
    @Override
    public void close() {
        scheduler.close();
    }

    // ------------------------------------------------------------------ request building

    private <T> CompletableFuture<T> submit(java.util.function.Supplier<Sequence> build) {
        Sequence sequence;
        try {
            sequence = build.get();
        } catch (EngineException e) {
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(
                    new EngineException(EngineException.Reason.INVALID_REQUEST, e.getMessage(), e));
        }
        return scheduler.submit(sequence);
    }

    private int[] checkPrompt(int[] tokens, int extra) {
        if (tokens.length + (long) extra > context) {
            throw new EngineException(EngineException.Reason.INVALID_REQUEST, "prompt of " + tokens.length
                    + " tokens plus " + extra + " more exceeds the context of " + context + " tokens");
        }
        return tokens;
    }

    /** The number of leading tokens of the chat prompt that belong to the system turn (0 without one). */
    private int systemBoundary(String system, int[] prompt) {
        if (system == null || system.isBlank()) {
            return 0;
        }
        int eot = tokenizer.specialTokenId(ChatFormat.END_OF_TURN);
        for (int i = 1; i < prompt.length; i++) {
            if (prompt[i] == eot) {
                return i + 1;
            }
        }
        return 0;
    }

    private Sequence classification(ClassificationRequest r) {
        String text = Requests.text(r.text(), "text");
        List<String> labels = r.labels();
        if (labels.isEmpty()) {
            throw new EngineException(EngineException.Reason.INVALID_REQUEST, "the label set is empty");
        }
        if (labels.size() > config.maxLabels()) {
            throw new EngineException(EngineException.Reason.INVALID_REQUEST, labels.size() + " labels; the limit is "
                    + config.maxLabels());
        }
        Set<String> seen = new HashSet<>();
        int eot = tokenizer.specialTokenId(ChatFormat.END_OF_TURN);
        int[][] labelTokens = new int[labels.size()][];
        long labelTotal = 0;
        for (int i = 0; i < labels.size(); i++) {
            String label = labels.get(i);
            if (label == null || label.isBlank() || !seen.add(label)) {
                throw new EngineException(EngineException.Reason.INVALID_REQUEST,
                        "labels must be non-blank and distinct: '" + label + "'");
            }
            int[] ids = tokenizer.encode(label);
            if (ids.length > MAX_LABEL_TOKENS) {
                throw new EngineException(EngineException.Reason.INVALID_REQUEST, "label '" + label.substring(0,
                        Math.min(40, label.length())) + "' has more than " + MAX_LABEL_TOKENS + " tokens");
            }
            // the end-of-turn token makes a label score "the answer is exactly this label"
            labelTokens[i] = java.util.Arrays.copyOf(ids, ids.length + 1);
            labelTokens[i][ids.length] = eot;
            labelTotal += labelTokens[i].length;
        }
        for (Map.Entry<String, Double> t : r.thresholds().entrySet()) {
            if (!seen.contains(t.getKey()) || t.getValue() == null || !(t.getValue() >= 0 && t.getValue() <= 1)) {
                throw new EngineException(EngineException.Reason.INVALID_REQUEST,
                        "threshold for '" + t.getKey() + "' must name a label and lie in [0, 1]");
            }
        }
        for (ClassificationRequest.Example e : r.examples()) {
            if (e == null || e.label() == null || !seen.contains(e.label())) {
                throw new EngineException(EngineException.Reason.INVALID_REQUEST, "every example needs one of the labels");
            }
            Requests.text(e.text(), "example text");
        }
        String system = classificationSystem(r);
        int[] prompt = chat.encodePrompt(system, text);
        checkPrompt(prompt, (int) Math.min(Integer.MAX_VALUE, labelTotal));
        PromptRun run = new PromptRun(model, prompt, systemBoundary(system, prompt), prefixes, prompt.length);
        return new ClassificationSequence(model, run, labels, labelTokens, r.multiLabel(), r.thresholds(),
                r.deadline(), prompt.length + labelTotal, config.stepTokenBudget());
    }

    /** The system turn of a classification prompt: instruction, label list, few-shot examples. */
    static String classificationSystem(ClassificationRequest r) {
        StringBuilder system = new StringBuilder(r.instruction() == null || r.instruction().isBlank()
                ? "Classify the text. Answer with exactly one label."
                : Requests.text(r.instruction(), "instruction").strip());
        system.append("\nLabels: ").append(String.join(", ", r.labels()));
        for (ClassificationRequest.Example e : r.examples()) {
            system.append("\n\nText: ").append(e.text().strip()).append("\nLabel: ").append(e.label());
        }
        return system.toString();
    }

    private Sequence extraction(ExtractionRequest r) {
        String text = Requests.text(r.text(), "text");
        Requests.positive(r.maxTokens(), "maxTokens");
        TokenMasker masker;
        String schemaText = Requests.text(r.schema(), "schema");
        synchronized (maskers) {
            masker = maskers.get(schemaText);
        }
        if (masker == null) {
            JsonSchema schema;
            try {
                schema = JsonSchemaParser.parse(schemaText);
            } catch (InvalidSchemaException e) {
                throw new EngineException(EngineException.Reason.INVALID_REQUEST, "invalid schema: " + e.getMessage(), e);
            }
            masker = new TokenMasker(schema, tokenizer);
            synchronized (maskers) {
                maskers.put(schemaText, masker);
            }
        }
        String system = r.instruction() == null || r.instruction().isBlank()
                ? "Extract the information from the text as JSON matching this JSON Schema: " + schemaText.strip()
                : Requests.text(r.instruction(), "instruction");
        int[] prompt = checkPrompt(chat.encodePrompt(system, text), 1);
        int maxTokens = Math.min(r.maxTokens(), context - prompt.length);
        PromptRun run = new PromptRun(model, prompt, systemBoundary(system, prompt), prefixes, prompt.length + maxTokens);
        return new DecodingSequence.Extraction(run, sampler(r.sampling()), maxTokens, r.deadline(),
                prompt.length + maxTokens, masker, tokenizer);
    }

    private Sequence generation(GenerationRequest r, TokenListener listener) {
        List<ChatMessage> conversation = conversation(r.conversation());
        Requests.positive(r.maxTokens(), "maxTokens");
        StopStrings stops = new StopStrings(r.stopStrings());
        int[] prompt = checkPrompt(chat.encodeConversation(conversation), 1);
        int maxTokens = Math.min(r.maxTokens(), context - prompt.length);
        PromptRun run = new PromptRun(model, prompt, chat.systemTurnLength(conversation, prompt), prefixes,
                prompt.length + maxTokens);
        return new DecodingSequence.Generation(run, sampler(r.sampling()), maxTokens, r.deadline(),
                prompt.length + maxTokens, tokenizer, chat.stopTokenIds(), stops, listener);
    }

    /** The conversation checked against the bounds on untrusted input. */
    private static List<ChatMessage> conversation(List<ChatMessage> conversation) {
        if (conversation.isEmpty()) {
            throw new EngineException(EngineException.Reason.INVALID_REQUEST, "user message is missing");
        }
        if (conversation.size() > ChatFormat.MAX_MESSAGES) {
            throw new EngineException(EngineException.Reason.INVALID_REQUEST, conversation.size()
                    + " messages; the limit is " + ChatFormat.MAX_MESSAGES);
        }
        for (ChatMessage message : conversation) {
            Requests.text(message.content(), message.role().name().toLowerCase(java.util.Locale.ROOT) + " message");
        }
        return conversation;
    }

    private static Sampler sampler(SamplingParams params) {
        return new Sampler(params == null ? SamplingParams.greedy() : params);
    }
}

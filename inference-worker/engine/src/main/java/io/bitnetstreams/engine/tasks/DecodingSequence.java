package io.bitnetstreams.engine.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import io.bitnetstreams.engine.chat.StopStrings;
import io.bitnetstreams.engine.json.JsonAutomaton;
import io.bitnetstreams.engine.json.JsonState;
import io.bitnetstreams.engine.json.PartialJson;
import io.bitnetstreams.engine.json.TokenMasker;
import io.bitnetstreams.engine.model.BatchedForward.Segment;
import io.bitnetstreams.engine.sampling.Sampler;
import io.bitnetstreams.engine.tokenizer.StreamingDecoder;
import io.bitnetstreams.engine.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Token-by-token decoding after a prompt: free generation (stop tokens, stop strings, streaming) or
 * constrained JSON extraction (a token mask per step from the schema automaton).
 */
abstract class DecodingSequence<R> extends Sequence {

    private final CompletableFuture<R> future = new CompletableFuture<>();
    final PromptRun prompt;
    final Sampler sampler;
    final int maxTokens;
    private final int[] history;
    private int historyLength;
    int generated;
    private int pendingToken = -1;

    DecodingSequence(PromptRun prompt, Sampler sampler, int maxTokens, Instant deadline, long reservedTokens) {
        super(deadline, reservedTokens);
        this.prompt = prompt;
        this.sampler = sampler;
        this.maxTokens = maxTokens;
        this.history = Arrays.copyOf(prompt.tokens(), prompt.tokens().length + maxTokens);
        this.historyLength = prompt.tokens().length;
    }

    @Override
    CompletableFuture<R> future() {
        return future;
    }

    @Override
    boolean decoding() {
        return pendingToken >= 0;
    }

    @Override
    int plan(int budget, boolean force, List<Segment> out) {
        if (pendingToken >= 0) {
            out.add(new Segment(prompt.shared(), prompt.own(), new int[] {pendingToken}, new int[] {0}));
            return 1;
        }
        Segment s = prompt.next(budget);
        if (s == null) {
            return 0;
        }
        out.add(s);
        return s.tokens().length;
    }

    @Override
    void consume(List<Segment> segments, float[][] logits) {
        if (pendingToken < 0) {
            prompt.completed(segments.getFirst(), logits[0]);
            if (!prompt.finished()) {
                return;
            }
            promptDone();
        }
        float[] row = logits[0];
        int token = choose(row);
        history[historyLength++] = token;
        generated++;
        pendingToken = accept(token) ? token : -1;
    }

    @Override
    void released() {
        prompt.abandon();
    }

    /** Picks the next token from the logits (may modify them). */
    abstract int choose(float[] logits);

    /** Takes the chosen token; returns false when the sequence has completed its future. */
    abstract boolean accept(int token);

    int[] history() {
        return history;
    }

    int historyLength() {
        return historyLength;
    }

    /** Free chat generation. */
    static final class Generation extends DecodingSequence<GenerationResult> {

        private static final Logger LOG = LoggerFactory.getLogger(Generation.class);

        private final Tokenizer tokenizer;
        private final int[] stopTokens;
        private final StopStrings stops;
        private final TokenListener listener;
        private final StreamingDecoder decoder;
        private final StringBuilder text = new StringBuilder();
        private int emitted;
        private final int[] ids;
        private int idCount;

        Generation(PromptRun prompt, Sampler sampler, int maxTokens, Instant deadline, long reservedTokens,
                   Tokenizer tokenizer, int[] stopTokens, StopStrings stops, TokenListener listener) {
            super(prompt, sampler, maxTokens, deadline, reservedTokens);
            this.tokenizer = tokenizer;
            this.stopTokens = stopTokens;
            this.stops = stops;
            this.listener = listener;
            this.decoder = tokenizer.streamingDecoder();
            this.ids = new int[maxTokens];
        }

        @Override
        int choose(float[] logits) {
            return sampler.sample(logits, history(), historyLength());
        }

        @Override
        boolean accept(int token) {
            for (int stop : stopTokens) {
                if (stop == token) {
                    text.append(decoder.flush());
                    return finish(text.length(), GenerationResult.FinishReason.STOP);
                }
            }
            ids[idCount++] = token;
            text.append(decoder.accept(token));
            int stopAt = stops.indexIn(text);
            if (stopAt >= 0) {
                return finish(stopAt, GenerationResult.FinishReason.STOP);
            }
            if (generated >= maxTokens) {
                text.append(decoder.flush());
                int end = stops.indexIn(text);
                return end >= 0 ? finish(end, GenerationResult.FinishReason.STOP)
                        : finish(text.length(), GenerationResult.FinishReason.LENGTH);
            }
            return emit(stops.safePrefixLength(text)) || finish(text.length(), GenerationResult.FinishReason.CANCELLED);
        }

        /** Streams text up to {@code end}; false when the listener failed. */
        private boolean emit(int end) {
            if (end > emitted) {
                String delta = text.substring(emitted, end);
                emitted = end;
                try {
                    listener.onText(delta);
                } catch (RuntimeException e) {
                    LOG.warn("token listener failed; cancelling the request", e);
                    return false;
                }
            }
            return true;
        }

        private boolean finish(int end, GenerationResult.FinishReason reason) {
            if (reason != GenerationResult.FinishReason.CANCELLED) {
                emit(end);
            }
            future().complete(new GenerationResult(text.substring(0, Math.min(end, text.length())),
                    Arrays.copyOf(ids, idCount), reason, stats(prompt.tokens().length, generated)));
            return false;
        }

        @Override
        void deadlineExceeded() {
            text.append(decoder.flush());
            int end = stops.indexIn(text);
            finish(end >= 0 ? end : text.length(), GenerationResult.FinishReason.DEADLINE);
        }

        void cancelByCaller() {
            finish(emitted, GenerationResult.FinishReason.CANCELLED);
        }
    }

    /** Constrained JSON extraction. */
    static final class Extraction extends DecodingSequence<ExtractionResult> {

        private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER =
                new com.fasterxml.jackson.databind.ObjectMapper();

        private final TokenMasker masker;
        private final Tokenizer tokenizer;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private JsonState state;

        Extraction(PromptRun prompt, Sampler sampler, int maxTokens, Instant deadline, long reservedTokens,
                   TokenMasker masker, Tokenizer tokenizer) {
            super(prompt, sampler, maxTokens, deadline, reservedTokens);
            this.masker = masker;
            this.tokenizer = tokenizer;
            this.state = masker.automaton().initial();
        }

        @Override
        int choose(float[] logits) {
            BitSet allowed = masker.allowed(state);
            if (allowed.isEmpty()) {
                throw new EngineException(EngineException.Reason.INTERNAL,
                        "no token of this vocabulary can continue the JSON document");
            }
            TokenMasker.applyMask(allowed, logits, 0, logits.length);
            int token = sampler.sample(logits, history(), historyLength());
            if (!allowed.get(token)) {
                token = allowed.nextSetBit(0); // never leave the schema, whatever the sampler does
            }
            return token;
        }

        @Override
        boolean accept(int token) {
            state = masker.advance(state, token);
            bytes.writeBytes(tokenizer.tokenBytes(token));
            if (JsonAutomaton.isComplete(state)) {
                future().complete(new ExtractionResult(parse(), ExtractionResult.Status.COMPLETE, generated,
                        stats(prompt.tokens().length, generated)));
                return false;
            }
            if (generated >= maxTokens) {
                truncate();
                return false;
            }
            return true;
        }

        private JsonNode parse() {
            try {
                return MAPPER.readTree(bytes.toByteArray());
            } catch (java.io.IOException e) {
                throw new EngineException(EngineException.Reason.INTERNAL, "constrained output did not parse", e);
            }
        }

        private void truncate() {
            future().complete(new ExtractionResult(PartialJson.close(bytes.toByteArray()),
                    ExtractionResult.Status.TRUNCATED, generated, stats(prompt.tokens().length, generated)));
        }

        @Override
        void deadlineExceeded() {
            truncate();
        }
    }
}

package io.bitnetstreams.standalone.engine;

import io.bitnetstreams.avro.ChatMessage;
import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.ExtractionOutput;
import io.bitnetstreams.avro.ExtractionStatus;
import io.bitnetstreams.avro.FewShotExample;
import io.bitnetstreams.avro.FinishReason;
import io.bitnetstreams.avro.GenerateTask;
import io.bitnetstreams.avro.GenerationOutput;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.kernel.InPlaceKernels;
import io.bitnetstreams.engine.model.BitNetModel;
import io.bitnetstreams.engine.model.GgufTokenizers;
import io.bitnetstreams.engine.sampling.SamplingParams;
import io.bitnetstreams.engine.tasks.ClassificationRequest;
import io.bitnetstreams.engine.tasks.ClassificationResult;
import io.bitnetstreams.engine.tasks.EngineConfig;
import io.bitnetstreams.engine.tasks.EngineException;
import io.bitnetstreams.engine.tasks.ExtractionRequest;
import io.bitnetstreams.engine.tasks.ExtractionResult;
import io.bitnetstreams.engine.tasks.GenerationRequest;
import io.bitnetstreams.engine.tasks.GenerationResult;
import io.bitnetstreams.engine.tasks.InferenceEngine;
import io.bitnetstreams.engine.tasks.TokenListener;
import io.bitnetstreams.engine.tokenizer.Tokenizer;
import io.bitnetstreams.worker.executor.TransientWorkException;
import io.bitnetstreams.worker.executor.WorkExecutor;
import io.bitnetstreams.worker.executor.WorkOutcome;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker's executor on the BitNet engine: work items become classification, extraction or generation requests
 * of one {@link InferenceEngine}, which batches everything in flight (continuous batching).
 */
public final class EngineWorkExecutor implements WorkExecutor {

    /** Generated-token bound of an extraction (the schema's own bounds usually end it sooner). */
    static final int EXTRACTION_MAX_TOKENS = 160;

    private final GgufFile file;
    private final ComputePool pool;
    private final Tokenizer tokenizer;
    private final InferenceEngine engine;
    private final String modelId;
    private final int capacity;
    private final AtomicInteger inFlight = new AtomicInteger();

    private EngineWorkExecutor(GgufFile file, ComputePool pool, Tokenizer tokenizer, InferenceEngine engine,
                               String modelId, int capacity) {
        this.file = file;
        this.pool = pool;
        this.tokenizer = tokenizer;
        this.engine = engine;
        this.modelId = modelId;
        this.capacity = capacity;
    }

    /** Loads the model; {@code memoryMb} bounds the KV caches (0 = the engine's default). */
    public static EngineWorkExecutor load(Path model, int threads, int capacity, long memoryMb) {
        GgufFile file = GgufFile.open(model);
        ComputePool pool = null;
        try {
            pool = new ComputePool(threads);
            BitNetModel bitnet = BitNetModel.load(file, new InPlaceKernels(), pool);
            Tokenizer tokenizer = GgufTokenizers.tokenizer(file.metadata());
            EngineConfig config = EngineConfig.defaults().withMaxQueued(Math.max(64, capacity));
            if (memoryMb > 0) {
                config = config.withKvPoolBytes(memoryMb << 20);
            }
            InferenceEngine engine = new InferenceEngine(bitnet, tokenizer, config);
            return new EngineWorkExecutor(file, pool, tokenizer, engine, model.getFileName().toString(), capacity);
        } catch (RuntimeException e) {
            if (pool != null) {
                pool.close();
            }
            file.close();
            throw e;
        }
    }

    @Override
    public CompletableFuture<WorkOutcome> submit(WorkItem item) {
        long submitted = System.nanoTime();
        Instant deadline = item.getDeadline();
        if (deadline != null && !deadline.isAfter(Instant.now())) {
            return CompletableFuture.completedFuture(WorkOutcome.expired("deadline passed before inference", 0));
        }
        inFlight.incrementAndGet();
        CompletableFuture<WorkOutcome> outcome;
        try {
            outcome = switch (item.getTask()) {
                case ClassifyTask task -> classify(item, task, deadline, submitted);
                case ExtractTask task -> extract(item, task, deadline, submitted);
                case GenerateTask task -> generate(item, task, deadline, submitted);
                default -> CompletableFuture.failedFuture(new IllegalArgumentException("unknown task " + item.getTask()));
            };
        } catch (RuntimeException e) {
            outcome = CompletableFuture.failedFuture(e);
        }
        return outcome.handle((result, failure) -> {
            inFlight.decrementAndGet();
            if (failure == null) {
                return result;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof EngineException engineFailure) {
                long waited = millisSince(submitted);
                return switch (engineFailure.reason()) {
                    case QUEUE_FULL -> throw new TransientWorkException(engineFailure.getMessage(), engineFailure);
                    case DEADLINE_EXCEEDED -> WorkOutcome.expired(engineFailure.getMessage(), waited);
                    default -> WorkOutcome.failed(engineFailure.getMessage(), waited, 0);
                };
            }
            throw cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
        });
    }

    private CompletableFuture<WorkOutcome> classify(WorkItem item, ClassifyTask task, Instant deadline, long submitted) {
        List<ClassificationRequest.Example> examples = new ArrayList<>();
        for (FewShotExample example : task.getExamples()) {
            examples.add(new ClassificationRequest.Example(example.getText(), example.getLabel()));
        }
        var request = new ClassificationRequest(item.getText(), task.getLabels(), task.getInstruction(), examples,
                task.getMultiLabel(), task.getThresholds(), deadline);
        int promptTokens = tokens(item.getText()) + tokens(task.getInstruction());
        // the "generated" tokens of a classification are the label tokens scored after the prompt
        int labelTokens = task.getLabels().stream().mapToInt(this::tokens).sum();
        return engine.classify(request).thenApply(result -> WorkOutcome.ok(classification(result), promptTokens,
                labelTokens, 0, millisSince(submitted), 1));
    }

    static ClassificationOutput classification(ClassificationResult result) {
        Map<String, Double> probabilities = new LinkedHashMap<>();
        Map<String, Double> logLikelihoods = new LinkedHashMap<>();
        for (ClassificationResult.LabelScore score : result.labels()) {
            probabilities.put(score.label(), score.probability());
            logLikelihoods.put(score.label(), score.logLikelihood());
        }
        List<String> selected = result.selected() == null || result.selected().isEmpty()
                ? List.of(result.label()) : result.selected();
        return new ClassificationOutput(probabilities, logLikelihoods, result.label(), selected);
    }

    private CompletableFuture<WorkOutcome> extract(WorkItem item, ExtractTask task, Instant deadline, long submitted) {
        var request = new ExtractionRequest(item.getText(), task.getJsonSchema(), task.getInstruction(),
                EXTRACTION_MAX_TOKENS, null, deadline);
        int promptTokens = tokens(item.getText()) + tokens(task.getInstruction());
        return engine.extract(request).thenApply(result -> WorkOutcome.ok(extraction(result), promptTokens,
                result.generatedTokens(), 0, millisSince(submitted), 1));
    }

    static ExtractionOutput extraction(ExtractionResult result) {
        return new ExtractionOutput(result.result().toString(),
                result.status() == ExtractionResult.Status.COMPLETE ? ExtractionStatus.COMPLETE : ExtractionStatus.TRUNCATED);
    }

    private CompletableFuture<WorkOutcome> generate(WorkItem item, GenerateTask task, Instant deadline, long submitted) {
        String user = userText(task, item.getText());
        SamplingParams sampling = task.getTemperature() <= 0 ? null : new SamplingParams(task.getTemperature(),
                task.getTopK(), task.getTopP(), 0f, 1f, 64, task.getSeed() == null ? System.nanoTime() : task.getSeed());
        var request = new GenerationRequest(task.getSystem(), user, sampling, task.getStop(), task.getMaxTokens(), deadline);
        int promptTokens = tokens(user) + tokens(task.getSystem());
        return engine.generate(request, TokenListener.NONE).thenApply(result -> WorkOutcome.ok(generation(result),
                promptTokens, result.tokens().length, 0, millisSince(submitted), 1));
    }

    /** The prompt, or the conversation flattened into one user turn (the engine serves one-turn chats). */
    static String userText(GenerateTask task, String text) {
        StringBuilder user = new StringBuilder();
        if (task.getMessages().isEmpty()) {
            user.append(task.getPrompt() == null ? "" : task.getPrompt());
        } else {
            for (ChatMessage message : task.getMessages()) {
                if (!user.isEmpty()) {
                    user.append('\n');
                }
                user.append(message.getRole().name().toLowerCase()).append(": ").append(message.getContent());
            }
        }
        if (text != null && !text.isBlank()) {
            user.append("\n\n").append(text);
        }
        return user.toString();
    }

    static GenerationOutput generation(GenerationResult result) {
        FinishReason reason = switch (result.finishReason()) {
            case STOP -> FinishReason.STOP;
            case LENGTH -> FinishReason.LENGTH;
            case CANCELLED -> FinishReason.CANCELLED;
            case DEADLINE -> FinishReason.DEADLINE;
        };
        return new GenerationOutput(result.text(), reason);
    }

    private int tokens(String text) {
        return text == null || text.isEmpty() ? 0 : tokenizer.encode(text).length;
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    @Override
    public int queueCapacity() {
        return capacity;
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public int queued() {
        return engine.stats().queued();
    }

    @Override
    public boolean ready() {
        return true;
    }

    @Override
    public String modelId() {
        return modelId;
    }

    @Override
    public void close() {
        engine.close();
        pool.close();
        file.close();
    }
}

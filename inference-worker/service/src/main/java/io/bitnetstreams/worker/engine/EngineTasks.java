package io.bitnetstreams.worker.engine;

import io.bitnetstreams.avro.ChatMessage;
import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.ExtractionOutput;
import io.bitnetstreams.avro.ExtractionStatus;
import io.bitnetstreams.avro.FinishReason;
import io.bitnetstreams.avro.GenerateTask;
import io.bitnetstreams.avro.GenerationOutput;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.engine.sampling.SamplingParams;
import io.bitnetstreams.engine.tasks.ClassificationRequest;
import io.bitnetstreams.engine.tasks.ClassificationResult;
import io.bitnetstreams.engine.tasks.ExtractionRequest;
import io.bitnetstreams.engine.tasks.ExtractionResult;
import io.bitnetstreams.engine.tasks.GenerationRequest;
import io.bitnetstreams.engine.tasks.GenerationResult;
import io.bitnetstreams.engine.tasks.RunStats;
import io.bitnetstreams.engine.tasks.TaskRules;
import io.bitnetstreams.worker.executor.EngineTimings;
import io.bitnetstreams.worker.executor.WorkOutcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Translation between the pipeline's Avro records and the engine's requests and results. Nothing is
 * recomputed here: the conversation comes from {@link TaskRules}, and counts, scores, selected labels and
 * timings are copied from what the engine returned.
 */
public final class EngineTasks {

    private EngineTasks() {
    }

    public static ClassificationRequest classification(WorkItem item, ClassifyTask task, Instant deadline) {
        return new ClassificationRequest(item.getText(), task.getLabels(), task.getInstruction(),
                task.getExamples().stream().map(e -> new ClassificationRequest.Example(e.getText(), e.getLabel())).toList(),
                task.getMultiLabel(), task.getThresholds(), deadline);
    }

    public static ExtractionRequest extraction(WorkItem item, ExtractTask task, int maxTokens, Instant deadline) {
        return new ExtractionRequest(item.getText(), task.getJsonSchema(), task.getInstruction(), maxTokens, null, deadline);
    }

    /** The whole conversation ({@link TaskRules#conversation}): system, then the messages or the text as the user turn. */
    public static GenerationRequest generation(WorkItem item, GenerateTask task, Instant deadline) {
        SamplingParams sampling = null;
        if (task.getTemperature() > 0) {
            sampling = SamplingParams.defaults(task.getSeed() == null ? item.getRequestId().hashCode() : task.getSeed())
                    .withTemperature(task.getTemperature()).withTopK(task.getTopK()).withTopP(task.getTopP());
        }
        return new GenerationRequest(conversation(task, item.getText()), sampling, task.getStop(), task.getMaxTokens(),
                deadline);
    }

    /** The engine's conversation for a generate task whose request text is {@code text}. */
    public static List<io.bitnetstreams.engine.chat.ChatMessage> conversation(GenerateTask task, String text) {
        return TaskRules.conversation(task.getSystem(), messages(task.getMessages()), task.getPrompt(), text);
    }

    static List<io.bitnetstreams.engine.chat.ChatMessage> messages(List<ChatMessage> messages) {
        List<io.bitnetstreams.engine.chat.ChatMessage> turns = new ArrayList<>(messages.size());
        for (ChatMessage message : messages) {
            turns.add(new io.bitnetstreams.engine.chat.ChatMessage(
                    io.bitnetstreams.engine.chat.ChatMessage.Role.valueOf(message.getRole().name().toUpperCase(Locale.ROOT)),
                    message.getContent()));
        }
        return turns;
    }

    /** The engine's result as a work outcome: output, token counts and timings exactly as the engine reported them. */
    public static WorkOutcome outcome(Object result, long queuedMs, long inferenceMs, int batchSize) {
        return switch (result) {
            case ClassificationResult r -> {
                Map<String, Double> probabilities = new LinkedHashMap<>();
                Map<String, Double> logLikelihoods = new LinkedHashMap<>();
                r.labels().forEach(s -> {
                    probabilities.put(s.label(), s.probability());
                    logLikelihoods.put(s.label(), s.logLikelihood());
                });
                yield ok(ClassificationOutput.newBuilder().setProbabilities(probabilities).setLogLikelihoods(logLikelihoods)
                        .setArgmax(r.label()).setSelectedLabels(new ArrayList<>(r.selected())).build(), r.stats(),
                        queuedMs, inferenceMs, batchSize);
            }
            case ExtractionResult r -> ok(ExtractionOutput.newBuilder().setJson(r.result().toString())
                    .setStatus(r.status() == ExtractionResult.Status.COMPLETE ? ExtractionStatus.COMPLETE : ExtractionStatus.TRUNCATED)
                    .build(), r.stats(), queuedMs, inferenceMs, batchSize);
            case GenerationResult r -> ok(GenerationOutput.newBuilder().setText(r.text())
                    .setFinishReason(FinishReason.valueOf(r.finishReason().name())).build(), r.stats(), queuedMs, inferenceMs, batchSize);
            default -> throw new IllegalStateException("unexpected engine result " + result.getClass().getName());
        };
    }

    private static WorkOutcome ok(org.apache.avro.specific.SpecificRecord output, RunStats stats, long queuedMs,
                                  long inferenceMs, int batchSize) {
        EngineTimings timings = new EngineTimings(stats.queued().toMillis(), stats.prefill().toMillis(),
                stats.decode().toMillis());
        return WorkOutcome.ok(output, stats.promptTokens(), stats.generatedTokens(), queuedMs, inferenceMs, batchSize)
                .withEngineTimings(timings);
    }
}

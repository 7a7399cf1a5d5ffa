package io.bitnetstreams.worker.executor;

import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ExtractionOutput;
import io.bitnetstreams.avro.GenerationOutput;
import io.bitnetstreams.avro.WorkStatus;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * How one work item ended in the executor.
 *
 * @param status          OK, FAILED, EXPIRED or CANCELLED
 * @param output          the task output (one of ClassificationOutput, ExtractionOutput, GenerationOutput) when OK
 * @param error           what went wrong when not OK
 * @param promptTokens    tokens read
 * @param generatedTokens tokens produced or scored
 * @param queuedMs        time between submission and start of inference
 * @param inferenceMs     time spent in inference
 * @param batchSize       how many items ran together with this one (1 = alone)
 * @param engineTimings   the engine's own split of the inference time ({@link EngineTimings#NONE} without one)
 */
public record WorkOutcome(WorkStatus status, SpecificRecord output, String error, int promptTokens,
                          int generatedTokens, long queuedMs, long inferenceMs, int batchSize,
                          EngineTimings engineTimings) {

    public WorkOutcome(WorkStatus status, SpecificRecord output, String error, int promptTokens, int generatedTokens,
                       long queuedMs, long inferenceMs, int batchSize) {
        this(status, output, error, promptTokens, generatedTokens, queuedMs, inferenceMs, batchSize, EngineTimings.NONE);
    }

    public WorkOutcome {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(engineTimings, "engineTimings");
        if (status == WorkStatus.OK) {
            if (!(output instanceof ClassificationOutput || output instanceof ExtractionOutput || output instanceof GenerationOutput)) {
                throw new IllegalArgumentException("OK outcome needs a task output, got " + output);
            }
        } else if (error == null || error.isBlank()) {
            throw new IllegalArgumentException(status + " outcome needs an error message");
        }
    }

    public static WorkOutcome ok(SpecificRecord output, int promptTokens, int generatedTokens, long queuedMs, long inferenceMs, int batchSize) {
        return new WorkOutcome(WorkStatus.OK, output, null, promptTokens, generatedTokens, queuedMs, inferenceMs, batchSize);
    }

    /** This outcome with the engine's timings. */
    public WorkOutcome withEngineTimings(EngineTimings timings) {
        return new WorkOutcome(status, output, error, promptTokens, generatedTokens, queuedMs, inferenceMs, batchSize, timings);
    }

    public static WorkOutcome failed(String error, long queuedMs, long inferenceMs) {
        return new WorkOutcome(WorkStatus.FAILED, null, error, 0, 0, queuedMs, inferenceMs, 0);
    }

    public static WorkOutcome expired(String error, long queuedMs) {
        return new WorkOutcome(WorkStatus.EXPIRED, null, error, 0, 0, queuedMs, 0, 0);
    }
}

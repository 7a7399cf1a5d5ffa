package io.bitnetstreams.launcher.client;

import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.GenerateTask;
import io.bitnetstreams.avro.InferenceRequest;
import java.time.Instant;
import java.util.Map;

/** Turns a validated {@link RequestSpec} into the Avro request the topology consumes. */
public final class RequestMapper {

    public static final String TENANT = "standalone";

    private RequestMapper() {
    }

    /** {@code key} is the Kafka request id (the caller's id, possibly with a run prefix). */
    public static InferenceRequest toAvro(String key, RequestSpec spec, Instant now) {
        Object task = switch (spec.task()) {
            case CLASSIFY -> ClassifyTask.newBuilder().setLabels(spec.labels()).setInstruction(spec.instruction()).build();
            case EXTRACT -> ExtractTask.newBuilder().setJsonSchema(spec.schema()).setInstruction(spec.instruction()).build();
            case GENERATE -> GenerateTask.newBuilder().setPrompt(spec.prompt()).setSystem(spec.system())
                    .setMaxTokens(spec.maxTokens()).build();
        };
        return InferenceRequest.newBuilder()
                .setRequestId(key)
                .setTenant(TENANT)
                .setCreatedAt(now)
                .setDeadline(spec.deadlineMs() > 0 ? now.plusMillis(spec.deadlineMs()) : null)
                .setTask(task)
                .setText(spec.text())
                .setMetadata(Map.of("id", spec.id(), "line", Integer.toString(spec.line())))
                .build();
    }
}

package io.bitnetstreams.contract.request;

import io.bitnetstreams.avro.ChatMessage;
import io.bitnetstreams.avro.ChatRole;
import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.GenerateTask;
import io.bitnetstreams.avro.InferenceRequest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns a validated {@link RequestSpec} into the Avro request the topology consumes. */
public final class RequestMapper {

    public static final String TENANT = "standalone";

    private RequestMapper() {
    }

    /** {@code key} is the Kafka request id (the caller's id, possibly with a run prefix). */
    public static InferenceRequest toAvro(String key, RequestSpec spec, Instant now) {
        return toAvro(key, spec, TENANT, now, Map.of("id", spec.id(), "line", Integer.toString(spec.line())));
    }

    /** As {@link #toAvro(String, RequestSpec, Instant)} for {@code tenant}, with {@code metadata} carried to the result. */
    public static InferenceRequest toAvro(String key, RequestSpec spec, String tenant, Instant now,
            Map<String, String> metadata) {
        Object task = switch (spec.task()) {
            case CLASSIFY -> ClassifyTask.newBuilder().setLabels(spec.labels()).setInstruction(spec.instruction()).build();
            case EXTRACT -> ExtractTask.newBuilder().setJsonSchema(spec.schema()).setInstruction(spec.instruction()).build();
            case GENERATE -> GenerateTask.newBuilder().setPrompt(spec.prompt()).setSystem(spec.system())
                    .setMessages(messages(spec)).setMaxTokens(spec.maxTokens()).build();
        };
        return InferenceRequest.newBuilder()
                .setRequestId(key)
                .setTenant(tenant)
                .setCreatedAt(now)
                .setDeadline(spec.deadlineMs() > 0 ? now.plusMillis(spec.deadlineMs()) : null)
                .setTask(task)
                .setText(spec.text())
                .setMetadata(new LinkedHashMap<>(metadata))
                .build();
    }

    private static List<ChatMessage> messages(RequestSpec spec) {
        return spec.messages().stream()
                .map(m -> new ChatMessage(ChatRole.valueOf(m.role().name()), m.content()))
                .toList();
    }
}

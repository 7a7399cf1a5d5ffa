package io.bitnetstreams.topology.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ExtractionOutput;
import io.bitnetstreams.avro.ExtractionStatus;
import io.bitnetstreams.avro.FinishReason;
import io.bitnetstreams.avro.GenerationOutput;
import io.bitnetstreams.avro.ReassemblyState;
import io.bitnetstreams.avro.Usage;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.avro.WorkStatus;
import io.bitnetstreams.avro.WorkTimings;
import io.bitnetstreams.contract.TaskKind;
import io.bitnetstreams.contract.results.PendingRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde of the pending store: a {@link PendingRequest} as the Avro record {@link ReassemblyState} in Avro's
 * single-object encoding (magic bytes, schema fingerprint, binary), so the workers' answers are kept as the
 * {@link WorkResult}s they sent. Values written by earlier versions as JSON are still read.
 */
public final class PendingRequestSerde implements Serde<PendingRequest> {

    /** Schemas of {@link ReassemblyState} earlier versions wrote (1: before {@code workerPublishes}). */
    static final List<String> EARLIER_SCHEMAS = List.of("ReassemblyState-1.avsc");

    /**
     * Reads the current schema and every earlier one (single-object encoding names the writer's schema by its
     * fingerprint, so a value written before a field was added is read with the new field's default).
     */
    private static final BinaryMessageDecoder<ReassemblyState> DECODER = decoder();

    private static BinaryMessageDecoder<ReassemblyState> decoder() {
        var decoder = new BinaryMessageDecoder<ReassemblyState>(SpecificData.getForClass(ReassemblyState.class),
                ReassemblyState.getClassSchema());
        for (String earlier : EARLIER_SCHEMAS) {
            try (var in = PendingRequestSerde.class.getResourceAsStream(earlier)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + earlier);
                }
                decoder.addSchema(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + earlier, e);
            }
        }
        return decoder;
    }

    @Override
    public Serializer<PendingRequest> serializer() {
        return (topic, value) -> {
            if (value == null) {
                return null;
            }
            try {
                ByteBuffer buffer = toAvro(value).toByteBuffer();
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                return bytes;
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("cannot write the pending state of " + value.requestId(), e);
            }
        };
    }

    @Override
    public Deserializer<PendingRequest> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                if (bytes.length > 0 && bytes[0] == '{') {
                    return LegacyJson.read(bytes);
                }
                return fromAvro(DECODER.decode(ByteBuffer.wrap(bytes)));
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("cannot read a pending request", e);
            }
        };
    }

    static ReassemblyState toAvro(PendingRequest request) {
        return ReassemblyState.newBuilder()
                .setRequestId(request.requestId())
                .setTenant(request.tenant())
                .setKind(request.kind().name())
                .setCreatedAt(Instant.ofEpochMilli(request.createdAt()))
                .setAcceptedAt(Instant.ofEpochMilli(request.acceptedAt()))
                .setDeadline(Instant.ofEpochMilli(request.deadline()))
                .setChunkTokens(new ArrayList<>(request.chunkTokens()))
                .setLabels(new ArrayList<>(request.labels()))
                .setMultiLabel(request.multiLabel())
                .setThresholds(new LinkedHashMap<>(request.thresholds()))
                .setMetadata(new LinkedHashMap<>(request.metadata()))
                .setAnswers(new ArrayList<>(request.answers().values()))
                .setWorkerPublishes(request.workerPublishes())
                .build();
    }

    static PendingRequest fromAvro(ReassemblyState state) {
        TreeMap<Integer, WorkResult> answers = new TreeMap<>();
        for (WorkResult answer : state.getAnswers()) {
            answers.putIfAbsent(answer.getChunkIndex(), answer);
        }
        return new PendingRequest(state.getRequestId(), state.getTenant(), TaskKind.valueOf(state.getKind()),
                state.getCreatedAt().toEpochMilli(), state.getAcceptedAt().toEpochMilli(),
                state.getDeadline().toEpochMilli(), List.copyOf(state.getChunkTokens()), List.copyOf(state.getLabels()),
                state.getMultiLabel(), Map.copyOf(state.getThresholds()), Map.copyOf(state.getMetadata()), answers,
                state.getWorkerPublishes());
    }

    /**
     * The JSON form earlier versions wrote (answers reduced to a hand-made mirror): read so that requests in
     * flight across an upgrade still finish; their answers become the work results they stood for.
     */
    static final class LegacyJson {

        private static final ObjectMapper MAPPER = new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

        record Answer(boolean ok, String error, Map<String, Double> probabilities, Map<String, Double> logLikelihoods,
                      String json, boolean complete, String text, String finishReason, int promptTokens,
                      int generatedTokens, String modelId) {}

        record Pending(String requestId, String tenant, TaskKind kind, long createdAt, long acceptedAt, long deadline,
                       List<Integer> chunkTokens, List<String> labels, boolean multiLabel,
                       Map<String, Double> thresholds, Map<String, String> metadata, TreeMap<Integer, Answer> answers) {}

        private LegacyJson() {
        }

        static PendingRequest read(byte[] bytes) throws IOException {
            Pending old = MAPPER.readValue(bytes, Pending.class);
            TreeMap<Integer, WorkResult> answers = new TreeMap<>();
            int chunks = old.chunkTokens().size();
            if (old.answers() != null) {
                old.answers().forEach((index, answer) -> answers.put(index, workResult(old, index, chunks, answer)));
            }
            return new PendingRequest(old.requestId(), old.tenant(), old.kind(), old.createdAt(), old.acceptedAt(),
                    old.deadline(), old.chunkTokens(), old.labels() == null ? List.of() : old.labels(), old.multiLabel(),
                    old.thresholds() == null ? Map.of() : old.thresholds(),
                    old.metadata() == null ? Map.of() : old.metadata(), answers, false);
        }

        private static WorkResult workResult(Pending request, int index, int chunks, Answer answer) {
            Object output = !answer.ok() ? null : switch (request.kind()) {
                case CLASSIFY -> new ClassificationOutput(answer.probabilities(), answer.logLikelihoods() == null
                        ? Map.of() : answer.logLikelihoods(), "", List.of());
                case EXTRACT -> new ExtractionOutput(answer.json(),
                        answer.complete() ? ExtractionStatus.COMPLETE : ExtractionStatus.TRUNCATED);
                case GENERATE -> new GenerationOutput(answer.text(), answer.finishReason() == null ? FinishReason.STOP
                        : FinishReason.valueOf(answer.finishReason()));
            };
            return WorkResult.newBuilder()
                    .setRequestId(request.requestId()).setChunkIndex(index).setChunkCount(chunks)
                    .setStatus(answer.ok() ? WorkStatus.OK : WorkStatus.FAILED)
                    .setOutput(output)
                    .setError(answer.ok() ? null : answer.error() == null ? "failed" : answer.error())
                    .setUsage(new Usage(answer.promptTokens(), answer.generatedTokens()))
                    .setTimings(WorkTimings.newBuilder().build())
                    .setWorkerId("")
                    .setModelId(answer.modelId() == null ? "" : answer.modelId())
                    .setCompletedAt(Instant.ofEpochMilli(request.acceptedAt()))
                    .build();
        }
    }
}

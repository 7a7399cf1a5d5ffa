package io.bitnetstreams.schemas;

import io.bitnetstreams.avro.ChatMessage;
import io.bitnetstreams.avro.ChatRole;
import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.DeadLetterReason;
import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.ExtractionOutput;
import io.bitnetstreams.avro.ExtractionResult;
import io.bitnetstreams.avro.ExtractionStatus;
import io.bitnetstreams.avro.FewShotExample;
import io.bitnetstreams.avro.FinishReason;
import io.bitnetstreams.avro.GenerateTask;
import io.bitnetstreams.avro.GenerationOutput;
import io.bitnetstreams.avro.GenerationResult;
import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.avro.ResultStatus;
import io.bitnetstreams.avro.Usage;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.avro.WorkStatus;
import io.bitnetstreams.avro.WorkTimings;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One fully populated record of every top-level type, exercising every union branch at least once overall. */
public final class SampleRecords {

    private static final Instant CREATED = Instant.parse("2026-11-21T05:00:00.123Z");
    private static final Instant DONE = Instant.parse("2026-11-21T05:00:02.456Z");

    private SampleRecords() {}

    public static List<SpecificRecord> all() {
        return List.of(classifyRequest(), generateWorkItem(), extractionWorkResult(), classificationResult(),
                extractionResult(), generationResult(), deadLetter());
    }

    public static InferenceRequest classifyRequest() {
        return InferenceRequest.newBuilder()
                .setRequestId("req-1").setTenant("acme").setCreatedAt(CREATED).setDeadline(DONE).setPriority(5)
                .setTask(ClassifyTask.newBuilder()
                        .setLabels(List.of("billing", "support", "sales"))
                        .setInstruction("Route the ticket.")
                        .setExamples(List.of(new FewShotExample("Refund please", "billing")))
                        .setMultiLabel(true)
                        .setThresholds(Map.of("billing", 0.4, "sales", 0.7))
                        .build())
                .setText("My invoice is wrong — ünïcödé too.")
                .setMetadata(Map.of("channel", "email"))
                .build();
    }

    public static WorkItem generateWorkItem() {
        return WorkItem.newBuilder()
                .setRequestId("req-2").setTenant("acme").setChunkIndex(0).setChunkCount(1)
                .setTask(GenerateTask.newBuilder()
                        .setPrompt(null)
                        .setMessages(List.of(new ChatMessage(ChatRole.USER, "Write a haiku about Kafka.")))
                        .setSystem("Be brief.").setMaxTokens(64).setTemperature(0.7f).setTopK(40).setTopP(0.9f)
                        .setSeed(42L).setStop(List.of("\n\n"))
                        .build())
                .setText("").setPriority(0).setDeadline(null).setAttempt(1).setCreatedAt(CREATED)
                .setTraceId("trace-2").setMetadata(Map.of())
                .build();
    }

    public static WorkResult extractionWorkResult() {
        return WorkResult.newBuilder()
                .setRequestId("req-3").setChunkIndex(2).setChunkCount(3).setStatus(WorkStatus.OK)
                .setOutput(new ExtractionOutput("{\"total\":12.5}", ExtractionStatus.COMPLETE))
                .setError(null).setUsage(new Usage(812, 14)).setTimings(new WorkTimings(15L, 930L, 3L, 400L, 520L))
                .setWorkerId("worker-a").setModelId("bitnet-b1.58-2b4t").setCompletedAt(DONE)
                .build();
    }

    public static ClassificationResult classificationResult() {
        return ClassificationResult.newBuilder()
                .setRequestId("req-1").setTenant("acme").setStatus(ResultStatus.PARTIAL)
                .setOutput(ClassificationOutput.newBuilder()
                        .setProbabilities(Map.of("billing", 0.81, "support", 0.15, "sales", 0.04))
                        .setLogLikelihoods(Map.of("billing", -0.21, "support", -1.9, "sales", -3.2))
                        .setArgmax("billing").setSelectedLabels(List.of("billing"))
                        .build())
                .setError("chunk 2 expired").setChunksAnswered(2).setChunksTotal(3).setUsage(new Usage(2000, 6))
                .setCreatedAt(CREATED).setCompletedAt(DONE).setModelId("bitnet-b1.58-2b4t").setMetadata(Map.of("k", "v"))
                .build();
    }

    public static ExtractionResult extractionResult() {
        return ExtractionResult.newBuilder()
                .setRequestId("req-3").setTenant("acme").setStatus(ResultStatus.DONE)
                .setOutput(new ExtractionOutput("{\"total\":12.5,\"currency\":\"EUR\"}", ExtractionStatus.TRUNCATED))
                .setError(null).setChunksAnswered(3).setChunksTotal(3).setUsage(new Usage(2400, 40))
                .setCreatedAt(CREATED).setCompletedAt(DONE).setModelId("bitnet-b1.58-2b4t").setMetadata(Map.of())
                .build();
    }

    public static GenerationResult generationResult() {
        return GenerationResult.newBuilder()
                .setRequestId("req-2").setTenant("acme").setStatus(ResultStatus.FAILED)
                .setOutput(new GenerationOutput("Logs flow like streams", FinishReason.DEADLINE))
                .setError("deadline passed").setChunksAnswered(0).setChunksTotal(1).setUsage(new Usage(20, 5))
                .setCreatedAt(CREATED).setCompletedAt(DONE).setModelId("bitnet-b1.58-2b4t").setMetadata(Map.of())
                .build();
    }

    public static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setReason(DeadLetterReason.UNKNOWN_SCHEMA_ID).setMessage("schema id 99 is not known")
                .setOriginalKey(ByteBuffer.wrap(new byte[] {'k'}))
                .setOriginalValue(ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 99, 1, 2}))
                .setSourceTopic("requests").setSourcePartition(3).setSourceOffset(1234567890123L)
                .setStage("topology.validate").setRequestId(null).setFailedAt(DONE)
                .build();
    }
}

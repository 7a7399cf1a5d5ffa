package io.bitnetstreams.launcher.client;

import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.DeadLetterReason;
import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.ExtractionOutput;
import io.bitnetstreams.avro.ExtractionResult;
import io.bitnetstreams.avro.ExtractionStatus;
import io.bitnetstreams.avro.FinishReason;
import io.bitnetstreams.avro.GenerateTask;
import io.bitnetstreams.avro.GenerationOutput;
import io.bitnetstreams.avro.GenerationResult;
import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.avro.ResultStatus;
import io.bitnetstreams.avro.Usage;
import io.bitnetstreams.contract.TaskKind;
import io.bitnetstreams.contract.request.RequestMapper;
import io.bitnetstreams.contract.request.RequestSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

class MappersTest {

    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

    @Test
    void requestsCarryTheirTaskDeadlineAndOrigin() {
        RequestSpec classify = new RequestSpec("a", TaskKind.CLASSIFY, "text", List.of("x", "y"), "Pick one", null, null,
                null, 0, 1500, 4);
        InferenceRequest request = RequestMapper.toAvro("run-1-a", classify, NOW);

        assertThat(request.getRequestId()).isEqualTo("run-1-a");
        assertThat(request.getDeadline()).isEqualTo(NOW.plusMillis(1500));
        assertThat(request.getText()).isEqualTo("text");
        assertThat(request.getMetadata()).containsEntry("id", "a").containsEntry("line", "4");
        assertThat(request.getTask()).isInstanceOfSatisfying(ClassifyTask.class, task -> {
            assertThat(task.getLabels()).containsExactly("x", "y");
            assertThat(task.getInstruction()).isEqualTo("Pick one");
        });

        InferenceRequest extract = RequestMapper.toAvro("b", RequestSpec.extract("b", "t", "{\"type\":\"object\"}", 1), NOW);
        assertThat(extract.getDeadline()).isNull();
        assertThat(((ExtractTask) extract.getTask()).getJsonSchema()).isEqualTo("{\"type\":\"object\"}");

        RequestSpec generate = new RequestSpec("g", TaskKind.GENERATE, "", List.of(), null, null, "sys", "prompt", 12, 0, 2);
        GenerateTask task = (GenerateTask) RequestMapper.toAvro("g", generate, NOW).getTask();
        assertThat(task.getPrompt()).isEqualTo("prompt");
        assertThat(task.getSystem()).isEqualTo("sys");
        assertThat(task.getMaxTokens()).isEqualTo(12);

        RequestSpec byText = new RequestSpec("t", TaskKind.GENERATE, "Write one sentence.", List.of(), null, null, null,
                null, 12, 0, 3);
        InferenceRequest textRequest = RequestMapper.toAvro("t", byText, NOW);
        assertThat(textRequest.getText()).isEqualTo("Write one sentence.");
        assertThat(((GenerateTask) textRequest.getTask()).getPrompt()).isNull();

        RequestSpec byMessages = new RequestSpec("m", TaskKind.GENERATE, "", List.of(), null, null, "sys", null, 12, 0, 4,
                List.of(io.bitnetstreams.engine.chat.ChatMessage.user("Hi"),
                        io.bitnetstreams.engine.chat.ChatMessage.assistant("Hello"),
                        io.bitnetstreams.engine.chat.ChatMessage.user("Bye")));
        GenerateTask chat = (GenerateTask) RequestMapper.toAvro("m", byMessages, NOW).getTask();
        assertThat(chat.getMessages()).extracting(m -> m.getRole().name() + ":" + m.getContent())
                .containsExactly("USER:Hi", "ASSISTANT:Hello", "USER:Bye");
    }

    @Test
    void finalRecordsBecomeEndings() {
        var classification = ClassificationResult.newBuilder().setRequestId("a").setTenant("t").setStatus(ResultStatus.DONE)
                .setOutput(new ClassificationOutput(Map.of("x", 0.25, "y", 0.75), Map.of("x", -2.0, "y", -1.0), "y", List.of("y")))
                .setChunksAnswered(1).setChunksTotal(1).setUsage(new Usage(30, 2)).setCreatedAt(NOW).setCompletedAt(NOW)
                .setModelId("m").build();
        Ending ending = ResultMapper.toEnding(classification);
        assertThat(ResultMapper.requestId(classification)).contains("a");
        assertThat(ending.status()).isEqualTo(OutcomeStatus.DONE);
        assertThat(ending.summary()).isEqualTo("y (p=0.75)");
        assertThat(ending.result().get("output").get("probabilities").get("x").asDouble()).isEqualTo(0.25);
        assertThat(ending.promptTokens()).isEqualTo(30);
        assertThat(ending.generatedTokens()).isEqualTo(2);

        var extraction = ExtractionResult.newBuilder().setRequestId("b").setTenant("t").setStatus(ResultStatus.PARTIAL)
                .setOutput(new ExtractionOutput("{\"total\":4}", ExtractionStatus.COMPLETE)).setError("chunk 2 failed")
                .setChunksAnswered(1).setChunksTotal(2).setUsage(new Usage(10, 5)).setCreatedAt(NOW).setCompletedAt(NOW)
                .setModelId("m").build();
        Ending partial = ResultMapper.toEnding(extraction);
        assertThat(partial.status()).isEqualTo(OutcomeStatus.PARTIAL);
        assertThat(partial.result().get("output").get("json").get("total").asInt()).isEqualTo(4);
        assertThat(partial.summary()).contains("[1/2 chunks: chunk 2 failed]");
        assertThat(partial.reason()).isEqualTo("chunk 2 failed");

        var failed = GenerationResult.newBuilder().setRequestId("g").setTenant("t").setStatus(ResultStatus.FAILED)
                .setOutput(null).setError("engine closed").setChunksAnswered(0).setChunksTotal(1)
                .setUsage(new Usage(0, 0)).setCreatedAt(NOW).setCompletedAt(NOW).setModelId("m").build();
        assertThat(ResultMapper.toEnding(failed).status()).isEqualTo(OutcomeStatus.FAILED);
        assertThat(ResultMapper.toEnding(failed).summary()).isEqualTo("failed: engine closed");

        var generated = GenerationResult.newBuilder(failed).setStatus(ResultStatus.DONE).setError(null)
                .setOutput(new GenerationOutput("hello", FinishReason.STOP)).build();
        assertThat(ResultMapper.toEnding(generated).summary()).isEqualTo("\"hello\" (STOP)");

        var letter = DeadLetter.newBuilder().setReason(DeadLetterReason.PROMPT_TOO_LONG).setMessage("needs 5000 tokens")
                .setSourceTopic("bitnet.requests").setSourcePartition(0).setSourceOffset(3).setStage("topology.validate")
                .setRequestId("g2").setFailedAt(NOW).build();
        assertThat(ResultMapper.requestId(letter)).contains("g2");
        assertThat(ResultMapper.toEnding(letter).status()).isEqualTo(OutcomeStatus.DEAD_LETTER);
        assertThat(ResultMapper.toEnding(letter).reason()).isEqualTo("PROMPT_TOO_LONG: needs 5000 tokens");
        assertThat(ResultMapper.requestId(DeadLetter.newBuilder(letter).setRequestId(null).build())).isEmpty();
    }
}

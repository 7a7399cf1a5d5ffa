package io.bitnetstreams.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.avro.ChatMessage;
import io.bitnetstreams.avro.ChatRole;
import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.GenerateTask;
import io.bitnetstreams.avro.GenerationOutput;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkStatus;
import io.bitnetstreams.contract.config.ConfigException;
import io.bitnetstreams.engine.chat.ChatFormat;
import io.bitnetstreams.engine.gguf.GgmlType;
import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.model.GgufTokenizers;
import io.bitnetstreams.engine.synth.SyntheticModelWriter;
import io.bitnetstreams.engine.synth.SyntheticSpec;
import io.bitnetstreams.engine.tokenizer.Tokenizer;
import io.bitnetstreams.engine.tokenizer.Vocabulary;
import io.bitnetstreams.worker.config.WorkerConfig;
import io.bitnetstreams.worker.config.WorkerConfigLoader;
import io.bitnetstreams.worker.executor.WorkItems;
import io.bitnetstreams.worker.executor.WorkOutcome;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine adapter on a tiny random model (synthetic GGUF): wiring, mapping and failure classes, not quality. */
class EngineWorkExecutorTest {

    @TempDir
    static Path dir;
    static EngineWorkExecutor executor;
    /** The model's chat format: the prompts the engine builds, to check the counts it reports. */
    static ChatFormat chat;
    static Tokenizer tokenizer;

    @BeforeAll
    static void load() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        SyntheticSpec spec = new SyntheticSpec(256, 2, 512, 4, 2, 0, 1024, 500000f, 1e-5f, null, GgmlType.I2_S, 42);
        SyntheticModelWriter.write(spec, Vocabulary.byteLevel(), file);
        executor = new EngineExecutors().create(config(file.toString()));
        try (GgufFile gguf = GgufFile.open(file)) {
            tokenizer = GgufTokenizers.tokenizer(gguf.metadata());
        }
        chat = new ChatFormat(tokenizer);
    }

    @AfterAll
    static void close() {
        if (executor != null) {
            executor.close();
        }
    }

    private static WorkerConfig config(String model) {
        return WorkerConfigLoader.fromMap(Map.of("bitnet.model", model, "bitnet.threads", "1", "bitnet.queue.capacity", "4", "bitnet.batch.max.size", "2",
                "bootstrap.servers", "unused:1", "schema.registry.url", "http://unused", "bitnet.instance.id", "t"), Map.of());
    }

    @Test
    void classifiesIntoTheGivenLabels() throws Exception {
        WorkOutcome outcome = executor.submit(WorkItems.classify("c", "my invoice is wrong")).get(60, TimeUnit.SECONDS);
        assertThat(outcome.status()).isEqualTo(WorkStatus.OK);
        ClassificationOutput output = (ClassificationOutput) outcome.output();
        assertThat(output.getProbabilities()).containsOnlyKeys("billing", "tech");
        assertThat(output.getProbabilities().values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(output.getSelectedLabels()).containsExactly(output.getArgmax());
        assertThat(outcome.promptTokens()).isPositive();
    }

    @Test
    void generationRespectsMaxTokens() throws Exception {
        WorkItem item = WorkItem.newBuilder(WorkItems.classify("g", "hello"))
                .setTask(GenerateTask.newBuilder().setPrompt("hello").setMaxTokens(3).build()).build();
        WorkOutcome outcome = executor.submit(item).get(60, TimeUnit.SECONDS);
        assertThat(outcome.status()).isEqualTo(WorkStatus.OK);
        assertThat(outcome.generatedTokens()).isBetween(0, 3);
        assertThat(((GenerationOutput) outcome.output()).getFinishReason()).isNotNull();
    }

    @Test
    void batchSizesAreTheEnginesRealBatches() throws Exception {
        WorkItem alone = WorkItem.newBuilder(WorkItems.classify("alone", "hello"))
                .setTask(GenerateTask.newBuilder().setPrompt("hello").setMaxTokens(4).build()).build();
        assertThat(executor.submit(alone).get(60, TimeUnit.SECONDS).batchSize()).isEqualTo(1);
        // two generations run together (batch.max.size 2): their decode steps hold both sequences
        java.util.List<java.util.concurrent.CompletableFuture<WorkOutcome>> together = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            together.add(executor.submit(WorkItem.newBuilder(WorkItems.classify("t" + i, "hello"))
                    .setTask(GenerateTask.newBuilder().setPrompt("hello " + i).setMaxTokens(32).build()).build()));
        }
        for (var future : together) {
            WorkOutcome outcome = future.get(60, TimeUnit.SECONDS);
            assertThat(outcome.status()).isEqualTo(WorkStatus.OK);
            assertThat(outcome.batchSize()).isBetween(1, 2);
        }
        assertThat(together.stream().mapToInt(f -> f.join().batchSize()).max().orElseThrow()).isEqualTo(2);
    }

    @Test
    void meanBatchSizeIsTheSequencesPerStepBetweenTwoSnapshots() {
        var before = new io.bitnetstreams.engine.tasks.InferenceEngine.Stats(10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10);
        var after = new io.bitnetstreams.engine.tasks.InferenceEngine.Stats(14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 21);
        assertThat(EngineWorkExecutor.meanBatchSize(before, after)).isEqualTo(3);
        assertThat(EngineWorkExecutor.meanBatchSize(after, after)).isEqualTo(1);
    }

    @Test
    void expiredItemsNeverReachTheEngine() throws Exception {
        WorkOutcome outcome = executor.submit(WorkItems.classify("e", "late", 0, Instant.now().minusSeconds(1))).get(60, TimeUnit.SECONDS);
        assertThat(outcome.status()).isEqualTo(WorkStatus.EXPIRED);
    }

    @Test
    void invalidRequestsFailPermanently() {
        WorkItem item = WorkItem.newBuilder(WorkItems.classify("x", "text"))
                .setTask(ExtractTask.newBuilder().setJsonSchema("{not json").build()).build();
        assertThatThrownBy(() -> executor.submit(item).get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(io.bitnetstreams.engine.tasks.EngineException.class);
    }

    @Test
    void missingModelFileNamesTheKey() {
        assertThatThrownBy(() -> new EngineExecutors().create(config(dir.resolve("absent.gguf").toString())))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("bitnet.model"));
    }

    @Test
    void theTextAloneIsTheUserTurnOfAGeneration() throws Exception {
        WorkItem item = WorkItem.newBuilder(WorkItems.classify("gt", "Write one sentence about Kafka."))
                .setTask(GenerateTask.newBuilder().setSystem("Be brief.").setMaxTokens(3).build()).build();
        WorkOutcome outcome = executor.submit(item).get(60, TimeUnit.SECONDS);
        assertThat(outcome.status()).isEqualTo(WorkStatus.OK);
        assertThat(outcome.promptTokens())
                .isEqualTo(chat.encodePrompt("Be brief.", "Write one sentence about Kafka.").length);
    }

    @Test
    void everyMessageReachesTheEngineAndCountsAsPromptTokens() throws Exception {
        List<ChatMessage> messages = List.of(new ChatMessage(ChatRole.USER, "What is Kafka?"),
                new ChatMessage(ChatRole.ASSISTANT, "A distributed log."), new ChatMessage(ChatRole.USER, "And Avro?"));
        WorkItem item = WorkItem.newBuilder(WorkItems.classify("gm", ""))
                .setTask(GenerateTask.newBuilder().setSystem("Be brief.").setMessages(messages).setMaxTokens(3).build())
                .build();
        WorkOutcome outcome = executor.submit(item).get(60, TimeUnit.SECONDS);
        assertThat(outcome.status()).isEqualTo(WorkStatus.OK);
        int whole = chat.encodeConversation(List.of(
                io.bitnetstreams.engine.chat.ChatMessage.system("Be brief."),
                io.bitnetstreams.engine.chat.ChatMessage.user("What is Kafka?"),
                io.bitnetstreams.engine.chat.ChatMessage.assistant("A distributed log."),
                io.bitnetstreams.engine.chat.ChatMessage.user("And Avro?"))).length;
        assertThat(outcome.promptTokens()).isEqualTo(whole)
                .isGreaterThan(chat.encodePrompt("Be brief.", "And Avro?").length);
        assertThat(outcome.generatedTokens()).isBetween(1, 3);
    }

    @Test
    void countsAreTheEnginesNotARetokenizedText() throws Exception {
        WorkOutcome outcome = executor.submit(WorkItems.classify("cc", "my invoice is wrong")).get(60, TimeUnit.SECONDS);
        assertThat(outcome.status()).isEqualTo(WorkStatus.OK);
        // the engine reads the chat prompt (system turn with the labels, the text, the template) ...
        assertThat(outcome.promptTokens()).isGreaterThan(tokenizer.encode("my invoice is wrong").length);
        // ... and scores every label's tokens and its end of turn
        int scored = tokenizer.encode("billing").length + 1 + tokenizer.encode("tech").length + 1;
        assertThat(outcome.generatedTokens()).isEqualTo(scored);
    }

    @Test
    void multiLabelSelectionIsTheEngines() throws Exception {
        WorkItem item = WorkItem.newBuilder(WorkItems.classify("ml", "my invoice is wrong"))
                .setTask(ClassifyTask.newBuilder().setLabels(List.of("billing", "tech", "other")).setMultiLabel(true).build())
                .build();
        WorkOutcome outcome = executor.submit(item).get(60, TimeUnit.SECONDS);
        ClassificationOutput output = (ClassificationOutput) outcome.output();
        List<String> expected = output.getProbabilities().entrySet().stream()
                .filter(e -> e.getValue() >= 1.0 / 3).map(Map.Entry::getKey).toList();
        assertThat(output.getSelectedLabels()).containsExactlyElementsOf(expected);
    }

    @Test
    void aGenerationWithTextAndMessagesFailsPermanently() {
        WorkItem item = WorkItem.newBuilder(WorkItems.classify("tm", "text too"))
                .setTask(GenerateTask.newBuilder().setMessages(List.of(new ChatMessage(ChatRole.USER, "hi"))).build())
                .build();
        assertThatThrownBy(() -> executor.submit(item).get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(io.bitnetstreams.engine.tasks.EngineException.class)
                .hasMessageContaining("not both");
    }
}

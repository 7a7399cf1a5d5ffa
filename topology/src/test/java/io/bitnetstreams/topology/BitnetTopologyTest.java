package io.bitnetstreams.topology;

import static io.bitnetstreams.topology.Fixture.classify;
import static io.bitnetstreams.topology.Fixture.extract;
import static io.bitnetstreams.topology.Fixture.generate;
import static io.bitnetstreams.topology.Fixture.json;
import static io.bitnetstreams.topology.Fixture.probabilities;
import static io.bitnetstreams.topology.Fixture.result;
import static io.bitnetstreams.topology.Fixture.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.DeadLetterReason;
import io.bitnetstreams.avro.ExtractionResult;
import io.bitnetstreams.avro.ChatMessage;
import io.bitnetstreams.avro.ChatRole;
import io.bitnetstreams.avro.GenerateTask;
import io.bitnetstreams.engine.chat.ChatFormat;
import io.bitnetstreams.engine.tasks.RequestLimits;
import io.bitnetstreams.avro.GenerationResult;
import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.avro.ResultStatus;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.avro.WorkStatus;
import io.bitnetstreams.topology.state.RequestState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BitnetTopologyTest {

    final Fixture f = fixture(Map.of());

    /** The fixture of these tests; {@link DirectFormTopologyTest} runs them all on the direct form. */
    Fixture fixture(Map<String, String> overrides) {
        return new Fixture(overrides);
    }

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void classificationRequestBecomesOneWorkItemAndOneFinalResult() {
        f.send(f.request("c1", classify("spam", "ham"), "Buy cheap pills now").build());

        WorkItem item = f.workClassify.readValue();
        assertThat(item.getChunkIndex()).isZero();
        assertThat(item.getChunkCount()).isEqualTo(1);
        assertThat(item.getText()).isEqualTo("Buy cheap pills now");
        assertThat(f.statusStore().get("c1").state()).isEqualTo(RequestState.IN_PROGRESS);

        f.answer(result(item, WorkStatus.OK, probabilities(Map.of("spam", 0.9, "ham", 0.1))).build());

        ClassificationResult result = f.classificationResults.readValue();
        assertThat(result.getStatus()).isEqualTo(ResultStatus.DONE);
        assertThat(result.getOutput().getArgmax()).isEqualTo("spam");
        assertThat(result.getOutput().getProbabilities().get("spam")).isCloseTo(0.9, within(1e-9));
        assertThat(result.getChunksAnswered()).isEqualTo(1);
        assertThat(result.getMetadata()).containsEntry("source", "test");
        assertThat(result.getModelId()).isEqualTo("bitnet-test");
        assertThat(f.classificationResults.isEmpty()).isTrue();
        assertThat(f.pendingStore().get("c1")).isNull();
        assertThat(f.statusStore().get("c1").state()).isEqualTo(RequestState.DONE);
        assertThat(f.deadLetters.isEmpty()).isTrue();
    }

    @Test
    void extractionRequestIsAnsweredWithTheWorkersJson() {
        f.send(f.request("e1", extract("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}"),
                "My name is Ada").build());
        WorkItem item = f.workExtract.readValue();
        f.answer(result(item, WorkStatus.OK, json("{\"name\":\"Ada\"}")).build());

        ExtractionResult result = f.extractionResults.readValue();
        assertThat(result.getStatus()).isEqualTo(ResultStatus.DONE);
        assertThat(result.getOutput().getJson()).isEqualTo("{\"name\":\"Ada\"}");
    }

    @Test
    void generationRequestIsOneWorkItemAndItsTextComesBack() {
        f.send(f.request("g1", generate("Write a haiku"), "").build());
        WorkItem item = f.workGenerate.readValue();
        assertThat(item.getChunkCount()).isEqualTo(1);
        f.answer(result(item, WorkStatus.OK, text("Autumn moonlight")).build());

        GenerationResult result = f.generationResults.readValue();
        assertThat(result.getStatus()).isEqualTo(ResultStatus.DONE);
        assertThat(result.getOutput().getText()).isEqualTo("Autumn moonlight");
        assertThat(f.metrics.count("bitnet.topology.records.out", "topic", "bitnet.results.generation")).isEqualTo(1);
    }

    @Test
    void duplicateRequestIsCountedAndProducesNoSecondWork() {
        InferenceRequest request = f.request("d1", classify("a", "b"), "hello").build();
        f.send(request);
        f.send(request);

        assertThat(f.workClassify.readValuesToList()).hasSize(1);
        assertThat(f.deadLetters.isEmpty()).isTrue();
        assertThat(f.metrics.registry().find("bitnet.topology.duplicates").counter().count()).isEqualTo(1);
    }

    @Test
    void requestIdIsForgottenAfterTheDedupeWindow() {
        InferenceRequest request = f.request("d2", classify("a", "b"), "hello").build();
        f.send(request);
        f.advance(Duration.ofHours(1).plusMinutes(1));
        assertThat(f.dedupeStore().get("d2")).isNull();
        f.send(request);
        assertThat(f.workClassify.readValuesToList()).hasSize(2);
    }

    @Test
    void malformedBytesAreDeadLetteredWithTheOriginalRecord() {
        byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);
        f.requests.pipeInput("m1", garbage, f.now());

        DeadLetter letter = f.deadLetters.readValue();
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.MALFORMED_RECORD);
        assertThat(bytes(letter.getOriginalValue())).isEqualTo(garbage);
        assertThat(bytes(letter.getOriginalKey())).isEqualTo("m1".getBytes(StandardCharsets.UTF_8));
        assertThat(letter.getSourceTopic()).isEqualTo("bitnet.requests");
        assertThat(letter.getSourcePartition()).isZero();
        assertThat(letter.getSourceOffset()).isZero();
        assertThat(f.workClassify.isEmpty()).isTrue();

        // processing goes on
        f.send(f.request("after", classify("a"), "x").build());
        assertThat(f.workClassify.readValuesToList()).hasSize(1);
        assertThat(f.metrics.count("bitnet.topology.dead.letters", "reason", "MALFORMED_RECORD")).isEqualTo(1);
    }

    @Test
    void aRecordTooLargeToForwardIsDeadLetteredCappedAndProcessingGoesOn() {
        // max.request.size 40,000: records up to 40,000 - 32 KiB = 7,232 bytes are accepted
        var small = fixture(Map.of("max.request.size", "40000"));
        try {
            small.send(small.request("big", classify("a", "b"), "x".repeat(9_000)).build());
            DeadLetter letter = small.deadLetters.readValue();
            assertThat(letter.getReason()).isEqualTo(DeadLetterReason.INVALID_REQUEST);
            assertThat(letter.getMessage().toString()).contains("exceeds the limit of 7232 bytes");
            assertThat(letter.getOriginalTruncated()).isTrue();
            assertThat(letter.getOriginalValueSize()).isGreaterThan(9_000);
            assertThat(letter.getOriginalValue().remaining()).isEqualTo(40_000 - 32 * 1024);
            assertThat(small.workClassify.isEmpty()).isTrue();

            small.send(small.request("fits", classify("a", "b"), "x".repeat(6_000)).build());
            assertThat(small.workClassify.readValuesToList()).isNotEmpty().allSatisfy(item ->
                    assertThat(item.getRequestId()).isEqualTo("fits"));
            assertThat(small.deadLetters.isEmpty()).isTrue();
        } finally {
            small.close();
        }
    }

    @Test
    void aRequestRejectedAfterTheRepartitionIsDeadLetteredAsTheProducerWroteIt() {
        f.send(f.request("ok-1", classify("a"), "x").build());
        f.send(f.request("ok-2", classify("a"), "y").build());
        byte[] invalid = f.encode(f.request("bad-1", classify(), "no labels").build());
        f.requests.pipeInput("bad-1", invalid, f.now());

        DeadLetter letter = f.deadLetters.readValue();
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.INVALID_REQUEST);
        assertThat(bytes(letter.getOriginalValue())).isEqualTo(invalid);
        assertThat(bytes(letter.getOriginalKey())).isEqualTo("bad-1".getBytes(StandardCharsets.UTF_8));
        assertThat(letter.getSourceTopic()).isEqualTo("bitnet.requests");
        assertThat(letter.getSourceOffset()).isEqualTo(2);
    }

    @Test
    void requestStateIsFedOnlyByTheTopologysOwnRepartitionTopics() {
        var description = f.driverTopology().describe();
        var stateful = description.subtopologies().stream()
                .filter(sub -> sub.nodes().stream().anyMatch(node -> node.name().equals(BitnetTopology.DEDUPE_REQUEST)))
                .findFirst().orElseThrow();
        assertThat(stateful.nodes().stream().anyMatch(node -> node.name().equals(BitnetTopology.REASSEMBLE))).isTrue();
        var sources = stateful.nodes().stream()
                .filter(node -> node instanceof org.apache.kafka.streams.TopologyDescription.Source)
                .flatMap(node -> ((org.apache.kafka.streams.TopologyDescription.Source) node).topicSet().stream())
                .collect(java.util.stream.Collectors.toSet());
        assertThat(sources).containsExactlyInAnyOrder(f.config.repartitionTopics().requestsById(),
                f.config.repartitionTopics().workResultsById());
        // the inputs are read in sub-topologies of their own, whose tasks follow the producers' partitions
        assertThat(description.subtopologies()).hasSize(3);
    }

    @Test
    void theTypedSchemaOfAnExtractionRequestIsRememberedByItsId() {
        try (var typed = fixture(Map.of("bitnet.topic.results.extraction.typed", "typed.results"))) {
            String schema = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}";
            for (String id : List.of("typed-1", "typed-2", "typed-3")) {
                typed.send(typed.request(id, extract(schema), "Ada").build());
            }
            typed.send(typed.request("typed-1", extract("{\"type\":\"object\"}"), "again").build());

            org.apache.kafka.streams.state.KeyValueStore<String, String> schemas =
                    typed.driver.getKeyValueStore(BitnetTopology.TYPED_SCHEMA_STORE);
            for (String id : List.of("typed-1", "typed-2", "typed-3")) {
                assertThat(schemas.get(id)).as(id).endsWith("\n" + schema);
            }
            assertThat(typed.workExtract.readValuesToList()).hasSize(3);
        }
    }

    @Test
    void theWorkItemOfAOnePartRequestLetsItsWorkerPublishTheFinalResultAndMultiPartOnesDoNot() {
        f.send(f.request("one", classify("a", "b"), "short").setDeadline(f.now().plusSeconds(30)).build());
        f.send(f.request("many", classify("a", "b"), sentences(40)).build());
        List<WorkItem> items = f.workClassify.readValuesToList();
        WorkItem one = items.getFirst();
        assertThat(one.getChunkCount()).isEqualTo(1);
        assertThat(one.getFinalResultDeadline()).isEqualTo(f.now().plusSeconds(30));
        assertThat(f.pendingStore().get("one").workerPublishes()).isTrue();
        List<WorkItem> parts = items.subList(1, items.size());
        assertThat(parts).hasSizeGreaterThan(1).allSatisfy(part -> assertThat(part.getFinalResultDeadline()).isNull());
        assertThat(f.pendingStore().get("many").workerPublishes()).isFalse();
        // no deadline of its own: the reassembly timeout is the deadline the worker must beat
        f.send(f.request("gen", generate("hi"), "").build());
        assertThat(f.workGenerate.readValue().getFinalResultDeadline()).isEqualTo(f.now().plus(Duration.ofMinutes(5)));
    }

    @Test
    void theTopologyKeepsPublishingWhenSwitchedOffOrForTypedExtraction() {
        try (var off = fixture(Map.of("bitnet.topology.worker.final.results", "false"));
             var typed = fixture(Map.of("bitnet.topic.results.extraction.typed", "typed.results"))) {
            off.send(off.request("g", generate("hi"), "").build());
            assertThat(off.workGenerate.readValue().getFinalResultDeadline()).isNull();
            typed.send(typed.request("x", extract("{\"type\":\"object\"}"), "Ada").build());
            typed.send(typed.request("c", classify("a"), "Ada").build());
            assertThat(typed.workExtract.readValue().getFinalResultDeadline()).isNull();
            assertThat(typed.workClassify.readValue().getFinalResultDeadline()).isNotNull();
        }
    }

    @Test
    void aWorkResultWhoseWorkerPublishedTheFinalResultEndsTheRequestWithoutASecondOne() {
        f.send(f.request("byworker", generate("hi"), "").build());
        WorkItem item = f.workGenerate.readValue();
        f.answer(result(item, WorkStatus.OK, text("hello")).setFinalResultPublished(true).build());

        assertThat(f.generationResults.isEmpty()).isTrue();
        assertThat(f.pendingStore().get("byworker")).isNull();
        assertThat(f.statusStore().get("byworker").state()).isEqualTo(RequestState.DONE);
        assertThat(f.metrics.count("bitnet.topology.final.results.by.worker", "status", "DONE")).isEqualTo(1);
        // nothing is left to time out: no deadline check, no deadline result
        f.advance(Duration.ofMinutes(6));
        assertThat(f.deadlineChecks.isEmpty()).isTrue();
        assertThat(f.generationResults.isEmpty()).isTrue();
        // a worker's retry of the same item is late, as for any request
        f.answer(result(item, WorkStatus.OK, text("again")).setFinalResultPublished(true).build());
        assertThat(f.generationResults.isEmpty()).isTrue();
        assertThat(lateResults()).isEqualTo(1);
    }

    @Test
    void aWorkerFailureThatItPublishedEndsTheRequestFailedInTheStatus() {
        f.send(f.request("failedbyworker", classify("a", "b"), "short").build());
        WorkItem item = f.workClassify.readValue();
        f.answer(result(item, WorkStatus.FAILED, null).setFinalResultPublished(true).build());
        assertThat(f.classificationResults.isEmpty()).isTrue();
        assertThat(f.statusStore().get("failedbyworker").state()).isEqualTo(RequestState.FAILED);
        assertThat(f.statusStore().get("failedbyworker").detail()).contains("worker said no");
    }

    @Test
    void atTheDeadlineTheTopologyChecksFirstAndPublishesWhenItsCheckComesBackWithTheRequestOpen() {
        f.send(f.request("silent", classify("a", "b"), "short").setDeadline(f.now().plusSeconds(10)).build());
        assertThat(f.workClassify.readValue().getFinalResultDeadline()).isNotNull();

        f.advance(Duration.ofSeconds(11));

        WorkResult check = f.deadlineChecks.readValue();
        assertThat(check.getDeadlineCheck()).isTrue();
        assertThat(check.getRequestId()).isEqualTo("silent");
        assertThat(check.getFinalResultPublished()).isFalse();
        assertThat(f.deadlineChecks.isEmpty()).isTrue(); // one check, not one per punctuation
        ClassificationResult result = f.classificationResults.readValue(); // the driver fed the check back
        assertThat(result.getStatus()).isEqualTo(ResultStatus.FAILED);
        assertThat(result.getError()).contains("deadline passed with 0 of 1");
        assertThat(f.statusStore().get("silent").state()).isEqualTo(RequestState.FAILED);
        assertThat(f.metrics.count("bitnet.topology.deadline.checks", "outcome", "published")).isEqualTo(1);
        f.advance(Duration.ofSeconds(5));
        assertThat(f.classificationResults.isEmpty()).isTrue();
        assertThat(f.deadlineChecks.isEmpty()).isTrue();
    }

    @Test
    void aCheckThatComesBackAfterTheRequestEndedPublishesNothing() {
        f.send(f.request("raced", generate("hi"), "").build());
        WorkItem item = f.workGenerate.readValue();
        f.answer(result(item, WorkStatus.OK, text("hello")).setFinalResultPublished(true).build());
        // a check of an earlier incarnation of this instance still on its way (written before a restart)
        f.answer(WorkResult.newBuilder(result(item, WorkStatus.EXPIRED, null).build()).setDeadlineCheck(true).build());
        assertThat(f.generationResults.isEmpty()).isTrue();
        assertThat(f.metrics.count("bitnet.topology.deadline.checks", "outcome", "ended-before")).isEqualTo(1);
        assertThat(f.statusStore().get("raced").state()).isEqualTo(RequestState.DONE);
    }

    @Test
    void aClaimReadAfterTheDeadlineResultIsLateAndPublishesNothing() {
        f.send(f.request("tooLate", generate("hi"), "").setDeadline(f.now().plusSeconds(10)).build());
        WorkItem item = f.workGenerate.readValue();
        f.advance(Duration.ofSeconds(11));
        assertThat(f.generationResults.readValue().getStatus()).isEqualTo(ResultStatus.FAILED);
        // the protocol keeps this from happening (a claim sits before the check); if it did, nothing more goes out
        f.answer(result(item, WorkStatus.OK, text("hello")).setFinalResultPublished(true).build());
        assertThat(f.generationResults.isEmpty()).isTrue();
        assertThat(f.statusStore().get("tooLate").state()).isEqualTo(RequestState.FAILED);
        assertThat(lateResults()).isEqualTo(1);
    }

    private double lateResults() {
        return f.metrics.registry().get("bitnet.topology.results.late").counter().count();
    }

    @Test
    void unknownSchemaIdIsDeadLettered() {
        byte[] bytes = f.encode(f.request("u1", classify("a"), "x").build());
        ByteBuffer.wrap(bytes).putInt(1, 999);
        f.requests.pipeInput("u1", bytes, f.now());
        assertThat(f.deadLetters.readValue().getReason()).isEqualTo(DeadLetterReason.UNKNOWN_SCHEMA_ID);
    }

    @Test
    void recordOfAnotherSchemaIsDeadLetteredAsWrongSchema() {
        f.send(f.request("w0", classify("a"), "x").build());
        WorkItem item = f.workClassify.readValue();
        byte[] workItemBytes = f.topics.workClassify().valueSerde().serializer().serialize("any", item);
        f.requests.pipeInput("w1", workItemBytes, f.now());
        assertThat(f.deadLetters.readValue().getReason()).isEqualTo(DeadLetterReason.WRONG_SCHEMA);
    }

    @Test
    void malformedWorkResultIsDeadLetteredToo() {
        f.workResults.pipeInput("r1", new byte[] {0, 0, 0}, f.now());
        DeadLetter letter = f.deadLetters.readValue();
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.MALFORMED_RECORD);
        assertThat(letter.getSourceTopic()).isEqualTo("bitnet.work.results");
    }

    static Stream<Arguments> invalidRequests() {
        String longText = "x".repeat(20_001);
        GenerateTask hot = generate("hi");
        hot.setTemperature(9f);
        GenerateTask huge = generate("word ".repeat(200));
        GenerateTask noPrompt = generate(null);
        return Stream.of(
                Arguments.of("empty text", (Function<Fixture, InferenceRequest>) fx -> fx.request("i1", classify("a"), " ").build(),
                        DeadLetterReason.INVALID_REQUEST, "text is empty"),
                Arguments.of("over-size text", (Function<Fixture, InferenceRequest>) fx -> fx.request("i2", classify("a"), longText).build(),
                        DeadLetterReason.INVALID_REQUEST, "more than 20000"),
                Arguments.of("no labels", (Function<Fixture, InferenceRequest>) fx -> fx.request("i3", classify(), "t").build(),
                        DeadLetterReason.INVALID_REQUEST, "at least one label"),
                Arguments.of("schema not JSON", (Function<Fixture, InferenceRequest>) fx -> fx.request("i4", extract("{oops"), "t").build(),
                        DeadLetterReason.INVALID_REQUEST, "not valid JSON"),
                Arguments.of("schema bad type", (Function<Fixture, InferenceRequest>) fx -> fx.request("i5",
                        extract("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"strng\"}}}"), "t").build(),
                        DeadLetterReason.INVALID_REQUEST, "strng"),
                Arguments.of("deadline passed", (Function<Fixture, InferenceRequest>) fx -> fx.request("i6", classify("a"), "t")
                        .setDeadline(fx.now().minusSeconds(1)).build(), DeadLetterReason.DEADLINE_PASSED, "passed"),
                Arguments.of("temperature out of range", (Function<Fixture, InferenceRequest>) fx -> fx.request("i7", hot, "").build(),
                        DeadLetterReason.INVALID_REQUEST, "temperature"),
                Arguments.of("prompt too long", (Function<Fixture, InferenceRequest>) fx -> fx.request("i8", huge, "").build(),
                        DeadLetterReason.PROMPT_TOO_LONG, "context holds 512"),
                Arguments.of("generation without prompt", (Function<Fixture, InferenceRequest>) fx -> fx.request("i9", noPrompt, "").build(),
                        DeadLetterReason.INVALID_REQUEST, "prompt or messages"),
                Arguments.of("schema keyword the engine does not support", (Function<Fixture, InferenceRequest>) fx -> fx.request("i12",
                        extract("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"format\":\"email\"}}}"), "t").build(),
                        DeadLetterReason.INVALID_REQUEST, "unsupported keyword \"format\""),
                Arguments.of("schema nested deeper than the engine allows", (Function<Fixture, InferenceRequest>) fx -> fx.request("i13",
                        extract(nested(20)), "t").build(), DeadLetterReason.INVALID_REQUEST, "nesting deeper than 16"),
                Arguments.of("schema without an object root", (Function<Fixture, InferenceRequest>) fx -> fx.request("i14",
                        extract("{\"properties\":{\"a\":{\"type\":\"string\"}}}"), "t").build(),
                        DeadLetterReason.INVALID_REQUEST, "\"type\" must be one of"),
                Arguments.of("generation with text and messages", (Function<Fixture, InferenceRequest>) fx -> fx.request("i15",
                        GenerateTask.newBuilder().setMessages(List.of(new ChatMessage(ChatRole.USER, "hi"))).build(), "and text").build(),
                        DeadLetterReason.INVALID_REQUEST, "not both"),
                Arguments.of("label with more tokens than the engine scores", (Function<Fixture, InferenceRequest>) fx -> fx.request("i16",
                        classify("a", "b".repeat(65)), "t").build(), DeadLetterReason.INVALID_REQUEST, "more than 64 tokens"),
                Arguments.of("more labels than the engine scores", (Function<Fixture, InferenceRequest>) fx -> fx.request("i17",
                        classify(java.util.stream.IntStream.range(0, 65).mapToObj(i -> "l" + i).toArray(String[]::new)), "t").build(),
                        DeadLetterReason.INVALID_REQUEST, "more than 64"),
                Arguments.of("blank tenant", (Function<Fixture, InferenceRequest>) fx -> fx.request("i10", classify("a"), "t")
                        .setTenant(" ").build(), DeadLetterReason.INVALID_REQUEST, "tenant"),
                Arguments.of("duplicate label", (Function<Fixture, InferenceRequest>) fx -> fx.request("i11", classify("a", "a"), "t").build(),
                        DeadLetterReason.INVALID_REQUEST, "twice"),
                // the limits table (pipeline-contract/README.md, "Limits"): one dead letter per limit
                Arguments.of("label longer than the limit", (Function<Fixture, InferenceRequest>) fx -> fx.request("l1",
                        classify("a", "x".repeat(RequestLimits.MAX_LABEL_CHARS + 1)), "t").build(),
                        DeadLetterReason.INVALID_REQUEST, "labels must be 1..256"),
                Arguments.of("schema longer than the limit", (Function<Fixture, InferenceRequest>) fx -> fx.request("l2",
                        extract("{\"type\":\"object\",\"description\":\"" + "d".repeat(RequestLimits.MAX_SCHEMA_CHARS)
                                + "\",\"properties\":{}}"), "t").build(),
                        DeadLetterReason.INVALID_REQUEST, "jsonSchema is longer than 65536"),
                Arguments.of("schema with more properties than the limit", (Function<Fixture, InferenceRequest>) fx -> fx.request("l3",
                        extract(wide(io.bitnetstreams.engine.json.JsonSchemaParser.MAX_PROPERTIES + 1)), "t").build(),
                        DeadLetterReason.INVALID_REQUEST, "has 257 entries; the limit is 256"),
                Arguments.of("maxTokens zero", (Function<Fixture, InferenceRequest>) fx -> fx.request("l4",
                        GenerateTask.newBuilder().setPrompt("hi").setMaxTokens(0).build(), "").build(),
                        DeadLetterReason.INVALID_REQUEST, "maxTokens = 0 is outside [1, 512]"),
                Arguments.of("maxTokens beyond the context", (Function<Fixture, InferenceRequest>) fx -> fx.request("l5",
                        GenerateTask.newBuilder().setPrompt("hi").setMaxTokens(513).build(), "").build(),
                        DeadLetterReason.INVALID_REQUEST, "maxTokens = 513 is outside [1, 512]"),
                Arguments.of("more messages than the limit", (Function<Fixture, InferenceRequest>) fx -> fx.request("l6",
                        GenerateTask.newBuilder().setMessages(java.util.Collections.nCopies(RequestLimits.MAX_MESSAGES + 1,
                                new ChatMessage(ChatRole.USER, "m"))).build(), "").build(),
                        DeadLetterReason.INVALID_REQUEST, "more than 1024 messages"),
                Arguments.of("message longer than the text limit", (Function<Fixture, InferenceRequest>) fx -> fx.request("l7",
                        GenerateTask.newBuilder().setMessages(List.of(new ChatMessage(ChatRole.USER, longText))).build(), "").build(),
                        DeadLetterReason.INVALID_REQUEST, "a message is longer than 20000 characters"));
    }

    /** An object schema with {@code properties} string properties side by side. */
    static String wide(int properties) {
        StringBuilder schema = new StringBuilder("{\"type\":\"object\",\"properties\":{");
        for (int i = 0; i < properties; i++) {
            schema.append(i == 0 ? "" : ",").append("\"p").append(i).append("\":{\"type\":\"string\"}");
        }
        return schema.append("}}").toString();
    }

    /** An object schema whose properties nest {@code depth} objects deep. */
    static String nested(int depth) {
        String schema = "{\"type\":\"string\"}";
        for (int i = 0; i < depth; i++) {
            schema = "{\"type\":\"object\",\"properties\":{\"n\":" + schema + "}}";
        }
        return schema;
    }

    @Test
    void generationByTextIsAcceptedAndTheTextIsTheWorkItemsText() {
        f.send(f.request("gt", GenerateTask.newBuilder().setMaxTokens(8).build(), "Write one sentence about Kafka.").build());
        WorkItem item = f.workGenerate.readValue();
        assertThat(item.getText()).isEqualTo("Write one sentence about Kafka.");
        assertThat(f.deadLetters.isEmpty()).isTrue();
    }

    @Test
    void aConversationCountsWholeTowardTheContextAsTheEngineEncodesIt() {
        // each turn fits easily; together with maxTokens they exceed the 512-token context of the fixture
        List<ChatMessage> messages = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            messages.add(new ChatMessage(i % 2 == 0 ? ChatRole.USER : ChatRole.ASSISTANT, "turn " + i + " " + "w".repeat(60)));
        }
        GenerateTask task = GenerateTask.newBuilder().setMessages(messages).setMaxTokens(128).build();
        f.send(f.request("gc", task, "").build());
        DeadLetter letter = f.deadLetters.readValue();
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.PROMPT_TOO_LONG);
        int whole = new ChatFormat(Fixture.BYTE_TOKENIZER).encodeConversation(RequestValidator.conversation(task, "")).length;
        assertThat(letter.getMessage()).contains("needs " + (whole + 128) + " tokens");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidRequests")
    void invalidRequestIsDeadLetteredWithItsReason(String name, Function<Fixture, InferenceRequest> build,
            DeadLetterReason reason, String messagePart) {
        InferenceRequest request = build.apply(f);
        byte[] bytes = f.encode(request);
        f.requests.pipeInput(request.getRequestId(), bytes, f.now());

        DeadLetter letter = f.deadLetters.readValue();
        assertThat(letter.getReason()).isEqualTo(reason);
        assertThat(letter.getMessage()).contains(messagePart);
        assertThat(letter.getRequestId()).isEqualTo(request.getRequestId());
        assertThat(letter.getStage()).isEqualTo("topology.validate");
        // the original as the producer wrote it; a large one (the schema-size case) keeps only its first bytes
        byte[] original = bytes(letter.getOriginalValue());
        assertThat(letter.getOriginalTruncated()).isEqualTo(original.length < bytes.length);
        assertThat(java.util.Arrays.copyOf(bytes, original.length)).isEqualTo(original);
        assertThat(f.statusStore().get(request.getRequestId()).state()).isEqualTo(RequestState.DEAD_LETTERED);
        assertThat(f.workClassify.isEmpty() && f.workExtract.isEmpty() && f.workGenerate.isEmpty()).isTrue();
        assertThat(f.pendingStore().get(request.getRequestId())).isNull();
    }

    @Test
    void keyThatIsNotTheRequestIdIsRefused() {
        byte[] bytes = f.encode(f.request("k1", classify("a"), "t").build());
        f.requests.pipeInput("other", bytes, f.now());
        DeadLetter letter = f.deadLetters.readValue();
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.INVALID_REQUEST);
        assertThat(letter.getMessage()).contains("differs from requestId");
    }

    @Test
    void longDocumentIsChunkedAndReassembledWhenAnswersArriveOutOfOrder() {
        String document = sentences(40);
        f.send(f.request("long", classify("pos", "neg"), document).build());
        List<WorkItem> items = f.workClassify.readValuesToList();
        assertThat(items.size()).isGreaterThan(2);
        assertThat(items).allSatisfy(item -> {
            assertThat(item.getChunkCount()).isEqualTo(items.size());
            assertThat(item.getText().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(64);
        });
        assertThat(items.stream().map(WorkItem::getChunkIndex).toList())
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, items.size()).boxed().toList());

        List<WorkItem> reversed = new ArrayList<>(items);
        Collections.reverse(reversed);
        for (int i = 0; i < reversed.size(); i++) {
            WorkItem item = reversed.get(i);
            // the first chunk says "neg", all others "pos"
            double pos = item.getChunkIndex() == 0 ? 0.0 : 1.0;
            f.answer(result(item, WorkStatus.OK, probabilities(Map.of("pos", pos, "neg", 1 - pos))).build());
            if (i < reversed.size() - 1) {
                assertThat(f.classificationResults.isEmpty()).isTrue();
                assertThat(f.statusStore().get("long").chunksAnswered()).isEqualTo(i + 1);
            }
        }
        // a worker retry after completion changes nothing
        f.answer(result(items.getFirst(), WorkStatus.OK, probabilities(Map.of("pos", 0.0, "neg", 1.0))).build());

        List<ClassificationResult> results = f.classificationResults.readValuesToList();
        assertThat(results).hasSize(1);
        ClassificationResult result = results.getFirst();
        assertThat(result.getStatus()).isEqualTo(ResultStatus.DONE);
        assertThat(result.getChunksTotal()).isEqualTo(items.size());
        assertThat(result.getOutput().getArgmax()).isEqualTo("pos");
        double firstWeight = weight(items.getFirst());
        double totalWeight = items.stream().mapToDouble(BitnetTopologyTest::weight).sum();
        assertThat(result.getOutput().getProbabilities().get("neg")).isCloseTo(firstWeight / totalWeight, within(1e-9));
        assertThat(f.pendingStore().get("long")).isNull();
        assertThat(f.statusStore().get("long").state()).isEqualTo(RequestState.DONE);
        assertThat(f.metrics.registry().find("bitnet.topology.results.late").counter().count()).isEqualTo(1);
    }

    @Test
    void chunksOfAnExtractionAreMergedFieldByField() {
        f.send(f.request("ex", extract("{\"type\":\"object\"}"), sentences(20)).build());
        List<WorkItem> items = f.workExtract.readValuesToList();
        assertThat(items.size()).isGreaterThan(1);
        for (WorkItem item : items) {
            String json = item.getChunkIndex() == 0
                    ? "{\"name\":\"Ada\",\"tags\":[\"a\"],\"address\":{\"city\":\"\"}}"
                    : "{\"name\":\"Bob\",\"tags\":[\"b\",\"a\"],\"address\":{\"city\":\"Paris\"}}";
            f.answer(result(item, WorkStatus.OK, json(json)).build());
        }
        ExtractionResult result = f.extractionResults.readValue();
        assertThat(result.getOutput().getJson())
                .isEqualTo("{\"name\":\"Ada\",\"tags\":[\"a\",\"b\"],\"address\":{\"city\":\"Paris\"}}");
    }

    @Test
    void deadlinePassingPublishesAPartialResult() {
        f.send(f.request("late", classify("pos", "neg"), sentences(40))
                .setDeadline(f.now().plusSeconds(10)).build());
        List<WorkItem> items = f.workClassify.readValuesToList();
        f.answer(result(items.get(1), WorkStatus.OK, probabilities(Map.of("pos", 0.8, "neg", 0.2))).build());
        f.answer(result(items.get(2), WorkStatus.FAILED, null).build());
        assertThat(f.classificationResults.isEmpty()).isTrue();

        f.advance(Duration.ofSeconds(11));

        ClassificationResult result = f.classificationResults.readValue();
        assertThat(result.getStatus()).isEqualTo(ResultStatus.PARTIAL);
        assertThat(result.getChunksAnswered()).isEqualTo(1);
        assertThat(result.getError()).contains("deadline passed").contains("worker said no");
        assertThat(result.getOutput().getArgmax()).isEqualTo("pos");
        assertThat(f.pendingStore().get("late")).isNull();
        assertThat(f.statusStore().get("late").state()).isEqualTo(RequestState.PARTIAL);

        // chunks answering after the final result are ignored
        f.answer(result(items.get(0), WorkStatus.OK, probabilities(Map.of("pos", 0.8, "neg", 0.2))).build());
        assertThat(f.classificationResults.isEmpty()).isTrue();
    }

    @Test
    void requestWithoutDeadlineEndsAfterTheReassemblyTimeoutAndFarDeadlinesAreCappedByTheDedupeWindow() {
        f.send(f.request("nodeadline", generate("hi"), "").build());
        f.send(f.request("far", generate("hi"), "").setDeadline(f.now().plus(Duration.ofDays(365))).build());
        f.advance(Duration.ofMinutes(5).plusSeconds(1));
        assertThat(f.generationResults.readValue().getRequestId()).isEqualTo("nodeadline");
        assertThat(f.generationResults.isEmpty()).isTrue();
        f.advance(Duration.ofHours(1));
        GenerationResult far = f.generationResults.readValue();
        assertThat(far.getRequestId()).isEqualTo("far");
        assertThat(far.getStatus()).isEqualTo(ResultStatus.FAILED);
        assertThat(far.getError()).contains("deadline passed with 0 of 1");
    }

    @Test
    void requestWhoseEveryChunkFailedEndsFailed() {
        f.send(f.request("f1", generate("hi"), "").build());
        WorkItem item = f.workGenerate.readValue();
        f.answer(result(item, WorkStatus.FAILED, null).build());
        GenerationResult result = f.generationResults.readValue();
        assertThat(result.getStatus()).isEqualTo(ResultStatus.FAILED);
        assertThat(result.getOutput()).isNull();
        assertThat(f.statusStore().get("f1").state()).isEqualTo(RequestState.FAILED);
    }

    @Test
    void finalStatusesAreForgottenAfterTheWindow() {
        f.send(f.request("s1", generate("hi"), "").build());
        f.answer(result(f.workGenerate.readValue(), WorkStatus.OK, text("x")).build());
        assertThat(f.statusStore().get("s1")).isNotNull();
        f.advance(Duration.ofHours(1).plusMinutes(1));
        assertThat(f.statusStore().get("s1")).isNull();
        assertThat(f.dedupeStore().get("s1")).isNull();
    }

    private static double weight(WorkItem item) {
        return item.getText().getBytes(StandardCharsets.UTF_8).length; // byte-level tokenizer: one token per byte
    }

    static String sentences(int count) {
        var text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append("Sentence number ").append(i).append(" is here.");
            text.append(i % 7 == 6 ? "\n\n" : " ");
        }
        return text.toString().strip();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] copy = new byte[buffer.remaining()];
        buffer.duplicate().get(copy);
        return copy;
    }
}

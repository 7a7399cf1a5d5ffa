package io.bitnetstreams.topology;

import static io.bitnetstreams.topology.Fixture.classify;
import static io.bitnetstreams.topology.Fixture.extract;
import static io.bitnetstreams.topology.Fixture.probabilities;
import static io.bitnetstreams.topology.Fixture.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.DeadLetterReason;
import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.avro.ResultStatus;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkStatus;
import io.bitnetstreams.topology.processors.RequestIdPartitioner;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * Every test of {@link BitnetTopologyTest} again on the direct form with two state partitions: the driver's one task
 * reads partition 0, so requests whose id belongs to partition 0 take the direct path and the others the repartition
 * topic (fed back by the driver); plus what only the direct form has.
 */
class DirectFormTopologyTest extends BitnetTopologyTest {

    private static final TopologyForm DIRECT = new TopologyForm(2, true, true);

    @Override
    Fixture fixture(Map<String, String> overrides) {
        return new Fixture(overrides, Fixture.BYTE_TOKENIZER, DIRECT);
    }

    @Override
    @Test
    void requestStateIsFedOnlyByTheTopologysOwnRepartitionTopics() {
        var description = f.driverTopology().describe();
        // one sub-topology: both inputs, both repartition topics and the state together
        assertThat(description.subtopologies()).hasSize(1);
        var only = description.subtopologies().iterator().next();
        assertThat(sources(only)).containsExactlyInAnyOrder(f.config.topics().requests(), f.config.topics().workResults(),
                f.config.repartitionTopics().requestsById(), f.config.repartitionTopics().workResultsById());
        assertThat(only.nodes().stream().map(TopologyDescription.Node::name))
                .contains(BitnetTopology.DEDUPE_REQUEST, BitnetTopology.REASSEMBLE);
    }

    @Test
    void onlyTheRequestsInputIsMergedWhenOnlyItsPartitionCountMatches() {
        try (var half = new Fixture(Map.of(), Fixture.BYTE_TOKENIZER, TopologyForm.of(true, 4, 4, 3))) {
            var description = half.driverTopology().describe();
            assertThat(description.subtopologies()).hasSize(2);
            var stateful = description.subtopologies().stream()
                    .filter(sub -> sub.nodes().stream().anyMatch(n -> n.name().equals(BitnetTopology.DEDUPE_REQUEST)))
                    .findFirst().orElseThrow();
            assertThat(sources(stateful)).containsExactlyInAnyOrder(half.config.topics().requests(),
                    half.config.repartitionTopics().requestsById(), half.config.repartitionTopics().workResultsById());
        }
    }

    @Test
    void theFormFollowsThePartitionCounts() {
        assertThat(TopologyForm.of(true, 4, 4, 4)).isEqualTo(new TopologyForm(4, true, true));
        assertThat(TopologyForm.of(true, 4, 5, 3)).isEqualTo(new TopologyForm(4, false, false));
        assertThat(TopologyForm.of(true, 4, 3, 4)).isEqualTo(new TopologyForm(4, false, true));
        assertThat(TopologyForm.of(false, 4, 4, 4)).isEqualTo(new TopologyForm(4, false, false));
    }

    @Test
    void requestsOnTheirPartitionSkipTheRepartitionTopicAndTheOthersTakeIt() {
        String direct = idOnPartition(0, "direct-");
        String moved = idOnPartition(1, "moved-");
        f.send(f.request(direct, classify("a", "b"), "one").build());
        f.send(f.request(moved, classify("a", "b"), "two").build());

        assertThat(f.workClassify.readValuesToList()).extracting(WorkItem::getRequestId)
                .containsExactlyInAnyOrder(direct, moved);
        assertThat(f.metrics.count("bitnet.topology.records.in", "topic", f.config.topics().requests())).isEqualTo(2);
        assertThat(f.metrics.count("bitnet.topology.records.in", "topic", f.config.repartitionTopics().requestsById()))
                .as("only the request of partition 1 crossed the repartition topic").isEqualTo(1);
    }

    @Test
    void workResultsOnTheirPartitionSkipTheRepartitionTopic() {
        String direct = idOnPartition(0, "answer-direct-");
        String moved = idOnPartition(1, "answer-moved-");
        f.send(f.request(direct, classify("a", "b"), "one").build());
        f.send(f.request(moved, classify("a", "b"), "two").build());
        for (WorkItem item : f.workClassify.readValuesToList()) {
            f.answer(result(item, WorkStatus.OK, probabilities(Map.of("a", 0.8, "b", 0.2))).build());
        }

        assertThat(f.classificationResults.readValuesToList()).extracting(ClassificationResult::getRequestId)
                .containsExactlyInAnyOrder(direct, moved);
        assertThat(f.metrics.count("bitnet.topology.records.in", "topic", f.config.repartitionTopics().workResultsById()))
                .isEqualTo(1);
    }

    @Test
    void aDuplicateArrivingThroughTheRepartitionTopicOfARequestTakenDirectlyIsDropped() {
        String id = idOnPartition(0, "both-ways-");
        InferenceRequest request = f.request(id, classify("a", "b"), "hello").build();
        f.send(request);
        // the same request as another instance's task would have moved it here from another input partition
        var repartitioned = f.driver.createInputTopic(f.config.repartitionTopics().requestsById(),
                Serdes.String().serializer(), Serdes.ByteArray().serializer());
        repartitioned.pipeInput(id, f.encode(request), f.now());

        assertThat(f.workClassify.readValuesToList()).hasSize(1);
        assertThat(f.metrics.registry().find("bitnet.topology.duplicates").counter().count()).isEqualTo(1);
        assertThat(f.classificationResults.isEmpty()).isTrue();
    }

    @Test
    void aDirectRequestRejectedByValidationPointsAtItsInputRecord() {
        String id = idOnPartition(0, "bad-direct-");
        f.send(f.request(idOnPartition(0, "fine-"), classify("a"), "first").build());
        byte[] invalid = f.encode(f.request(id, classify(), "no labels").build());
        f.requests.pipeInput(id, invalid, f.now());

        DeadLetter letter = f.deadLetters.readValue();
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.INVALID_REQUEST);
        assertThat(letter.getSourceTopic()).isEqualTo(f.config.topics().requests());
        assertThat(letter.getSourcePartition()).isZero();
        assertThat(letter.getSourceOffset()).isEqualTo(1);
        assertThat(f.metrics.count("bitnet.topology.records.in", "topic", f.config.repartitionTopics().requestsById()))
                .isZero();
    }

    @Test
    void theTypedSchemaOfADirectExtractionRequestIsRemembered() {
        try (var typed = new Fixture(Map.of("bitnet.topic.results.extraction.typed", "typed.results"),
                Fixture.BYTE_TOKENIZER, DIRECT)) {
            String direct = idOnPartition(0, "typed-direct-");
            String moved = idOnPartition(1, "typed-moved-");
            String schema = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}";
            typed.send(typed.request(direct, extract(schema), "Ada").build());
            typed.send(typed.request(moved, extract(schema), "Bob").build());

            KeyValueStore<String, String> schemas = typed.driver.getKeyValueStore(BitnetTopology.TYPED_SCHEMA_STORE);
            assertThat(schemas.get(direct)).endsWith(schema);
            assertThat(schemas.get(moved)).endsWith(schema);
            assertThat(typed.workExtract.readValuesToList()).hasSize(2);
        }
    }

    @Test
    void aFinishedDirectRequestEndsOnce() {
        String id = idOnPartition(0, "once-");
        f.send(f.request(id, classify("a", "b"), "hello").build());
        WorkItem item = f.workClassify.readValue();
        var answer = result(item, WorkStatus.OK, probabilities(Map.of("a", 0.3, "b", 0.7))).build();
        f.answer(answer);
        f.answer(answer);

        assertThat(f.classificationResults.readValuesToList()).singleElement()
                .satisfies(r -> assertThat(r.getStatus()).isEqualTo(ResultStatus.DONE));
        assertThat(f.metrics.registry().find("bitnet.topology.results.late").counter().count()).isEqualTo(1);
    }

    private static String idOnPartition(int partition, String prefix) {
        return IntStream.range(0, 1000).mapToObj(i -> prefix + i)
                .filter(id -> RequestIdPartitioner.partitionOf(id, DIRECT.partitions()) == partition)
                .findFirst().orElseThrow();
    }

    private static Set<String> sources(TopologyDescription.Subtopology subtopology) {
        return subtopology.nodes().stream()
                .filter(node -> node instanceof TopologyDescription.Source)
                .flatMap(node -> ((TopologyDescription.Source) node).topicSet().stream())
                .collect(Collectors.toSet());
    }
}

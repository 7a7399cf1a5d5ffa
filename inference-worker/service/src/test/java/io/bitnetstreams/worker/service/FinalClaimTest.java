package io.bitnetstreams.worker.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.GenerateTask;
import io.bitnetstreams.avro.GenerationOutput;
import io.bitnetstreams.avro.GenerationResult;
import io.bitnetstreams.avro.FinishReason;
import io.bitnetstreams.avro.ResultStatus;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.contract.TopicNames;
import io.bitnetstreams.worker.executor.WorkItems;
import io.bitnetstreams.worker.executor.WorkOutcome;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

/** The worker's side of a one-part request's final result, without a broker. */
class FinalClaimTest {

    private static final Instant DEADLINE = Instant.parse("2026-12-04T15:00:00Z");

    @Test
    void aOnePartItemWithADeadlineIsClaimedWithTheFinalResultOfItsKindAndTopic() {
        WorkItem item = WorkItem.newBuilder(WorkItems.classify("r1", "billing question"))
                .setFinalResultDeadline(DEADLINE).setMetadata(Map.of("source", "test")).build();
        WorkResult plain = Results.result(item, WorkOutcome.ok(classification(), 7, 1, 2, 3, 1), "w", "m", 5_000);

        Entry.FinalClaim claim = Results.finalClaim(item, plain, TopicNames.DEFAULTS, 5_000);

        assertThat(claim).isNotNull();
        assertThat(claim.topic()).isEqualTo(TopicNames.DEFAULTS.classificationResults());
        assertThat(claim.plainOutput()).isSameAs(plain);
        ClassificationResult result = (ClassificationResult) claim.finalResult();
        assertThat(result.getRequestId()).isEqualTo("r1");
        assertThat(result.getTenant()).isEqualTo("t");
        assertThat(result.getStatus()).isEqualTo(ResultStatus.DONE);
        assertThat(result.getOutput()).isEqualTo(classification());
        assertThat(result.getUsage().getPromptTokens()).isEqualTo(7);
        assertThat(result.getMetadata()).containsEntry("source", "test");
        assertThat(result.getCompletedAt()).isEqualTo(Instant.ofEpochMilli(5_000));
        assertThat(Results.claiming(plain).getFinalResultPublished()).isTrue();
        assertThat(plain.getFinalResultPublished()).isFalse();
    }

    @Test
    void aGenerationGoesToTheGenerationResultsTopic() {
        WorkItem item = WorkItem.newBuilder(WorkItems.classify("g1", "hi")).setTask(GenerateTask.newBuilder().build())
                .setFinalResultDeadline(DEADLINE).build();
        WorkResult plain = Results.result(item, WorkOutcome.ok(new GenerationOutput("ho", FinishReason.STOP), 1, 1, 0, 0, 1),
                "w", "m", 5_000);
        Entry.FinalClaim claim = Results.finalClaim(item, plain, TopicNames.DEFAULTS, 5_000);
        assertThat(claim.topic()).isEqualTo(TopicNames.DEFAULTS.generationResults());
        assertThat(((GenerationResult) claim.finalResult()).getOutput().getText()).isEqualTo("ho");
    }

    @Test
    void withoutADeadlineOrWithSeveralPartsNothingIsClaimed() {
        WorkItem noDeadline = WorkItems.classify("r2", "x");
        WorkItem twoParts = WorkItem.newBuilder(noDeadline).setChunkCount(2).setFinalResultDeadline(DEADLINE).build();
        for (WorkItem item : List.of(noDeadline, twoParts)) {
            WorkResult plain = Results.result(item, WorkOutcome.ok(classification(), 1, 1, 0, 0, 1), "w", "m", 5_000);
            assertThat(Results.finalClaim(item, plain, TopicNames.DEFAULTS, 5_000)).as(item.toString()).isNull();
        }
    }

    @Test
    void givingTheClaimUpPublishesThePlainWorkResultForGood() {
        WorkItem item = WorkItem.newBuilder(WorkItems.classify("r3", "x")).setFinalResultDeadline(DEADLINE).build();
        WorkResult plain = Results.result(item, WorkOutcome.ok(classification(), 1, 1, 0, 0, 1), "w", "m", 5_000);
        Entry entry = new Entry(new ConsumerRecord<>("work", 0, 0, "r3".getBytes(StandardCharsets.UTF_8), new byte[0]));
        entry.item(item);
        entry.done("results", "r3", Results.claiming(plain), 5_000, Results.finalClaim(item, plain, TopicNames.DEFAULTS, 5_000));
        assertThat(((WorkResult) entry.output()).getFinalResultPublished()).isTrue();

        entry.giveUpClaim();
        assertThat(entry.claim()).isNull();
        assertThat(entry.output()).isSameAs(plain);
        entry.giveUpClaim();
        assertThat(entry.output()).isSameAs(plain);
    }

    @Test
    void aRefusedWriteOnAResultsTopicNamesTheAclAndTheSwitch() {
        var refused = new TopicAuthorizationException(java.util.Set.of("bitnet.results.classification"));
        var finals = new TransactionalCommitter.FinalResultsFailedException(new KafkaException("send failed", refused));
        assertThat(TransactionalCommitter.fatalMessage(finals, TransactionalCommitter.fatalCause(finals)))
                .contains("WRITE on the results topics", "bitnet.final.results.publish=false");

        var workResults = new KafkaException("send failed", refused);
        assertThat(TransactionalCommitter.fatalMessage(workResults, refused)).doesNotContain("bitnet.final.results.publish");
        var fenced = new TransactionalCommitter.FinalResultsFailedException(new KafkaException(new ProducerFencedException("x")));
        assertThat(TransactionalCommitter.fatalMessage(fenced, TransactionalCommitter.fatalCause(fenced)))
                .startsWith("producer fenced or unusable");
    }

    private static ClassificationOutput classification() {
        return new ClassificationOutput(Map.of("billing", 0.9, "tech", 0.1), Map.of("billing", -0.1, "tech", -2.3), "billing",
                List.of("billing"));
    }
}

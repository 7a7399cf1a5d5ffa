package io.bitnetstreams.loadtest.eos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.bitnetstreams.devstack.junit.WithKafka;
import io.bitnetstreams.devstack.kafka.EmbeddedKafkaCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/** The exactly-once hop probe against the embedded broker: every record measured, stages that add up, broker timings. */
@WithKafka
class EosHopProbeIT {

    private static final int MESSAGES = 20;

    @Test
    void twoStagesOnOneProducerAreMeasuredStageByStage(EmbeddedKafkaCluster kafka) throws Exception {
        EosHopProbe.Settings settings = new EosHopProbe.Settings(kafka.bootstrapServers(), "it", 2, MESSAGES, 3,
                Duration.ofMillis(1), 3, true, Map.of(), Map.of());
        kafka.createTopics(settings.topics().stream().map(t -> new NewTopic(t, 3, (short) 1)).toList());
        BrokerRequestMetrics broker = new BrokerRequestMetrics();
        assertThat(broker.available()).as("the embedded broker's request metrics in this JVM").isTrue();
        var before = broker.snapshot();

        EosHopProbe.Result result = new EosHopProbe(settings).run();

        assertThat(result.measured()).isEqualTo(MESSAGES);
        result.stages().forEach((name, histogram) -> assertThat(histogram.getTotalCount()).as(name).isEqualTo(MESSAGES));
        // the disjoint stages cover the path from send to the sink's poll exactly (microsecond truncation aside)
        double parts = List.of("source: send -> acknowledged", "source: commitTransaction (EndTxn)",
                        "stage 1: upstream commit -> polled (markers, LSO, fetch)", "stage 1: polled -> committed (the relay's own time)",
                        "stage 2: upstream commit -> polled (markers, LSO, fetch)", "stage 2: polled -> committed (the relay's own time)",
                        "sink: upstream commit -> polled (markers, LSO, fetch)").stream()
                .mapToDouble(name -> mean(result, name)).sum();
        double endToEnd = mean(result, "end to end: send -> sink polled");
        // tolerance: each of the seven parts is truncated to microseconds and kept to 3 significant digits
        assertThat(parts).isCloseTo(endToEnd, within(0.05 + 0.01 * endToEnd));
        // one source transaction and one per stage for every record (warm-up included), each ended by EndTxn
        var timings = broker.window(before, broker.snapshot(), 1);
        assertThat(timings).containsKeys("EndTxn", "TxnOffsetCommit", "WriteTxnMarkers", "Produce");
        assertThat(timings.get("EndTxn").count()).isGreaterThanOrEqualTo(3L * (MESSAGES + 3));
        assertThat(timings.get("TxnOffsetCommit").count()).isGreaterThanOrEqualTo(2L * (MESSAGES + 3));
    }

    private static double mean(EosHopProbe.Result result, String stage) {
        Histogram histogram = result.stages().get(stage);
        assertThat(histogram).as(stage).isNotNull();
        return histogram.getMean() / 1000.0;
    }
}

package io.bitnetstreams.standalone.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.contract.config.ConfigException;
import io.bitnetstreams.standalone.model.ModelResolver;
import io.bitnetstreams.standalone.run.StandaloneRun;
import io.bitnetstreams.topology.config.TopologyConfig;
import io.bitnetstreams.worker.config.WorkerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The user's --config / --set reach the topology and the workers of a standalone run; the stack's own settings win. */
class StandaloneSettingsTest {

    private static final Infrastructure CLUSTER = Infrastructure.existing("cluster:9092", "http://registry:8081");
    private static final Map<String, String> USER = Map.of(
            "bitnet.chunk.tokens", "200",                  // topology key
            "bitnet.queue.capacity", "7",                  // worker key
            "bitnet.topic.dlq", "team.dlq",                // both
            "security.protocol", "SASL_SSL",               // passthrough: both
            "bootstrap.servers", "ignored:1",              // the stack decides where its parts meet
            "bitnet.model", "/ignored.gguf");

    @Test
    void userSettingsReachEachPartWithTheStacksOwnWinning() {
        TopologyConfig topology = TopologyPart.config(CLUSTER, 4096, 0, Path.of("state"), USER);
        assertThat(topology.chunkTokens()).isEqualTo(200);
        assertThat(topology.topics().deadLetters()).isEqualTo("team.dlq");
        assertThat(topology.passthrough()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("bootstrap.servers", "cluster:9092");

        WorkerConfig worker = WorkerPart.config(CLUSTER, topology.topics(),
                new WorkerPart.Settings(Path.of("model.gguf"), 1, 2, 0, "w-", USER), 0);
        assertThat(worker.queueCapacity()).isEqualTo(7);
        assertThat(worker.deadLetterTopic()).isEqualTo("team.dlq");
        assertThat(worker.kafka()).containsEntry("security.protocol", "SASL_SSL").containsEntry("bootstrap.servers", "cluster:9092");
        assertThat(worker.model()).endsWith("model.gguf");
        assertThat(worker.threads()).isEqualTo(2);
    }

    @Test
    void unknownKeysAreRejectedBeforeAnythingStarts() {
        assertThatThrownBy(() -> new StandaloneRun.Options(null, 0, new ModelResolver.Request(null, Path.of("m"), false, true),
                null, null, null, 0, 0, 1, 1, Duration.ofMinutes(1), Duration.ofMinutes(1), null, false, false,
                Map.of("bitnet.chunk.tokenz", "5")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("bitnet.chunk.tokenz"));
    }
}

package io.bitnetstreams.devstack.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.bitnetstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.bitnetstreams.devstack.kafka.KafkaClusterConfig;
import io.bitnetstreams.devstack.registry.SchemaRegistryProcess;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Runs small sample classes through the JUnit engine to check what the extensions promise: one
 * instance per class (shared with @Nested classes and across classes when asked), injected
 * everywhere, and closed when the class (or the run) is done.
 */
class ExtensionLifecycleIT {

    static final List<EmbeddedKafkaCluster> seenClusters = new CopyOnWriteArrayList<>();
    static final List<SchemaRegistryProcess> seenRegistries = new CopyOnWriteArrayList<>();

    @Test
    void clusterServesTheWholeClassIncludingNestedClassesAndIsClosedAfterwards() {
        seenClusters.clear();
        Events tests = run(KafkaSample.class);

        tests.assertStatistics(stats -> stats.started(3).succeeded(3));
        assertThat(seenClusters).hasSize(4).allSatisfy(cluster -> assertThat(cluster).isSameAs(seenClusters.getFirst()));
        assertThat(seenClusters.getFirst().isClosed()).isTrue();
    }

    @Test
    void sharedClusterIsReusedAcrossClassesAndClosedAtTheEndOfTheRun() {
        seenClusters.clear();
        Events tests = run(SharedKafkaSampleA.class, SharedKafkaSampleB.class);

        tests.assertStatistics(stats -> stats.started(2).succeeded(2));
        assertThat(seenClusters).hasSize(2);
        assertThat(seenClusters.get(0)).isSameAs(seenClusters.get(1));
        assertThat(seenClusters.getFirst().isClosed()).isTrue();
    }

    @Test
    void programmaticallyRegisteredClusterUsesItsOwnConfig() {
        seenClusters.clear();
        run(ProgrammaticKafkaSample.class).assertStatistics(stats -> stats.started(1).succeeded(1));
        assertThat(seenClusters).hasSize(1);
        assertThat(seenClusters.getFirst().isClosed()).isTrue();
    }

    @Test
    void registryIsStoppedAfterTheClassAndLeavesNoProcess() {
        seenRegistries.clear();
        run(RegistrySample.class).assertStatistics(stats -> stats.started(1).succeeded(1));

        assertThat(seenRegistries).hasSize(1);
        SchemaRegistryProcess registry = seenRegistries.getFirst();
        assertThat(registry.isRunning()).isFalse();
        assertThat(ProcessHandle.of(registry.pid()).filter(ProcessHandle::isAlive)).isEmpty();
    }

    @Test
    void invalidAnnotationFailsTheClassWithAClearMessage() {
        Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(InvalidKafkaSample.class))
                .execute().containerEvents();
        assertThat(events.failed().stream()
                .map(event -> event.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow())
                .map(result -> result.getThrowable().orElseThrow().getMessage()))
                .anySatisfy(message -> assertThat(message).contains("key=value"));
    }

    private static Events run(Class<?>... classes) {
        var request = EngineTestKit.engine("junit-jupiter");
        for (Class<?> testClass : classes) {
            request = request.selectors(selectClass(testClass));
        }
        return request.execute().testEvents();
    }

    @WithKafka
    static class KafkaSample {
        static EmbeddedKafkaCluster staticField;

        @BeforeAll
        static void beforeAll(EmbeddedKafkaCluster kafka) {
            seenClusters.add(kafka);
        }

        @Test
        void parameter(EmbeddedKafkaCluster kafka) {
            seenClusters.add(kafka);
            assertThat(staticField).isSameAs(kafka);
            assertThat(kafka.isClosed()).isFalse();
        }

        @Nested
        class Inner {
            EmbeddedKafkaCluster field;

            @Test
            void nestedField() {
                seenClusters.add(field);
            }

            @Test
            void nestedParameter(EmbeddedKafkaCluster kafka) {
                seenClusters.add(kafka);
            }
        }
    }

    @WithKafka(sharedPerJvm = true)
    static class SharedKafkaSampleA {
        @Test
        void first(EmbeddedKafkaCluster kafka) {
            seenClusters.add(kafka);
        }
    }

    @WithKafka(sharedPerJvm = true)
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    static class SharedKafkaSampleB {
        EmbeddedKafkaCluster field;

        @Test
        void second() {
            seenClusters.add(field);
            assertThat(field.isClosed()).isFalse();
        }
    }

    static class ProgrammaticKafkaSample {
        @RegisterExtension
        static final KafkaClusterExtension KAFKA = new KafkaClusterExtension(
                KafkaClusterConfig.builder().brokerProperty("log.retention.ms", "60000").build());

        @Test
        void usesTheRegisteredExtension(EmbeddedKafkaCluster kafka) {
            seenClusters.add(kafka);
            assertThat(KAFKA.cluster()).isSameAs(kafka);
        }
    }

    @WithKafka(brokerProperties = "no-equals-sign")
    static class InvalidKafkaSample {
        @Test
        void neverRuns(EmbeddedKafkaCluster kafka) {
            seenClusters.add(kafka);
        }
    }

    @WithSchemaRegistry
    static class RegistrySample {
        @Test
        void registryIsUp(SchemaRegistryProcess registry) {
            seenRegistries.add(registry);
            assertThat(registry.isRunning()).isTrue();
        }
    }
}

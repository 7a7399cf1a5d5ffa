package io.bitnetstreams.devstack;

import io.bitnetstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.bitnetstreams.devstack.kafka.KafkaClusterConfig;
import io.bitnetstreams.devstack.registry.SchemaRegistryConfig;
import io.bitnetstreams.devstack.registry.SchemaRegistryProcess;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The whole local infrastructure of the pipeline: an embedded Kafka cluster and a schema registry,
 * started together (in parallel) and stopped together. Used by the standalone mode and by
 * {@link DevStackMain} for developers.
 */
public final class DevStack implements AutoCloseable {

    private final EmbeddedKafkaCluster kafka;
    private final SchemaRegistryProcess registry;

    private DevStack(EmbeddedKafkaCluster kafka, SchemaRegistryProcess registry) {
        this.kafka = kafka;
        this.registry = registry;
    }

    /** What to start. */
    public record Config(KafkaClusterConfig kafka, SchemaRegistryConfig registry) {
        public Config {
            Objects.requireNonNull(kafka, "kafka");
            Objects.requireNonNull(registry, "registry");
        }

        /** One broker and an in-memory registry, everything in temporary directories. */
        public static Config ephemeral() {
            return new Config(KafkaClusterConfig.singleNode(), SchemaRegistryConfig.inMemory());
        }
    }

    /** Starts Kafka and the registry side by side; if either fails, the other is stopped again. */
    public static DevStack start(Config config) {
        // Own thread, not the common pool, which has a single worker on a 2-core machine.
        CompletableFuture<SchemaRegistryProcess> registry = CompletableFuture.supplyAsync(
                () -> SchemaRegistryProcess.start(config.registry()),
                task -> Thread.ofPlatform().daemon().name("schema-registry-startup").start(task));
        EmbeddedKafkaCluster kafka;
        try {
            kafka = EmbeddedKafkaCluster.start(config.kafka());
        } catch (RuntimeException e) {
            registry.thenAccept(SchemaRegistryProcess::stop);
            throw e;
        }
        try {
            return new DevStack(kafka, registry.join());
        } catch (RuntimeException e) {
            kafka.close();
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    public EmbeddedKafkaCluster kafka() {
        return kafka;
    }

    public SchemaRegistryProcess registry() {
        return registry;
    }

    /** {@code bootstrap.servers} and {@code schema.registry.url}, ready for clients and serdes. */
    public Map<String, String> clientProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("bootstrap.servers", kafka.bootstrapServers());
        properties.put("schema.registry.url", registry.url());
        return properties;
    }

    /** Stops the registry and the cluster. Safe to call more than once. */
    @Override
    public void close() {
        try {
            registry.stop();
        } finally {
            kafka.close();
        }
    }
}

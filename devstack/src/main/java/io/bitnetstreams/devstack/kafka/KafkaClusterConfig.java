package io.bitnetstreams.devstack.kafka;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What kind of embedded KRaft cluster to start.
 *
 * @param brokers          number of brokers, 1 to {@value #MAX_BROKERS}; one broker runs as a single
 *                         combined broker+controller node, more brokers get separate controllers
 * @param controllers      number of KRaft controllers when the nodes are not combined (1 or 3 is usual)
 * @param dataDir          where the nodes keep their logs; empty means a fresh temporary directory that
 *                         close() deletes. A given directory is kept after close() and must be empty
 *                         (or absent) at start: the test kit always formats fresh storage.
 * @param brokerProperties extra broker/controller properties; they override our defaults
 * @param startupTimeout   bound on the wait until every broker is registered and unfenced
 */
public record KafkaClusterConfig(
        int brokers,
        int controllers,
        Optional<Path> dataDir,
        Map<String, String> brokerProperties,
        Duration startupTimeout) {

    public static final int MAX_BROKERS = 9;
    public static final int MAX_CONTROLLERS = 5;

    public KafkaClusterConfig {
        if (brokers < 1 || brokers > MAX_BROKERS) {
            throw new IllegalArgumentException("brokers must be within 1.." + MAX_BROKERS + ", was " + brokers);
        }
        if (controllers < 1 || controllers > MAX_CONTROLLERS) {
            throw new IllegalArgumentException(
                    "controllers must be within 1.." + MAX_CONTROLLERS + ", was " + controllers);
        }
        if (brokers == 1 && controllers != 1) {
            throw new IllegalArgumentException("a 1-broker cluster runs one combined node; controllers must be 1");
        }
        Objects.requireNonNull(dataDir, "dataDir");
        brokerProperties = Map.copyOf(Objects.requireNonNull(brokerProperties, "brokerProperties"));
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        if (startupTimeout.isNegative() || startupTimeout.isZero()) {
            throw new IllegalArgumentException("startupTimeout must be positive, was " + startupTimeout);
        }
    }

    /** True when the cluster is one node acting as both broker and controller. */
    public boolean combined() {
        return brokers == 1;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** One combined node in a temporary directory. */
    public static KafkaClusterConfig singleNode() {
        return builder().build();
    }

    public static final class Builder {
        private int brokers = 1;
        private int controllers = 1;
        private Path dataDir;
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private Duration startupTimeout = Duration.ofSeconds(60);

        private Builder() {}

        public Builder brokers(int brokers) {
            this.brokers = brokers;
            return this;
        }

        public Builder controllers(int controllers) {
            this.controllers = controllers;
            return this;
        }

        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        public Builder brokerProperty(String key, String value) {
            brokerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder brokerProperties(Map<String, String> properties) {
            properties.forEach(this::brokerProperty);
            return this;
        }

        public Builder startupTimeout(Duration startupTimeout) {
            this.startupTimeout = startupTimeout;
            return this;
        }

        public KafkaClusterConfig build() {
            return new KafkaClusterConfig(brokers, controllers, Optional.ofNullable(dataDir),
                    brokerProperties, startupTimeout);
        }

        /** Builds the config and starts the cluster. */
        public EmbeddedKafkaCluster start() {
            return EmbeddedKafkaCluster.start(build());
        }
    }
}

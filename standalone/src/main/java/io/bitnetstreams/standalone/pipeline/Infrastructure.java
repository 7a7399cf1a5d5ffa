package io.bitnetstreams.standalone.pipeline;

import io.bitnetstreams.devstack.DevStack;
import io.bitnetstreams.devstack.kafka.KafkaClusterConfig;
import io.bitnetstreams.devstack.registry.SchemaRegistryConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/** Kafka and the schema registry: started here (embedded broker, registry child process) or an existing pair. */
public final class Infrastructure implements AutoCloseable {

    private final String bootstrapServers;
    private final String registryUrl;
    private final DevStack stack;
    private final Map<String, String> clientSettings;
    private final Map<String, String> serdeSettings;

    private Infrastructure(String bootstrapServers, String registryUrl, DevStack stack,
                           Map<String, String> clientSettings, Map<String, String> serdeSettings) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.registryUrl = Objects.requireNonNull(registryUrl, "registryUrl");
        this.stack = stack;
        this.clientSettings = Map.copyOf(clientSettings);
        this.serdeSettings = Map.copyOf(serdeSettings);
    }

    /**
     * A single-node KRaft broker on loopback and an in-memory Apicurio registry. With {@code dataDir}, the broker's
     * logs and the registry's work files go below it (kept after the run); otherwise into temporary directories.
     */
    public static Infrastructure embedded(Path dataDir, Duration registryStartup) {
        KafkaClusterConfig.Builder kafka = KafkaClusterConfig.builder();
        SchemaRegistryConfig.Builder registry = SchemaRegistryConfig.builder().startupTimeout(registryStartup);
        if (dataDir != null) {
            kafka.dataDir(dataDir.resolve("kafka"));
            registry.workDir(dataDir.resolve("registry"));
        }
        // Kafka's storage formatter prints to System.out; stdout is for results, so it goes to stderr meanwhile
        PrintStream stdout = System.out;
        DevStack stack;
        System.setOut(System.err);
        try {
            stack = DevStack.start(new DevStack.Config(kafka.build(), registry.build()));
        } finally {
            System.setOut(stdout);
        }
        return new Infrastructure(stack.kafka().bootstrapServers(), stack.registry().url(), stack, Map.of(), Map.of());
    }

    /** An existing cluster and registry; closing leaves them running. */
    public static Infrastructure existing(String bootstrapServers, String registryUrl) {
        return existing(bootstrapServers, registryUrl, Map.of(), Map.of());
    }

    /**
     * An existing cluster and registry reached with the user's settings: {@code clientSettings} are the Kafka
     * client properties (security, ...) and {@code serdeSettings} the registry's ({@code basic.auth.*},
     * {@code schema.registry.ssl.*}, ...), as the one loader splits them ({@code ConfigValues.clientConfig} /
     * {@code serdeConfig}). The given addresses win over any in the settings.
     */
    public static Infrastructure existing(String bootstrapServers, String registryUrl, Map<String, String> clientSettings,
                                          Map<String, String> serdeSettings) {
        return new Infrastructure(bootstrapServers, registryUrl, null, clientSettings, serdeSettings);
    }

    public boolean embedded() {
        return stack != null;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The registry process started here, if any (for resource sampling). */
    public java.util.OptionalLong registryPid() {
        return stack == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(stack.registry().pid());
    }

    public String registryUrl() {
        return registryUrl;
    }

    /** The Kafka client settings with {@code bootstrap.servers}. */
    public Map<String, Object> clientConfig() {
        Map<String, Object> config = new HashMap<>(clientSettings);
        config.put("bootstrap.servers", bootstrapServers);
        return config;
    }

    /** The serde settings with {@code schema.registry.url}. */
    public Map<String, Object> serdeConfig() {
        Map<String, Object> config = new HashMap<>(serdeSettings);
        config.put("schema.registry.url", registryUrl);
        return config;
    }

    @Override
    public void close() {
        if (stack != null) {
            stack.close();
        }
    }
}

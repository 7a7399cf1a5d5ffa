package io.bitnetstreams.launcher.client;

import io.bitnetstreams.contract.TopicNames;
import io.bitnetstreams.contract.config.ConfigException;
import io.bitnetstreams.contract.config.ConfigLoader;
import io.bitnetstreams.contract.config.ConfigValues;
import io.bitnetstreams.contract.config.KnownKeys;
import io.bitnetstreams.contract.config.Secrets;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a client of the pipeline ({@code submit}) needs: the topics, and the Kafka client and serde properties,
 * read by the pipeline's one loader (file, then environment, then options).
 *
 * @param topics  where requests go and results come from ({@code bitnet.topic.*})
 * @param clients Kafka producer/consumer properties, verbatim ({@code bootstrap.servers}, security, ...)
 * @param serde   serde properties ({@code schema.registry.url}, {@code basic.auth.*}, {@code bitnet.schema.registry.*})
 */
public record SubmitConfig(TopicNames topics, Map<String, String> clients, Map<String, String> serde) {

    /** A client knows the topic names and the serde's keys, nothing else under {@code bitnet.*}. */
    public static final KnownKeys KEYS = KnownKeys.of("submit", TopicNames.KEYS, KnownKeys.SERDE);

    public SubmitConfig {
        clients = Map.copyOf(clients);
        serde = Map.copyOf(serde);
        if (clients.getOrDefault("bootstrap.servers", "").isBlank()) {
            throw new ConfigException("bootstrap.servers", "required (--bootstrap-servers, KAFKA_BOOTSTRAP_SERVERS)");
        }
        if (serde.getOrDefault("schema.registry.url", "").isBlank()) {
            throw new ConfigException("schema.registry.url", "required (--schema-registry, SCHEMA_REGISTRY_URL)");
        }
    }

    /** File (may be null; else {@code BITNET_CONFIG}), then the environment, then {@code overrides}. */
    public static SubmitConfig load(Path file, Map<String, String> environment, Map<String, String> overrides) {
        ConfigValues in = ConfigLoader.load(KEYS, file, environment, overrides);
        return new SubmitConfig(TopicNames.from(in), in.clientConfig(), in.serdeConfig());
    }

    @Override
    public String toString() {
        return "SubmitConfig[topics=" + topics + ", clients=" + Secrets.masked(clients) + ", serde="
                + Secrets.masked(serde) + "]";
    }
}

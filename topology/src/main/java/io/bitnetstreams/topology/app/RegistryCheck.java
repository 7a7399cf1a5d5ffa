package io.bitnetstreams.topology.app;

import io.bitnetstreams.schemas.serde.config.SerdeConfig;
import io.bitnetstreams.schemas.serde.registry.HttpSchemaRegistryClient;
import io.bitnetstreams.schemas.serde.registry.Redaction;
import io.bitnetstreams.schemas.serde.registry.SchemaRegistryException;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Fails fast when the schema registry does not answer, instead of failing on the first record. Uses the serdes' own
 * client, so TLS ({@code schema.registry.ssl.*}) and credentials apply, and says whether it was the connection, TLS or
 * the credentials; never prints a password.
 */
public final class RegistryCheck {

    private RegistryCheck() {}

    public static void requireReachable(Map<String, ?> serdeConfig) {
        SerdeConfig config;
        try {
            config = SerdeConfig.parse(serdeConfig);
        } catch (ConfigException e) {
            throw new StartupException("invalid schema registry settings: " + Redaction.urls(e.getMessage()), e);
        }
        try (var client = new HttpSchemaRegistryClient(config.registry())) {
            client.checkReachable();
        } catch (SchemaRegistryException e) {
            String what = e.httpStatus() == 401 || e.httpStatus() == 403
                    ? "refused the credentials (HTTP " + e.httpStatus() + ")"
                    : "is unreachable";
            String urls = String.join(", ", config.registry().urls().stream().map(Object::toString).toList());
            throw new StartupException("schema registry at " + urls + " " + what + ": "
                    + Redaction.urls(e.getMessage()), e);
        }
    }
}

package io.bitnetstreams.schemas.serde.registry;

import org.apache.avro.Schema;

/**
 * The subset of the Confluent Schema Registry REST API the serde needs. Served by Confluent Schema Registry,
 * Apicurio (at {@code /apis/ccompat/v7}), Karapace and Redpanda.
 *
 * <p>Every method throws {@link RegistryUnavailableException} when the registry stays unreachable through the
 * retries, {@link RegistryRequestException} (or a subclass) when it refuses the request.
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /** {@code POST /subjects/{subject}/versions}: registers (or finds) the schema, returns its global id. */
    int register(String subject, Schema schema);

    /** {@code POST /subjects/{subject}}: the id of an already registered schema; {@link SchemaNotFoundException} if absent. */
    int lookupId(String subject, Schema schema);

    /** {@code GET /schemas/ids/{id}}: the schema with that global id; {@link SchemaNotFoundException} if unknown. */
    Schema schemaById(int id);

    /** {@code GET /subjects/{subject}/versions/latest}. */
    RegisteredSchema latestVersion(String subject);

    /** {@code POST /compatibility/subjects/{subject}/versions/latest?verbose=true}. */
    CompatibilityResult testCompatibility(String subject, Schema schema);

    @Override
    void close();
}

package io.bitnetstreams.topology;

import io.bitnetstreams.schemas.serde.registry.CompatibilityResult;
import io.bitnetstreams.schemas.serde.registry.RegisteredSchema;
import io.bitnetstreams.schemas.serde.registry.SchemaNotFoundException;
import io.bitnetstreams.schemas.serde.registry.SchemaRegistryClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Test double of our own {@link SchemaRegistryClient} interface for TopologyTestDriver tests (the IT uses the real
 * Apicurio registry). No compatibility rules: tests here are about routing, not schema evolution.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {

    private final Map<Integer, Schema> byId = new HashMap<>();
    private final Map<String, List<Integer>> bySubject = new HashMap<>();
    private int nextId = 1;

    @Override
    public synchronized int register(String subject, Schema schema) {
        var ids = bySubject.computeIfAbsent(subject, s -> new ArrayList<>());
        for (int id : ids) {
            if (byId.get(id).equals(schema)) {
                return id;
            }
        }
        for (var entry : byId.entrySet()) {
            if (entry.getValue().equals(schema)) {
                ids.add(entry.getKey());
                return entry.getKey();
            }
        }
        int id = nextId++;
        byId.put(id, schema);
        ids.add(id);
        return id;
    }

    @Override
    public synchronized int lookupId(String subject, Schema schema) {
        for (int id : bySubject.getOrDefault(subject, List.of())) {
            if (byId.get(id).equals(schema)) {
                return id;
            }
        }
        throw new SchemaNotFoundException("not under " + subject, 404, SchemaNotFoundException.SCHEMA_NOT_FOUND);
    }

    @Override
    public synchronized Schema schemaById(int id) {
        Schema schema = byId.get(id);
        if (schema == null) {
            throw new SchemaNotFoundException("no schema " + id, 404, SchemaNotFoundException.SCHEMA_NOT_FOUND);
        }
        return schema;
    }

    @Override
    public synchronized RegisteredSchema latestVersion(String subject) {
        var ids = bySubject.get(subject);
        if (ids == null || ids.isEmpty()) {
            throw new SchemaNotFoundException("no subject " + subject, 404, SchemaNotFoundException.SUBJECT_NOT_FOUND);
        }
        return new RegisteredSchema(subject, ids.getLast(), ids.size(), byId.get(ids.getLast()));
    }

    @Override
    public CompatibilityResult testCompatibility(String subject, Schema schema) {
        return new CompatibilityResult(true, List.of());
    }

    @Override
    public void close() {}
}

package io.bitnetstreams.schemas.serde;

import io.bitnetstreams.schemas.compat.CompatibilityCheck;
import io.bitnetstreams.schemas.serde.registry.CompatibilityResult;
import io.bitnetstreams.schemas.serde.registry.IncompatibleSchemaException;
import io.bitnetstreams.schemas.serde.registry.RegisteredSchema;
import io.bitnetstreams.schemas.serde.registry.RegistryUnavailableException;
import io.bitnetstreams.schemas.serde.registry.SchemaNotFoundException;
import io.bitnetstreams.schemas.serde.registry.SchemaRegistryClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Test double for unit tests of the serde logic (the HTTP client has its own tests, and the ITs use a real
 * registry). BACKWARD-checks new versions against the latest one, like a registry with default settings.
 */
final class InMemoryRegistry implements SchemaRegistryClient {

    private final Map<Integer, Schema> byId = new HashMap<>();
    private final Map<String, List<Integer>> versionsBySubject = new LinkedHashMap<>();
    private int nextId = 1;
    boolean down;
    final List<String> calls = new ArrayList<>();

    /** Puts a schema under a fixed id, as if another producer had registered it. */
    synchronized void put(int id, String subject, Schema schema) {
        byId.put(id, schema);
        versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
        nextId = Math.max(nextId, id + 1);
    }

    synchronized List<String> subjects() {
        return List.copyOf(versionsBySubject.keySet());
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        checkUp("register " + subject);
        var versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
        for (int id : versions) {
            if (byId.get(id).equals(schema)) {
                return id;
            }
        }
        if (!versions.isEmpty()) {
            var problems = CompatibilityCheck.incompatibilities(schema, byId.get(versions.getLast()));
            if (!problems.isEmpty()) {
                throw new IncompatibleSchemaException("incompatible: " + problems, 409, 409);
            }
        }
        int id = nextId++;
        byId.put(id, schema);
        versions.add(id);
        return id;
    }

    @Override
    public synchronized int lookupId(String subject, Schema schema) {
        checkUp("lookup " + subject);
        for (int id : versionsBySubject.getOrDefault(subject, List.of())) {
            if (byId.get(id).equals(schema)) {
                return id;
            }
        }
        throw new SchemaNotFoundException("not registered under " + subject, 404, SchemaNotFoundException.SCHEMA_NOT_FOUND);
    }

    @Override
    public synchronized Schema schemaById(int id) {
        checkUp("schema " + id);
        Schema schema = byId.get(id);
        if (schema == null) {
            throw new SchemaNotFoundException("no schema " + id, 404, SchemaNotFoundException.SCHEMA_NOT_FOUND);
        }
        return schema;
    }

    @Override
    public synchronized RegisteredSchema latestVersion(String subject) {
        checkUp("latest " + subject);
        var versions = versionsBySubject.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw new SchemaNotFoundException("no subject " + subject, 404, SchemaNotFoundException.SUBJECT_NOT_FOUND);
        }
        int id = versions.getLast();
        return new RegisteredSchema(subject, id, versions.size(), byId.get(id));
    }

    @Override
    public synchronized CompatibilityResult testCompatibility(String subject, Schema schema) {
        var problems = CompatibilityCheck.incompatibilities(schema, latestVersion(subject).schema());
        return new CompatibilityResult(problems.isEmpty(), problems);
    }

    private void checkUp(String call) {
        calls.add(call);
        if (down) {
            throw new RegistryUnavailableException("registry down", 503, -1, null);
        }
    }

    @Override
    public void close() {}
}

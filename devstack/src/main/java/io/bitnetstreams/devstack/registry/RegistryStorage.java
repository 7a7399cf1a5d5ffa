package io.bitnetstreams.devstack.registry;

/** Where the registry keeps its schemas. */
public enum RegistryStorage {
    /** In-memory H2: every start begins empty. The default for tests. */
    IN_MEMORY,
    /** H2 database files under the work directory: schemas survive restarts (dev mode). */
    FILE
}

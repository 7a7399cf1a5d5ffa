package io.bitnetstreams.chaos.cluster;

import io.bitnetstreams.devstack.registry.RegistryStorage;
import io.bitnetstreams.devstack.registry.SchemaRegistryConfig;
import io.bitnetstreams.devstack.registry.SchemaRegistryProcess;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The Apicurio registry process of the cluster, restartable at the same address: file storage in its own directory
 * (what is registered survives a restart) and a port fixed at the first start.
 */
public final class RegistryNode implements AutoCloseable {

    private final SchemaRegistryConfig config;
    private final int port;
    private volatile SchemaRegistryProcess process;

    public RegistryNode(Path dir, Ports ports, Duration startTimeout) {
        this.port = ports.free();
        this.config = SchemaRegistryConfig.builder().storage(RegistryStorage.FILE).workDir(dir)
                .startupTimeout(startTimeout).environment("QUARKUS_HTTP_PORT", Integer.toString(port)).build();
    }

    public RegistryNode start() {
        process = SchemaRegistryProcess.start(config);
        return this;
    }

    /** The Confluent-compatible API, the same across restarts. */
    public String url() {
        return "http://127.0.0.1:" + port + SchemaRegistryProcess.CCOMPAT_PATH;
    }

    public long pid() {
        SchemaRegistryProcess current = process;
        return current == null ? -1 : current.pid();
    }

    /** Stops the registry (SIGTERM) and starts it again on the same port and storage. */
    public void restart() {
        SchemaRegistryProcess current = process;
        if (current != null) {
            current.stop();
        }
        start();
    }

    @Override
    public void close() {
        SchemaRegistryProcess current = process;
        if (current != null) {
            current.close();
        }
    }
}

package io.bitnetstreams.devstack.registry;

import java.nio.file.Path;

/**
 * A throwaway parent JVM for {@link SchemaRegistryLifecycleIT}: starts a registry, prints its pid and
 * waits to be killed. Output on stdout is the protocol with the test, hence System.out.
 */
public final class RegistryParentMain {

    static final String PID_PREFIX = "REGISTRY_PID=";

    private RegistryParentMain() {}

    public static void main(String[] args) throws InterruptedException {
        SchemaRegistryProcess registry = SchemaRegistryConfig.builder().workDir(Path.of(args[0])).start();
        System.out.println(PID_PREFIX + registry.pid());
        System.out.flush();
        Thread.currentThread().join(); // until killed
    }
}

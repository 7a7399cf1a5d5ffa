package io.bitnetstreams.devstack;

import io.bitnetstreams.devstack.kafka.KafkaClusterConfig;
import io.bitnetstreams.devstack.registry.RegistryStorage;
import io.bitnetstreams.devstack.registry.SchemaRegistryConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the dev stack until interrupted (Ctrl-C) and prints how to reach it:
 * <pre>
 * java -cp ... io.bitnetstreams.devstack.DevStackMain [--brokers N] [--registry-dir DIR] [--properties-out FILE]
 * </pre>
 * {@code --registry-dir} keeps registered schemas across runs (H2 files); Kafka data is always fresh.
 */
public final class DevStackMain {

    private DevStackMain() {}

    /** Parsed command line. */
    record Options(int brokers, Path registryDir, Path propertiesOut) {

        static Options parse(String[] args) {
            int brokers = 1;
            Path registryDir = null;
            Path propertiesOut = null;
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value after " + name);
                }
                String value = args[++i];
                switch (name) {
                    case "--brokers" -> brokers = parseBrokers(value);
                    case "--registry-dir" -> registryDir = Path.of(value);
                    case "--properties-out" -> propertiesOut = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option " + name
                            + " (known: --brokers N, --registry-dir DIR, --properties-out FILE)");
                }
            }
            return new Options(brokers, registryDir, propertiesOut);
        }

        private static int parseBrokers(String value) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--brokers needs a number, got '" + value + "'");
            }
        }

        DevStack.Config toConfig() {
            SchemaRegistryConfig.Builder registry = SchemaRegistryConfig.builder();
            if (registryDir != null) {
                registry.storage(RegistryStorage.FILE).workDir(registryDir);
            }
            return new DevStack.Config(KafkaClusterConfig.builder().brokers(brokers).build(), registry.build());
        }
    }

    public static void main(String[] args) throws InterruptedException, IOException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("devstack: " + e.getMessage());
            System.exit(2);
            return;
        }
        DevStack stack = DevStack.start(options.toConfig());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            stopped.countDown();
        }, "devstack-shutdown"));
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, String> property : stack.clientProperties().entrySet()) {
            lines.add(property.getKey() + "=" + property.getValue());
        }
        if (options.propertiesOut() != null) {
            Files.write(options.propertiesOut(), lines);
        }
        lines.forEach(System.out::println);
        System.out.println("# dev stack running; Ctrl-C stops it");
        System.out.flush();
        stopped.await();
    }
}

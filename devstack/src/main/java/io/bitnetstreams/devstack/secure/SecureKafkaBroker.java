package io.bitnetstreams.devstack.secure;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.awaitility.Awaitility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One KRaft Kafka node (broker and controller) as a separate OS process whose only client listener is
 * {@code SASL_SSL} with SCRAM-SHA-512, with the {@code StandardAuthorizer} on and no access without an ACL. The
 * SCRAM users are written into the storage at format time ({@code kafka-storage format --add-scram}); the first
 * user is the super user (it also talks broker to broker). The controller listener is PLAINTEXT on loopback.
 * The process runs the broker classes of {@code classpath} ({@code kafka.Kafka}).
 */
public final class SecureKafkaBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SecureKafkaBroker.class);
    public static final String MECHANISM = "SCRAM-SHA-512";

    /** A SCRAM principal {@code User:name}. */
    public record User(String name, String password) {
        public User {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(password, "password");
        }

        /** The client's {@code sasl.jaas.config}. */
        public String jaasConfig() {
            return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + name
                    + "\" password=\"" + password + "\";";
        }

        @Override
        public String toString() {
            return "User[" + name + "]";
        }
    }

    private final Process process;
    private final int port;
    private final Path workDir;
    private final TestPki pki;
    private final User superUser;

    private SecureKafkaBroker(Process process, int port, Path workDir, TestPki pki, User superUser) {
        this.process = process;
        this.port = port;
        this.workDir = workDir;
        this.pki = pki;
        this.superUser = superUser;
    }

    /** Formats storage with the users' SCRAM credentials, starts the process, waits until the super user gets in. */
    public static SecureKafkaBroker start(Path workDir, TestPki pki, String classpath, List<User> users,
                                          Duration timeout) {
        if (users.isEmpty()) {
            throw new IllegalArgumentException("at least the super user is needed");
        }
        try {
            Files.createDirectories(workDir);
            int port = freePort();
            int controllerPort = freePort();
            User superUser = users.getFirst();
            Path properties = workDir.resolve("server.properties");
            Files.writeString(properties, serverProperties(workDir, pki, superUser, port, controllerPort),
                    StandardCharsets.UTF_8);
            List<String> format = new ArrayList<>(List.of("kafka.tools.StorageTool", "format", "-t",
                    Uuid.randomUuid().toString(), "-c", properties.toString(), "--standalone"));
            for (User user : users) {
                format.addAll(List.of("--add-scram",
                        MECHANISM + "=[name=" + user.name() + ",password=" + user.password() + "]"));
            }
            Process formatting = java(classpath, format, workDir.resolve("format.log")).start();
            if (!formatting.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || formatting.exitValue() != 0) {
                formatting.destroyForcibly();
                throw new IllegalStateException("formatting the secure broker's storage failed: "
                        + Files.readString(workDir.resolve("format.log")));
            }
            Process broker = java(classpath, List.of("kafka.Kafka", properties.toString()), workDir.resolve("broker.log"))
                    .start();
            SecureKafkaBroker started = new SecureKafkaBroker(broker, port, workDir, pki, superUser);
            try {
                started.awaitReady(timeout);
            } catch (RuntimeException e) {
                started.close();
                throw e;
            }
            return started;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the secure broker: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the secure broker", e);
        }
    }

    private static String serverProperties(Path workDir, TestPki pki, User superUser, int port, int controllerPort) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.put("listeners", "SASL_SSL://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "SASL_SSL://127.0.0.1:" + port);
        p.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "SASL_SSL");
        p.put("sasl.enabled.mechanisms", MECHANISM);
        p.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
        p.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", superUser.jaasConfig());
        p.put("ssl.keystore.location", pki.keyStore().toString());
        p.put("ssl.keystore.password", pki.storePassword());
        p.put("ssl.key.password", pki.storePassword());
        p.put("ssl.keystore.type", TestPki.STORE_TYPE);
        p.put("ssl.truststore.location", pki.trustStore().toString());
        p.put("ssl.truststore.password", pki.storePassword());
        p.put("ssl.truststore.type", TestPki.STORE_TYPE);
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        // the controller listener is PLAINTEXT: the broker reaches its own controller as ANONYMOUS
        p.put("super.users", "User:" + superUser.name() + ";User:ANONYMOUS");
        p.put("allow.everyone.if.no.acl.found", "false");
        p.put("log.dirs", workDir.resolve("data").toString());
        p.put("num.partitions", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "3");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        StringBuilder text = new StringBuilder();
        p.forEach((key, value) -> text.append(key).append('=').append(value.replace("\\", "\\\\")).append('\n'));
        return text.toString();
    }

    private static ProcessBuilder java(String classpath, List<String> mainAndArgs, Path logFile) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-cp", classpath));
        command.addAll(mainAndArgs);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    }

    private void awaitReady(Duration timeout) {
        // one admin for every look: a new client per look would redo the TLS handshake and the SCRAM exchange,
        // which alone can take seconds on a busy machine
        try (Admin admin = admin()) {
            Awaitility.await("the secure broker at " + bootstrapServers() + " accepts " + superUser)
                    .atMost(timeout).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("the secure broker exited: " + logTail());
                        }
                        return !admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).isEmpty();
                    });
        }
        log.info("Secure (SASL_SSL, SCRAM-SHA-512, ACLs) broker ready at {}", bootstrapServers());
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Kafka client settings for {@code user}: bootstrap servers, SASL_SSL, SCRAM and the trust store. */
    public Map<String, String> clientSettings(User user) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("bootstrap.servers", bootstrapServers());
        settings.put("security.protocol", "SASL_SSL");
        settings.put("sasl.mechanism", MECHANISM);
        settings.put("sasl.jaas.config", user.jaasConfig());
        settings.put("ssl.truststore.location", pki.trustStore().toString());
        settings.put("ssl.truststore.password", pki.storePassword());
        settings.put("ssl.truststore.type", TestPki.STORE_TYPE);
        return settings;
    }

    /** A new admin client as the super user; the caller closes it. */
    public Admin admin() {
        return Admin.create(new LinkedHashMap<>(clientSettings(superUser)));
    }

    public Path logFile() {
        return workDir.resolve("broker.log");
    }

    public String logTail() {
        try {
            String text = Files.readString(logFile(), StandardCharsets.UTF_8);
            return text.substring(Math.max(0, text.length() - 4000));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}

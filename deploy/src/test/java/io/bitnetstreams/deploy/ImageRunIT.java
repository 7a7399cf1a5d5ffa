package io.bitnetstreams.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.devstack.junit.WithKafka;
import io.bitnetstreams.devstack.junit.WithSchemaRegistry;
import io.bitnetstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.bitnetstreams.devstack.registry.SchemaRegistryProcess;
import io.bitnetstreams.schemas.serde.AvroDeserializer;
import io.bitnetstreams.schemas.serde.AvroSerializer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The image the build made, run by podman (host network, loopback only) as a worker against the devstack broker
 * and registry: it becomes ready, its compose health check passes, it answers work items exactly once, and SIGTERM
 * stops it with exit status 0. Skips, saying why, where the image tar is missing or podman cannot run containers.
 */
@WithKafka
@WithSchemaRegistry
class ImageRunIT {

    private static final String IMAGE = "localhost/" + KubernetesManifestsTest.IMAGE;
    private final String container = "bitnet-image-it-" + UUID.randomUUID().toString().substring(0, 8);
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void removeContainer() throws Exception {
        podman(60, "rm", "-f", "-t", "0", container);
        http.close();
    }

    @Test
    void workerContainerAnswersWorkItems(EmbeddedKafkaCluster kafka, SchemaRegistryProcess registry) throws Exception {
        Path tar = Path.of(System.getProperty("bitnet.image.tar", "target/bitnet-streams-image.tar"));
        assumeTrue(Files.isRegularFile(tar), "no image tar at " + tar + ": build it with ./mvnw -Pimage,local-base package");
        Result load = podman(300, "load", "-q", "-i", tar.toString());
        assumeTrue(load.status == 0, "podman cannot load images here (install podman and runc; see .ci/run): " + load.output);
        assertThat(podman(60, "image", "inspect", "--format", "{{.Config.User}}", IMAGE).output.strip()).isEqualTo("10001:10001");

        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String work = "work-" + suffix;
        String results = "results-" + suffix;
        String dlq = "dlq-" + suffix;
        // the worker publishes the final results of one-part requests itself: their topic must exist too
        String finals = "classifications-" + suffix;
        kafka.createTopic(work, 3);
        kafka.createTopic(results, 3);
        kafka.createTopic(dlq, 1);
        kafka.createTopic(finals, 3);
        int port = freePort();

        // configuration only through the environment, with the pipeline's rule, like compose and k8s do
        Result run = podman(120, "run", "-d", "--name", container, "--network", "host",
                "-e", "KAFKA_BOOTSTRAP_SERVERS=" + kafka.bootstrapServers(),
                "-e", "SCHEMA_REGISTRY_URL=" + registry.url(),
                "-e", "KAFKA_GROUP_ID=workers-" + suffix,
                "-e", "BITNET_MODEL=keyword",
                "-e", "BITNET_TASKS=classify",
                "-e", "BITNET_TOPIC_WORK_CLASSIFY=" + work,
                "-e", "BITNET_TOPIC_WORK_RESULTS=" + results,
                "-e", "BITNET_TOPIC_DLQ=" + dlq,
                "-e", "BITNET_TOPIC_RESULTS_CLASSIFICATION=" + finals,
                "-e", "BITNET_HTTP_PORT=" + port,
                IMAGE, "worker");
        assumeTrue(run.status == 0 || !run.output.contains("OCI runtime"),
                "podman cannot run containers here (runc, cgroupfs settings: see .ci/run): " + run.output);
        assertThat(run.status).as("podman run: %s", run.output).isZero();

        URI ready = URI.create("http://127.0.0.1:" + port + "/health/ready");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .failFast("the worker container exited", () -> !running())
                .until(() -> status(ready) == 200);
        // the compose health check, run inside the container
        Result probe = podman(60, "exec", container, "java", "-cp", "/app/classes", "io.bitnetstreams.deploy.HttpProbe", ready.toString());
        assertThat(probe.status).as("HttpProbe in the container: %s", probe.output).isZero();

        int count = 20;
        produce(kafka, registry, work, count);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .failFast("the worker container exited", () -> !running())
                .until(() -> committedRequestIds(kafka, registry, results).size() >= count);
        List<String> answered = committedRequestIds(kafka, registry, results);
        assertThat(answered).hasSize(count).doesNotHaveDuplicates();

        Result stop = podman(90, "stop", "-t", "60", container);
        assertThat(stop.status).as("podman stop: %s", stop.output).isZero();
        Result exit = podman(30, "inspect", "--format", "{{.State.ExitCode}}", container);
        assertThat(exit.output.strip()).as("exit status after SIGTERM; logs:%n%s", podman(30, "logs", container).output).isEqualTo("0");
    }

    private boolean running() throws Exception {
        return podman(30, "inspect", "--format", "{{.State.Running}}", container).output.strip().equals("true");
    }

    private int status(URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void produce(EmbeddedKafkaCluster kafka, SchemaRegistryProcess registry, String topic, int count) {
        Map<String, Object> props = new HashMap<>(kafka.producerConfig());
        props.put("schema.registry.url", registry.url());
        AvroSerializer<WorkItem> serializer = new AvroSerializer<>();
        serializer.configure(props, false);
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), serializer)) {
            for (int i = 0; i < count; i++) {
                WorkItem item = WorkItem.newBuilder()
                        .setRequestId("image-" + i).setTenant("t").setChunkIndex(0).setChunkCount(1)
                        .setTask(ClassifyTask.newBuilder().setLabels(List.of("billing", "tech")).build())
                        .setText(i % 2 == 0 ? "a billing question" : "a tech issue").setPriority(0)
                        .setCreatedAt(Instant.now()).build();
                producer.send(new ProducerRecord<>(topic, item.getRequestId(), item));
            }
            producer.flush();
        }
    }

    /** Request ids of the results committed so far (read_committed, from the beginning). */
    private static List<String> committedRequestIds(EmbeddedKafkaCluster kafka, SchemaRegistryProcess registry, String topic) {
        Map<String, Object> props = new HashMap<>(kafka.readCommittedConsumerConfig("reader-" + UUID.randomUUID()));
        props.put("enable.auto.commit", "false");
        AvroDeserializer<WorkResult> deserializer = new AvroDeserializer<>(WorkResult.class);
        deserializer.configure(Map.of("schema.registry.url", registry.url()), false);
        List<String> ids = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), deserializer)) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> ids.add(r.value().getRequestId()));
            }
        }
        return ids;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private record Result(int status, String output) {}

    private static Result podman(int timeoutSeconds, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Result(127, "podman is not installed: " + e.getMessage());
        }
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(124, "podman " + String.join(" ", args) + " timed out");
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}

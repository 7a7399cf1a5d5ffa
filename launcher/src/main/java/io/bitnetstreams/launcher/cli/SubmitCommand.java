package io.bitnetstreams.launcher.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bitnetstreams.contract.TopicCheck;
import io.bitnetstreams.contract.config.ConfigException;
import io.bitnetstreams.contract.config.ConfigOptions;
import io.bitnetstreams.contract.request.ParsedLine;
import io.bitnetstreams.contract.request.RequestMapper;
import io.bitnetstreams.contract.request.RequestParser;
import io.bitnetstreams.contract.request.RequestSpec;
import io.bitnetstreams.launcher.client.Ending;
import io.bitnetstreams.launcher.client.OutcomeStatus;
import io.bitnetstreams.launcher.client.RequestPublisher;
import io.bitnetstreams.launcher.client.ResultListener;
import io.bitnetstreams.launcher.client.ResultMapper;
import io.bitnetstreams.launcher.client.SubmitConfig;
import io.bitnetstreams.schemas.clients.ClusterFailures;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bitnet-streams submit}: sends one request to a running stack and prints its final result. */
@Command(name = "submit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Send one request to a running pipeline (for example 'standalone --keep-running') and print the"
                + " final result when it arrives.",
                "Examples:",
                "  submit --task classify --labels billing,shipping,other --text \"I was charged twice\"",
                "  submit --task extract --schema invoice-schema.json --file invoice.txt",
                "  submit --task generate --text \"Write a haiku about Kafka\" --max-tokens 40"})
public final class SubmitCommand implements Callable<Integer> {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long MAX_FILE_BYTES = 1 << 20;

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (bootstrap.servers; or KAFKA_BOOTSTRAP_SERVERS).")
    String bootstrapServers;

    @Option(names = {"--schema-registry", "--schema-registry-url"}, paramLabel = "URL",
            description = "Schema registry URL (schema.registry.url; or SCHEMA_REGISTRY_URL).")
    String schemaRegistry;

    @CommandLine.Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Option(names = "--task", required = true, paramLabel = "TASK", description = "classify, extract or generate.")
    String task;

    @Option(names = "--text", paramLabel = "TEXT", description = "The document (classify, extract) or the user turn (generate).")
    String text;

    @Option(names = "--file", paramLabel = "FILE", description = "Read the document from a UTF-8 file instead of --text.")
    Path file;

    @Option(names = "--labels", split = ",", paramLabel = "LABEL", description = "classify: candidate labels, comma-separated.")
    List<String> labels;

    @Option(names = "--schema", paramLabel = "SCHEMA.json", description = "extract: JSON Schema file of the object to extract.")
    Path schema;

    @Option(names = "--instruction", paramLabel = "TEXT", description = "classify/extract: an instruction for the model.")
    String instruction;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "generate: an instruction put before --text in the user turn (alone, it is the user turn).")
    String prompt;

    @Option(names = "--system", paramLabel = "TEXT", description = "generate: a system message.")
    String system;

    @Option(names = "--max-tokens", paramLabel = "N", description = "generate: most tokens to generate (default 64).")
    Integer maxTokens;

    @Option(names = "--id", paramLabel = "ID", description = "Request id (default: a random UUID).")
    String id;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m", converter = Durations.class,
            description = "How long to wait for the result (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    private final Map<String, String> environment;

    public SubmitCommand() {
        this(System.getenv());
    }

    SubmitCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        Logging.quiet(false);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RequestSpec request;
        try {
            request = request();
        } catch (IllegalArgumentException | IOException e) {
            err.println("submit: " + e.getMessage());
            return 2;
        }
        SubmitConfig config;
        try {
            config = SubmitConfig.load(configOptions.file(), environment, overrides());
        } catch (ConfigException e) {
            err.println("submit: " + e.getMessage());
            return 2;
        }
        Map<String, Object> clients = Map.copyOf(config.clients());
        Map<String, Object> serde = Map.copyOf(config.serde());
        try {
            TopicCheck.requireExisting(clients, List.of(config.topics().requests(), config.topics().deadLetters(),
                    config.topics().results(request.task())), Duration.ZERO);
        } catch (TopicCheck.MissingTopicsException e) {
            err.println("submit: " + e.getMessage());
            return 1;
        }
        CompletableFuture<Ending> answer = new CompletableFuture<>();
        try (ResultListener listener = ResultListener.start(clients, serde, config.topics(), Duration.ofSeconds(30),
                (key, record) -> {
                    if (key.equals(request.id())) {
                        answer.complete(ResultMapper.toEnding(record));
                    }
                });
             RequestPublisher publisher = new RequestPublisher(clients, serde, config.topics().requests())) {
            long start = System.nanoTime();
            try {
                publisher.send(RequestMapper.toAvro(request.id(), request, Instant.now())).get(60, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                err.println("submit: cannot send " + request.id() + ": "
                        + ClusterFailures.describe(String.valueOf(clients.get("bootstrap.servers")), e));
                return 1;
            }
            err.println("submitted " + request.id() + "; waiting for the result...");
            err.flush();
            Ending ending = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            ObjectNode printed = MAPPER.createObjectNode().put("id", request.id()).put("task", request.task().wireName())
                    .put("status", ending.status().name());
            if (ending.result() != null) {
                printed.set("result", ending.result());
            }
            if (ending.reason() != null) {
                printed.put("reason", ending.reason());
            }
            printed.put("latency_ms", (System.nanoTime() - start) / 1_000_000);
            out.println(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(printed));
            out.flush();
            return ending.status() == OutcomeStatus.DONE ? 0 : 1;
        } catch (TimeoutException e) {
            err.println("submit: no result for " + request.id() + " within " + timeout
                    + "; it may still come (topology status: GET /requests/" + request.id() + ")");
            return 1;
        } catch (IllegalStateException e) {
            err.println("submit: " + e.getMessage());
            return 1;
        }
    }

    Map<String, String> overrides() {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("bootstrap.servers", bootstrapServers);
        options.put("schema.registry.url", schemaRegistry);
        return configOptions.overrides(options);
    }

    /** Builds the request as a JSONL line and validates it with the same rules as file input. */
    RequestSpec request() throws IOException {
        ObjectNode node = MAPPER.createObjectNode().put("id", id != null ? id : UUID.randomUUID().toString()).put("task", task);
        String document = text;
        if (file != null) {
            if (text != null) {
                throw new IllegalArgumentException("give --text or --file, not both");
            }
            document = readSmall(file);
        }
        if (document != null) {
            node.put("text", document);
        }
        if (labels != null) {
            labels.stream().map(String::strip).forEach(node.putArray("labels")::add);
        }
        if (schema != null) {
            node.set("schema", MAPPER.readTree(readSmall(schema)));
        }
        if (instruction != null) {
            node.put("instruction", instruction);
        }
        if (prompt != null) {
            node.put("prompt", prompt);
        }
        if (system != null) {
            node.put("system", system);
        }
        if (maxTokens != null) {
            node.put("max_tokens", maxTokens);
        }
        return switch (RequestParser.parse(1, node.toString())) {
            case ParsedLine.Valid valid -> valid.request();
            case ParsedLine.Invalid invalid -> throw new IllegalArgumentException(invalid.problem().reason());
        };
    }

    private static String readSmall(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(path + " is not a file");
        }
        if (Files.size(path) > MAX_FILE_BYTES) {
            throw new IllegalArgumentException(path + " is larger than " + MAX_FILE_BYTES + " bytes");
        }
        return Files.readString(path, StandardCharsets.UTF_8);
    }
}

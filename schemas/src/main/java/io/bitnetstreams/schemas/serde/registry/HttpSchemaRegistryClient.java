package io.bitnetstreams.schemas.serde.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SchemaRegistryClient} over {@link java.net.http.HttpClient}, speaking the Confluent REST API.
 *
 * <p>Ids and schemas are cached forever: a global id never changes meaning, and a subject keeps the id of a
 * schema it registered. 5xx replies (and 408/429) and connection errors are retried with exponential backoff,
 * moving to the next configured URL on every retry; 4xx replies fail at once with the registry's
 * {@code error_code} and message. Thread-safe.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {

    private static final Logger LOG = LoggerFactory.getLogger(HttpSchemaRegistryClient.class);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT =
            "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json";
    /** Registry replies are small; anything bigger is a misbehaving server, not a schema. */
    static final int MAX_REPLY_BYTES = 16 * 1024 * 1024;
    private static final int MAX_ERROR_TEXT = 500;

    /** Waits between retries; tests substitute one that records instead of sleeping. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private record SubjectSchema(String subject, Schema schema) {}

    private record Reply(int status, String body) {}

    private final RegistryClientConfig config;
    private final HttpClient http;
    private final Sleeper sleeper;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicInteger preferredUrl = new AtomicInteger();
    // Bounded by what the registry holds: only ids the registry answered for are cached.
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

    public HttpSchemaRegistryClient(RegistryClientConfig config) {
        this(config, httpClient(config), Thread::sleep);
    }

    private static HttpClient httpClient(RegistryClientConfig config) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.requestTimeout());
        config.tls().ifPresent(tls -> builder.sslContext(tls.sslContext()));
        return builder.build();
    }

    /**
     * One request to every URL until one answers: throws {@link RegistryUnavailableException} naming a TLS or
     * connection failure, or {@link RegistryRequestException} for refused credentials, so a start fails with the
     * real cause instead of on the first record.
     */
    public void checkReachable() {
        try {
            send("GET", "/subjects", null, "list subjects");
        } catch (RegistryUnavailableException | RegistryRequestException e) {
            throw e;
        } catch (SchemaRegistryException answered) {
            // the reply is a JSON array, not an object: the registry answered and accepted the credentials
            if (answered.httpStatus() / 100 != 2) {
                throw answered;
            }
        }
    }

    HttpSchemaRegistryClient(RegistryClientConfig config, HttpClient http, Sleeper sleeper) {
        this.config = config;
        this.http = http;
        this.sleeper = sleeper;
    }

    @Override
    public int register(String subject, Schema schema) {
        var key = new SubjectSchema(subject, schema);
        Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode reply = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema),
                "register schema " + schema.getFullName() + " under subject '" + subject + "'");
        int id = requiredInt(reply, "id");
        idsBySubjectSchema.put(key, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public int lookupId(String subject, Schema schema) {
        var key = new SubjectSchema(subject, schema);
        Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode reply = send("POST", "/subjects/" + encode(subject), schemaBody(schema),
                "look up schema " + schema.getFullName() + " under subject '" + subject + "'");
        int id = requiredInt(reply, "id");
        idsBySubjectSchema.put(key, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode reply = send("GET", "/schemas/ids/" + id, null, "fetch schema id " + id);
        Schema schema = parseSchema(reply, "schema id " + id);
        schemasById.putIfAbsent(id, schema);
        return schema;
    }

    @Override
    public RegisteredSchema latestVersion(String subject) {
        JsonNode reply = send("GET", "/subjects/" + encode(subject) + "/versions/latest", null,
                "fetch the latest version of subject '" + subject + "'");
        int id = requiredInt(reply, "id");
        Schema schema = parseSchema(reply, "latest version of subject '" + subject + "'");
        schemasById.putIfAbsent(id, schema);
        return new RegisteredSchema(subject, id, requiredInt(reply, "version"), schema);
    }

    @Override
    public CompatibilityResult testCompatibility(String subject, Schema schema) {
        JsonNode reply = send("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest?verbose=true",
                schemaBody(schema), "test compatibility of " + schema.getFullName() + " with subject '" + subject + "'");
        JsonNode verdict = reply.get("is_compatible");
        if (verdict == null || !verdict.isBoolean()) {
            throw new SchemaRegistryException("registry reply to a compatibility test lacks is_compatible: "
                    + abbreviate(reply.toString()), 200, SchemaRegistryException.NONE, null);
        }
        var messages = new ArrayList<String>();
        reply.path("messages").forEach(message -> messages.add(message.asText()));
        return new CompatibilityResult(verdict.booleanValue(), messages);
    }

    @Override
    public void close() {
        http.close();
    }

    private String schemaBody(Schema schema) {
        ObjectNode body = json.createObjectNode();
        body.put("schema", schema.toString());
        return body.toString();
    }

    private JsonNode send(String method, String pathAndQuery, String body, String operation) {
        int attempts = config.retry().maxRetries() + 1;
        int firstUrl = preferredUrl.get();
        String lastProblem = "";
        int lastStatus = SchemaRegistryException.NONE;
        int lastErrorCode = SchemaRegistryException.NONE;
        Throwable lastCause = null;
        for (int attempt = 0; attempt < attempts; attempt++) {
            if (attempt > 0) {
                waitBeforeRetry(attempt, operation);
            }
            int urlIndex = Math.floorMod(firstUrl + attempt, config.urls().size());
            URI uri = resolve(config.urls().get(urlIndex), pathAndQuery);
            try {
                Reply reply = exchange(method, uri, body);
                if (reply.status() / 100 == 2) {
                    preferredUrl.set(urlIndex);
                    return parseJson(reply.body(), uri);
                }
                ErrorBody error = parseError(reply.body());
                if (!isRetriable(reply.status())) {
                    throw clientError(operation, uri, reply.status(), error);
                }
                lastStatus = reply.status();
                lastErrorCode = error.code();
                lastCause = null;
                lastProblem = "HTTP " + reply.status() + error.describe();
            } catch (IOException e) {
                lastStatus = SchemaRegistryException.NONE;
                lastErrorCode = SchemaRegistryException.NONE;
                lastCause = e;
                lastProblem = describe(e);
            }
            LOG.warn("Schema registry attempt {}/{} to {} at {} failed: {}", attempt + 1, attempts, operation, uri,
                    lastProblem);
        }
        throw new RegistryUnavailableException("Schema registry unavailable: could not " + operation + " after "
                + attempts + " attempt(s) on " + config.urls() + "; last failure: " + lastProblem,
                lastStatus, lastErrorCode, lastCause);
    }

    private void waitBeforeRetry(int retry, String operation) {
        try {
            sleeper.sleep(config.retry().backoffBeforeRetry(retry));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException("Interrupted while waiting to retry: " + operation,
                    SchemaRegistryException.NONE, SchemaRegistryException.NONE, e);
        }
    }

    private Reply exchange(String method, URI uri, String body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(config.requestTimeout())
                .header("Accept", ACCEPT);
        config.basicAuth().ifPresent(auth -> request.header("Authorization", auth.authorizationHeader()));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", CONTENT_TYPE)
                    .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        }
        try {
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                byte[] bytes = in.readNBytes(MAX_REPLY_BYTES + 1);
                if (bytes.length > MAX_REPLY_BYTES) {
                    throw new SchemaRegistryException("registry reply from " + uri + " exceeds " + MAX_REPLY_BYTES
                            + " bytes", response.statusCode(), SchemaRegistryException.NONE, null);
                }
                return new Reply(response.statusCode(), new String(bytes, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException("Interrupted while calling the schema registry at " + uri,
                    SchemaRegistryException.NONE, SchemaRegistryException.NONE, e);
        }
    }

    /** "ConnectException <- ClosedChannelException": the JDK client often leaves the outer message empty. */
    private static String describe(Throwable failure) {
        var text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) {
                text.append("TLS failure (check the registry's certificate and schema.registry.ssl.truststore.*): ");
                break;
            }
        }
        for (Throwable t = failure; t != null && text.length() < MAX_ERROR_TEXT; t = t.getCause()) {
            if (!text.isEmpty()) {
                text.append(" <- ");
            }
            text.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                text.append(": ").append(t.getMessage());
            }
        }
        return text.toString();
    }

    private static boolean isRetriable(int status) {
        return status >= 500 || status == 408 || status == 429;
    }

    private static RegistryRequestException clientError(String operation, URI uri, int status, ErrorBody error) {
        String message = "Schema registry refused to " + operation + " (" + uri + "): HTTP " + status + error.describe();
        return switch (status) {
            case 409 -> new IncompatibleSchemaException(message, status, error.code());
            case 404 -> new SchemaNotFoundException(message, status, error.code());
            case 401, 403 -> new RegistryRequestException(
                    message + " (check basic.auth.user.info / basic.auth.credentials.source)", status, error.code());
            default -> new RegistryRequestException(message, status, error.code());
        };
    }

    /** Confluent error replies look like {"error_code":40403,"message":"Schema not found"}. */
    private record ErrorBody(int code, String message) {
        String describe() {
            var text = new StringBuilder();
            if (code != SchemaRegistryException.NONE) {
                text.append(", error_code ").append(code);
            }
            if (!message.isEmpty()) {
                text.append(": ").append(message);
            }
            return text.toString();
        }
    }

    private ErrorBody parseError(String body) {
        try {
            JsonNode node = json.readTree(body);
            if (node != null && node.isObject()) {
                int code = node.path("error_code").isInt() ? node.get("error_code").intValue() : SchemaRegistryException.NONE;
                return new ErrorBody(code, abbreviate(node.path("message").asText("")));
            }
        } catch (IOException notJson) {
            // fall through: proxies and load balancers answer with HTML or plain text
        }
        return new ErrorBody(SchemaRegistryException.NONE, abbreviate(body.strip()));
    }

    private JsonNode parseJson(String body, URI uri) {
        try {
            JsonNode node = json.readTree(body);
            if (node == null || !node.isObject()) {
                throw new IOException("not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new SchemaRegistryException("registry at " + uri + " answered with something other than a JSON object: "
                    + abbreviate(body), 200, SchemaRegistryException.NONE, e);
        }
    }

    private static int requiredInt(JsonNode reply, String field) {
        JsonNode value = reply.get(field);
        if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) {
            throw new SchemaRegistryException("registry reply lacks integer field '" + field + "': "
                    + abbreviate(reply.toString()), 200, SchemaRegistryException.NONE, null);
        }
        return value.intValue();
    }

    private static Schema parseSchema(JsonNode reply, String what) {
        String type = reply.path("schemaType").asText("AVRO");
        if (!"AVRO".equalsIgnoreCase(type)) {
            throw new NonAvroSchemaException(what + " is a " + type + " schema, not Avro");
        }
        if (reply.path("references").size() > 0) {
            throw new SchemaRegistryException(what + " uses schema references, which this client does not resolve",
                    200, SchemaRegistryException.NONE, null);
        }
        JsonNode text = reply.get("schema");
        if (text == null || !text.isTextual()) {
            throw new SchemaRegistryException("registry reply for " + what + " lacks the schema text",
                    200, SchemaRegistryException.NONE, null);
        }
        try {
            return new Schema.Parser().parse(text.textValue());
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException("registry returned an unparsable Avro schema for " + what + ": "
                    + e.getMessage(), 200, SchemaRegistryException.NONE, e);
        }
    }

    private static URI resolve(URI base, String pathAndQuery) {
        String root = base.toString();
        if (root.endsWith("/")) {
            root = root.substring(0, root.length() - 1);
        }
        return URI.create(root + pathAndQuery);
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String abbreviate(String text) {
        return text.length() <= MAX_ERROR_TEXT ? text : text.substring(0, MAX_ERROR_TEXT) + "...";
    }
}

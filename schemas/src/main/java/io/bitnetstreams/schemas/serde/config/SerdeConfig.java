package io.bitnetstreams.schemas.serde.config;

import io.bitnetstreams.schemas.serde.registry.BasicAuth;
import io.bitnetstreams.schemas.serde.registry.Redaction;
import io.bitnetstreams.schemas.serde.registry.RegistryTls;
import io.bitnetstreams.schemas.serde.registry.RegistryClientConfig;
import io.bitnetstreams.schemas.serde.registry.RetryPolicy;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;

/**
 * Validated serde settings, read from the same keys Confluent's serializers use so existing client configs work
 * unchanged, plus our own {@code bitnet.schema.registry.*} keys for retries.
 *
 * @param registry                 how to reach the registry
 * @param autoRegisterSchemas      register the record's schema on first use ({@code auto.register.schemas})
 * @param useLatestVersion         write with the subject's latest schema instead ({@code use.latest.version})
 * @param keySubjectNameStrategy   {@code key.subject.name.strategy}
 * @param valueSubjectNameStrategy {@code value.subject.name.strategy}
 * @param specificAvroReader       {@code specific.avro.reader}; must be true: we only produce generated classes
 */
public record SerdeConfig(
        RegistryClientConfig registry,
        boolean autoRegisterSchemas,
        boolean useLatestVersion,
        SubjectNameStrategy keySubjectNameStrategy,
        SubjectNameStrategy valueSubjectNameStrategy,
        boolean specificAvroReader) {

    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
    public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";
    public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";
    public static final String MAX_RETRIES = "bitnet.schema.registry.max.retries";
    public static final String RETRY_BACKOFF_MS = "bitnet.schema.registry.retry.backoff.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "bitnet.schema.registry.retry.backoff.max.ms";
    public static final String REQUEST_TIMEOUT_MS = "bitnet.schema.registry.request.timeout.ms";
    /** Prefix of Confluent's registry TLS keys; every key under it must be one of {@link #TLS_KEYS}. */
    public static final String TLS_PREFIX = "schema.registry.ssl.";
    public static final String TRUSTSTORE_LOCATION = TLS_PREFIX + "truststore.location";
    public static final String TRUSTSTORE_PASSWORD = TLS_PREFIX + "truststore.password";
    public static final String TRUSTSTORE_TYPE = TLS_PREFIX + "truststore.type";
    public static final String KEYSTORE_LOCATION = TLS_PREFIX + "keystore.location";
    public static final String KEYSTORE_PASSWORD = TLS_PREFIX + "keystore.password";
    public static final String KEYSTORE_TYPE = TLS_PREFIX + "keystore.type";
    public static final String KEY_PASSWORD = TLS_PREFIX + "key.password";
    public static final String TLS_PROTOCOL = TLS_PREFIX + "protocol";
    public static final String ENDPOINT_IDENTIFICATION = TLS_PREFIX + "endpoint.identification.algorithm";
    public static final java.util.Set<String> TLS_KEYS = java.util.Set.of(TRUSTSTORE_LOCATION, TRUSTSTORE_PASSWORD,
            TRUSTSTORE_TYPE, KEYSTORE_LOCATION, KEYSTORE_PASSWORD, KEYSTORE_TYPE, KEY_PASSWORD, TLS_PROTOCOL,
            ENDPOINT_IDENTIFICATION);

    private static final long MAX_DURATION_MS = Duration.ofHours(1).toMillis();

    public SerdeConfig {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(keySubjectNameStrategy, "keySubjectNameStrategy");
        Objects.requireNonNull(valueSubjectNameStrategy, "valueSubjectNameStrategy");
    }

    public SubjectNameStrategy subjectNameStrategy(boolean isKey) {
        return isKey ? keySubjectNameStrategy : valueSubjectNameStrategy;
    }

    /** Reads and validates Kafka-style configs; throws {@link ConfigException} naming the offending key. */
    public static SerdeConfig parse(Map<String, ?> configs) {
        var reader = new Reader(configs);
        List<URI> urls = reader.urls();
        Optional<BasicAuth> auth = reader.basicAuth(urls);
        var retry = reader.retryPolicy();
        var timeout = Duration.ofMillis(reader.millis(REQUEST_TIMEOUT_MS, 30_000, 1));
        RegistryClientConfig registry = new RegistryClientConfig(urls.stream().map(Reader::withoutUserInfo).toList(),
                auth, retry, timeout, reader.tls());
        boolean specific = reader.bool(SPECIFIC_AVRO_READER, true);
        if (!specific) {
            throw new ConfigException(SPECIFIC_AVRO_READER, false,
                    "this deserializer only produces generated SpecificRecord classes; leave it unset or true");
        }
        return new SerdeConfig(registry,
                reader.bool(AUTO_REGISTER_SCHEMAS, true),
                reader.bool(USE_LATEST_VERSION, false),
                reader.strategy(KEY_SUBJECT_NAME_STRATEGY),
                reader.strategy(VALUE_SUBJECT_NAME_STRATEGY),
                true);
    }

    /** Typed access to the raw map; every failure names its key. */
    private record Reader(Map<String, ?> configs) {

        List<URI> urls() {
            Object raw = configs.get(SCHEMA_REGISTRY_URL);
            if (raw == null || raw.toString().isBlank()) {
                throw new ConfigException(SCHEMA_REGISTRY_URL + " is required (comma-separated registry base URLs)");
            }
            List<String> parts = raw instanceof List<?> list
                    ? list.stream().map(String::valueOf).toList()
                    : List.of(raw.toString().split(","));
            var urls = new ArrayList<URI>();
            for (String part : parts) {
                String text = part.strip();
                if (text.isEmpty()) {
                    continue;
                }
                try {
                    URI url = new URI(text);
                    if (url.getHost() == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
                        throw new ConfigException(SCHEMA_REGISTRY_URL, Redaction.urls(text),
                                "expected http(s)://host[:port][/path]");
                    }
                    urls.add(url);
                } catch (URISyntaxException e) {
                    // the parser's message quotes the input, which may hold a password
                    throw new ConfigException(SCHEMA_REGISTRY_URL, Redaction.urls(text), "not a URL: "
                            + Redaction.urls(e.getReason()) + " at index " + e.getIndex());
                }
            }
            if (urls.isEmpty()) {
                throw new ConfigException(SCHEMA_REGISTRY_URL, Redaction.urls(raw.toString()), "no URL given");
            }
            return urls;
        }

        /** The {@code schema.registry.ssl.*} keys; unknown ones are refused rather than silently ignored. */
        Optional<RegistryTls> tls() {
            for (String key : configs.keySet()) {
                if (key.startsWith(TLS_PREFIX) && !TLS_KEYS.contains(key)) {
                    throw new ConfigException("Unknown registry TLS setting " + key + " (supported: "
                            + TLS_KEYS.stream().sorted().toList() + ")");
                }
            }
            if (configs.keySet().stream().noneMatch(TLS_KEYS::contains)) {
                return Optional.empty();
            }
            String identification = string(ENDPOINT_IDENTIFICATION, "https");
            if (!identification.equalsIgnoreCase("https")) {
                throw new ConfigException(ENDPOINT_IDENTIFICATION, identification, "only https (host name verification)"
                        + " is supported: put the registry's host name in its certificate's subjectAltName");
            }
            var tls = new RegistryTls(path(TRUSTSTORE_LOCATION), string(TRUSTSTORE_TYPE, ""),
                    string(TRUSTSTORE_PASSWORD, ""), path(KEYSTORE_LOCATION), string(KEYSTORE_TYPE, ""),
                    string(KEYSTORE_PASSWORD, ""), Optional.ofNullable(configs.get(KEY_PASSWORD)).map(v -> string(KEY_PASSWORD, "")),
                    string(TLS_PROTOCOL, "TLS"));
            try {
                tls.sslContext(); // fail at configuration time, naming the store, not on the first record
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage());
            }
            return Optional.of(tls);
        }

        private Optional<java.nio.file.Path> path(String key) {
            String value = string(key, "");
            if (value.isEmpty()) {
                return Optional.empty();
            }
            java.nio.file.Path path = java.nio.file.Path.of(value);
            if (!java.nio.file.Files.isReadable(path)) {
                throw new ConfigException(key, value, "no readable file there");
            }
            return Optional.of(path);
        }

        Optional<BasicAuth> basicAuth(List<URI> urls) {
            String source = string(BASIC_AUTH_CREDENTIALS_SOURCE, "URL").toUpperCase(Locale.ROOT);
            return switch (source) {
                case "USER_INFO" -> {
                    String userInfo = string(BASIC_AUTH_USER_INFO, "");
                    if (userInfo.isEmpty()) {
                        throw new ConfigException(BASIC_AUTH_USER_INFO + " is required when "
                                + BASIC_AUTH_CREDENTIALS_SOURCE + "=USER_INFO (format user:password)");
                    }
                    yield Optional.of(userInfo(BASIC_AUTH_USER_INFO, userInfo));
                }
                case "URL" -> urls.stream().map(URI::getUserInfo).filter(Objects::nonNull).findFirst()
                        .map(info -> userInfo(SCHEMA_REGISTRY_URL, info));
                default -> throw new ConfigException(BASIC_AUTH_CREDENTIALS_SOURCE, source,
                        "supported sources are USER_INFO and URL");
            };
        }

        private static BasicAuth userInfo(String key, String userInfo) {
            try {
                return BasicAuth.parse(userInfo);
            } catch (IllegalArgumentException e) {
                // never echo the value: it holds a password
                throw new ConfigException("Invalid value for configuration " + key + ": " + e.getMessage());
            }
        }

        static URI withoutUserInfo(URI url) {
            if (url.getUserInfo() == null) {
                return url;
            }
            try {
                return new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), url.getQuery(), null);
            } catch (URISyntaxException e) {
                throw new ConfigException(SCHEMA_REGISTRY_URL, url.getHost(), e.getMessage());
            }
        }

        RetryPolicy retryPolicy() {
            int retries = (int) integer(MAX_RETRIES, RetryPolicy.DEFAULT.maxRetries(), 0, RetryPolicy.MAX_RETRIES_LIMIT);
            long initial = millis(RETRY_BACKOFF_MS, RetryPolicy.DEFAULT.initialBackoff().toMillis(), 0);
            long max = millis(RETRY_BACKOFF_MAX_MS, Math.max(initial, RetryPolicy.DEFAULT.maxBackoff().toMillis()), 0);
            if (max < initial) {
                throw new ConfigException(RETRY_BACKOFF_MAX_MS, max, "must be at least " + RETRY_BACKOFF_MS + " (" + initial + ")");
            }
            return new RetryPolicy(retries, Duration.ofMillis(initial), Duration.ofMillis(max));
        }

        SubjectNameStrategy strategy(String key) {
            Object raw = configs.get(key);
            if (raw == null) {
                return SubjectNameStrategy.TOPIC_NAME;
            }
            String name = raw instanceof Class<?> type ? type.getName() : raw.toString();
            return SubjectNameStrategy.fromName(name).orElseThrow(() -> new ConfigException(key, raw,
                    "expected TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy"
                            + " (optionally with Confluent's package io.confluent.kafka.serializers.subject.)"));
        }

        boolean bool(String key, boolean defaultValue) {
            Object raw = configs.get(key);
            if (raw == null) {
                return defaultValue;
            }
            if (raw instanceof Boolean value) {
                return value;
            }
            return switch (raw.toString().strip().toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new ConfigException(key, raw, "expected true or false");
            };
        }

        String string(String key, String defaultValue) {
            Object raw = configs.get(key);
            if (raw == null) {
                return defaultValue;
            }
            if (raw instanceof org.apache.kafka.common.config.types.Password password) {
                return password.value().strip();
            }
            return raw.toString().strip();
        }

        long millis(String key, long defaultValue, long min) {
            return integer(key, defaultValue, min, MAX_DURATION_MS);
        }

        long integer(String key, long defaultValue, long min, long max) {
            Object raw = configs.get(key);
            if (raw == null) {
                return defaultValue;
            }
            long value;
            if (raw instanceof Integer || raw instanceof Long || raw instanceof Short) {
                value = ((Number) raw).longValue();
            } else {
                try {
                    value = Long.parseLong(raw.toString().strip());
                } catch (NumberFormatException e) {
                    throw new ConfigException(key, raw, "expected a whole number");
                }
            }
            if (value < min || value > max) {
                throw new ConfigException(key, raw, "must be between " + min + " and " + max);
            }
            return value;
        }
    }
}

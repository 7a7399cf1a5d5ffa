package io.bitnetstreams.schemas.serde.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.schemas.serde.registry.BasicAuth;
import io.bitnetstreams.schemas.serde.registry.RetryPolicy;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class SerdeConfigTest {

    private static Map<String, Object> with(Object... keysAndValues) {
        var map = new HashMap<String, Object>();
        map.put(SerdeConfig.SCHEMA_REGISTRY_URL, "http://reg-a:8081, http://reg-b:8080/apis/ccompat/v7");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    @Test
    void defaultsMatchConfluentsSerializers() {
        SerdeConfig config = SerdeConfig.parse(with());

        assertThat(config.registry().urls()).containsExactly(
                URI.create("http://reg-a:8081"), URI.create("http://reg-b:8080/apis/ccompat/v7"));
        assertThat(config.autoRegisterSchemas()).isTrue();
        assertThat(config.useLatestVersion()).isFalse();
        assertThat(config.keySubjectNameStrategy()).isEqualTo(SubjectNameStrategy.TOPIC_NAME);
        assertThat(config.valueSubjectNameStrategy()).isEqualTo(SubjectNameStrategy.TOPIC_NAME);
        assertThat(config.registry().basicAuth()).isEmpty();
        assertThat(config.registry().retry()).isEqualTo(RetryPolicy.DEFAULT);
    }

    @Test
    void readsEveryKeyInStringOrTypedForm() {
        SerdeConfig config = SerdeConfig.parse(with(
                SerdeConfig.AUTO_REGISTER_SCHEMAS, "FALSE",
                SerdeConfig.USE_LATEST_VERSION, true,
                SerdeConfig.KEY_SUBJECT_NAME_STRATEGY, "io.confluent.kafka.serializers.subject.RecordNameStrategy",
                SerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, "TopicRecordNameStrategy",
                SerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO",
                SerdeConfig.BASIC_AUTH_USER_INFO, "svc:pa:ss",
                SerdeConfig.MAX_RETRIES, 2,
                SerdeConfig.RETRY_BACKOFF_MS, "10",
                SerdeConfig.RETRY_BACKOFF_MAX_MS, 40L,
                SerdeConfig.REQUEST_TIMEOUT_MS, "1500"));

        assertThat(config.autoRegisterSchemas()).isFalse();
        assertThat(config.useLatestVersion()).isTrue();
        assertThat(config.keySubjectNameStrategy()).isEqualTo(SubjectNameStrategy.RECORD_NAME);
        assertThat(config.valueSubjectNameStrategy()).isEqualTo(SubjectNameStrategy.TOPIC_RECORD_NAME);
        assertThat(config.registry().basicAuth()).contains(new BasicAuth("svc", "pa:ss"));
        assertThat(config.registry().retry()).isEqualTo(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(40)));
        assertThat(config.registry().requestTimeout()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void credentialsInTheUrlAreUsedAndStrippedFromIt() {
        SerdeConfig config = SerdeConfig.parse(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, "https://bob:pw@reg:8443/base"));

        assertThat(config.registry().urls()).containsExactly(URI.create("https://reg:8443/base"));
        assertThat(config.registry().basicAuth()).isEqualTo(Optional.of(new BasicAuth("bob", "pw")));
    }

    @Test
    void badValuesNameTheirKey() {
        assertRejected(Map.of(), SerdeConfig.SCHEMA_REGISTRY_URL);
        assertRejected(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, "ftp://reg"), SerdeConfig.SCHEMA_REGISTRY_URL);
        assertRejected(with(SerdeConfig.AUTO_REGISTER_SCHEMAS, "yes"), SerdeConfig.AUTO_REGISTER_SCHEMAS);
        assertRejected(with(SerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, "com.example.Mine"), SerdeConfig.VALUE_SUBJECT_NAME_STRATEGY);
        assertRejected(with(SerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "SASL_INHERIT"), SerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE);
        assertRejected(with(SerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO"), SerdeConfig.BASIC_AUTH_USER_INFO);
        assertRejected(with(SerdeConfig.MAX_RETRIES, "-1"), SerdeConfig.MAX_RETRIES);
        assertRejected(with(SerdeConfig.MAX_RETRIES, "lots"), SerdeConfig.MAX_RETRIES);
        assertRejected(with(SerdeConfig.RETRY_BACKOFF_MS, 500, SerdeConfig.RETRY_BACKOFF_MAX_MS, 100), SerdeConfig.RETRY_BACKOFF_MAX_MS);
        assertRejected(with(SerdeConfig.REQUEST_TIMEOUT_MS, 0), SerdeConfig.REQUEST_TIMEOUT_MS);
        assertRejected(with(SerdeConfig.SPECIFIC_AVRO_READER, "false"), SerdeConfig.SPECIFIC_AVRO_READER);
    }

    @Test
    void malformedUserInfoDoesNotEchoThePassword() {
        assertThatThrownBy(() -> SerdeConfig.parse(with(SerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO",
                SerdeConfig.BASIC_AUTH_USER_INFO, "onlysecretnocolon")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SerdeConfig.BASIC_AUTH_USER_INFO)
                .hasMessageNotContaining("onlysecretnocolon");
    }

    @Test
    void strategiesProduceConfluentSubjectNames() {
        var schema = io.bitnetstreams.avro.WorkItem.getClassSchema();
        assertThat(List.of(
                SubjectNameStrategy.TOPIC_NAME.subjectName("work", false, schema),
                SubjectNameStrategy.TOPIC_NAME.subjectName("work", true, schema),
                SubjectNameStrategy.RECORD_NAME.subjectName("work", false, schema),
                SubjectNameStrategy.TOPIC_RECORD_NAME.subjectName("work", true, schema)))
                .containsExactly("work-value", "work-key", "io.bitnetstreams.avro.WorkItem", "work-io.bitnetstreams.avro.WorkItem");
        assertThat(SubjectNameStrategy.fromName(SubjectNameStrategy.TOPIC_RECORD_NAME.confluentClassName()))
                .contains(SubjectNameStrategy.TOPIC_RECORD_NAME);
    }

    private static void assertRejected(Map<String, ?> configs, String key) {
        assertThatThrownBy(() -> SerdeConfig.parse(configs))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(key);
    }
}

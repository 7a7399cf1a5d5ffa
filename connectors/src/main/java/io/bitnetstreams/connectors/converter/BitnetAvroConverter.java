package io.bitnetstreams.connectors.converter;

import io.bitnetstreams.schemas.serde.GenericAvroCodec;
import io.bitnetstreams.schemas.serde.SerdeException;
import io.bitnetstreams.schemas.serde.WireFormat;
import io.bitnetstreams.schemas.serde.config.SerdeConfig;
import io.bitnetstreams.schemas.serde.registry.HttpSchemaRegistryClient;
import io.bitnetstreams.schemas.serde.registry.RegistryUnavailableException;
import io.bitnetstreams.schemas.serde.registry.SchemaRegistryClient;
import io.bitnetstreams.schemas.serde.registry.SchemaRegistryException;
import org.apache.kafka.connect.errors.RetriableException;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.storage.Converter;
import org.apache.kafka.connect.storage.ConverterConfig;
import org.apache.kafka.connect.storage.ConverterType;
import org.apache.kafka.connect.storage.HeaderConverter;
import org.apache.kafka.common.header.Headers;

/**
 * Kafka Connect converter for Avro in the Confluent wire format with a schema registry, built on the pipeline's
 * serde: the registry client, subject name strategies and settings are those of
 * {@link io.bitnetstreams.schemas.serde.AvroSerializer} (same keys as Confluent's converter:
 * {@code schema.registry.url}, {@code auto.register.schemas}, {@code use.latest.version} is not supported here,
 * {@code value.subject.name.strategy}, {@code basic.auth.*}). Use it as
 * {@code value.converter=io.bitnetstreams.connectors.converter.BitnetAvroConverter} with
 * {@code value.converter.schema.registry.url=...}.
 *
 * <p>Encoding or decoding problems throw {@link DataException} (which Connect's {@code errors.tolerance} and dead
 * letter queue handle) with the serde's reason.
 */
public class BitnetAvroConverter implements Converter, HeaderConverter {

    private final AvroConnectData data = new AvroConnectData();
    private SchemaRegistryClient registry;
    private SerdeConfig config;
    private boolean isKey;

    public BitnetAvroConverter() {}

    /** With a registry client the caller owns (tests, embedding). */
    public BitnetAvroConverter(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.config = SerdeConfig.parse(configs);
        this.isKey = isKey;
        if (registry == null) {
            registry = new HttpSchemaRegistryClient(config.registry());
        }
    }

    @Override
    public void configure(Map<String, ?> configs) {
        Object type = configs.get(ConverterConfig.TYPE_CONFIG);
        configure(configs, ConverterType.KEY.getName().equals(type == null ? null : type.toString()));
    }

    @Override
    public byte[] fromConnectData(String topic, Schema schema, Object value) {
        if (schema == null && value == null) {
            return null;
        }
        if (schema == null) {
            throw new DataException("BitnetAvroConverter needs a schema for the value on topic " + topic);
        }
        try {
            org.apache.avro.Schema avro = data.fromConnectSchema(schema);
            if (value == null) {
                return null;
            }
            String subject = config.subjectNameStrategy(isKey).subjectName(topic, isKey, avro);
            int id = config.autoRegisterSchemas() ? registry.register(subject, avro) : registry.lookupId(subject, avro);
            return GenericAvroCodec.encode(topic, id, avro, data.fromConnectData(schema, avro, value));
        } catch (RegistryUnavailableException e) {
            throw new RetriableException("schema registry unavailable: " + e.getMessage(), e);
        } catch (SerdeException | SchemaRegistryException | org.apache.avro.AvroRuntimeException | ClassCastException e) {
            throw new DataException("cannot convert a " + schema.name() + " for topic " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public SchemaAndValue toConnectData(String topic, byte[] value) {
        if (value == null) {
            return SchemaAndValue.NULL;
        }
        try {
            int id = WireFormat.schemaId(topic, value);
            org.apache.avro.Schema writer = registry.schemaById(id);
            Object datum = GenericAvroCodec.decode(topic, id, value, writer);
            return new SchemaAndValue(data.toConnectSchema(writer), data.toConnectData(writer, datum));
        } catch (RegistryUnavailableException e) {
            throw new RetriableException("schema registry unavailable: " + e.getMessage(), e);
        } catch (SerdeException | SchemaRegistryException | org.apache.avro.AvroRuntimeException e) {
            throw new DataException("cannot read a record of topic " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public SchemaAndValue toConnectHeader(String topic, String headerKey, byte[] value) {
        return toConnectData(topic, value);
    }

    @Override
    public byte[] fromConnectHeader(String topic, String headerKey, Schema schema, Object value) {
        return fromConnectData(topic, schema, value);
    }

    @Override
    public byte[] fromConnectData(String topic, Headers headers, Schema schema, Object value) {
        return fromConnectData(topic, schema, value);
    }

    @Override
    public String version() {
        return io.bitnetstreams.connectors.source.DocumentSourceConnector.VERSION;
    }

    @Override
    public ConfigDef config() {
        return new ConfigDef()
                .define(SerdeConfig.SCHEMA_REGISTRY_URL, ConfigDef.Type.LIST, ConfigDef.Importance.HIGH,
                        "Schema registry URL(s) (Confluent API; Apicurio at /apis/ccompat/v7).")
                .define(SerdeConfig.AUTO_REGISTER_SCHEMAS, ConfigDef.Type.BOOLEAN, true, ConfigDef.Importance.MEDIUM,
                        "Register the value's schema on first use; false: it must already be registered.");
    }

    @Override
    public void close() {
        if (registry != null) {
            registry.close();
        }
    }
}

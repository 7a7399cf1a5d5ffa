package io.bitnetstreams.schemas.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.devstack.junit.WithKafka;
import io.bitnetstreams.devstack.junit.WithSchemaRegistry;
import io.bitnetstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.bitnetstreams.devstack.registry.SchemaRegistryProcess;
import io.bitnetstreams.schemas.SampleRecords;
import io.bitnetstreams.schemas.serde.AvroDeserializer;
import io.bitnetstreams.schemas.serde.AvroSerde;
import io.bitnetstreams.schemas.serde.AvroSerializer;
import io.bitnetstreams.schemas.serde.UnknownSchemaIdException;
import io.bitnetstreams.schemas.serde.registry.HttpSchemaRegistryClient;
import io.bitnetstreams.schemas.serde.registry.IncompatibleSchemaException;
import io.bitnetstreams.schemas.serde.registry.RegistryClientConfig;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The serde against a real KRaft broker and a real Apicurio registry (Confluent API at /apis/ccompat/v7). */
@WithKafka
@WithSchemaRegistry
class SerdeRegistryIT {

    EmbeddedKafkaCluster kafka;
    SchemaRegistryProcess registry;

    private Map<String, Object> serdeConfig(Object... extra) {
        var config = new java.util.HashMap<String, Object>(Map.of("schema.registry.url", registry.url()));
        for (int i = 0; i < extra.length; i += 2) {
            config.put((String) extra[i], extra[i + 1]);
        }
        return config;
    }

    private HttpSchemaRegistryClient client() {
        return new HttpSchemaRegistryClient(RegistryClientConfig.of(URI.create(registry.url())));
    }

    @Test
    void everyRecordTypeTravelsThroughKafkaAndTheRegistry() throws Exception {
        for (SpecificRecord record : SampleRecords.all()) {
            String topic = "all-" + record.getSchema().getName();
            kafka.createTopic(topic, 1);
            var serializer = new AvroSerializer<SpecificRecord>();
            serializer.configure(serdeConfig(), false);
            try (var producer = KafkaClients.producer(kafka, serializer)) {
                producer.send(new ProducerRecord<>(topic, "key", record)).get();
            }
            var deserializer = new AvroDeserializer<SpecificRecord>();
            deserializer.configure(serdeConfig(), false);

            var read = KafkaClients.readAll(kafka, topic, 1, deserializer);

            assertThat(read).singleElement().satisfies(r -> assertThat(r.value()).isEqualTo(record));
            try (var client = client()) {
                assertThat(client.latestVersion(topic + "-value").schema()).isEqualTo(record.getSchema());
            }
            deserializer.close();
        }
    }

    @Test
    void oldReaderReadsRecordsWrittenWithANewerBackwardCompatibleSchema() throws Exception {
        String topic = "evolution";
        kafka.createTopic(topic, 1);
        WorkItem original = SampleRecords.generateWorkItem();
        Schema newer = withField(WorkItem.getClassSchema(),
                "{\"name\":\"region\",\"type\":\"string\",\"default\":\"eu\",\"doc\":\"Region.\"}");
        int newerId;
        try (var client = client()) {
            client.register(topic + "-value", WorkItem.getClassSchema());
            newerId = client.register(topic + "-value", newer); // the registry's BACKWARD rule accepts it
        }
        // A newer producer (simulated with a generic writer) sets the field the old class does not know.
        GenericRecord newRecord = new GenericData.Record(newer);
        for (Schema.Field field : WorkItem.getClassSchema().getFields()) {
            newRecord.put(field.name(), original.get(field.pos()));
        }
        newRecord.put("region", "us-east");
        try (var producer = KafkaClients.producer(kafka, new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, "a", wire(newerId, newer, newRecord))).get();
        }
        // A producer on the old class with use.latest.version writes the newer format, defaults filled in.
        try (var serde = AvroSerde.of(WorkItem.class, serdeConfig("use.latest.version", true), false);
                var producer = KafkaClients.producer(kafka, serde.serializer())) {
            producer.send(new ProducerRecord<>(topic, "b", original)).get();
        }

        try (var oldReader = AvroSerde.of(WorkItem.class, serdeConfig(), false)) {
            var read = KafkaClients.readAll(kafka, topic, 2, oldReader.deserializer());
            assertThat(read).extracting(r -> r.value()).containsExactly(original, original);
        }
        var raw = KafkaClients.readAllBytes(kafka, topic, 2);
        assertThat(raw).allSatisfy(r -> assertThat(ByteBuffer.wrap(r.value(), 1, 4).getInt()).isEqualTo(newerId));
    }

    @Test
    void incompatibleSchemaIsRejectedByTheRegistryWith409() throws Exception {
        String topic = "incompatible";
        kafka.createTopic(topic, 1);
        try (var serde = AvroSerde.of(WorkItem.class, serdeConfig(), false);
                var producer = KafkaClients.producer(kafka, serde.serializer())) {
            producer.send(new ProducerRecord<>(topic, "k", SampleRecords.generateWorkItem())).get();
        }
        Schema breaking = withField(WorkItem.getClassSchema(),
                "{\"name\":\"region\",\"type\":\"string\",\"doc\":\"Required, no default: breaks BACKWARD.\"}");

        try (var client = client()) {
            assertThatThrownBy(() -> client.register(topic + "-value", breaking))
                    .isInstanceOfSatisfying(IncompatibleSchemaException.class,
                            e -> assertThat(e.httpStatus()).isEqualTo(409))
                    .hasMessageContaining(topic + "-value")
                    .hasMessageContaining("HTTP 409");
        }
        // The same through a producer: a different record type on the topic is refused at send().
        try (var deadLetters = AvroSerde.of(DeadLetter.class, serdeConfig(), false);
                var producer = KafkaClients.producer(kafka, deadLetters.serializer())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, "k", SampleRecords.deadLetter())))
                    .isInstanceOf(IncompatibleSchemaException.class)
                    .hasMessageContaining("register schema io.bitnetstreams.avro.DeadLetter");
        }
    }

    @Test
    void unknownSchemaIdInARealRecordIsReportedAsSuch() throws Exception {
        String topic = "unknown-id";
        kafka.createTopic(topic, 1);
        try (var producer = KafkaClients.producer(kafka, new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, "k", new byte[] {0, 0x7f, 0, 0, 1, 2})).get();
        }
        var raw = KafkaClients.readAllBytes(kafka, topic, 1);
        try (var serde = AvroSerde.of(WorkItem.class, serdeConfig(), false)) {
            assertThatThrownBy(() -> serde.deserializer().deserialize(topic, raw.getFirst().value()))
                    .isInstanceOfSatisfying(UnknownSchemaIdException.class,
                            e -> assertThat(e.schemaId()).isEqualTo(0x7f000001));
        }
    }

    static Schema withField(Schema base, String fieldJson) {
        String json = base.toString();
        int end = json.lastIndexOf("]}");
        return new Schema.Parser().parse(json.substring(0, end) + "," + fieldJson + json.substring(end));
    }

    static byte[] wire(int id, Schema schema, GenericRecord record) throws java.io.IOException {
        var out = new ByteArrayOutputStream();
        out.write(new byte[] {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id});
        var encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema, SpecificData.getForSchema(WorkItem.getClassSchema()))
                .write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}

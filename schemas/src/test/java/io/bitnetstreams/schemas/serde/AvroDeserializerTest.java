package io.bitnetstreams.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.DeadLetterReason;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.schemas.serde.registry.RegistryUnavailableException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroDeserializerTest {

    private static final Map<String, String> CONFIG = Map.of("schema.registry.url", "http://registry.invalid");
    private static final String TOPIC = "work";

    private final InMemoryRegistry registry = new InMemoryRegistry();
    private final AvroSerializer<WorkItem> serializer = new AvroSerializer<>(registry);
    private final AvroDeserializer<WorkItem> deserializer = new AvroDeserializer<>(WorkItem.class, registry);

    AvroDeserializerTest() {
        serializer.configure(CONFIG, false);
        deserializer.configure(CONFIG, false);
    }

    @Test
    void roundTripsAndTombstonesStayNull() {
        WorkItem item = Records.workItem();
        assertThat(deserializer.deserialize(TOPIC, serializer.serialize(TOPIC, item))).isEqualTo(item);
        assertThat(serializer.serialize(TOPIC, null)).isNull();
        assertThat(deserializer.deserialize(TOPIC, null)).isNull();
    }

    @Test
    void oldReaderReadsRecordWrittenWithNewerSchemaSkippingTheNewField() throws IOException {
        Schema newer = withField(WorkItem.getClassSchema(),
                "{\"name\":\"region\",\"type\":\"string\",\"default\":\"eu\",\"doc\":\"Region.\"}");
        registry.put(77, TOPIC + "-value", newer);
        GenericRecord written = asGeneric(Records.workItem(), newer);
        written.put("region", "us-east");

        WorkItem read = deserializer.deserialize(TOPIC, wire(77, newer, written));

        assertThat(read).isEqualTo(Records.workItem());
    }

    @Test
    void newReaderFillsDefaultsForFieldsAnOlderWriterLacked() throws IOException {
        Schema older = withoutField(WorkItem.getClassSchema(), "traceId");
        registry.put(5, TOPIC + "-value", older);
        WorkItem original = Records.workItem();
        GenericRecord written = asGeneric(original, older);

        WorkItem read = deserializer.deserialize(TOPIC, wire(5, older, written));

        assertThat(read.getTraceId()).isNull();
        assertThat(read.getRequestId()).isEqualTo(original.getRequestId());
        assertThat(read.getDeadline()).isEqualTo(original.getDeadline());
    }

    @Test
    void badMagicByteIsMalformed() {
        byte[] data = serializer.serialize(TOPIC, Records.workItem());
        data[0] = 1;
        assertRefused(data, MalformedRecordException.class, DeadLetterReason.MALFORMED_RECORD, "magic byte 0x01");
    }

    @Test
    void recordShorterThanTheHeaderIsMalformed() {
        assertRefused(new byte[] {0, 0, 1}, MalformedRecordException.class, DeadLetterReason.MALFORMED_RECORD,
                "shorter than the 5-byte");
    }

    @Test
    void truncatedBodyIsMalformed() {
        byte[] data = serializer.serialize(TOPIC, Records.workItem());
        assertRefused(Arrays.copyOf(data, data.length - 3), MalformedRecordException.class,
                DeadLetterReason.MALFORMED_RECORD, "truncated");
    }

    @Test
    void trailingBytesAreMalformed() {
        byte[] data = serializer.serialize(TOPIC, Records.workItem());
        assertRefused(Arrays.copyOf(data, data.length + 2), MalformedRecordException.class,
                DeadLetterReason.MALFORMED_RECORD, "2 unread byte(s)");
    }

    @Test
    void hugeDeclaredStringLengthIsMalformedNotAnOutOfMemoryError() {
        int id = registry.register(TOPIC + "-value", WorkItem.getClassSchema());
        // requestId length prefix: zigzag varint of 2^30 (0x80 0x80 0x80 0x80 0x08), then only 2 bytes of text
        byte[] poison = {0, 0, 0, 0, (byte) id, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08, 'a', 'b'};
        assertRefused(poison, MalformedRecordException.class, DeadLetterReason.MALFORMED_RECORD,
                "string length 1073741824 does not fit the 2 byte(s) left");
    }

    @Test
    void hugeDeclaredArrayCountIsMalformed() throws IOException {
        int id = registry.register(TOPIC + "-value", WorkItem.getClassSchema());
        byte[] valid = serializer.serialize(TOPIC, Records.workItem());
        // Keep everything up to the task union; then claim a ClassifyTask with 2^30 labels.
        var out = new ByteArrayOutputStream();
        out.write(0);
        out.write(new byte[] {0, 0, 0, (byte) id});
        var encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        encoder.writeString("req");
        encoder.writeString("acme");
        encoder.writeInt(0);
        encoder.writeInt(1);
        encoder.writeIndex(0);
        encoder.writeLong(1L << 30);
        encoder.flush();
        assertThat(valid).isNotEmpty();
        assertRefused(out.toByteArray(), MalformedRecordException.class, DeadLetterReason.MALFORMED_RECORD,
                "array block of 1073741824 item(s)");
    }

    @Test
    void unknownSchemaIdIsReportedWithTheId() {
        byte[] data = serializer.serialize(TOPIC, Records.workItem());
        data[1] = 0x7f;
        var thrown = assertRefused(data, UnknownSchemaIdException.class, DeadLetterReason.UNKNOWN_SCHEMA_ID, "is not known");
        assertThat(((UnknownSchemaIdException) thrown).schemaId()).isEqualTo(0x7f000000 | (data[4] & 0xff));
        // More records with the same bogus id are refused without asking the registry every time.
        long lookups = registry.calls.stream().filter(call -> call.startsWith("schema ")).count();
        assertRefused(data, UnknownSchemaIdException.class, DeadLetterReason.UNKNOWN_SCHEMA_ID, "is not known");
        assertThat(registry.calls.stream().filter(call -> call.startsWith("schema ")).count()).isEqualTo(lookups);
    }

    @Test
    void writerSchemaOfAnotherTypeIsWrongSchemaAndNamesTheProblem() {
        var deadLetters = new AvroSerializer<DeadLetter>(registry);
        deadLetters.configure(CONFIG, false);
        DeadLetter letter = DeadLetter.newBuilder()
                .setReason(DeadLetterReason.INVALID_REQUEST).setMessage("bad").setOriginalKey(null).setOriginalValue(null)
                .setSourceTopic("requests").setSourcePartition(0).setSourceOffset(9).setStage("validate")
                .setRequestId(null).setFailedAt(java.time.Instant.EPOCH).build();
        byte[] data = deadLetters.serialize("dead-letters", letter);

        var thrown = assertRefused(data, WrongSchemaException.class, DeadLetterReason.WRONG_SCHEMA, "cannot be read as");
        assertThat(thrown).hasMessageContaining("io.bitnetstreams.avro.DeadLetter").hasMessageContaining("NAME_MISMATCH");
        // A second record with the same id is refused from the cache, without asking the registry again.
        int callsBefore = registry.calls.size();
        assertRefused(data, WrongSchemaException.class, DeadLetterReason.WRONG_SCHEMA, "cannot be read as");
        assertThat(registry.calls).hasSize(callsBefore);
    }

    @Test
    void registryOutageIsNotASerializationException() {
        byte[] data = serializer.serialize(TOPIC, Records.workItem());
        var fresh = new AvroDeserializer<>(WorkItem.class, registry);
        registry.down = true;

        assertThatThrownBy(() -> fresh.deserialize(TOPIC, data))
                .isInstanceOf(RegistryUnavailableException.class)
                .isNotInstanceOf(SerializationException.class);
    }

    @Test
    void deserializerWithoutTargetTypePicksTheGeneratedClassFromTheWriterSchema() {
        var byName = new AvroDeserializer<SpecificRecord>(registry);
        byName.configure(CONFIG, false);
        byte[] data = serializer.serialize(TOPIC, Records.workItem());

        SpecificRecord read = byName.deserialize(TOPIC, data);

        assertThat(read).isInstanceOf(WorkItem.class).isEqualTo(Records.workItem());
    }

    @Test
    void writerSchemaWithoutAGeneratedClassIsWrongSchema() {
        Schema foreign = new Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"Unknown\",\"namespace\":\"com.example\",\"fields\":[]}");
        registry.put(900, "other-value", foreign);
        var byName = new AvroDeserializer<SpecificRecord>(registry);

        assertThatThrownBy(() -> byName.deserialize(TOPIC, new byte[] {0, 0, 0, 0x03, (byte) 0x84}))
                .isInstanceOf(WrongSchemaException.class)
                .hasMessageContaining("no generated class for writer schema com.example.Unknown");
    }

    private Throwable assertRefused(byte[] data, Class<? extends SerdeException> type, DeadLetterReason reason,
            String messagePart) {
        var thrown = org.assertj.core.api.Assertions.catchThrowable(() -> deserializer.deserialize(TOPIC, data));
        assertThat(thrown)
                .isInstanceOf(type)
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(messagePart)
                .hasMessageContaining(TOPIC);
        assertThat(((SerdeException) thrown).deadLetterReason()).isEqualTo(reason);
        return thrown;
    }

    static GenericRecord asGeneric(SpecificRecord record, Schema target) {
        GenericRecord generic = new GenericData.Record(target);
        for (Schema.Field field : target.getFields()) {
            Schema.Field own = record.getSchema().getField(field.name());
            if (own != null) {
                generic.put(field.name(), record.get(own.pos()));
            }
        }
        return generic;
    }

    static byte[] wire(int id, Schema schema, GenericRecord record) throws IOException {
        var out = new ByteArrayOutputStream();
        out.write(new byte[] {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id});
        var encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        // The specific model carries the Instant conversion used by our records' timestamp fields.
        new GenericDatumWriter<GenericRecord>(schema, org.apache.avro.specific.SpecificData.getForSchema(WorkItem.getClassSchema()))
                .write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    static Schema withField(Schema base, String fieldJson) {
        String json = base.toString();
        int end = json.lastIndexOf("]}");
        return new Schema.Parser().parse(json.substring(0, end) + "," + fieldJson + json.substring(end));
    }

    static Schema withoutField(Schema base, String name) {
        var fields = new java.util.ArrayList<Schema.Field>();
        for (Schema.Field field : base.getFields()) {
            if (!field.name().equals(name)) {
                fields.add(new Schema.Field(field, field.schema()));
            }
        }
        return Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, fields);
    }
}

package io.bitnetstreams.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * The Confluent wire format for generic Avro data (records built at run time, e.g. by a Kafka Connect converter),
 * with the same header, bounds checks and exceptions as {@link AvroSerializer} / {@link AvroDeserializer}.
 */
public final class GenericAvroCodec {

    private GenericAvroCodec() {}

    /** Header with {@code schemaId}, then {@code datum} encoded with {@code schema}. */
    public static byte[] encode(String topic, int schemaId, Schema schema, Object datum) {
        var out = new ByteArrayOutputStream(256);
        WireFormat.writeHeader(out, schemaId);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            new GenericDatumWriter<>(schema, GenericData.get()).write(datum, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new RecordEncodingException(topic, "cannot encode a " + schema.getFullName() + ": " + e, e);
        }
        return out.toByteArray();
    }

    /** Decodes the body of {@code data} (whose header names {@code schemaId}) with the writer schema. */
    public static Object decode(String topic, int schemaId, byte[] data, Schema writer) {
        var decoder = new BoundedBinaryDecoder(data, WireFormat.HEADER_SIZE);
        Object datum;
        try {
            datum = new GenericDatumReader<>(writer, writer, GenericData.get()).read(null, decoder);
        } catch (EOFException e) {
            throw new MalformedRecordException(topic, "Avro body truncated or a length prefix corrupt (" + data.length
                    + " bytes, schema id " + schemaId + "): " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new MalformedRecordException(topic, "corrupt Avro body for schema id " + schemaId + ": " + e, e);
        }
        if (decoder.remaining() != 0) {
            throw new MalformedRecordException(topic, decoder.remaining() + " unread byte(s) after the Avro body"
                    + " (schema id " + schemaId + "): the id does not match the data", null);
        }
        return datum;
    }
}

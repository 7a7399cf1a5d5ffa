package io.bitnetstreams.schemas.serde;

import java.nio.ByteBuffer;

/**
 * Confluent wire format: byte 0 is the magic byte 0, bytes 1-4 the schema id (big-endian int), then the Avro
 * binary encoding of the record.
 */
public final class WireFormat {

    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

    private WireFormat() {}

    /** Writes the 5-byte header into a fresh buffer of header + body capacity. */
    public static void writeHeader(java.io.ByteArrayOutputStream out, int schemaId) {
        out.write(MAGIC_BYTE);
        out.write(schemaId >>> 24);
        out.write(schemaId >>> 16);
        out.write(schemaId >>> 8);
        out.write(schemaId);
    }

    /** The schema id of a record in the wire format; {@link MalformedRecordException} when the header is wrong. */
    public static int schemaId(String topic, byte[] data) {
        if (data.length < HEADER_SIZE) {
            throw new MalformedRecordException(topic, "record of " + data.length
                    + " byte(s) is shorter than the 5-byte wire-format header", null);
        }
        if (data[0] != MAGIC_BYTE) {
            throw new MalformedRecordException(topic, "unknown magic byte 0x%02x (expected 0x00): not written by a Confluent-compatible Avro serializer"
                    .formatted(data[0] & 0xff), null);
        }
        return ByteBuffer.wrap(data, 1, 4).getInt();
    }
}

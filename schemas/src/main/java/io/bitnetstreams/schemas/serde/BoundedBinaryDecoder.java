package io.bitnetstreams.schemas.serde;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * Avro binary decoder over a byte array that refuses any length or item count larger than the bytes left.
 * Avro's own decoder allocates whatever a (possibly corrupt) length prefix says, up to 2 GB, before noticing
 * the data is short; a 20-byte poison record must not cost an OutOfMemoryError.
 *
 * <p>Violations throw {@link EOFException}: the data ends before what the prefix promised.
 *
 * <p>Item counts are checked against remaining bytes too, which assumes every array element and map entry
 * takes at least one byte: true for all our schemas (no arrays of null or of empty records).
 */
final class BoundedBinaryDecoder extends Decoder {

    private final ByteArrayInputStream input;
    private final BinaryDecoder avro;

    BoundedBinaryDecoder(byte[] data, int offset) {
        this.input = new ByteArrayInputStream(data, offset, data.length - offset);
        this.avro = DecoderFactory.get().directBinaryDecoder(input, null);
    }

    /** Bytes not consumed yet. */
    int remaining() {
        return input.available();
    }

    private int checkedLength(long length, String what) throws IOException {
        if (length < 0 || length > remaining()) {
            throw new EOFException(what + " length " + length + " does not fit the " + remaining() + " byte(s) left");
        }
        return (int) length;
    }

    private long checkedCount(long count, String what) throws IOException {
        if (count < 0 || count > remaining()) {
            throw new EOFException(what + " block of " + count + " item(s) does not fit the " + remaining() + " byte(s) left");
        }
        return count;
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = checkedLength(avro.readLong(), "string");
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        avro.readFixed(result.getBytes(), 0, length);
        return result;
    }

    @Override
    public String readString() throws IOException {
        return readString(null).toString();
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int length = checkedLength(avro.readLong(), "bytes");
        byte[] bytes = new byte[length];
        avro.readFixed(bytes, 0, length);
        return ByteBuffer.wrap(bytes);
    }

    @Override
    public void skipString() throws IOException {
        avro.skipFixed(checkedLength(avro.readLong(), "string"));
    }

    @Override
    public void skipBytes() throws IOException {
        avro.skipFixed(checkedLength(avro.readLong(), "bytes"));
    }

    @Override
    public long readArrayStart() throws IOException {
        return checkedCount(avro.readArrayStart(), "array");
    }

    @Override
    public long arrayNext() throws IOException {
        return checkedCount(avro.arrayNext(), "array");
    }

    @Override
    public long skipArray() throws IOException {
        return checkedCount(avro.skipArray(), "array");
    }

    @Override
    public long readMapStart() throws IOException {
        return checkedCount(avro.readMapStart(), "map");
    }

    @Override
    public long mapNext() throws IOException {
        return checkedCount(avro.mapNext(), "map");
    }

    @Override
    public long skipMap() throws IOException {
        return checkedCount(avro.skipMap(), "map");
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        checkedLength(length, "fixed");
        avro.readFixed(bytes, start, length);
    }

    @Override
    public void skipFixed(int length) throws IOException {
        avro.skipFixed(checkedLength(length, "fixed"));
    }

    @Override
    public void readNull() throws IOException {
        avro.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
        return avro.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
        return avro.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return avro.readLong();
    }

    @Override
    public float readFloat() throws IOException {
        return avro.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return avro.readDouble();
    }

    @Override
    public int readEnum() throws IOException {
        return avro.readEnum();
    }

    @Override
    public int readIndex() throws IOException {
        return avro.readIndex();
    }
}

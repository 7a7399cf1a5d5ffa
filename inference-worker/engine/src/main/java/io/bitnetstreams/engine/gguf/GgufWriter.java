package io.bitnetstreams.engine.gguf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Writes GGUF files (v3 unless told otherwise, alignment 32 or {@code general.alignment}). Metadata
 * keeps insertion order; tensors are laid out in the order added, each at an aligned offset. Output is
 * deterministic: the same calls give the same bytes. Tensor data is streamed from each
 * {@link TensorDataSource} through one buffer into a temp file beside the target, which is then
 * renamed atomically over it, so a crash never leaves a half-written model under the final name.
 */
public final class GgufWriter {

    /** Produces one tensor's bytes; must write exactly {@code type.byteSize(elements)} bytes. */
    @FunctionalInterface
    public interface TensorDataSource {
        void writeTo(WritableByteChannel out) throws IOException;

        /** The bytes of {@code data}. */
        static TensorDataSource ofBytes(byte[] data) {
            byte[] copy = data.clone();
            return out -> writeFully(out, ByteBuffer.wrap(copy));
        }

        /** The bytes of {@code data}, read when the file is written (no copy: e.g. a mapped tensor). */
        static TensorDataSource ofSegment(MemorySegment data) {
            return out -> {
                long chunk = 8 << 20; // ByteBuffer views are int-sized
                for (long at = 0; at < data.byteSize(); at += chunk) {
                    writeFully(out, data.asSlice(at, Math.min(chunk, data.byteSize() - at)).asByteBuffer());
                }
            };
        }
    }

    private record Tensor(String name, GgmlType type, long[] dims, long byteSize, TensorDataSource source) {}

    private static final int BUFFER_BYTES = 1 << 20;

    private final LinkedHashMap<String, GgufMetadata.Entry> entries = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();
    private final Set<String> tensorNames = new HashSet<>();
    private int version = 3;

    public GgufWriter() {}

    /** Writes GGUF version 2 or 3 (same little-endian layout). */
    public GgufWriter version(int version) {
        if (version != 2 && version != 3) {
            throw new IllegalArgumentException("can write GGUF versions 2 and 3, not " + version);
        }
        this.version = version;
        return this;
    }

    public GgufWriter putString(String key, String value) {
        return put(key, GgufValueType.STRING, Objects.requireNonNull(value, "value"));
    }

    public GgufWriter putUInt8(String key, int value) {
        return put(key, GgufValueType.UINT8, (long) checkRange(key, value, 0, 0xFF));
    }

    public GgufWriter putInt8(String key, int value) {
        return put(key, GgufValueType.INT8, (long) checkRange(key, value, Byte.MIN_VALUE, Byte.MAX_VALUE));
    }

    public GgufWriter putUInt16(String key, int value) {
        return put(key, GgufValueType.UINT16, (long) checkRange(key, value, 0, 0xFFFF));
    }

    public GgufWriter putInt16(String key, int value) {
        return put(key, GgufValueType.INT16, (long) checkRange(key, value, Short.MIN_VALUE, Short.MAX_VALUE));
    }

    public GgufWriter putUInt32(String key, long value) {
        return put(key, GgufValueType.UINT32, checkRange(key, value, 0, 0xFFFF_FFFFL));
    }

    public GgufWriter putInt32(String key, int value) {
        return put(key, GgufValueType.INT32, (long) value);
    }

    /** {@code value} holds the raw 64 bits (use {@link Long#parseUnsignedLong} for values above 2^63). */
    public GgufWriter putUInt64(String key, long value) {
        return put(key, GgufValueType.UINT64, value);
    }

    public GgufWriter putInt64(String key, long value) {
        return put(key, GgufValueType.INT64, value);
    }

    public GgufWriter putFloat32(String key, float value) {
        return put(key, GgufValueType.FLOAT32, value);
    }

    public GgufWriter putFloat64(String key, double value) {
        return put(key, GgufValueType.FLOAT64, value);
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, GgufValueType.BOOL, value);
    }

    public GgufWriter putStringArray(String key, List<String> values) {
        return putArray(key, GgufArray.ofStrings(values));
    }

    public GgufWriter putInt32Array(String key, int[] values) {
        return putArray(key, GgufArray.ofInt32(values));
    }

    public GgufWriter putFloat32Array(String key, float[] values) {
        return putArray(key, GgufArray.ofFloat32(values));
    }

    /** Any array, including arrays of arrays. */
    public GgufWriter putArray(String key, GgufArray array) {
        return put(key, GgufValueType.ARRAY, Objects.requireNonNull(array, "array"));
    }

    /**
     * Adds a tensor; its bytes are pulled from {@code source} when the file is written.
     *
     * @param dims contiguous-first (ne0 = columns)
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] dims, TensorDataSource source) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(source, "source");
        if (!tensorNames.add(name)) {
            throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        }
        long[] copy = dims.clone();
        // The info record validates dims; the element count and byte size must be representable.
        GgufTensorInfo probe = new GgufTensorInfo(name, type, copy, 0, 0);
        long elements;
        try {
            elements = probe.elementCount();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("tensor '" + name + "': element count overflows", e);
        }
        if (type != GgmlType.I2_S && copy[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "': ne0 = " + copy[0]
                    + " is not a multiple of the " + type + " block size " + type.blockSize());
        }
        tensors.add(new Tensor(name, type, copy, type.byteSize(elements), source));
        return this;
    }

    /**
     * Writes the file: temp file beside {@code path}, then an atomic rename over it.
     *
     * @throws UncheckedIOException on I/O failure (the temp file is removed)
     * @throws IllegalStateException if a tensor source wrote the wrong number of bytes
     */
    public void write(Path path) {
        Path target = path.toAbsolutePath();
        int alignment = alignment();
        Path temp = null;
        try {
            temp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                CountingChannel out = new CountingChannel(channel);
                writeHeader(out, alignment);
                for (Tensor tensor : tensors) {
                    out.padTo(alignment);
                    long before = out.count();
                    tensor.source().writeTo(out);
                    long written = out.count() - before;
                    if (written != tensor.byteSize()) {
                        throw new IllegalStateException("tensor '" + tensor.name() + "' (" + tensor.type()
                                + " " + Arrays.toString(tensor.dims()) + ") wrote " + written
                                + " bytes, expected " + tensor.byteSize());
                    }
                }
                out.flush();
                channel.force(true);
            }
            moveAtomically(temp, target);
            temp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write GGUF file " + target + ": " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the original failure matters more than a leftover temp file
                }
            }
        }
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private int alignment() {
        GgufMetadata.Entry entry = entries.get("general.alignment");
        if (entry == null) {
            return GgufFile.DEFAULT_ALIGNMENT;
        }
        long value = entry.value() instanceof Long l && entry.type().isInteger() ? l : -1;
        if (value <= 0 || value > GgufParser.MAX_ALIGNMENT || Long.bitCount(value) != 1) {
            throw new IllegalStateException("general.alignment must be an integer power of two, got " + entry.value());
        }
        return (int) value;
    }

    private void writeHeader(CountingChannel out, int alignment) throws IOException {
        out.u32(GgufParser.MAGIC);
        out.u32(version);
        out.u64(tensors.size());
        out.u64(entries.size());
        for (var e : entries.entrySet()) {
            out.string(e.getKey());
            out.u32(e.getValue().type().id());
            writeValue(out, e.getValue().type(), e.getValue().value());
        }
        long offset = 0;
        for (Tensor tensor : tensors) {
            out.string(tensor.name());
            out.u32(tensor.dims().length);
            for (long d : tensor.dims()) {
                out.u64(d);
            }
            out.u32(tensor.type().id());
            out.u64(offset);
            offset = alignUp(offset + tensor.byteSize(), alignment);
        }
    }

    private static void writeValue(CountingChannel out, GgufValueType type, Object value) throws IOException {
        switch (type) {
            case UINT8, INT8 -> out.u8((int) (long) (Long) value);
            case UINT16, INT16 -> out.u16((int) (long) (Long) value);
            case UINT32, INT32 -> out.u32((int) (long) (Long) value);
            case UINT64, INT64 -> out.u64((Long) value);
            case FLOAT32 -> out.u32(Float.floatToRawIntBits((Float) value));
            case FLOAT64 -> out.u64(Double.doubleToRawLongBits((Double) value));
            case BOOL -> out.u8((Boolean) value ? 1 : 0);
            case STRING -> out.string((String) value);
            case ARRAY -> writeArray(out, (GgufArray) value);
        }
    }

    private static void writeArray(CountingChannel out, GgufArray array) throws IOException {
        out.u32(array.elementType().id());
        out.u64(array.length());
        switch (array.storage()) {
            case byte[] a -> {
                for (byte b : a) out.u8(b);
            }
            case short[] a -> {
                for (short s : a) out.u16(s);
            }
            case int[] a -> {
                for (int v : a) out.u32(v);
            }
            case long[] a -> {
                for (long v : a) out.u64(v);
            }
            case float[] a -> {
                for (float v : a) out.u32(Float.floatToRawIntBits(v));
            }
            case double[] a -> {
                for (double v : a) out.u64(Double.doubleToRawLongBits(v));
            }
            case boolean[] a -> {
                for (boolean v : a) out.u8(v ? 1 : 0);
            }
            case List<?> list -> {
                for (Object element : list) {
                    if (element instanceof GgufArray nested) {
                        writeArray(out, nested);
                    } else {
                        out.string((String) element);
                    }
                }
            }
            default -> throw new IllegalStateException("unexpected array storage " + array.storage().getClass());
        }
    }

    private GgufWriter put(String key, GgufValueType type, Object value) {
        Objects.requireNonNull(key, "key");
        if (key.getBytes(StandardCharsets.UTF_8).length > GgufParser.MAX_KEY_BYTES) {
            throw new IllegalArgumentException("metadata key longer than " + GgufParser.MAX_KEY_BYTES + " bytes");
        }
        if (entries.containsKey(key)) {
            throw new IllegalArgumentException("duplicate metadata key '" + key + "'");
        }
        entries.put(key, new GgufMetadata.Entry(type, value));
        return this;
    }

    private static long checkRange(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("metadata key '" + key + "': " + value + " is not in " + min + ".." + max);
        }
        return value;
    }

    private static long alignUp(long value, int alignment) {
        long mask = alignment - 1L;
        return (value + mask) & ~mask;
    }

    static void writeFully(WritableByteChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    /**
     * Buffers small writes, passes large ones through, and counts every byte: the writer's view of the
     * file position. Closing it is a no-op so a source cannot close the file.
     */
    private static final class CountingChannel implements WritableByteChannel {
        private final FileChannel file;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        private long count;

        CountingChannel(FileChannel file) {
            this.file = file;
        }

        long count() {
            return count;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = src.remaining();
            if (n >= BUFFER_BYTES / 2) {
                flush();
                writeFully(file, src);
            } else {
                if (buffer.remaining() < n) {
                    flush();
                }
                buffer.put(src);
            }
            count += n;
            return n;
        }

        void flush() throws IOException {
            buffer.flip();
            writeFully(file, buffer);
            buffer.clear();
        }

        private void ensure(int bytes) throws IOException {
            if (buffer.remaining() < bytes) {
                flush();
            }
        }

        void u8(int v) throws IOException {
            ensure(1);
            buffer.put((byte) v);
            count += 1;
        }

        void u16(int v) throws IOException {
            ensure(2);
            buffer.putShort((short) v);
            count += 2;
        }

        void u32(int v) throws IOException {
            ensure(4);
            buffer.putInt(v);
            count += 4;
        }

        void u64(long v) throws IOException {
            ensure(8);
            buffer.putLong(v);
            count += 8;
        }

        void string(String s) throws IOException {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            u64(bytes.length);
            write(ByteBuffer.wrap(bytes));
        }

        void padTo(int alignment) throws IOException {
            long padding = alignUp(count, alignment) - count;
            for (long i = 0; i < padding; i++) {
                u8(0);
            }
        }

        @Override
        public boolean isOpen() {
            return file.isOpen();
        }

        @Override
        public void close() {
            // the writer owns the file
        }
    }
}

package io.bitnetstreams.engine.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * Parses the GGUF header from a segment with an explicit bounds check before every read, so a corrupt
 * or hostile file ends in one {@link GgufFormatException} (naming the file, key or tensor and offset),
 * never in an index exception or an oversized allocation: every count and length is bounded by the
 * bytes that remain in the file before anything is allocated for it.
 */
final class GgufParser {

    static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
    static final long MAX_TENSORS = 1L << 20;
    static final long MAX_KEYS = 1L << 20;
    static final int MAX_KEY_BYTES = 65_535;
    /** Longest single string (chat templates and embedded tokenizer JSON are far below). */
    static final long MAX_STRING_BYTES = 64L << 20;
    static final int MAX_ARRAY_DEPTH = 8;
    static final int MAX_ALIGNMENT = 1 << 30;
    static final int MAX_DIMS = 4;
    /**
     * Heap the decoded header may take (strings, arrays, tensor infos; about 10 MB for a Llama 3
     * vocabulary). Counts are also bounded by the bytes left in the file, but a huge hostile file
     * could otherwise still ask for gigabytes of small objects.
     */
    static final long MAX_HEADER_HEAP_BYTES = 256L << 20;
    private static final int OBJECT_OVERHEAD = 16;

    static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The parsed header. */
    record Header(String source, int version, int alignment, long dataStart, GgufMetadata metadata,
                  List<GgufTensorInfo> tensors) {}

    private final MemorySegment segment;
    private final String source;
    private final long size;
    private long position;
    /** What is being read, for error messages ("metadata key 'x'", "tensor 'y'"). */
    private String context = "header";
    private long heapLeft = MAX_HEADER_HEAP_BYTES;

    private GgufParser(MemorySegment segment, String source) {
        this.segment = segment;
        this.source = source;
        this.size = segment.byteSize();
    }

    static Header parse(MemorySegment segment, String source) {
        return new GgufParser(segment, source).parse();
    }

    private Header parse() {
        int version = readPreamble();
        long tensorCount = readU64("tensor count");
        long keyCount = readU64("metadata key count");
        // Smallest encodings: a tensor info is 24 bytes (empty name, no dims), a key/value 13 bytes.
        requireCount(tensorCount, MAX_TENSORS, 24, "tensor count");
        requireCount(keyCount, MAX_KEYS, 13, "metadata key count");

        LinkedHashMap<String, GgufMetadata.Entry> entries = new LinkedHashMap<>();
        for (long i = 0; i < keyCount; i++) {
            readKeyValue(entries);
        }
        GgufMetadata metadata = new GgufMetadata(source, entries);
        int alignment = alignment(entries);

        List<GgufTensorInfo> tensors = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            GgufTensorInfo info = readTensorInfo(alignment);
            if (!names.add(info.name())) {
                throw error("duplicate tensor name");
            }
            tensors.add(info);
        }
        context = "data section";
        long dataStart = alignUp(position, alignment);
        if (!tensors.isEmpty() && dataStart > size) {
            throw error("data section would start at offset " + dataStart + ", past the end of the "
                    + size + "-byte file");
        }
        checkTensorPlacement(tensors, Math.max(0, size - dataStart), dataStart);
        return new Header(source, version, alignment, dataStart, metadata, tensors);
    }

    private int readPreamble() {
        if (size < 4) {
            throw error("file has " + size + " bytes, too short for a GGUF header");
        }
        int magic = segment.get(U32, 0);
        if (magic != MAGIC) {
            throw error(String.format("bad magic 0x%08x at offset 0 (expected \"GGUF\", 0x%08x)", magic, MAGIC));
        }
        position = 4;
        int version = readU32("version");
        if (version == 2 || version == 3) {
            return version;
        }
        int swapped = Integer.reverseBytes(version);
        if (swapped >= 1 && swapped <= 3) {
            throw error("big-endian GGUF (version " + swapped + " stored big-endian) is not supported; "
                    + "only little-endian files are");
        }
        if (version == 1) {
            throw error("GGUF version 1 (32-bit counts) is not supported; only versions 2 and 3 are");
        }
        throw error("unsupported GGUF version " + Integer.toUnsignedString(version) + "; only versions 2 and 3 are");
    }

    private void readKeyValue(LinkedHashMap<String, GgufMetadata.Entry> entries) {
        context = "metadata key at offset " + position;
        String key = readString(MAX_KEY_BYTES, "key");
        context = "metadata key '" + key + "'";
        if (entries.containsKey(key)) {
            throw error("duplicate key");
        }
        long typeOffset = position;
        int typeId = readU32("value type");
        GgufValueType type = GgufValueType.fromIdOrNull(typeId);
        if (type == null) {
            throw errorAt(typeOffset, "unknown value type " + Integer.toUnsignedString(typeId));
        }
        Object value = type == GgufValueType.ARRAY ? readArray(1) : readScalar(type);
        entries.put(key, new GgufMetadata.Entry(type, value));
    }

    private Object readScalar(GgufValueType type) {
        return switch (type) {
            case UINT8 -> (long) (readU8("UINT8") & 0xFF);
            case INT8 -> (long) readU8("INT8");
            case UINT16 -> (long) (readU16("UINT16") & 0xFFFF);
            case INT16 -> (long) readU16("INT16");
            case UINT32 -> readU32("UINT32") & 0xFFFF_FFFFL;
            case INT32 -> (long) readU32("INT32");
            case UINT64, INT64 -> readU64(type.name());
            case FLOAT32 -> {
                require(4, "FLOAT32");
                float v = segment.get(F32, position);
                position += 4;
                yield v;
            }
            case FLOAT64 -> {
                require(8, "FLOAT64");
                double v = segment.get(F64, position);
                position += 8;
                yield v;
            }
            case BOOL -> readBool();
            case STRING -> readString(MAX_STRING_BYTES, "string");
            case ARRAY -> throw new IllegalStateException("arrays are read by readArray");
        };
    }

    private boolean readBool() {
        long at = position;
        byte b = readU8("BOOL");
        if (b != 0 && b != 1) {
            throw errorAt(at, "invalid BOOL byte " + (b & 0xFF) + " (expected 0 or 1)");
        }
        return b == 1;
    }

    private GgufArray readArray(int depth) {
        long start = position;
        if (depth > MAX_ARRAY_DEPTH) {
            throw errorAt(start, "arrays nested deeper than " + MAX_ARRAY_DEPTH);
        }
        int typeId = readU32("array element type");
        GgufValueType type = GgufValueType.fromIdOrNull(typeId);
        if (type == null) {
            throw errorAt(start, "unknown array element type " + Integer.toUnsignedString(typeId));
        }
        long countOffset = position;
        long count = readU64("array length");
        long remaining = size - position;
        if (count < 0 || count > remaining / type.minEncodedSize() || count > Integer.MAX_VALUE - 8) {
            throw errorAt(countOffset, "array length " + Long.toUnsignedString(count) + " of " + type
                    + " exceeds the " + remaining + " bytes left in the file");
        }
        int n = (int) count;
        charge((long) n * (type.fixedSize() > 0 ? type.fixedSize() : 8) + OBJECT_OVERHEAD, "array of " + n + " " + type);
        return switch (type) {
            case UINT8, INT8 -> GgufArray.wrap(type, copy(new byte[n], U8, n), n);
            case UINT16, INT16 -> GgufArray.wrap(type, copy(new short[n], U16, n), n);
            case UINT32, INT32 -> GgufArray.wrap(type, copy(new int[n], U32, n), n);
            case UINT64, INT64 -> GgufArray.wrap(type, copy(new long[n], U64, n), n);
            case FLOAT32 -> GgufArray.wrap(type, copy(new float[n], F32, n), n);
            case FLOAT64 -> GgufArray.wrap(type, copy(new double[n], F64, n), n);
            case BOOL -> {
                boolean[] values = new boolean[n];
                for (int i = 0; i < n; i++) {
                    values[i] = readBool();
                }
                yield GgufArray.wrap(type, values, n);
            }
            case STRING -> {
                List<String> values = new ArrayList<>(Math.min(n, 1 << 16));
                for (int i = 0; i < n; i++) {
                    values.add(readString(MAX_STRING_BYTES, "string element " + i));
                }
                yield GgufArray.wrap(type, Collections.unmodifiableList(values), n);
            }
            case ARRAY -> {
                List<GgufArray> values = new ArrayList<>(Math.min(n, 1 << 16));
                for (int i = 0; i < n; i++) {
                    values.add(readArray(depth + 1));
                }
                yield GgufArray.wrap(type, List.copyOf(values), n);
            }
        };
    }

    /** Bulk copy of n fixed-size little-endian values (the length was bounded by the caller). */
    private <A> A copy(A array, ValueLayout layout, int n) {
        long bytes = (long) n * layout.byteSize();
        require(bytes, "array elements");
        MemorySegment.copy(segment, layout, position, array, 0, n);
        position += bytes;
        return array;
    }

    private int alignment(LinkedHashMap<String, GgufMetadata.Entry> entries) {
        GgufMetadata.Entry entry = entries.get("general.alignment");
        if (entry == null) {
            return GgufFile.DEFAULT_ALIGNMENT;
        }
        context = "metadata key 'general.alignment'";
        if (!entry.type().isInteger()) {
            throw error("expected an integer, found " + entry.type());
        }
        long value = (Long) entry.value();
        if (value <= 0 || value > MAX_ALIGNMENT || Long.bitCount(value) != 1) {
            throw error("alignment " + value + " is not a power of two in 1.." + MAX_ALIGNMENT);
        }
        return (int) value;
    }

    private GgufTensorInfo readTensorInfo(int alignment) {
        long start = position;
        context = "tensor info at offset " + start;
        String name = readString(MAX_KEY_BYTES, "tensor name");
        context = "tensor '" + name + "' (info at offset " + start + ")";
        long dimsOffset = position;
        int dimCount = readU32("dimension count");
        if (dimCount < 1 || dimCount > MAX_DIMS) {
            throw errorAt(dimsOffset, "dimension count " + Integer.toUnsignedString(dimCount) + " is not in 1.." + MAX_DIMS);
        }
        charge(128, "tensor info");
        long[] dims = new long[dimCount];
        long elements = 1;
        for (int d = 0; d < dimCount; d++) {
            long at = position;
            dims[d] = readU64("ne" + d);
            if (dims[d] <= 0) {
                throw errorAt(at, "dimension ne" + d + " = " + Long.toUnsignedString(dims[d]) + " is not positive");
            }
            try {
                elements = Math.multiplyExact(elements, dims[d]);
            } catch (ArithmeticException e) {
                throw errorAt(at, "element count overflows at dimension ne" + d);
            }
        }
        long typeOffset = position;
        int typeId = readU32("type");
        GgmlType type;
        try {
            type = GgmlType.fromId(typeId);
        } catch (GgufFormatException e) {
            throw errorAt(typeOffset, e.getMessage());
        }
        long byteSize = byteSize(type, dims, elements);
        long offsetAt = position;
        long offset = readU64("data offset");
        if (offset < 0) {
            throw errorAt(offsetAt, "data offset " + Long.toUnsignedString(offset) + " lies past the end of the file");
        }
        if (offset % alignment != 0) {
            throw errorAt(offsetAt, "data offset " + Long.toUnsignedString(offset) + " is not a multiple of the alignment "
                    + alignment);
        }
        return new GgufTensorInfo(name, type, dims, offset, byteSize);
    }

    private long byteSize(GgmlType type, long[] dims, long elements) {
        // ggml stores whole blocks per row; I2_S blocks run over the flat array instead.
        if (type != GgmlType.I2_S && dims[0] % type.blockSize() != 0) {
            throw error("ne0 = " + dims[0] + " is not a multiple of the " + type + " block size " + type.blockSize());
        }
        if (elements % type.blockSize() != 0) {
            throw error("element count " + elements + " is not a multiple of the " + type + " block size "
                    + type.blockSize());
        }
        try {
            return type.byteSize(elements);
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    private void checkTensorPlacement(List<GgufTensorInfo> tensors, long dataSize, long dataStart) {
        for (GgufTensorInfo info : tensors) {
            if (info.offset() > dataSize || info.byteSize() > dataSize - info.offset()) {
                throw new GgufFormatException(source + ": tensor '" + info.name() + "': data at offset "
                        + (dataStart + info.offset()) + " (+" + info.byteSize() + " bytes) runs past the end of the "
                        + size + "-byte file");
            }
        }
        GgufTensorInfo previous = null;
        List<GgufTensorInfo> byOffset = new ArrayList<>(tensors);
        byOffset.sort(Comparator.comparingLong(GgufTensorInfo::offset));
        for (GgufTensorInfo info : byOffset) {
            if (previous != null && previous.offset() + previous.byteSize() > info.offset()) {
                throw new GgufFormatException(source + ": tensor '" + info.name() + "' at data offset "
                        + info.offset() + " overlaps tensor '" + previous.name() + "' (data offsets "
                        + previous.offset() + ".." + (previous.offset() + previous.byteSize()) + ")");
            }
            previous = info;
        }
    }

    private String readString(long maxBytes, String what) {
        long at = position;
        long length = readU64(what + " length");
        long remaining = size - position;
        if (length < 0 || length > remaining) {
            throw errorAt(at, what + " length " + Long.toUnsignedString(length) + " exceeds the " + remaining
                    + " bytes left in the file");
        }
        if (length > maxBytes) {
            throw errorAt(at, what + " length " + length + " exceeds the limit of " + maxBytes + " bytes");
        }
        charge(2 * length + 2 * OBJECT_OVERHEAD, what);
        byte[] bytes = new byte[(int) length];
        MemorySegment.copy(segment, U8, position, bytes, 0, bytes.length);
        position += length;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private byte readU8(String what) {
        require(1, what);
        return segment.get(U8, position++);
    }

    private short readU16(String what) {
        require(2, what);
        short v = segment.get(U16, position);
        position += 2;
        return v;
    }

    private int readU32(String what) {
        require(4, what);
        int v = segment.get(U32, position);
        position += 4;
        return v;
    }

    private long readU64(String what) {
        require(8, what);
        long v = segment.get(U64, position);
        position += 8;
        return v;
    }

    private void require(long bytes, String what) {
        if (bytes > size - position) {
            throw error("truncated: " + what + " needs " + bytes + " bytes but the file ends at offset " + size);
        }
    }

    /** Books heap for what is about to be decoded; a header that needs too much is rejected. */
    private void charge(long bytes, String what) {
        if (bytes > heapLeft) {
            throw error("decoding " + what + " would take the header past " + (MAX_HEADER_HEAP_BYTES >> 20)
                    + " MiB of memory");
        }
        heapLeft -= bytes;
    }

    private void requireCount(long count, long max, int minBytesEach, String what) {
        long remaining = size - position;
        if (count < 0 || count > max || count > remaining / minBytesEach) {
            throw error(what + " " + Long.toUnsignedString(count) + " is absurd (limit " + max + ", "
                    + remaining + " bytes left in the file)");
        }
    }

    private static long alignUp(long value, int alignment) {
        long mask = alignment - 1L;
        return (value + mask) & ~mask;
    }

    private GgufFormatException error(String problem) {
        return errorAt(position, problem);
    }

    private GgufFormatException errorAt(long offset, String problem) {
        return new GgufFormatException(source + ": " + context + ", offset " + offset + ": " + problem);
    }
}

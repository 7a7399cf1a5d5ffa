package io.bitnetstreams.engine.gguf;

/**
 * ggml tensor types with their GGUF ids and block geometry. Every type ggml files are known to use is
 * listed so that such files open and their sizes are checked; which types this runtime can compute
 * with is decided in {@code tensor.Tensors}.
 *
 * <p>Id 36 is I2_S only in the bitnet.cpp family of files (upstream llama.cpp once used the ids
 * 36..38 for repacked types that never appear in files).
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3, 32, 20),
    Q5_0(6, 32, 22),
    Q5_1(7, 32, 24),
    Q8_0(8, 32, 34),
    Q8_1(9, 32, 36),
    Q2_K(10, 256, 84),
    Q3_K(11, 256, 110),
    Q4_K(12, 256, 144),
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210),
    Q8_K(15, 256, 292),
    IQ2_XXS(16, 256, 66),
    IQ2_XS(17, 256, 74),
    IQ3_XXS(18, 256, 98),
    IQ1_S(19, 256, 50),
    IQ4_NL(20, 32, 18),
    IQ3_S(21, 256, 110),
    IQ2_S(22, 256, 82),
    IQ4_XS(23, 256, 136),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    IQ1_M(29, 256, 56),
    BF16(30, 1, 2),
    TQ1_0(34, 256, 54),
    TQ2_0(35, 256, 66),
    /** bitnet.cpp: flat codes, 128 elements per 32 bytes, then a 32-byte trailer holding the f32 scale. */
    I2_S(36, 128, 32),
    MXFP4(39, 32, 17);

    /** Bytes after the packed I2_S codes: the f32 scale and 28 bytes of padding. */
    public static final int I2_S_TRAILER_BYTES = 32;

    private static final GgmlType[] BY_ID = new GgmlType[64];

    static {
        for (GgmlType type : values()) {
            BY_ID[type.id] = type;
        }
    }

    private final int id;
    private final int blockSize;
    private final int blockBytes;

    GgmlType(int id, int blockSize, int blockBytes) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** The GGUF/ggml type id. */
    public int id() {
        return id;
    }

    /** Elements per block (1 for plain element types). */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int blockBytes() {
        return blockBytes;
    }

    /**
     * Bytes that {@code elements} values of this type occupy (I2_S: {@code elements / 4 + 32}).
     *
     * @throws IllegalArgumentException if {@code elements} is negative, not a whole number of blocks,
     *     or the size overflows a long
     */
    public long byteSize(long elements) {
        if (elements < 0 || elements % blockSize != 0) {
            throw new IllegalArgumentException(
                    this + " needs a multiple of " + blockSize + " elements, got " + elements);
        }
        try {
            long bytes = Math.multiplyExact(elements / blockSize, (long) blockBytes);
            return this == I2_S ? Math.addExact(bytes, I2_S_TRAILER_BYTES) : bytes;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(this + " size of " + elements + " elements overflows", e);
        }
    }

    /** The type with this id; unknown or removed ids throw a {@link GgufFormatException} naming them. */
    public static GgmlType fromId(int id) {
        GgmlType type = id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
        if (type != null) {
            return type;
        }
        String removed = switch (id) {
            case 4 -> "Q4_2";
            case 5 -> "Q4_3";
            case 31 -> "Q4_0_4_4";
            case 32 -> "Q4_0_4_8";
            case 33 -> "Q4_0_8_8";
            case 37 -> "IQ4_NL_4_4";
            case 38 -> "IQ4_NL_4_8";
            default -> null;
        };
        if (removed != null) {
            throw new GgufFormatException(
                    "ggml type " + removed + " (id " + id + ") was removed from ggml and is not supported");
        }
        throw new GgufFormatException("unknown ggml type id " + Integer.toUnsignedString(id));
    }
}

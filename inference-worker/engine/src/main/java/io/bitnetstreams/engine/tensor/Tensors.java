package io.bitnetstreams.engine.tensor;

import io.bitnetstreams.engine.gguf.GgmlType;
import io.bitnetstreams.engine.gguf.GgufFormatException;
import io.bitnetstreams.engine.gguf.GgufTensorInfo;
import io.bitnetstreams.engine.kernel.TernaryWeights;
import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

/**
 * Turns a GGUF tensor into a typed view: the one place that switches on {@link GgmlType}. A tensor
 * whose type does not fit the requested role, or whose bytes are unusable, gives a
 * {@link GgufFormatException} naming the tensor.
 */
public final class Tensors {

    private static final String FLOAT_TYPES = "F32, F16, BF16, Q8_0";
    private static final String TERNARY_TYPES = "I2_S, TQ2_0, TQ1_0";

    private Tensors() {}

    /** A real-valued view (F32, F16, BF16, Q8_0) of all {@code info.elementCount()} elements. */
    public static FloatTensor floating(GgufTensorInfo info, MemorySegment data) {
        checkData(info, data);
        long n = info.elementCount();
        return build(info, () -> switch (info.type()) {
            case F32 -> F32Tensor.of(data, n);
            case F16 -> F16Tensor.of(data, n);
            case BF16 -> BF16Tensor.of(data, n);
            case Q8_0 -> Q8_0Tensor.of(data, n);
            case I2_S, TQ1_0, TQ2_0 -> throw wrongRole(info, "a float tensor (" + FLOAT_TYPES + ")",
                    "; it is ternary: load it as ternary weights");
            default -> throw wrongRole(info, "a float tensor (" + FLOAT_TYPES + ")", unsupported());
        });
    }

    /** Ternary weights (I2_S, TQ2_0, TQ1_0) of {@code info.rows()} x {@code info.cols()}. */
    public static TernaryWeights ternary(GgufTensorInfo info, MemorySegment data) {
        checkData(info, data);
        return build(info, () -> switch (info.type()) {
            case I2_S -> I2STensor.of(data, info.rows(), info.cols());
            case TQ2_0 -> TQ2_0Tensor.of(data, info.rows(), info.cols());
            case TQ1_0 -> TQ1_0Tensor.of(data, info.rows(), info.cols());
            case F32, F16, BF16, Q8_0 -> throw wrongRole(info, "ternary weights (" + TERNARY_TYPES + ")",
                    "; it is a float type");
            default -> throw wrongRole(info, "ternary weights (" + TERNARY_TYPES + ")", unsupported());
        });
    }

    private static <T> T build(GgufTensorInfo info, Supplier<T> factory) {
        try {
            return factory.get();
        } catch (GgufFormatException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("tensor '")) {
                throw e;
            }
            throw new GgufFormatException(describe(info) + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new GgufFormatException(describe(info) + ": " + e.getMessage(), e);
        }
    }

    private static void checkData(GgufTensorInfo info, MemorySegment data) {
        if (data.byteSize() != info.byteSize()) {
            throw new GgufFormatException(describe(info) + ": data has " + data.byteSize() + " bytes, expected "
                    + info.byteSize());
        }
    }

    private static GgufFormatException wrongRole(GgufTensorInfo info, String role, String hint) {
        return new GgufFormatException(describe(info) + " cannot be used as " + role + hint);
    }

    private static String unsupported() {
        return "; this runtime does not support that type";
    }

    private static String describe(GgufTensorInfo info) {
        return "tensor '" + info.name() + "' of type " + info.type() + " (id " + info.type().id() + ")";
    }
}

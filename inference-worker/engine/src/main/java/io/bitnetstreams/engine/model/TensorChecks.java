package io.bitnetstreams.engine.model;

import io.bitnetstreams.engine.gguf.GgmlType;
import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.gguf.GgufTensorInfo;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/** Finds a tensor and checks its type role and shape against the config; errors name the tensor. */
final class TensorChecks {

    static final Set<GgmlType> TERNARY = EnumSet.of(GgmlType.I2_S, GgmlType.TQ2_0, GgmlType.TQ1_0);
    static final Set<GgmlType> NORM = EnumSet.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16);
    static final Set<GgmlType> EMBEDDING = EnumSet.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0);

    private TensorChecks() {
    }

    /** The tensor {@code name} with a type from {@code types} and dims {@code shape} (ne0 first). */
    static GgufTensorInfo require(GgufFile file, String name, Set<GgmlType> types, String role, long... shape) {
        GgufTensorInfo info = file.findTensor(name)
                .orElseThrow(() -> new ModelFormatException("missing tensor " + name + " (" + role + ")"));
        if (!types.contains(info.type())) {
            throw new ModelFormatException("tensor " + name + " has type " + info.type() + " but the " + role
                    + " must be one of " + types.stream().map(Enum::name).collect(Collectors.joining(", ")));
        }
        long[] dims = trimTrailingOnes(info.dims());
        if (!Arrays.equals(dims, shape)) {
            throw new ModelFormatException("tensor " + name + " has shape " + Arrays.toString(info.dims())
                    + " but the config requires " + Arrays.toString(shape) + " (ne0 first)");
        }
        return info;
    }

    private static long[] trimTrailingOnes(long[] dims) {
        int n = dims.length;
        while (n > 1 && dims[n - 1] == 1) {
            n--;
        }
        return Arrays.copyOf(dims, n);
    }
}

package io.bitnetstreams.engine.kernel;

import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the ternary kernel provider: {@code -Dbitnet.vectorBits=0|128|256|512} (0 = the scalar
 * reference); without the property, 512 bits when the CPU runs them natively, else the widest
 * supported width, else scalar.
 */
public final class Kernels {

    public static final String VECTOR_BITS_PROPERTY = "bitnet.vectorBits";
    private static final Logger LOG = LoggerFactory.getLogger(Kernels.class);

    private Kernels() {
    }

    /** The provider selected by {@value #VECTOR_BITS_PROPERTY}, or the default width. */
    public static KernelProvider fromSystemProperty() {
        String value = System.getProperty(VECTOR_BITS_PROPERTY);
        if (value == null || value.isBlank()) {
            return forVectorBits(defaultVectorBits());
        }
        int bits;
        try {
            bits = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(VECTOR_BITS_PROPERTY + " must be 0, 128, 256 or 512: '" + value + "'", e);
        }
        return forVectorBits(bits);
    }

    /** The kernel names {@link #byName} accepts. */
    public static final java.util.List<String> NAMES = java.util.List.of("vector", "in-place", "scalar");

    /**
     * {@code vector}: the lookup-table kernels on repacked weights (width from
     * {@value #VECTOR_BITS_PROPERTY}, default the widest native); {@code in-place}: reads the mapped
     * file, no copy, slow; {@code scalar}: the unpacked reference.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static KernelProvider byName(String name) {
        return switch (name) {
            case "vector" -> fromSystemProperty();
            case "in-place" -> new InPlaceKernels();
            case "scalar" -> new ScalarKernels();
            default -> throw new IllegalArgumentException("kernels must be one of " + NAMES + ": '" + name + "'");
        };
    }

    /**
     * 0 gives {@link ScalarKernels}; 128, 256 and 512 give {@link VectorKernels} of that width.
     *
     * @throws IllegalArgumentException for any other width or one this CPU/JVM does not support
     */
    public static KernelProvider forVectorBits(int bits) {
        if (bits == 0) {
            return new ScalarKernels();
        }
        return VectorKernels.forBits(bits);
    }

    /** 512 when supported, else the widest supported width, else 0 (scalar). */
    public static int defaultVectorBits() {
        int max = maxVectorBits();
        int bits = max >= 512 ? 512 : max >= 256 ? 256 : max >= 128 ? 128 : 0;
        LOG.debug("default ternary kernel width: {} bits (hardware max {})", bits, max);
        return bits;
    }

    /** Whether {@code bits} is 0 or a vector width this CPU/JVM runs natively. */
    public static boolean isSupported(int bits) {
        return switch (bits) {
            case 0 -> true;
            case 128, 256, 512 -> bits <= maxVectorBits();
            default -> false;
        };
    }

    /** The widest vector the JIT compiles to native instructions; 0 without the incubator module. */
    public static int maxVectorBits() {
        Optional<Module> vectorModule = ModuleLayer.boot().findModule("jdk.incubator.vector");
        if (vectorModule.isEmpty()) {
            return 0;
        }
        return VectorWidth.max();
    }

    /** Kept separate so the vector classes are only loaded when the module is present. */
    private static final class VectorWidth {
        static int max() {
            return jdk.incubator.vector.VectorShape.S_Max_BIT.vectorBitSize();
        }
    }
}

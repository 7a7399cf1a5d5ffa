package io.bitnetstreams.engine.kernel;

/**
 * A format-neutral, read-only view of one ternary weight matrix of {@code rows() x cols()} (M x K:
 * ne1 x ne0 in GGUF terms). Each tensor format (I2_S, TQ2_0, TQ1_0, ...) implements this once;
 * kernels read the codes through it, usually once at load time to repack them.
 *
 * <p>Codes are {@code trit + 1} in {0, 1, 2}; the dequantized weight is {@code (code - 1) * scale()}.
 */
public interface TernaryWeights {

    /** M: output rows. */
    int rows();

    /** K: input columns (the dot-product length). */
    int cols();

    /** The per-tensor weight scale (BitNet {@code weight_scale}). */
    float scale();

    /** Writes the {@code cols()} codes of {@code row} into {@code dst[offset ..]}. */
    void readCodes(int row, byte[] dst, int offset);

    /**
     * {@code D = sum_k code[row][k] * q[qOffset + k]} in int32, read straight from storage. Formats
     * override this with a decode of their packed bytes so that {@link InPlaceKernels} needs no copy
     * of the weights; this default unpacks the row first.
     */
    default int dotCodes(int row, byte[] q, int qOffset) {
        byte[] codes = new byte[cols()];
        readCodes(row, codes, 0);
        return ScalarKernels.dot(codes, 0, q, qOffset, codes.length);
    }
}

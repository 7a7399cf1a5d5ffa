package io.bitnetstreams.engine.kernel;

import java.util.Random;

/** Test weights: one code byte per weight, row-major. */
record ArrayTernaryWeights(int rows, int cols, float scale, byte[] codes) implements TernaryWeights {

    static ArrayTernaryWeights random(int rows, int cols, long seed) {
        Random random = new Random(seed);
        byte[] codes = new byte[rows * cols];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = (byte) random.nextInt(3);
        }
        return new ArrayTernaryWeights(rows, cols, 0.5f + random.nextFloat() * 4f, codes);
    }

    static ArrayTernaryWeights constant(int rows, int cols, int code, float scale) {
        byte[] codes = new byte[rows * cols];
        java.util.Arrays.fill(codes, (byte) code);
        return new ArrayTernaryWeights(rows, cols, scale, codes);
    }

    @Override
    public void readCodes(int row, byte[] dst, int offset) {
        System.arraycopy(codes, row * cols, dst, offset, cols);
    }
}

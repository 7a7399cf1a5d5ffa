package io.bitnetstreams.engine.kernel;

/** Argument checks shared by the LM heads: one clear exception instead of an index error mid-call. */
final class HeadChecks {

    private HeadChecks() {
    }

    static void input(float[] x, int tokens, int dim, float[] out, int outRows) {
        if (tokens < 0 || x.length < (long) tokens * dim) {
            throw new IllegalArgumentException("x holds " + x.length + " floats, " + tokens + " tokens need " + (long) tokens * dim);
        }
        if (out.length < (long) tokens * outRows) {
            throw new IllegalArgumentException("out holds " + out.length + " floats, needs " + (long) tokens * outRows);
        }
    }

    static void rowIds(int[] rowIds, int vocab) {
        for (int id : rowIds) {
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("row id " + id + " outside [0, " + vocab + ")");
            }
        }
    }
}

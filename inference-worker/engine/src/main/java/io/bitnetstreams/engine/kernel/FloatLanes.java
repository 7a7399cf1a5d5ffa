package io.bitnetstreams.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** The float vector shape of the non-ternary kernels and their one lane-sum order. */
public final class FloatLanes {

    /** 512 bits when the CPU runs them natively, else 256. */
    public static final VectorSpecies<Float> SPECIES = Kernels.maxVectorBits() >= 512
            ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    public static final int LANES = SPECIES.length();
    private static final VectorShuffle<Float> ROTATE_8 = VectorShuffle.iota(SPECIES, 8 % LANES, 1, true);
    private static final VectorShuffle<Float> ROTATE_4 = VectorShuffle.iota(SPECIES, 4, 1, true);
    private static final VectorShuffle<Float> ROTATE_2 = VectorShuffle.iota(SPECIES, 2, 1, true);
    private static final VectorShuffle<Float> ROTATE_1 = VectorShuffle.iota(SPECIES, 1, 1, true);

    private FloatLanes() {
    }

    /**
     * The lane sum in one fixed tree order. {@code reduceLanes(ADD)} may add float lanes in any
     * order, and interpreted and compiled code do differ, so the same value could change between
     * calls; lane-wise adds of rotations are exact IEEE operations in every tier.
     */
    public static float sum(FloatVector v) {
        FloatVector s = v;
        if (LANES == 16) {
            s = s.add(s.rearrange(ROTATE_8));
        }
        s = s.add(s.rearrange(ROTATE_4));
        s = s.add(s.rearrange(ROTATE_2));
        s = s.add(s.rearrange(ROTATE_1));
        return s.lane(0);
    }

    /**
     * {@link #sum(FloatVector)} of lanes stored at {@code lanes[offset .. offset + LANES)}, bit for bit
     * (the same adds in the same tree). Kernels that hold many accumulators store them and call this:
     * a vector passed to a method C2 does not inline is boxed, on every call.
     */
    public static float sum(float[] lanes, int offset) {
        float s0 = lanes[offset];
        float s1 = lanes[offset + 1];
        float s2 = lanes[offset + 2];
        float s3 = lanes[offset + 3];
        float s4 = lanes[offset + 4];
        float s5 = lanes[offset + 5];
        float s6 = lanes[offset + 6];
        float s7 = lanes[offset + 7];
        if (LANES == 16) {
            s0 += lanes[offset + 8];
            s1 += lanes[offset + 9];
            s2 += lanes[offset + 10];
            s3 += lanes[offset + 11];
            s4 += lanes[offset + 12];
            s5 += lanes[offset + 13];
            s6 += lanes[offset + 14];
            s7 += lanes[offset + 15];
        }
        s0 += s4;
        s1 += s5;
        s2 += s6;
        s3 += s7;
        s0 += s2;
        s1 += s3;
        return s0 + s1;
    }
}

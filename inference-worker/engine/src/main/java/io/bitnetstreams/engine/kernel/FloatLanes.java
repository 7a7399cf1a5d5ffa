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
}

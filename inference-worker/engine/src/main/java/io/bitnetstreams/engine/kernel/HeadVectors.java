package io.bitnetstreams.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** The float species and the fixed-order lane sum every LM head kernel ({@link HeadRows}) shares. */
final class HeadVectors {

    static final VectorSpecies<Float> F = Kernels.maxVectorBits() >= 512
            ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    static final int LANES = F.length();

    /** Lane rotations for {@link #sumLanes}. */
    private static final VectorShuffle<Float> ROTATE_8 = VectorShuffle.iota(F, 8 % LANES, 1, true);
    private static final VectorShuffle<Float> ROTATE_4 = VectorShuffle.iota(F, 4, 1, true);
    private static final VectorShuffle<Float> ROTATE_2 = VectorShuffle.iota(F, 2, 1, true);
    private static final VectorShuffle<Float> ROTATE_1 = VectorShuffle.iota(F, 1, 1, true);

    private HeadVectors() {
    }

    /**
     * The lane sum in one fixed tree order. {@code reduceLanes(ADD)} may add float lanes in any
     * order, and interpreted and compiled code do differ, so the same logit could change between
     * calls; lane-wise adds of rotations are exact IEEE operations in every tier.
     */
    static float sumLanes(FloatVector v) {
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

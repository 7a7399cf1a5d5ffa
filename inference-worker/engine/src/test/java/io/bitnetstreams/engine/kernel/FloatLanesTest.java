package io.bitnetstreams.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The stored-lanes sum is the vector lane sum, bit for bit (kernels mix the two for one logit order). */
class FloatLanesTest {

    @Test
    void storedLaneSumEqualsTheVectorLaneSumBitForBit() {
        Random random = new Random(11);
        float[] lanes = new float[3 + FloatLanes.LANES];
        for (int round = 0; round < 20_000; round++) {
            for (int i = 0; i < lanes.length; i++) {
                // mixed magnitudes and signs, so the order of the adds shows in the rounding
                lanes[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(13) - 6));
            }
            FloatVector v = FloatVector.fromArray(FloatLanes.SPECIES, lanes, 3);
            assertThat(Float.floatToRawIntBits(FloatLanes.sum(lanes, 3)))
                    .as("round %d", round).isEqualTo(Float.floatToRawIntBits(FloatLanes.sum(v)));
        }
    }

    @Test
    void aDifferentAddOrderWouldBeCaught() {
        // the test above can fail: a plain left-to-right sum differs from the tree on these values
        float[] lanes = new float[FloatLanes.LANES];
        lanes[0] = 1e8f;
        lanes[1] = 1f;
        lanes[2] = -1e8f;
        lanes[3] = 1f;
        float leftToRight = 0f;
        for (float lane : lanes) {
            leftToRight += lane;
        }
        assertThat(FloatLanes.sum(lanes, 0)).isNotEqualTo(leftToRight);
    }
}

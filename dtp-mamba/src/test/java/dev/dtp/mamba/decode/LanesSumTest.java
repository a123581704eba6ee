package dev.dtp.mamba.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class LanesSumTest {
    private static final int LANES = VectorDot.FLOATS.length();

    /** The tree of lanesSum written out independently in plain scalar code: pairs (i, i + half), halving. */
    private static float tree(float[] v) {
        float[] t = v.clone();
        for (int half = LANES / 2; half > 0; half /= 2) {
            for (int i = 0; i < half; i++) {
                t[i] = t[i] + t[i + half];
            }
        }
        return t[0];
    }

    @Test
    void throughScratchIsTheRotationTreeBitForBit() {
        SplittableRandom random = new SplittableRandom(3);
        float[] scratch = new float[LANES];
        int orderMatters = 0;
        for (int k = 0; k < 2000; k++) {
            float[] v = new float[LANES];
            for (int i = 0; i < LANES; i++) { // magnitudes 1e-4 … 1e4, so that the order of the additions shows
                v[i] = (float) ((random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(-4, 5)));
            }
            FloatVector vector = FloatVector.fromArray(VectorDot.FLOATS, v, 0);
            float rotations = VectorDot.lanesSum(vector);
            float viaScratch = VectorDot.lanesSum(vector, scratch);
            assertEquals(Float.floatToRawIntBits(rotations), Float.floatToRawIntBits(viaScratch), "vector " + k);
            assertEquals(Float.floatToRawIntBits(tree(v)), Float.floatToRawIntBits(viaScratch), "vector " + k);
            float sequential = 0;
            for (float x : v) {
                sequential += x;
            }
            orderMatters += Float.floatToRawIntBits(sequential) != Float.floatToRawIntBits(viaScratch) ? 1 : 0;
        }
        assertNotEquals(0, orderMatters, "the inputs must be ones where another order gives another sum");
    }
}

package dev.dtp.mamba.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class VectorMathTest {
    private static final int LANES = VectorMath.SPECIES.length();

    /** softplus in double: log1p(e^v), v itself above 20 (libtorch's threshold). */
    private static double softplus(double v) {
        return v > 20 ? v : Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
    }

    private static float[] lanes(float[] v, int at) {
        float[] chunk = new float[LANES];
        System.arraycopy(v, at, chunk, 0, Math.min(LANES, v.length - at));
        return chunk;
    }

    @Test
    void softplusIsWithinAFewUlpOfDoublePrecisionFromMinus80To40() {
        SplittableRandom random = new SplittableRandom(7);
        float[] v = new float[4096];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextDouble() * 120 - 80);
        }
        // the edges: around 0, the threshold, and where e^v underflows the old series
        float[] edges = {0f, -0f, 1e-7f, -1e-7f, 20f, 20.0001f, 19.9999f, -15f, -15.0001f, -40f, 1f, -1f, 3.5f};
        System.arraycopy(edges, 0, v, 0, edges.length);
        double worst = 0;
        for (int at = 0; at < v.length; at += LANES) {
            float[] in = lanes(v, at);
            float[] out = new float[LANES];
            VectorMath.softplus(FloatVector.fromArray(VectorMath.SPECIES, in, 0)).intoArray(out, 0);
            for (int i = 0; i < LANES; i++) {
                double want = softplus(in[i]);
                double ulp = Math.ulp((float) want);
                double err = Math.abs(out[i] - want) / ulp;
                worst = Math.max(worst, err);
                assertTrue(err <= 4, "softplus(" + in[i] + ") = " + out[i] + ", want " + want + " (" + err + " ulp)");
            }
        }
        assertTrue(worst > 0, "a float result cannot equal every double value"); // the comparison ran
    }

    @Test
    void softplusAboveTwentyIsTheInputAndNeverNegative() {
        float[] in = new float[LANES];
        for (int i = 0; i < LANES; i++) {
            in[i] = 20.5f + i;
        }
        float[] out = new float[LANES];
        VectorMath.softplus(FloatVector.fromArray(VectorMath.SPECIES, in, 0)).intoArray(out, 0);
        for (int i = 0; i < LANES; i++) {
            assertEquals(in[i], out[i]);
        }
        Arrays.fill(in, -200f);
        VectorMath.softplus(FloatVector.fromArray(VectorMath.SPECIES, in, 0)).intoArray(out, 0);
        for (float o : out) {
            assertTrue(o >= 0 && o < 1e-37f, "softplus(-200) = " + o);
        }
    }

    @Test
    void siluIsWithinAFewUlpOfDoublePrecision() {
        SplittableRandom random = new SplittableRandom(11);
        for (int k = 0; k < 256; k++) {
            float[] in = new float[LANES];
            for (int i = 0; i < LANES; i++) {
                in[i] = (float) (random.nextDouble() * 40 - 20);
            }
            float[] out = new float[LANES];
            VectorMath.silu(FloatVector.fromArray(VectorMath.SPECIES, in, 0)).intoArray(out, 0);
            for (int i = 0; i < LANES; i++) {
                double want = in[i] / (1 + Math.exp(-in[i]));
                double err = Math.abs(out[i] - want) / Math.ulp((float) want);
                assertTrue(err <= 4, "silu(" + in[i] + ") = " + out[i] + ", want " + want + " (" + err + " ulp)");
            }
        }
    }
}

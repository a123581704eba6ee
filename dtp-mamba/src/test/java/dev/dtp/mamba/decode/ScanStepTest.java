package dev.dtp.mamba.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ScanStepTest {
    private static final int D_INNER = 53; // not a multiple of any vector width: every split has a partial vector
    private static final int DT_RANK = 5;
    private static final int N = 16;

    private static ByteBuffer floats(float[] v) {
        ByteBuffer b = ByteBuffer.allocateDirect(Float.BYTES * v.length).order(ByteOrder.nativeOrder());
        b.asFloatBuffer().put(v);
        return b;
    }

    private static float[] random(SplittableRandom r, int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return v;
    }

    private record Inputs(DecodeLayer layer, RowMatrix dtProj, float[] h, float[] dbc, float[] x, float[] xz) {}

    private static Inputs inputs() {
        SplittableRandom r = new SplittableRandom(5);
        float[] a = random(r, D_INNER * N, -8, -0.5); // A = −exp(A_log) < 0
        RowMatrix dtProj = new F32Rows(floats(random(r, D_INNER * DT_RANK, -1, 1)), D_INNER, DT_RANK);
        RowMatrix unused = new F32Rows(floats(new float[1]), 1, 1);
        DecodeLayer layer = new DecodeLayer(new float[1], unused, null, new float[1], new float[1], unused, new DeltaProjection(dtProj),
                random(r, D_INNER, -4, 1), a, random(r, D_INNER, 0.5, 1.5), unused, null);
        return new Inputs(layer, dtProj, random(r, D_INNER * N, -1, 1), random(r, DT_RANK + 2 * N, -1, 1),
                random(r, D_INNER, -2, 2), random(r, 2 * D_INNER, -6, 6));
    }

    /** gated and the new state after one step over the channel ranges split at {@code cuts}. */
    private static float[][] step(Inputs in, int... cuts) {
        ByteBuffer h = floats(in.h());
        float[] delta = new float[D_INNER];
        float[] gated = new float[D_INNER];
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : D_INNER;
            ScanStep.run(in.layer(), h, in.dbc(), in.x(), in.xz(), delta, gated, D_INNER, DT_RANK, N, from, to);
            from = to;
        }
        float[] state = new float[D_INNER * N];
        h.asFloatBuffer().get(state);
        return new float[][] {gated, state};
    }

    @Test
    void aChannelsResultDoesNotDependOnWhichRangeItFallsIn() {
        Inputs in = inputs();
        float[][] whole = step(in);
        for (int[] cuts : new int[][] {{1}, {7}, {8, 9}, {16, 31, 47}, {3, 5, 11, 13, 17, 19, 23, 29}}) {
            float[][] split = step(in, cuts);
            assertArrayEquals(whole[0], split[0], "gated, split at " + Arrays.toString(cuts));
            assertArrayEquals(whole[1], split[1], "state, split at " + Arrays.toString(cuts));
        }
    }

    @Test
    void oneStepIsEquationTwoInDoublePrecision() {
        Inputs in = inputs();
        float[][] got = step(in, 20);
        float[] w = new float[D_INNER * DT_RANK];
        for (int d = 0; d < D_INNER; d++) {
            in.dtProj().row(d, w, d * DT_RANK);
        }
        float[] a = in.layer().a();
        float[] bias = in.layer().dtProjBias();
        for (int d = 0; d < D_INNER; d++) {
            double pre = bias[d];
            for (int k = 0; k < DT_RANK; k++) {
                pre += (double) w[d * DT_RANK + k] * in.dbc()[k];
            }
            double delta = pre > 20 ? pre : Math.log1p(Math.exp(pre)); // softplus
            double y = in.layer().d()[d] * (double) in.x()[d];
            for (int n = 0; n < N; n++) {
                double h = Math.exp(delta * a[d * N + n]) * in.h()[d * N + n]
                        + delta * in.x()[d] * in.dbc()[DT_RANK + n]; // Eq. 2: Ā h + B̄ x
                assertEquals(h, got[1][d * N + n], 1e-5 * (1 + Math.abs(h)), "h[" + d + ", " + n + "]");
                y += in.dbc()[DT_RANK + N + n] * h; // C h
            }
            double z = in.xz()[D_INNER + d];
            double gated = y * z / (1 + Math.exp(-z));
            assertEquals(gated, got[0][d], 1e-5 * (1 + Math.abs(gated)), "gated[" + d + "]");
        }
        assertTrue(got[0][0] != 0, "the step wrote its output");
    }
}

package dev.dtp.mamba.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DeltaProjectionTest {
    private static final int D_INNER = 203; // several blocks of four vectors at either width, then a partial vector
    private static final int DT_RANK = 7;

    @Test
    void eachChannelIsTheFmaChainOverKInOrderWhateverTheRange() {
        SplittableRandom random = new SplittableRandom(9);
        float[] w = new float[D_INNER * DT_RANK]; // dt_proj (d_inner, dt_rank), row-major
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(-3, 3)));
        }
        float[] dt = new float[DT_RANK];
        for (int k = 0; k < DT_RANK; k++) {
            dt[k] = (float) (random.nextDouble() * 4 - 2);
        }
        ByteBuffer rows = ByteBuffer.allocateDirect(Float.BYTES * w.length).order(ByteOrder.nativeOrder());
        rows.asFloatBuffer().put(w);
        DeltaProjection projection = new DeltaProjection(new F32Rows(rows, D_INNER, DT_RANK));
        assertEquals(D_INNER, projection.dInner());
        assertEquals(DT_RANK, projection.dtRank());
        // enough rounds for the JIT to compile multiply, so that the compiled vector code is checked too
        for (int round = 0; round < 3000; round++) {
            int cut = round % D_INNER;
            float[] out = new float[D_INNER];
            projection.multiply(dt, out, 0, cut);
            projection.multiply(dt, out, cut, D_INNER);
            for (int d = 0; d < D_INNER; d++) {
                float chain = 0f;
                double exact = 0;
                for (int k = 0; k < DT_RANK; k++) {
                    chain = Math.fma(w[d * DT_RANK + k], dt[k], chain);
                    exact += (double) w[d * DT_RANK + k] * dt[k];
                }
                assertEquals(Float.floatToRawIntBits(chain), Float.floatToRawIntBits(out[d]), "channel " + d + ", cut " + cut);
                assertEquals(exact, out[d], 1e-5 * (1 + Math.abs(exact)), "channel " + d);
            }
        }
    }
}

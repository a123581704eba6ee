package dev.dtp.mamba.decode;

import dev.dtp.mamba.scan.VectorMath;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Per channel d, after x_proj: Δ_d = softplus(dt_proj[d]·dt + bias_d), one step of Eq. 2 on the
 * channel's state (lanes over the state index n),
 *
 * <pre>
 *   h[d,n] = exp(Δ_d A[d,n]) h[d,n] + Δ_d x_d B[n]
 *   y_d    = Σ_n C[n] h[d,n] + D_d x_d
 * </pre>
 *
 * and the gate y_d · SiLU(z_d).
 */
final class ScanStep {
    private static final VectorSpecies<Float> FLOATS = VectorMath.SPECIES;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private ScanStep() {}

    /**
     * Channels [from, to).
     *
     * @param h the SSM state (d_inner, N) float32, row-major, updated in place
     * @param dbc x_proj's output (dt_rank + 2N): dt, then B, then C
     * @param x the conv output (d_inner)
     * @param xz in_proj's output; z is xz[d_inner, 2·d_inner)
     * @param delta scratch for Δ (d_inner)
     * @param gated output y ⊙ SiLU(z), (d_inner)
     */
    static void run(DecodeLayer layer, ByteBuffer h, float[] dbc, float[] x, float[] xz, float[] delta, float[] gated,
            int dInner, int dtRank, int stateSize, int from, int to) {
        layer.dtProj().multiply(dbc, delta, from, to); // dt_proj(dt), dt = dbc[0, dt_rank)
        float[] bias = layer.dtProjBias();
        ByteBuffer a = layer.a();
        float[] skip = layer.d();
        int lanes = FLOATS.length();
        int whole = stateSize - stateSize % lanes;
        int b = dtRank;
        int c = dtRank + stateSize;
        for (int d = from; d < to; d++) {
            float dt = softplus(delta[d] + bias[d]); // Δ = softplus(dt_proj(dt) + bias)
            float u = x[d];
            float dtu = dt * u;
            int row = Float.BYTES * d * stateSize;
            FloatVector acc = FloatVector.zero(FLOATS);
            for (int n = 0; n < whole; n += lanes) {
                int at = row + Float.BYTES * n;
                FloatVector aBar = VectorMath.exp(FloatVector.fromByteBuffer(FLOATS, a, at, ORDER).mul(dt)); // exp(Δ A)
                FloatVector hn = aBar.fma(FloatVector.fromByteBuffer(FLOATS, h, at, ORDER),
                        FloatVector.fromArray(FLOATS, dbc, b + n).mul(dtu));
                hn.intoByteBuffer(h, at, ORDER);
                acc = hn.fma(FloatVector.fromArray(FLOATS, dbc, c + n), acc);
            }
            float y = VectorDot.lanesSum(acc);
            for (int n = whole; n < stateSize; n++) {
                int at = row + Float.BYTES * n;
                float hn = (float) Math.exp(dt * a.getFloat(at)) * h.getFloat(at) + dtu * dbc[b + n];
                h.putFloat(at, hn);
                y += dbc[c + n] * hn;
            }
            y += skip[d] * u;
            float z = xz[dInner + d];
            gated[d] = y * (z / (1 + (float) Math.exp(-z))); // y ⊙ SiLU(z)
        }
    }

    /**
     * softplus(v) = log(1 + e^v) (v itself above 20, as libtorch), in double: {@code Math.log} of
     * 1 + e^v where that keeps float precision, e − e²/2 (its series) below v = −15, where 1 + e^v
     * would round e away. {@code Math.log1p} is not a JIT intrinsic and was a tenth of a batched step.
     */
    static float softplus(float v) {
        if (v > 20f) {
            return v;
        }
        double e = Math.exp(v);
        return (float) (v < -15f ? e - 0.5 * e * e : Math.log(1 + e));
    }
}

package dev.dtp.mamba.scan;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** The selective scan as a plain sequential loop in double precision: clarity first. */
public final class ReferenceScan implements SelectiveScan {

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public boolean supports(Device device) {
        return true;
    }

    @Override
    public boolean differentiable() {
        return false;
    }

    @Override
    public ScanOutput scan(ScanInput in) {
        int length = in.length();
        int dInner = in.dInner();
        int stateSize = in.dState();
        float[] x = in.x().toFloatArray(); // (L, d_inner)
        float[] delta = in.delta().toFloatArray(); // (L, d_inner)
        float[] a = in.a().toFloatArray(); // (d_inner, N)
        float[] b = in.b().toFloatArray(); // (L, N)
        float[] c = in.c().toFloatArray(); // (L, N)
        float[] d = in.d().toFloatArray(); // (d_inner)
        double[] h = new double[dInner * stateSize]; // (d_inner, N)
        if (in.h0() != null) {
            float[] h0 = in.h0().toFloatArray();
            for (int i = 0; i < h.length; i++) {
                h[i] = h0[i];
            }
        }
        float[] y = new float[length * dInner];
        for (int t = 0; t < length; t++) {
            for (int ch = 0; ch < dInner; ch++) {
                double dt = delta[t * dInner + ch];
                double u = x[t * dInner + ch];
                double acc = 0;
                for (int n = 0; n < stateSize; n++) {
                    int s = ch * stateSize + n;
                    // Eq. 2: h_t = exp(Δ_t A) h_{t−1} + Δ_t B_t x_t ; y_t = C_t·h_t + D x_t
                    h[s] = Math.exp(dt * a[s]) * h[s] + dt * b[t * stateSize + n] * u;
                    acc += c[t * stateSize + n] * h[s];
                }
                y[t * dInner + ch] = (float) (acc + d[ch] * u);
            }
        }
        float[] state = new float[h.length];
        for (int i = 0; i < h.length; i++) {
            state[i] = (float) h[i];
        }
        NDManager manager = in.x().getManager();
        NDArray yArray = manager.create(y, new Shape(length, dInner)).toDevice(in.x().getDevice(), false);
        NDArray stateArray = manager.create(state, new Shape(dInner, stateSize)).toDevice(in.x().getDevice(), false);
        return new ScanOutput(yArray, stateArray);
    }
}

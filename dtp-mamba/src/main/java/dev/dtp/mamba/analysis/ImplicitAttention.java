package dev.dtp.mamba.analysis;

import java.util.stream.IntStream;

/**
 * The implicit attention of one Mamba layer (Eq. 5): unrolling Eq. 2 from h_0 = 0 gives, per
 * channel d,
 * <pre>
 *   y_t = Σ_{j≤t} K_{t,j} x_j + D x_t,   K_{t,j} = Σ_n C_{t,n} exp(Σ_{k=j+1..t} Δ_{k,d} A_{d,n}) Δ_{j,d} B_{j,n}
 * </pre>
 * {@link #channel} gives one channel's K. {@link #aggregate} gives the layer's matrix as the paper
 * draws it: the mean of |K_{t,j}| over channels, each row then divided by its sum (so row t is a
 * distribution over the positions j ≤ t that token t reads from).
 *
 * <p>Cost: for each channel and each source j the product exp(Σ Δ A) ⊙ Δ_j B_j is carried forward
 * one step at a time, O(L²·N) per channel and O(L²) memory — no L×L×D×N tensor. Channels run in
 * parallel.
 *
 * @param delta Δ, (L, D) row-major
 * @param a A = −exp(A_log), (D, N)
 * @param b B, (L, N)
 * @param c C, (L, N)
 */
public record ImplicitAttention(int length, int channels, int stateSize, float[] delta, float[] a, float[] b, float[] c) {

    public ImplicitAttention {
        if (delta.length != length * channels || a.length != channels * stateSize || b.length != length * stateSize
                || c.length != length * stateSize) {
            throw new IllegalArgumentException("array sizes do not match L=" + length + ", D=" + channels + ", N=" + stateSize);
        }
    }

    /** K for channel d, (L, L) row-major, zero above the diagonal. */
    public double[] channel(int d) {
        double[] k = new double[length * length];
        accumulate(d, k, false);
        return k;
    }

    /** Mean over channels of |K|, rows normalised to sum 1 (a row of zeros stays zero). */
    public float[] aggregate() {
        int threads = Math.max(1, Math.min(channels, Runtime.getRuntime().availableProcessors()));
        double[][] parts = new double[threads][];
        IntStream.range(0, threads).parallel().forEach(w -> {
            double[] sum = new double[length * length];
            for (int d = w; d < channels; d += threads) {
                accumulate(d, sum, true);
            }
            parts[w] = sum;
        });
        float[] out = new float[length * length];
        for (int t = 0; t < length; t++) {
            double row = 0;
            for (int j = 0; j <= t; j++) {
                double v = 0;
                for (double[] p : parts) {
                    v += p[t * length + j];
                }
                out[t * length + j] = (float) v;
                row += v;
            }
            if (row > 0) {
                for (int j = 0; j <= t; j++) {
                    out[t * length + j] = (float) (out[t * length + j] / row);
                }
            }
        }
        return out;
    }

    /** Adds K (or |K|) of channel d into {@code into}. */
    private void accumulate(int d, double[] into, boolean absolute) {
        int n = stateSize;
        double[] aBar = new double[length * n]; // exp(Δ_t A_d), per step
        for (int t = 0; t < length; t++) {
            double dt = delta[t * channels + d];
            for (int s = 0; s < n; s++) {
                aBar[t * n + s] = Math.exp(dt * a[d * n + s]);
            }
        }
        double[] carried = new double[n];
        for (int j = 0; j < length; j++) {
            double dt = delta[j * channels + d];
            for (int s = 0; s < n; s++) {
                carried[s] = dt * b[j * n + s]; // Δ_j B_j
            }
            for (int t = j; t < length; t++) {
                if (t > j) {
                    for (int s = 0; s < n; s++) {
                        carried[s] *= aBar[t * n + s]; // × exp(Δ_t A): the decay from step t−1 to t
                    }
                }
                double k = 0;
                for (int s = 0; s < n; s++) {
                    k += c[t * n + s] * carried[s]; // C_t · (…)
                }
                into[t * length + j] += absolute ? Math.abs(k) : k;
            }
        }
    }

    /**
     * Share of the attention of the given query rows that falls on the given source columns
     * (e.g. text rows reading visual tokens), averaged over the rows; on an {@link #aggregate} matrix.
     */
    public static double share(float[] matrix, int length, boolean[] queryRows, boolean[] sourceColumns) {
        double sum = 0;
        int rows = 0;
        for (int t = 0; t < length; t++) {
            if (!queryRows[t]) {
                continue;
            }
            double s = 0;
            for (int j = 0; j <= t; j++) {
                if (sourceColumns[j]) {
                    s += matrix[t * length + j];
                }
            }
            sum += s;
            rows++;
        }
        return rows == 0 ? Double.NaN : sum / rows;
    }
}

package dev.dtp.bench.train;

import dev.dtp.mamba.scan.VectorMath;
import java.util.Arrays;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The selective scan (Eq. 2) over a batch, forward and backward, in plain Java with vector lanes
 * over channels. Training calls it in place of the chunked NDArray scan: the backward pass of
 * Eq. 2 is a second, reversed recurrence, and written out it is ~10× cheaper than autograd through
 * O(T²·D·N) chunk tensors. The gradients go back into DJL's autograd as a surrogate objective
 * (see {@link MambaTrainer}).
 *
 * <pre>
 * forward:   h_t = Ā_t h_{t−1} + Δ_t B_t x_t,  Ā_t = exp(Δ_t A);   y_t = C_t·h_t + D x_t
 * backward:  ∂h_t = C_t ∂y_t + Ā_{t+1} ∂h_{t+1}
 *            ∂Δ_t = Σ_n ∂h_t (A Ā_t h_{t−1} + B_t x_t),  ∂A = Σ_t ∂h_t Δ_t Ā_t h_{t−1}
 *            ∂B_t = Σ_d ∂h_t Δ_t x_t,  ∂C_t = Σ_d ∂y_t h_t,  ∂x_t = Σ_n ∂h_t Δ_t B_t + D ∂y_t,  ∂D = Σ_t ∂y_t x_t
 * </pre>
 *
 * Arrays are row-major: x, delta, y: (batch, L, D); b, c: (batch, L, N); aT: A transposed, (N, D);
 * d: (D). h_0 = 0. D must be a multiple of the vector lane count.
 */
final class ScanGradient {
    private static final VectorSpecies<Float> SPECIES = VectorMath.SPECIES;

    final int batch;
    final int length;
    final int channels;
    final int stateSize;

    ScanGradient(int batch, int length, int channels, int stateSize) {
        if (channels % SPECIES.length() != 0) {
            throw new IllegalArgumentException("d_inner " + channels + " must be a multiple of " + SPECIES.length());
        }
        this.batch = batch;
        this.length = length;
        this.channels = channels;
        this.stateSize = stateSize;
    }

    private IntStream range() {
        return IntStream.range(0, batch).parallel();
    }

    static int lanes() {
        return SPECIES.length();
    }

    /** Gradients of the scan's inputs. */
    record Grads(float[] x, float[] delta, float[] b, float[] c, float[] aT, float[] d) {}

    /** y = scan(x, Δ, A, B, C, D). */
    float[] forward(float[] x, float[] delta, float[] aT, float[] b, float[] c, float[] d) {
        float[] y = new float[batch * length * channels];
        range().forEach(s -> {
            float[] h = new float[stateSize * SPECIES.length()];
            for (int ch = 0; ch < channels; ch += SPECIES.length()) {
                Arrays.fill(h, 0f);
                run(s, ch, x, delta, aT, b, c, d, y, h, null, null);
            }
        });
        return y;
    }

    /** The forward pass again (states kept per channel group) and then the reversed recurrence. */
    Grads backward(float[] x, float[] delta, float[] aT, float[] b, float[] c, float[] d, float[] gy) {
        int lanes = SPECIES.length();
        float[] gx = new float[x.length];
        float[] gDelta = new float[x.length];
        float[] gb = new float[b.length];
        float[] gc = new float[c.length];
        float[][] gaParts = new float[batch][];
        float[][] gdParts = new float[batch][];
        range().forEach(s -> {
            float[] ga = new float[stateSize * channels];
            float[] gd = new float[channels];
            float[] h = new float[stateSize * lanes];
            float[] hs = new float[length * stateSize * lanes];
            float[] aBar = new float[length * stateSize * lanes];
            float[] gh = new float[stateSize * lanes];
            float[] y = new float[x.length]; // written by run(); discarded
            for (int ch = 0; ch < channels; ch += lanes) {
                Arrays.fill(h, 0f);
                run(s, ch, x, delta, aT, b, c, d, y, h, hs, aBar);
                Arrays.fill(gh, 0f);
                reverse(s, ch, x, delta, aT, b, c, d, gy, hs, aBar, gh, gx, gDelta, gb, gc, ga, gd);
            }
            gaParts[s] = ga;
            gdParts[s] = gd;
        });
        float[] ga = new float[stateSize * channels];
        float[] gd = new float[channels];
        for (int s = 0; s < batch; s++) {
            for (int i = 0; i < ga.length; i++) {
                ga[i] += gaParts[s][i];
            }
            for (int i = 0; i < gd.length; i++) {
                gd[i] += gdParts[s][i];
            }
        }
        return new Grads(gx, gDelta, gb, gc, ga, gd);
    }

    /** Eq. 2 forward for one sample and one group of channels; keeps h_t and Ā_t when asked. */
    private void run(int s, int ch, float[] x, float[] delta, float[] aT, float[] b, float[] c, float[] d, float[] y,
            float[] h, float[] hs, float[] aBarOut) {
        int lanes = SPECIES.length();
        FloatVector dSkip = FloatVector.fromArray(SPECIES, d, ch);
        for (int t = 0; t < length; t++) {
            int row = (s * length + t) * channels + ch;
            int bc = (s * length + t) * stateSize;
            FloatVector u = FloatVector.fromArray(SPECIES, x, row);
            FloatVector dt = FloatVector.fromArray(SPECIES, delta, row);
            FloatVector dtu = dt.mul(u);
            FloatVector acc = dSkip.mul(u);
            for (int n = 0; n < stateSize; n++) {
                FloatVector aBar = VectorMath.exp(dt.mul(FloatVector.fromArray(SPECIES, aT, n * channels + ch))); // Ā = exp(ΔA)
                FloatVector hn = aBar.fma(FloatVector.fromArray(SPECIES, h, n * lanes), dtu.mul(b[bc + n])); // Eq. 2
                hn.intoArray(h, n * lanes);
                acc = hn.fma(FloatVector.broadcast(SPECIES, c[bc + n]), acc); // y = C·h + D x
                if (hs != null) {
                    int k = (t * stateSize + n) * lanes;
                    hn.intoArray(hs, k);
                    aBar.intoArray(aBarOut, k);
                }
            }
            acc.intoArray(y, row);
        }
    }

    private void reverse(int s, int ch, float[] x, float[] delta, float[] aT, float[] b, float[] c, float[] d,
            float[] gy, float[] hs, float[] aBarAll, float[] gh, float[] gx, float[] gDelta, float[] gb, float[] gc,
            float[] ga, float[] gd) {
        int lanes = SPECIES.length();
        FloatVector dSkip = FloatVector.fromArray(SPECIES, d, ch);
        FloatVector gdAcc = FloatVector.zero(SPECIES);
        FloatVector[] gaAcc = new FloatVector[stateSize];
        FloatVector[] aVec = new FloatVector[stateSize];
        for (int n = 0; n < stateSize; n++) {
            gaAcc[n] = FloatVector.zero(SPECIES);
            aVec[n] = FloatVector.fromArray(SPECIES, aT, n * channels + ch);
        }
        FloatVector zero = FloatVector.zero(SPECIES);
        for (int t = length - 1; t >= 0; t--) {
            int row = (s * length + t) * channels + ch;
            int bc = (s * length + t) * stateSize;
            FloatVector u = FloatVector.fromArray(SPECIES, x, row);
            FloatVector dt = FloatVector.fromArray(SPECIES, delta, row);
            FloatVector g = FloatVector.fromArray(SPECIES, gy, row);
            FloatVector dtu = dt.mul(u);
            FloatVector gxv = g.mul(dSkip);
            FloatVector gdt = zero;
            gdAcc = g.fma(u, gdAcc);
            for (int n = 0; n < stateSize; n++) {
                int k = (t * stateSize + n) * lanes;
                FloatVector hT = FloatVector.fromArray(SPECIES, hs, k);
                FloatVector hPrev = t > 0 ? FloatVector.fromArray(SPECIES, hs, k - stateSize * lanes) : zero;
                FloatVector aBar = FloatVector.fromArray(SPECIES, aBarAll, k);
                float bn = b[bc + n];
                // ∂h_t = C_t ∂y_t + (carried Ā_{t+1} ∂h_{t+1})
                FloatVector ghn = g.fma(FloatVector.broadcast(SPECIES, c[bc + n]), FloatVector.fromArray(SPECIES, gh, n * lanes));
                gc[bc + n] += g.mul(hT).reduceLanes(VectorOperators.ADD);
                FloatVector decayed = aBar.mul(hPrev); // Ā_t h_{t−1}
                gdt = ghn.fma(aVec[n].fma(decayed, u.mul(bn)), gdt); // ∂Δ += ∂h (A Ā h_{t−1} + B x)
                gaAcc[n] = ghn.mul(dt).fma(decayed, gaAcc[n]); // ∂A += ∂h Δ Ā h_{t−1}
                gb[bc + n] += ghn.mul(dtu).reduceLanes(VectorOperators.ADD); // ∂B += ∂h Δ x
                gxv = ghn.mul(dt).fma(FloatVector.broadcast(SPECIES, bn), gxv); // ∂x += ∂h Δ B
                ghn.mul(aBar).intoArray(gh, n * lanes); // carried to step t−1
            }
            gxv.intoArray(gx, row);
            gdt.intoArray(gDelta, row);
        }
        for (int n = 0; n < stateSize; n++) {
            gaAcc[n].add(FloatVector.fromArray(SPECIES, ga, n * channels + ch)).intoArray(ga, n * channels + ch);
        }
        gdAcc.add(FloatVector.fromArray(SPECIES, gd, ch)).intoArray(gd, ch);
    }
}

package dev.dtp.mamba.decode;

import dev.dtp.mamba.scan.VectorMath;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The causal depthwise conv for one new token and its SiLU: x[d] = SiLU(b[d] + Σ_k w[k,d] · u_k[d])
 * over the window u = (the cached K−1 inputs, the new input), lanes over channels; then the window
 * moves on by one (in place).
 */
final class ConvStep {
    private static final VectorSpecies<Float> FLOATS = VectorMath.SPECIES;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private ConvStep() {}

    /**
     * Channels [from, to).
     *
     * @param window the last K−1 conv inputs, (K−1, d_inner) float32, row-major, updated in place
     * @param input the new conv input, xz[0, d_inner)
     * @param w conv weight transposed (K, d_inner)
     * @param b conv bias (d_inner)
     * @param x output, (d_inner)
     */
    static void run(ByteBuffer window, float[] input, float[] w, float[] b, int dInner, int kernel, float[] x, int from,
            int to) {
        int lanes = FLOATS.length();
        int d = from;
        for (; d + lanes <= to; d += lanes) {
            FloatVector u = FloatVector.fromArray(FLOATS, input, d);
            FloatVector acc = FloatVector.fromArray(FLOATS, b, d);
            for (int k = 0; k < kernel - 1; k++) {
                acc = FloatVector.fromArray(FLOATS, w, k * dInner + d).fma(cached(window, k, dInner, d), acc);
            }
            acc = FloatVector.fromArray(FLOATS, w, (kernel - 1) * dInner + d).fma(u, acc);
            acc.div(VectorMath.exp(acc.neg()).add(1f)).intoArray(x, d); // SiLU(a) = a / (1 + exp(−a))
            for (int k = 0; k + 1 < kernel - 1; k++) {
                cached(window, k + 1, dInner, d).intoByteBuffer(window, offset(k, dInner, d), ORDER);
            }
            if (kernel > 1) {
                u.intoByteBuffer(window, offset(kernel - 2, dInner, d), ORDER);
            }
        }
        for (; d < to; d++) {
            float acc = b[d];
            for (int k = 0; k < kernel - 1; k++) {
                acc += w[k * dInner + d] * window.getFloat(offset(k, dInner, d));
            }
            acc += w[(kernel - 1) * dInner + d] * input[d];
            x[d] = acc / (1 + (float) Math.exp(-acc));
            for (int k = 0; k + 1 < kernel - 1; k++) {
                window.putFloat(offset(k, dInner, d), window.getFloat(offset(k + 1, dInner, d)));
            }
            if (kernel > 1) {
                window.putFloat(offset(kernel - 2, dInner, d), input[d]);
            }
        }
    }

    private static FloatVector cached(ByteBuffer window, int k, int dInner, int d) {
        return FloatVector.fromByteBuffer(FLOATS, window, offset(k, dInner, d), ORDER);
    }

    private static int offset(int row, int dInner, int d) {
        return Float.BYTES * (row * dInner + d);
    }
}

package dev.dtp.mamba.decode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Rows of a float32 W times x with the Vector API, W read from native memory. Lane sums are added in a fixed
 * order (not {@code reduceLanes}, whose order the JIT may change), so a row's result never depends
 * on which thread or which compilation tier computed it.
 */
final class VectorDot {
    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    /** As many byte lanes as float lanes: one load of int8 quants widens to one float vector. */
    static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(FLOATS.length() * 8));
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private VectorDot() {}

    /** out[r] = W[r]·x for r in [from, to), W float32 (rows, cols) row-major. */
    static void f32Rows(ByteBuffer w, int cols, float[] x, float[] out, int from, int to) {
        int lanes = FLOATS.length();
        int step = 4 * lanes;
        int wide = cols - cols % step;
        int whole = cols - cols % lanes;
        float[] sum = new float[lanes];
        for (int r = from; r < to; r++) {
            int base = Float.BYTES * r * cols;
            FloatVector a0 = FloatVector.zero(FLOATS);
            FloatVector a1 = FloatVector.zero(FLOATS);
            FloatVector a2 = FloatVector.zero(FLOATS);
            FloatVector a3 = FloatVector.zero(FLOATS);
            int j = 0;
            for (; j < wide; j += step) {
                a0 = load(w, base, j).fma(FloatVector.fromArray(FLOATS, x, j), a0);
                a1 = load(w, base, j + lanes).fma(FloatVector.fromArray(FLOATS, x, j + lanes), a1);
                a2 = load(w, base, j + 2 * lanes).fma(FloatVector.fromArray(FLOATS, x, j + 2 * lanes), a2);
                a3 = load(w, base, j + 3 * lanes).fma(FloatVector.fromArray(FLOATS, x, j + 3 * lanes), a3);
            }
            for (; j < whole; j += lanes) {
                a0 = load(w, base, j).fma(FloatVector.fromArray(FLOATS, x, j), a0);
            }
            float s = lanesSum(a0.add(a1).add(a2.add(a3)), sum);
            for (; j < cols; j++) {
                s += w.getFloat(base + Float.BYTES * j) * x[j];
            }
            out[r] = s;
        }
    }

    private static FloatVector load(ByteBuffer w, int base, int j) {
        return FloatVector.fromByteBuffer(FLOATS, w, base + Float.BYTES * j, ORDER);
    }

    /** The lanes of {@code v} added from lane 0 up. */
    static float lanesSum(FloatVector v, float[] scratch) {
        v.intoArray(scratch, 0);
        float s = 0;
        for (float f : scratch) {
            s += f;
        }
        return s;
    }
}

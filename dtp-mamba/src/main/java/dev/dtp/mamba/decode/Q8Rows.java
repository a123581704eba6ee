package dev.dtp.mamba.decode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A matrix in Q8_0 form: each row cut into blocks of {@link #BLOCK} values, each block stored as
 * int8 quants q and one float32 scale s, W[i, j] ≈ s · q. Both live in native memory.
 *
 * @param quants (rows, cols) int8, row-major
 * @param scales (rows, cols / BLOCK) float32, row-major
 */
public record Q8Rows(ByteBuffer quants, ByteBuffer scales, int rows, int cols) implements RowMatrix {
    /** Values per scale, as llama.cpp's Q8_0. */
    public static final int BLOCK = 32;

    public Q8Rows {
        if (cols % BLOCK != 0) {
            throw new IllegalArgumentException("Q8_0 needs a column count divisible by " + BLOCK + ", got " + cols);
        }
        quants = quants.duplicate().order(ByteOrder.nativeOrder());
        scales = scales.duplicate().order(ByteOrder.nativeOrder());
        if ((long) rows * cols > quants.capacity() || (long) rows * (cols / BLOCK) * Float.BYTES > scales.capacity()) {
            throw new IllegalArgumentException("buffers too small for a (" + rows + ", " + cols + ") Q8_0 matrix");
        }
    }

    @Override
    public long bytes() {
        return (long) rows * cols + (long) rows * (cols / BLOCK) * Float.BYTES;
    }

    @Override
    public void multiply(float[] x, float[] out, int from, int to) {
        VectorDot.q8Rows(quants, scales, cols, x, out, from, to);
    }

    @Override
    public void row(int i, float[] out, int offset) {
        int blocks = cols / BLOCK;
        for (int b = 0; b < blocks; b++) {
            float s = scales.getFloat(Float.BYTES * (i * blocks + b));
            int q = i * cols + b * BLOCK;
            for (int j = 0; j < BLOCK; j++) {
                out[offset + b * BLOCK + j] = s * quants.get(q + j);
            }
        }
    }
}

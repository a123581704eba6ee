package dev.dtp.mamba.decode;

import java.nio.ByteBuffer;

/**
 * A matrix in Q8_0 form: each row cut into blocks of {@link #BLOCK} values, each block stored as
 * int8 quants q and one float32 scale s, W[i, j] ≈ s · q. On the Java heap: the int8 kernel reads
 * heap arrays about 40% faster than native memory (the whole copy is 28% of float32, and there is no
 * other).
 *
 * @param quants (rows, cols) int8, row-major
 * @param scales (rows, cols / BLOCK), row-major
 */
public record Q8Rows(byte[] quants, float[] scales, int rows, int cols) implements RowMatrix {
    /** Values per scale, as llama.cpp's Q8_0. */
    public static final int BLOCK = 32;

    public Q8Rows {
        if (cols % BLOCK != 0) {
            throw new IllegalArgumentException("Q8_0 needs a column count divisible by " + BLOCK + ", got " + cols);
        }
        if (quants.length != (long) rows * cols || scales.length != (long) rows * (cols / BLOCK)) {
            throw new IllegalArgumentException("arrays do not fit a (" + rows + ", " + cols + ") Q8_0 matrix");
        }
    }

    @Override
    public long bytes() {
        return (long) rows * cols + (long) rows * (cols / BLOCK) * Float.BYTES;
    }

    @Override
    public void multiply(float[] x, float[] out, int from, int to) {
        VectorQ8.rows(quants, scales, cols, x, out, from, to);
    }

    @Override
    public void multiplyBatch(BatchVectors in, float[][] outs, int from, int to) {
        VectorQ8.rowsBatch(quants, scales, cols, in.xs(), outs, in.batch(), from, to);
    }

    @Override
    public void row(int i, float[] out, int offset) {
        int blocks = cols / BLOCK;
        for (int b = 0; b < blocks; b++) {
            float s = scales[i * blocks + b];
            int q = i * cols + b * BLOCK;
            for (int j = 0; j < BLOCK; j++) {
                out[offset + b * BLOCK + j] = s * quants[q + j];
            }
        }
    }

    /**
     * W[i, j] = s · q for rows [from, to), written as float32 into {@code target} (native order, from
     * byte 0); rows split over the cores.
     */
    public void dequantize(int from, int to, ByteBuffer target) {
        if ((long) (to - from) * cols * Float.BYTES > target.capacity()) {
            throw new IllegalArgumentException("target too small for rows [" + from + ", " + to + ")");
        }
        RowSplit.run(to - from, cols, (a, b) -> VectorQ8.dequantize(quants, scales, cols, from + a, from + b, from, target));
    }

    /** The value at row-major {@code index}, dequantised. */
    public float get(long index) {
        int i = Math.toIntExact(index);
        return scales[i / BLOCK] * quants[i];
    }
}

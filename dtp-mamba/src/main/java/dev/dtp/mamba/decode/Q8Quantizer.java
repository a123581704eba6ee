package dev.dtp.mamba.decode;

import dev.dtp.mamba.checkpoint.CheckpointException;

/**
 * Q8_0 quantisation of a weight matrix, block by block of {@link Q8Rows#BLOCK} values along a row:
 * s = max|w| / 127 and q = round(w / s), so |w − s·q| ≤ s/2. A tensor that cannot be quantised —
 * a row length that is no multiple of the block, a NaN or infinite value — is a
 * {@link CheckpointException} naming it.
 */
public final class Q8Quantizer {
    /** Reads one row of the source tensor as float32. */
    public interface RowSource {
        void read(int row, float[] out);
    }

    private Q8Quantizer() {}

    /** Quantises the (rows, cols) tensor {@code name}, read one row at a time from {@code source}. */
    public static Q8Rows quantize(String name, int rows, int cols, RowSource source) {
        if (cols % Q8Rows.BLOCK != 0) {
            throw new CheckpointException("tensor '" + name + "' has rows of " + cols + " values; int8 (Q8_0) weights "
                    + "need a multiple of " + Q8Rows.BLOCK + " (load it with float32 weights)");
        }
        long count = (long) rows * cols;
        if (count > Integer.MAX_VALUE - 8) {
            throw new CheckpointException("tensor '" + name + "' has " + count + " values, too many for one int8 array");
        }
        int blocks = cols / Q8Rows.BLOCK;
        byte[] quants;
        float[] scales;
        try {
            quants = new byte[(int) count];
            scales = new float[rows * blocks];
        } catch (OutOfMemoryError e) {
            throw new CheckpointException("tensor '" + name + "': no Java heap left for its " + (count >> 20)
                    + " MiB of int8 weights; int8 weights live on the Java heap, raise -Xmx", e);
        }
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            source.read(r, row);
            for (int b = 0; b < blocks; b++) {
                int from = b * Q8Rows.BLOCK;
                float amax = 0;
                for (int j = from; j < from + Q8Rows.BLOCK; j++) {
                    float v = row[j];
                    if (!Float.isFinite(v)) {
                        throw new CheckpointException("tensor '" + name + "' holds " + v + " at [" + r + ", " + j
                                + "]; it cannot be quantised to int8");
                    }
                    amax = Math.max(amax, Math.abs(v));
                }
                float scale = amax / 127;
                float inverse = scale == 0 ? 0 : 1 / scale;
                scales[r * blocks + b] = scale;
                int q = r * cols;
                for (int j = from; j < from + Q8Rows.BLOCK; j++) {
                    quants[q + j] = (byte) Math.max(-127, Math.min(127, Math.round(row[j] * inverse)));
                }
            }
        }
        return new Q8Rows(quants, scales, rows, cols);
    }
}

package dev.dtp.mamba.decode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A float32 matrix over native memory (typically a libtorch tensor's own data, not a copy). */
public record F32Rows(ByteBuffer data, int rows, int cols) implements RowMatrix {
    public F32Rows {
        data = data.duplicate().order(ByteOrder.nativeOrder());
        if ((long) rows * cols * Float.BYTES > data.capacity()) {
            throw new IllegalArgumentException("a (" + rows + ", " + cols + ") float32 matrix needs "
                    + (long) rows * cols * Float.BYTES + " bytes, the buffer has " + data.capacity());
        }
    }

    @Override
    public long bytes() {
        return (long) rows * cols * Float.BYTES;
    }

    @Override
    public void multiply(float[] x, float[] out, int from, int to) {
        VectorDot.f32Rows(data, cols, x, out, from, to);
    }

    @Override
    public void multiplyBatch(float[][] xs, float[][] outs, int batch, int from, int to) {
        VectorDot.f32RowsBatch(data, cols, xs, outs, batch, from, to);
    }

    @Override
    public void row(int i, float[] out, int offset) {
        data.asFloatBuffer().get(i * cols, out, offset, cols);
    }
}

package dev.dtp.mamba.decode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * The rate at which this machine reads memory the way the fused step reads weights: float vectors
 * loaded from native memory, chunks split over the cores ({@link RowSplit}). The honest ceiling for
 * a memory-bound decode step: tokens/s × weight bytes per token cannot exceed it.
 */
public final class ReadBandwidth {
    private static final int ROW_BYTES = 1 << 16;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private ReadBandwidth() {}

    /**
     * Median bytes per second over {@code repeats} full reads of {@code buffer} (after one untimed
     * read). The buffer should be much larger than the last-level cache and already written (pages
     * never touched read as zeros at cache speed).
     */
    public static double bytesPerSecond(ByteBuffer buffer, int repeats) {
        ByteBuffer b = buffer.duplicate().order(ORDER);
        int rows = b.capacity() / ROW_BYTES;
        if (rows < 1) {
            throw new IllegalArgumentException("a read-bandwidth buffer needs at least " + ROW_BYTES + " bytes");
        }
        float[] sums = new float[rows];
        double[] seconds = new double[repeats];
        for (int i = -1; i < repeats; i++) {
            long t0 = System.nanoTime();
            RowSplit.run(rows, ROW_BYTES, (from, to) -> {
                for (int r = from; r < to; r++) {
                    sums[r] = sum(b, r * ROW_BYTES, (r + 1) * ROW_BYTES);
                }
            });
            if (i >= 0) {
                seconds[i] = (System.nanoTime() - t0) / 1e9;
            }
        }
        if (Float.isNaN(sums[rows - 1])) {
            throw new IllegalStateException("unreachable: keeps the reads alive");
        }
        Arrays.sort(seconds);
        return (double) rows * ROW_BYTES / seconds[repeats / 2];
    }

    /** The sum of bytes [from, to) read as floats, four vectors at a time. */
    private static float sum(ByteBuffer b, int from, int to) {
        var species = VectorDot.FLOATS;
        int step = species.vectorByteSize();
        FloatVector a0 = FloatVector.zero(species);
        FloatVector a1 = FloatVector.zero(species);
        FloatVector a2 = FloatVector.zero(species);
        FloatVector a3 = FloatVector.zero(species);
        for (int i = from; i + 4 * step <= to; i += 4 * step) {
            a0 = a0.add(FloatVector.fromByteBuffer(species, b, i, ORDER));
            a1 = a1.add(FloatVector.fromByteBuffer(species, b, i + step, ORDER));
            a2 = a2.add(FloatVector.fromByteBuffer(species, b, i + 2 * step, ORDER));
            a3 = a3.add(FloatVector.fromByteBuffer(species, b, i + 3 * step, ORDER));
        }
        return VectorDot.lanesSum(a0.add(a1).add(a2.add(a3)));
    }
}

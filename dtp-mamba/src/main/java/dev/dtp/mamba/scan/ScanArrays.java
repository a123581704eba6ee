package dev.dtp.mamba.scan;

import java.nio.ByteBuffer;

/**
 * One scan's data on the Java heap, row-major.
 *
 * @param x (L, d_inner), native little-endian memory (aliasing the input tensor where possible)
 * @param delta (L, d_inner), native memory like x
 * @param b (L, N)
 * @param c (L, N)
 * @param aT A transposed, (N, d_inner), so that a state index reads channels contiguously
 * @param d (d_inner)
 * @param hT the state transposed, (N, d_inner): initial on entry, final on return
 * @param y output (L, d_inner), native memory of the output tensor
 */
record ScanArrays(int length, int dInner, int stateSize, ByteBuffer x, ByteBuffer delta, float[] b,
        float[] c, float[] aT, float[] d, float[] hT, ByteBuffer y) {}

package dev.dtp.mamba.decode;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * dt_proj for the decode step, stored on the heap in blocks of one vector of channels: block j holds,
 * for k = 0, 1, …, dt_rank − 1 in turn, dt_proj[d,k] of its channels d, so that the vector lanes run
 * over channels and a block is one contiguous stream. Δ's pre-activation for a channel,
 * Σ_k dt_proj[d,k]·dt_k, is then one chain of fused multiply-adds over k in its lane, with no lane
 * sums: the rows are only dt_rank long (48 in mamba-130m, 160 in Cobra), so the row kernel spent
 * most of each row summing lanes — 12 ns a channel against about 1 here (docs/BENCHMARKS.md
 * section 6). Stored column by column instead (one d_inner-long row per k), the loads of a vector
 * of channels lay d_inner floats apart, every one in another page and, at 1536 channels, on two
 * L1 sets only. A channel's sum is the same in a vector lane and in the scalar path ({@link Math#fma}
 * rounds as the vector FMA does), so it never depends on which range (thread) computes it, and a
 * batch of sequences gets bit for bit a single sequence's Δ.
 */
public final class DeltaProjection {
    private static final VectorSpecies<Float> FLOATS = VectorDot.FLOATS;
    private static final int LANES = FLOATS.length();
    /** blocks[(d / lanes)·dt_rank·lanes + k·lanes + d % lanes] = dt_proj[d, k] (the last, partial block too). */
    private final float[] blocks;
    private final int dInner;
    private final int dtRank;

    /** @param dtProj dt_proj (d_inner, dt_rank), read once here */
    public DeltaProjection(RowMatrix dtProj) {
        dInner = dtProj.rows();
        dtRank = dtProj.cols();
        int padded = Math.multiplyExact((dInner + LANES - 1) / LANES, LANES);
        blocks = new float[Math.multiplyExact(padded, dtRank)];
        float[] row = new float[dtRank];
        for (int d = 0; d < dInner; d++) {
            dtProj.row(d, row, 0);
            for (int k = 0; k < dtRank; k++) {
                blocks[at(d, k)] = row[k];
            }
        }
    }

    public int dInner() {
        return dInner;
    }

    public int dtRank() {
        return dtRank;
    }

    /** Bytes a decode step reads. */
    public long bytes() {
        return (long) Float.BYTES * dInner * dtRank;
    }

    /**
     * out[d] = Σ_k dt_proj[d,k]·dt[k] for channels d in [from, to), the terms added in order of k, each
     * by one fused multiply-add; dt = dbc[0, dt_rank). Whole blocks inside the range four at a time
     * (four FMA chains in flight), then one at a time; channels outside whole blocks one by one.
     */
    public void multiply(float[] dt, float[] out, int from, int to) {
        int d = from;
        int firstBlock = Math.min(to, (from + LANES - 1) / LANES * LANES);
        for (; d < firstBlock; d++) {
            out[d] = channel(dt, d);
        }
        int step = dtRank * LANES; // floats per block
        for (; d + 4 * LANES <= to; d += 4 * LANES) {
            FloatVector s0 = FloatVector.zero(FLOATS);
            FloatVector s1 = FloatVector.zero(FLOATS);
            FloatVector s2 = FloatVector.zero(FLOATS);
            FloatVector s3 = FloatVector.zero(FLOATS);
            for (int k = 0, at = at(d, 0); k < dtRank; k++, at += LANES) {
                FloatVector t = FloatVector.broadcast(FLOATS, dt[k]);
                s0 = FloatVector.fromArray(FLOATS, blocks, at).fma(t, s0);
                s1 = FloatVector.fromArray(FLOATS, blocks, at + step).fma(t, s1);
                s2 = FloatVector.fromArray(FLOATS, blocks, at + 2 * step).fma(t, s2);
                s3 = FloatVector.fromArray(FLOATS, blocks, at + 3 * step).fma(t, s3);
            }
            s0.intoArray(out, d);
            s1.intoArray(out, d + LANES);
            s2.intoArray(out, d + 2 * LANES);
            s3.intoArray(out, d + 3 * LANES);
        }
        for (; d + LANES <= to; d += LANES) {
            FloatVector s = FloatVector.zero(FLOATS);
            for (int k = 0, at = at(d, 0); k < dtRank; k++, at += LANES) {
                s = FloatVector.fromArray(FLOATS, blocks, at).fma(FloatVector.broadcast(FLOATS, dt[k]), s);
            }
            s.intoArray(out, d);
        }
        for (; d < to; d++) {
            out[d] = channel(dt, d);
        }
    }

    /** One channel's sum, the lanes' chain of FMAs in scalar form. */
    private float channel(float[] dt, int d) {
        float s = 0f;
        for (int k = 0, at = at(d, 0); k < dtRank; k++, at += LANES) {
            s = Math.fma(blocks[at], dt[k], s);
        }
        return s;
    }

    /** Where dt_proj[d, k] is in {@link #blocks}. */
    private int at(int d, int k) {
        return (d / LANES * dtRank + k) * LANES + d % LANES;
    }
}

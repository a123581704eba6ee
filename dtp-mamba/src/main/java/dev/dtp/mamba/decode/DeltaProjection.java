package dev.dtp.mamba.decode;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * dt_proj for the decode step, stored column by column on the heap: (dt_rank, d_inner), so that
 * the vector lanes run over channels. Δ's pre-activation for a channel, Σ_k dt_proj[d,k]·dt_k, is then
 * one chain of fused multiply-adds over k = 0, 1, …, dt_rank − 1 in its lane, with no lane sums: its
 * rows are only dt_rank long (48 in mamba-130m, 160 in Cobra), so the row kernel spent most of each row
 * summing lanes — 12 ns a channel against about 1 here, a third of the batch-16 scan step
 * (docs/BENCHMARKS.md section 6). A channel's sum is the same in a vector lane and in the scalar
 * tail ({@link Math#fma} rounds as the vector FMA does), so it never depends on which range (thread)
 * computes it, and a batch of sequences gets bit for bit a single sequence's Δ.
 */
public final class DeltaProjection {
    private static final VectorSpecies<Float> FLOATS = VectorDot.FLOATS;
    private final float[] columns; // columns[k·d_inner + d] = dt_proj[d, k]
    private final int dInner;
    private final int dtRank;

    /** @param dtProj dt_proj (d_inner, dt_rank), read once here */
    public DeltaProjection(RowMatrix dtProj) {
        dInner = dtProj.rows();
        dtRank = dtProj.cols();
        columns = new float[Math.multiplyExact(dInner, dtRank)];
        float[] row = new float[dtRank];
        for (int d = 0; d < dInner; d++) {
            dtProj.row(d, row, 0);
            for (int k = 0; k < dtRank; k++) {
                columns[k * dInner + d] = row[k];
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
        return (long) Float.BYTES * columns.length;
    }

    /**
     * out[d] = Σ_k dt_proj[d,k]·dt[k] for channels d in [from, to), the terms added in order of k, each
     * by one fused multiply-add; dt = dbc[0, dt_rank). Four vectors of channels at a time, so that four
     * FMA chains are in flight.
     */
    public void multiply(float[] dt, float[] out, int from, int to) {
        int lanes = FLOATS.length();
        int d = from;
        for (; d + 4 * lanes <= to; d += 4 * lanes) {
            FloatVector s0 = FloatVector.zero(FLOATS);
            FloatVector s1 = FloatVector.zero(FLOATS);
            FloatVector s2 = FloatVector.zero(FLOATS);
            FloatVector s3 = FloatVector.zero(FLOATS);
            for (int k = 0, at = d; k < dtRank; k++, at += dInner) {
                FloatVector t = FloatVector.broadcast(FLOATS, dt[k]);
                s0 = FloatVector.fromArray(FLOATS, columns, at).fma(t, s0);
                s1 = FloatVector.fromArray(FLOATS, columns, at + lanes).fma(t, s1);
                s2 = FloatVector.fromArray(FLOATS, columns, at + 2 * lanes).fma(t, s2);
                s3 = FloatVector.fromArray(FLOATS, columns, at + 3 * lanes).fma(t, s3);
            }
            s0.intoArray(out, d);
            s1.intoArray(out, d + lanes);
            s2.intoArray(out, d + 2 * lanes);
            s3.intoArray(out, d + 3 * lanes);
        }
        for (; d + lanes <= to; d += lanes) {
            FloatVector s = FloatVector.zero(FLOATS);
            for (int k = 0, at = d; k < dtRank; k++, at += dInner) {
                s = FloatVector.fromArray(FLOATS, columns, at).fma(FloatVector.broadcast(FLOATS, dt[k]), s);
            }
            s.intoArray(out, d);
        }
        for (; d < to; d++) {
            float s = 0f;
            for (int k = 0, at = d; k < dtRank; k++, at += dInner) {
                s = Math.fma(columns[at], dt[k], s);
            }
            out[d] = s;
        }
    }
}

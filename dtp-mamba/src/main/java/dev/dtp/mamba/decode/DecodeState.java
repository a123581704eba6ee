package dev.dtp.mamba.decode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One sequence's recurrent state as the fused step updates it in place — per layer the conv window
 * (K−1, d_inner) and the SSM state (d_inner, N), float32 in native memory — and the step's scratch
 * vectors. Belongs to one thread at a time.
 */
public final class DecodeState {
    final ByteBuffer[] conv;
    final ByteBuffer[] ssm;
    final float[] residual; // (d_model)
    final float[] hidden; // normed residual, (d_model)
    final float[] xz; // in_proj output, (2·d_inner)
    final float[] x; // conv output, (d_inner)
    final float[] dbc; // x_proj output, (dt_rank + 2N)
    final float[] delta; // (d_inner)
    final float[] gated; // (d_inner)
    final float[] out; // out_proj output, (d_model)

    DecodeState(ByteBuffer[] conv, ByteBuffer[] ssm, int dModel, int dInner, int dbcSize) {
        this.conv = nativeOrder(conv);
        this.ssm = nativeOrder(ssm);
        this.residual = new float[dModel];
        this.hidden = new float[dModel];
        this.xz = new float[2 * dInner];
        this.x = new float[dInner];
        this.dbc = new float[dbcSize];
        this.delta = new float[dInner];
        this.gated = new float[dInner];
        this.out = new float[dModel];
    }

    private static ByteBuffer[] nativeOrder(ByteBuffer[] buffers) {
        ByteBuffer[] out = new ByteBuffer[buffers.length];
        for (int i = 0; i < buffers.length; i++) {
            out[i] = buffers[i] == null ? null : buffers[i].duplicate().order(ByteOrder.nativeOrder());
        }
        return out;
    }
}

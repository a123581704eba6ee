package dev.dtp.mamba.decode;

import dev.dtp.mamba.scan.VectorMath;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Per channel d, after x_proj: Δ_d = softplus(dt_proj[d]·dt + bias_d), one step of Eq. 2 on the
 * channel's state (lanes over the state index n),
 *
 * <pre>
 *   h[d,n] = exp(Δ_d A[d,n]) h[d,n] + Δ_d x_d B[n]
 *   y_d    = Σ_n C[n] h[d,n] + D_d x_d
 * </pre>
 *
 * and the gate y_d · SiLU(z_d). Softplus and the gate run as vector passes over the channels
 * ({@link VectorMath#softplus}, {@link VectorMath#silu}) before and after the per-channel state
 * update; as scalar double-precision calls per channel they were about a quarter of this step's
 * time per channel in a scratch timing (docs/BENCHMARKS.md section 6). Where N is one or two vectors
 * (d_state 16, Mamba's and Cobra's) the update runs as one loop over the channels with its exps
 * inline ({@link #stepOneVector}, {@link #stepTwoVectors}); any other N goes by tiles of exp(Δ A)
 * ({@link #stepTiles}). Both give the same bits.
 */
final class ScanStep {
    private static final VectorSpecies<Float> FLOATS = VectorMath.SPECIES;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** Channels per tile of {@link #discretize}: 32 × N floats of scratch. */
    private static final int TILE = 32;

    /**
     * Each thread's scratch: [0] one vector for the lane sums and padded tails, [1] the exp(Δ A) tile
     * (grown to TILE × N); a batch-16 step of mamba-130m would otherwise allocate some 3000 of each.
     */
    private static final ThreadLocal<float[][]> TILES =
            ThreadLocal.withInitial(() -> new float[][] {new float[FLOATS.length()], new float[0]});

    private ScanStep() {}

    /**
     * Channels [from, to).
     *
     * @param h the SSM state (d_inner, N) float32, row-major, updated in place
     * @param dbc x_proj's output (dt_rank + 2N): dt, then B, then C
     * @param x the conv output (d_inner)
     * @param xz in_proj's output; z is xz[d_inner, 2·d_inner)
     * @param delta scratch for Δ (d_inner)
     * @param gated output y ⊙ SiLU(z), (d_inner)
     */
    static void run(DecodeLayer layer, ByteBuffer h, float[] dbc, float[] x, float[] xz, float[] delta, float[] gated,
            int dInner, int dtRank, int stateSize, int from, int to) {
        layer.dtProj().multiply(dbc, delta, from, to); // dt_proj(dt), dt = dbc[0, dt_rank)
        float[][] tiles = TILES.get();
        float[] scratch = tiles[0];
        softplus(delta, layer.dtProjBias(), from, to, scratch); // Δ = softplus(dt_proj(dt) + bias), a vector pass
        int lanes = FLOATS.length();
        if (stateSize == lanes) {
            stepOneVector(layer, h, dbc, x, delta, gated, dtRank, from, to, scratch);
        } else if (stateSize == 2 * lanes) {
            stepTwoVectors(layer, h, dbc, x, delta, gated, dtRank, from, to, scratch);
        } else {
            stepTiles(layer, h, dbc, x, delta, gated, dtRank, stateSize, from, to, tiles);
        }
        gate(gated, xz, dInner, from, to, scratch); // y ⊙ SiLU(z), a vector pass
    }

    /**
     * Eq. 2, one step, for channels [from, to) when N is one vector (d_state 16 with 512-bit vectors):
     * exp(Δ A), the update and y_d in one loop over the channels, with no loop over n. The general
     * path ({@link #stepTiles}) runs its loops over n once per channel here, and the loop overhead of
     * a one-trip loop cost about a third of the scan step (docs/BENCHMARKS.md section 6). The same
     * operations in the same order as {@link #discretize} and {@link #update}: the same bits. The exp is
     * inline here, which {@link #discretize} warns against for the general loop: this loop is small
     * enough that the JIT keeps its vectors in registers (no allocation in the batch-16 step, checked
     * with GC logging).
     */
    private static void stepOneVector(DecodeLayer layer, ByteBuffer h, float[] dbc, float[] x, float[] delta,
            float[] gated, int dtRank, int from, int to, float[] scratch) {
        float[] a = layer.a();
        float[] skip = layer.d();
        int lanes = FLOATS.length();
        FloatVector b = FloatVector.fromArray(FLOATS, dbc, dtRank);
        FloatVector c = FloatVector.fromArray(FLOATS, dbc, dtRank + lanes);
        FloatVector zero = FloatVector.zero(FLOATS);
        for (int d = from; d < to; d++) {
            float dt = delta[d];
            float u = x[d];
            int at = Float.BYTES * lanes * d;
            FloatVector aBar = VectorMath.exp(FloatVector.fromArray(FLOATS, a, lanes * d).mul(dt)); // exp(Δ A)
            FloatVector hn = aBar.fma(FloatVector.fromByteBuffer(FLOATS, h, at, ORDER), b.mul(dt * u)); // Eq. 2
            hn.intoByteBuffer(h, at, ORDER);
            gated[d] = VectorDot.lanesSum(hn.fma(c, zero), scratch) + skip[d] * u; // y_d = C·h + D x, gated below
        }
    }

    /** {@link #stepOneVector} for N of two vectors (d_state 16 with 256-bit vectors). */
    private static void stepTwoVectors(DecodeLayer layer, ByteBuffer h, float[] dbc, float[] x, float[] delta,
            float[] gated, int dtRank, int from, int to, float[] scratch) {
        float[] a = layer.a();
        float[] skip = layer.d();
        int lanes = FLOATS.length();
        int vectorBytes = Float.BYTES * lanes;
        FloatVector b0 = FloatVector.fromArray(FLOATS, dbc, dtRank);
        FloatVector b1 = FloatVector.fromArray(FLOATS, dbc, dtRank + lanes);
        FloatVector c0 = FloatVector.fromArray(FLOATS, dbc, dtRank + 2 * lanes);
        FloatVector c1 = FloatVector.fromArray(FLOATS, dbc, dtRank + 3 * lanes);
        FloatVector zero = FloatVector.zero(FLOATS);
        for (int d = from; d < to; d++) {
            float dt = delta[d];
            float u = x[d];
            float dtu = dt * u;
            int at = 2 * vectorBytes * d;
            FloatVector aBar0 = VectorMath.exp(FloatVector.fromArray(FLOATS, a, 2 * lanes * d).mul(dt));
            FloatVector aBar1 = VectorMath.exp(FloatVector.fromArray(FLOATS, a, 2 * lanes * d + lanes).mul(dt));
            FloatVector h0 = aBar0.fma(FloatVector.fromByteBuffer(FLOATS, h, at, ORDER), b0.mul(dtu));
            FloatVector h1 = aBar1.fma(FloatVector.fromByteBuffer(FLOATS, h, at + vectorBytes, ORDER), b1.mul(dtu));
            h0.intoByteBuffer(h, at, ORDER);
            h1.intoByteBuffer(h, at + vectorBytes, ORDER);
            gated[d] = VectorDot.lanesSum(h1.fma(c1, h0.fma(c0, zero)), scratch) + skip[d] * u;
        }
    }

    /** Eq. 2, one step, for channels [from, to) and any N: tiles of exp(Δ A), then the update of each tile. */
    private static void stepTiles(DecodeLayer layer, ByteBuffer h, float[] dbc, float[] x, float[] delta,
            float[] gated, int dtRank, int stateSize, int from, int to, float[][] tiles) {
        int lanes = FLOATS.length();
        int whole = stateSize - stateSize % lanes;
        if (tiles[1].length < TILE * whole) {
            tiles[1] = new float[TILE * whole];
        }
        float[] aBar = tiles[1];
        for (int t = from; t < to; t += TILE) {
            int end = Math.min(to, t + TILE);
            discretize(layer.a(), delta, aBar, t, end, stateSize, whole);
            update(layer, h, aBar, dbc, x, delta, gated, dtRank, stateSize, whole, t, end, tiles[0]);
        }
    }

    /**
     * aBar[(d − from)·whole + n] = exp(Δ_d A[d,n]) for channels [from, to) and the whole vectors of n: the
     * discretised A of Eq. 2 for a tile of channels, one loop of vector exps. It is a method of its own,
     * taking and giving arrays, so that the exp is compiled inline here whatever the JIT decides for
     * its caller: inlined into the update loop, the exp sometimes fell past the JIT's node budget, was
     * called out of line and had its vectors boxed on the heap (the batch-16 step then ran twice as slow).
     */
    private static void discretize(float[] a, float[] delta, float[] aBar, int from, int to, int stateSize,
            int whole) {
        int lanes = FLOATS.length();
        for (int d = from; d < to; d++) {
            FloatVector dt = FloatVector.broadcast(FLOATS, delta[d]);
            int row = d * stateSize;
            int out = (d - from) * whole;
            for (int n = 0; n < whole; n += lanes) {
                VectorMath.exp(FloatVector.fromArray(FLOATS, a, row + n).mul(dt))
                        .intoArray(aBar, out + n); // exp(Δ A)
            }
        }
    }

    /** Eq. 2, one step, for channels [from, to) with their exp(Δ A) in {@code aBar} ({@link #discretize}). */
    private static void update(DecodeLayer layer, ByteBuffer h, float[] aBar, float[] dbc, float[] x, float[] delta,
            float[] gated, int dtRank, int stateSize, int whole, int from, int to, float[] scratch) {
        float[] a = layer.a();
        float[] skip = layer.d();
        int lanes = FLOATS.length();
        int b = dtRank;
        int c = dtRank + stateSize;
        for (int d = from; d < to; d++) {
            float dt = delta[d];
            float u = x[d];
            float dtu = dt * u;
            int row = Float.BYTES * d * stateSize;
            int bar = (d - from) * whole;
            FloatVector acc = FloatVector.zero(FLOATS);
            for (int n = 0; n < whole; n += lanes) {
                int at = row + Float.BYTES * n;
                FloatVector hn = FloatVector.fromArray(FLOATS, aBar, bar + n).fma(FloatVector.fromByteBuffer(FLOATS, h, at, ORDER),
                        FloatVector.fromArray(FLOATS, dbc, b + n).mul(dtu));
                hn.intoByteBuffer(h, at, ORDER);
                acc = hn.fma(FloatVector.fromArray(FLOATS, dbc, c + n), acc);
            }
            float y = VectorDot.lanesSum(acc, scratch);
            for (int n = whole; n < stateSize; n++) {
                int at = row + Float.BYTES * n;
                float hn = (float) Math.exp(dt * a[d * stateSize + n]) * h.getFloat(at) + dtu * dbc[b + n];
                h.putFloat(at, hn);
                y += dbc[c + n] * hn;
            }
            gated[d] = y + skip[d] * u; // y_d, gated below
        }
    }

    /**
     * delta[d] = softplus(delta[d] + bias[d]) for d in [from, to), whole vectors at a time; the last
     * partial vector goes through the same lane math on a padded copy, so that a channel's Δ is the
     * same whichever range (thread) it falls in.
     */
    private static void softplus(float[] delta, float[] bias, int from, int to, float[] pad) {
        int lanes = FLOATS.length();
        int d = from;
        for (; d + lanes <= to; d += lanes) {
            FloatVector v = FloatVector.fromArray(FLOATS, delta, d).add(FloatVector.fromArray(FLOATS, bias, d));
            VectorMath.softplus(v).intoArray(delta, d);
        }
        int rest = to - d;
        if (rest > 0) {
            for (int i = 0; i < lanes; i++) {
                pad[i] = i < rest ? delta[d + i] + bias[d + i] : 0f;
            }
            VectorMath.softplus(FloatVector.fromArray(FLOATS, pad, 0)).intoArray(pad, 0);
            System.arraycopy(pad, 0, delta, d, rest);
        }
    }

    /** gated[d] = gated[d] · SiLU(z_d), z_d = xz[d_inner + d], for d in [from, to); the tail as in {@link #softplus}. */
    private static void gate(float[] gated, float[] xz, int dInner, int from, int to, float[] pad) {
        int lanes = FLOATS.length();
        int d = from;
        for (; d + lanes <= to; d += lanes) {
            FloatVector z = FloatVector.fromArray(FLOATS, xz, dInner + d);
            FloatVector.fromArray(FLOATS, gated, d).mul(VectorMath.silu(z)).intoArray(gated, d);
        }
        int rest = to - d;
        if (rest > 0) {
            for (int i = 0; i < lanes; i++) {
                pad[i] = i < rest ? xz[dInner + d + i] : 0f;
            }
            VectorMath.silu(FloatVector.fromArray(FLOATS, pad, 0)).intoArray(pad, 0);
            for (int i = 0; i < rest; i++) {
                gated[d + i] *= pad[i];
            }
        }
    }
}

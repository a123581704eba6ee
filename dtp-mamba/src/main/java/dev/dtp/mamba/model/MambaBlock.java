package dev.dtp.mamba.model;

import static dev.dtp.mamba.model.LayerObserver.Stage.CONV;
import static dev.dtp.mamba.model.LayerObserver.Stage.DELTA;
import static dev.dtp.mamba.model.LayerObserver.Stage.GATE;
import static dev.dtp.mamba.model.LayerObserver.Stage.IN_PROJ_X;
import static dev.dtp.mamba.model.LayerObserver.Stage.IN_PROJ_Z;
import static dev.dtp.mamba.model.LayerObserver.Stage.NORM;
import static dev.dtp.mamba.model.LayerObserver.Stage.OUT_PROJ;
import static dev.dtp.mamba.model.LayerObserver.Stage.SCAN;
import static dev.dtp.mamba.model.LayerObserver.Stage.X_PROJ;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.decode.DecodeLayer;
import dev.dtp.mamba.decode.DeltaProjection;
import dev.dtp.mamba.decode.F32Rows;
import dev.dtp.mamba.decode.RowMatrix;
import dev.dtp.mamba.scan.ScanInput;
import dev.dtp.mamba.scan.ScanOutput;
import dev.dtp.mamba.scan.SelectiveScan;

/**
 * One Mamba block (mixer with its pre-norm). Split in two halves around the point where a pruning
 * policy looks at Δ: {@link #project} (norm, in_proj, conv, x_proj, Δ) on every current token and
 * {@link #mix} (scan, gate, out_proj) on the kept tokens.
 */
final class MambaBlock {
    private final int index;
    private final MambaConfig config;
    private final LayerWeights w;
    /** The int8 matrices, or null when the block is float32. */
    private final Q8Weights.Layer q8;
    /** A = −exp(A_log), (d_inner, d_state). */
    private final NDArray a;
    /** conv1d weight as (d_conv, d_inner), so that tap k is row k. */
    private final NDArray convWeightT;
    /** Heap copies of the conv weight (d_conv, d_inner) and bias for the CPU conv kernel. */
    private final float[] convWeightTHost;
    private final float[] convBiasHost;
    /** The x and z halves of in_proj (row views, no copy; null when int8) and of its bias. */
    private final NDArray inProjX;
    private final NDArray inProjZ;
    private final NDArray inProjBiasX;
    private final NDArray inProjBiasZ;

    MambaBlock(int index, MambaConfig config, LayerWeights weights, Q8Weights.Layer q8, NDManager owner) {
        this.index = index;
        this.config = config;
        this.w = weights;
        this.q8 = q8;
        try (NDArray e = weights.aLog().exp()) {
            this.a = e.neg();
        }
        this.a.attach(owner);
        // made contiguous on the heap: reading a strided array's data would make libtorch copy it
        // into the weights' manager on every call
        int kernel = config.dConv();
        int channels = config.dInner();
        float[] convRows = weights.convWeight().toFloatArray(); // (d_inner, K)
        this.convWeightTHost = new float[kernel * channels];
        for (int ch = 0; ch < channels; ch++) {
            for (int k = 0; k < kernel; k++) {
                convWeightTHost[k * channels + ch] = convRows[ch * kernel + k];
            }
        }
        this.convBiasHost = weights.convBias() == null ? new float[channels] : weights.convBias().toFloatArray();
        this.convWeightT = owner.create(convWeightTHost, new Shape(kernel, channels))
                .toDevice(weights.convWeight().getDevice(), false);
        this.convWeightT.attach(owner);
        int dInner = config.dInner();
        this.inProjX = q8 != null ? null : Ops.rows(weights.inProj(), 0, dInner);
        this.inProjZ = q8 != null ? null : Ops.rows(weights.inProj(), dInner, 2L * dInner);
        this.inProjBiasX = weights.inProjBias() == null ? null : Ops.rows(weights.inProjBias(), 0, dInner);
        this.inProjBiasZ = weights.inProjBias() == null ? null : Ops.rows(weights.inProjBias(), dInner, 2L * dInner);
        for (NDArray a : new NDArray[] {inProjX, inProjZ, inProjBiasX, inProjBiasZ}) {
            if (a != null) {
                a.attach(owner);
            }
        }
    }

    int index() {
        return index;
    }

    NDArray a() {
        return a;
    }

    /** in_proj's x half (d_inner, d_model) and z half, x_proj and out_proj as float32 arrays. */
    record Matrices(NDArray inProjX, NDArray inProjZ, NDArray xProj, NDArray outProj) {}

    /**
     * This block's matrices for one pass: the resident float32 arrays, or (int8) the layer
     * dequantised into {@code scratch}, valid until the scratch is filled again.
     */
    Matrices matrices(DequantScratch scratch) {
        return q8 == null ? new Matrices(inProjX, inProjZ, w.xProj(), w.outProj()) : scratch.fill(q8);
    }

    /** Everything the block computes before its scan, for the current tokens. */
    record Projected(NDArray convInput, NDArray x, NDArray z, NDArray delta, NDArray b, NDArray c) {
        /**
         * The rows of the kept tokens ({@code index}: current-token indices) of everything the scan
         * reads; the conv input stays whole, since the conv history is taken over all tokens.
         */
        Projected gather(NDArray index) {
            return new Projected(convInput, Ops.gatherRows(x, index), Ops.gatherRows(z, index),
                    Ops.gatherRows(delta, index), Ops.gatherRows(b, index), Ops.gatherRows(c, index));
        }
    }

    /**
     * Norm, in_proj, causal conv + SiLU, x_proj and Δ = softplus(dt_proj(dt) + bias) for all
     * current tokens. Results live in {@code residual}'s manager. Each stage reports to {@code probe}.
     *
     * @param residual (L, d_model)
     * @param convHistory previous K−1 conv inputs or null at the start of a sequence
     */
    Projected project(NDArray residual, NDArray convHistory, Matrices m, StageProbe probe) {
        int r = config.dtRank();
        int n = config.dState();
        StageProbe stage = probe.begin(index);
        NDArray hidden = stage.done(NORM, Ops.rmsNorm(residual, w.norm(), config.normEps())); // (L, d_model)
        // in_proj as two products so that x and z are each contiguous
        NDArray convInput = stage.done(IN_PROJ_X, Ops.linear(hidden, m.inProjX(), inProjBiasX)); // (L, d_inner)
        NDArray z = stage.done(IN_PROJ_Z, Ops.linear(hidden, m.inProjZ(), inProjBiasZ)); // (L, d_inner)
        hidden.close();
        NDArray x = stage.done(CONV, convSilu(convInput, convHistory)); // SiLU(causal conv1d), (L, d_inner)
        NDArray dbc = stage.done(X_PROJ, Ops.linear(x, m.xProj(), null)); // [dt | B | C], (L, dt_rank + 2N)
        NDArray b = Ops.columns(dbc, r, r + n); // (L, N)
        NDArray c = Ops.columns(dbc, r + n, r + 2L * n); // (L, N)
        NDArray delta = stage.done(DELTA, delta(dbc, r)); // (L, d_inner)
        return new Projected(convInput, x, z, delta, b, c);
    }

    /** SiLU of the causal depthwise conv over the conv input, continuing {@code history} (null: zeros). */
    private NDArray convSilu(NDArray convInput, NDArray history) {
        if (CpuConv.supports(convInput)) {
            return CpuConv.convSilu(convInput, history == null ? null : history.toFloatArray(), convWeightTHost,
                    convBiasHost);
        }
        try (NDArray conv = CausalConv.apply(convInput, history, convWeightT, w.convBias())) {
            return Ops.silu(conv);
        }
    }

    /** Δ = softplus(dt_proj(dt) + bias), the step size of Eq. 2, from the first dt_rank columns of x_proj's output. */
    private NDArray delta(NDArray dbc, int r) {
        try (NDArray dt = Ops.columns(dbc, 0, r);
                NDArray dtProjected = Ops.linear(dt, w.dtProj(), w.dtProjBias())) {
            return Ops.softplus(dtProjected);
        }
    }

    /**
     * The selective scan (Eq. 2) on the given tokens from state {@code h0} (null: zeros), the gate
     * y ⊙ SiLU(z) and out_proj, each stage reported to {@code probe}.
     *
     * @return the scan output (y and final state) and the block output (L, d_model)
     */
    Mixed mix(Projected p, NDArray h0, SelectiveScan scan, Matrices m, StageProbe probe) {
        StageProbe stage = probe.begin(index);
        ScanOutput s = stage.done(SCAN, scan.scan(new ScanInput(p.x(), p.delta(), a, p.b(), p.c(), w.d(), h0)));
        NDArray gated = stage.done(GATE, gate(s.y(), p.z())); // y ⊙ SiLU(z)
        NDArray out = stage.done(OUT_PROJ, Ops.linear(gated, m.outProj(), w.outProjBias())); // (L, d_model)
        gated.close();
        return new Mixed(s.y(), s.state(), out);
    }

    private static NDArray gate(NDArray y, NDArray z) {
        try (NDArray silu = Ops.silu(z)) {
            return y.mul(silu);
        }
    }

    record Mixed(NDArray y, NDArray state, NDArray output) {}

    /**
     * One decode step for a single new token (the recurrent form of the same block): the conv
     * window is the cached K−1 inputs plus the new one, and Eq. 2 advances the state once.
     * Temporaries live in {@code residual}'s manager; the new cache arrays are attached to
     * {@code cacheManager} and the old ones closed.
     *
     * @param residual (1, d_model)
     * @return the block output (1, d_model) and the updated cache
     */
    Stepped step(NDArray residual, LayerCache cache, NDManager cacheManager, Matrices m) {
        NDManager scope = residual.getManager();
        int r = config.dtRank();
        int n = config.dState();
        int kernel = config.dConv();
        NDArray hidden = Ops.rmsNorm(residual, w.norm(), config.normEps());
        NDArray convInput = Ops.linear(hidden, m.inProjX(), inProjBiasX); // (1, d_inner)
        NDArray z = Ops.linear(hidden, m.inProjZ(), inProjBiasZ);
        NDArray window = kernel == 1
                ? convInput
                : NDArrays.concat(new NDList(cache.convState(), convInput), 0);
        window.attach(scope); // (K, d_inner)
        NDArray conv = window.mul(convWeightT).sum(new int[] {0}, true); // (1, d_inner)
        if (w.convBias() != null) {
            conv = conv.add(w.convBias());
        }
        NDArray x = Ops.silu(conv);
        NDArray dbc = Ops.linear(x, m.xProj(), null);
        NDArray b = Ops.columns(dbc, r, r + n); // (1, N)
        NDArray c = Ops.columns(dbc, r + n, r + 2L * n); // (1, N)
        NDArray delta = Ops.softplus(Ops.linear(Ops.columns(dbc, 0, r), w.dtProj(), w.dtProjBias())); // (1, d_inner)
        NDArray deltaT = delta.transpose(); // (d_inner, 1)
        // Eq. 2, one step: h = exp(Δ A) ⊙ h + (Δ x) B ; y = C·h + D x
        NDArray aBar = deltaT.mul(a).exp(); // (d_inner, N)
        NDArray bBarX = delta.mul(x).transpose().mul(b); // (d_inner, N)
        NDArray h = aBar.mul(cache.ssmState()).add(bBarX);
        NDArray y = h.matMul(c.transpose()).transpose().add(x.mul(w.d())); // (1, d_inner)
        NDArray out = Ops.linear(y.mul(Ops.silu(z)), m.outProj(), w.outProjBias()); // (1, d_model)
        NDArray newConv = kernel == 1 ? cache.convState() : Ops.rows(window, 1, kernel).duplicate();
        if (kernel != 1) {
            newConv.attach(cacheManager);
            cache.convState().close();
        }
        h.attach(cacheManager);
        cache.ssmState().close();
        return new Stepped(out, new LayerCache(newConv, h));
    }

    record Stepped(NDArray output, LayerCache cache) {}

    /**
     * One decode step for a batch of B sequences, each with its own state: the same block as
     * {@link #step}, with every weight read once for the whole batch (the products become GEMMs).
     * Temporaries and the new states live in {@code residual}'s manager.
     *
     * @param residual (B, d_model)
     * @param conv the sequences' last K−1 conv inputs, (B, K−1, d_inner)
     * @param ssm the sequences' SSM states, (B, d_inner, N)
     * @return the block output (B, d_model) and the new conv (B, K−1, d_inner) and SSM states
     */
    BatchStepped stepBatch(NDArray residual, NDArray conv, NDArray ssm, Matrices m) {
        int dInner = config.dInner();
        int r = config.dtRank();
        int n = config.dState();
        int kernel = config.dConv();
        NDArray hidden = Ops.rmsNorm(residual, w.norm(), config.normEps());
        NDArray convInput = Ops.linear(hidden, m.inProjX(), inProjBiasX); // (B, d_inner)
        NDArray z = Ops.linear(hidden, m.inProjZ(), inProjBiasZ);
        NDArray window = kernel == 1 ? convInput.expandDims(1)
                : NDArrays.concat(new NDList(conv, convInput.expandDims(1)), 1); // (B, K, d_inner)
        window.attach(residual.getManager());
        NDArray convOut = window.mul(convWeightT).sum(new int[] {1}); // Σ_k w[d,k] x[t−(K−1)+k, d], (B, d_inner)
        if (w.convBias() != null) {
            convOut = convOut.add(w.convBias());
        }
        NDArray x = Ops.silu(convOut);
        NDArray dbc = Ops.linear(x, m.xProj(), null); // (B, dt_rank + 2N)
        NDArray b = Ops.columns(dbc, r, r + n); // (B, N)
        NDArray c = Ops.columns(dbc, r + n, r + 2L * n);
        NDArray delta = Ops.softplus(Ops.linear(Ops.columns(dbc, 0, r), w.dtProj(), w.dtProjBias())); // (B, d_inner)
        // Eq. 2, one step per sequence: h = exp(Δ A) ⊙ h + (Δ x) B ; y = C·h + D x
        NDArray aBar = delta.expandDims(2).mul(a).exp(); // (B, d_inner, N)
        NDArray bBarX = delta.mul(x).expandDims(2).mul(b.expandDims(1)); // (B, d_inner, N)
        NDArray h = aBar.mul(ssm).add(bBarX);
        NDArray y = h.matMul(c.expandDims(2)).squeeze(2).add(x.mul(w.d())); // (B, d_inner)
        NDArray out = Ops.linear(y.mul(Ops.silu(z)), m.outProj(), w.outProjBias()); // (B, d_model)
        NDArray newConv = kernel == 1 ? conv : window.get(new NDIndex(":, 1:, :"));
        return new BatchStepped(out, newConv, h);
    }

    record BatchStepped(NDArray output, NDArray conv, NDArray ssm) {}

    /**
     * This block's weights for the fused decode step: the float32 matrices and A as views of their
     * libtorch memory (no copies) or the int8 matrices, the small vectors copied to the heap. CPU only.
     */
    DecodeLayer decodeLayer() {
        RowMatrix in = q8 != null ? q8.inProj() : rows(w.inProj());
        RowMatrix xp = q8 != null ? q8.xProj() : rows(w.xProj());
        RowMatrix out = q8 != null ? q8.outProj() : rows(w.outProj());
        return new DecodeLayer(w.norm().toFloatArray(), in, heap(w.inProjBias()), convWeightTHost, convBiasHost, xp,
                new DeltaProjection(rows(w.dtProj())), w.dtProjBias().toFloatArray(), a.toFloatArray(), w.d().toFloatArray(), out,
                heap(w.outProjBias()));
    }

    /** A float32 weight (rows, cols) as a view of its memory. */
    static F32Rows rows(NDArray matrix) {
        return new F32Rows(matrix.toByteBuffer(true), Math.toIntExact(matrix.getShape().get(0)),
                Math.toIntExact(matrix.getShape().get(1)));
    }

    private static float[] heap(NDArray vector) {
        return vector == null ? null : vector.toFloatArray();
    }

    LayerWeights weights() {
        return w;
    }
}

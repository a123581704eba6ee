package dev.dtp.bench.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.model.NativeArrays;
import java.util.ArrayList;
import java.util.List;

/**
 * Forward and backward passes of a multimodal Mamba model over a batch, with DJL autograd for
 * every projection and Java kernels ({@link ScanGradient}) for the selective scan.
 *
 * <p>Backward runs layer by layer with recomputation: the forward pass keeps only each layer's
 * input h_l; then, from the last layer down, layer l is recomputed under a gradient collector
 * from a fresh leaf copy of h_l, the scan's gradients come from {@link ScanGradient#backward},
 * and one autograd pass over the surrogate
 * <pre>
 *   S_l = Σ out_l ⊙ ∂out_l + Σ x ⊙ ∂x + Σ Δ ⊙ ∂Δ + Σ B ⊙ ∂B + Σ C ⊙ ∂C + Σ A ⊙ ∂A + Σ D ⊙ ∂D
 * </pre>
 * (every ∂· a constant) puts exactly the true gradients into the layer's parameters and into
 * h_l's leaf, which is ∂out_{l−1} for the next step down. Memory is one layer's activations.
 */
final class MambaTrainer {
    private final VlmParameters p;
    private final MambaConfig c;

    MambaTrainer(VlmParameters parameters) {
        this.p = parameters;
        this.c = parameters.config;
    }

    /** Sequence input h_0 = [projected patches | token embeddings], (batch, L, d_model). */
    NDArray embed(TrainBatch b, NDManager m) {
        NDArray h = visualTokens(b.pixels(), b.batch(), m);
        // one-hot rows times the table: the backward of an indexed gather accumulates repeated ids
        // through index_put, which gave run-to-run different sums on the CPU
        NDArray oneHot = NativeArrays.longs(m, b.ids()).oneHot(c.paddedVocabSize());
        NDArray text = oneHot.matMul(p.get("backbone.embeddings.weight")).reshape(b.batch(), b.textLength(), c.dModel());
        return NDArrays.concat(new NDList(h, text), 1);
    }

    /** Visual tokens = projector(patch_embed(patches) + positions), (batch, patches, d_model). */
    NDArray visualTokens(float[] pixels, int batch, NDManager m) {
        var v = p.vision;
        NDArray patches = NativeArrays.floats(m, pixels, new Shape(batch, v.patches(), v.patchDim()));
        NDArray features = linear(patches, p.get("vision.patch_embed.weight"), p.get("vision.patch_embed.bias"))
                .add(p.get("vision.position_embed"));
        int[] idx = p.projector().linearIndices();
        NDArray h = features;
        for (int i = 0; i < idx.length; i++) {
            h = linear(h, p.get("projector." + idx[i] + ".weight"), p.get("projector." + idx[i] + ".bias"));
            if (i + 1 < idx.length) {
                h = Activation.gelu(h);
            }
        }
        return h;
    }

    record Projected(NDArray x, NDArray z, NDArray delta, NDArray b, NDArray c) {}

    /** Norm, in_proj, causal conv + SiLU, x_proj, Δ = softplus(dt_proj(dt) + bias): the Mamba block before its scan. */
    Projected project(int l, NDArray h) {
        int dInner = c.dInner();
        int r = c.dtRank();
        int n = c.dState();
        int kernel = c.dConv();
        NDManager m = h.getManager();
        long batch = h.getShape().get(0);
        long length = h.getShape().get(1);
        NDArray normed = rmsNorm(h, p.layer(l, "norm.weight"));
        NDArray inProj = p.layer(l, "mixer.in_proj.weight");
        NDArray xz = linear(normed, inProj, null); // (B, L, 2·d_inner)
        NDArray convIn = xz.get(new NDIndex(":, :, :{}", dInner));
        NDArray z = xz.get(new NDIndex(":, :, {}:", dInner));
        // causal depthwise conv: out_t = Σ_k w_k ⊙ in_{t−K+1+k} + bias
        NDArray padded = NDArrays.concat(new NDList(m.zeros(new Shape(batch, kernel - 1, dInner)), convIn), 1);
        NDArray w = p.layer(l, "mixer.conv1d.weight"); // (d_inner, K)
        NDArray conv = p.layer(l, "mixer.conv1d.bias");
        for (int k = 0; k < kernel; k++) {
            NDArray tap = padded.get(new NDIndex(":, {}:{}, :", k, k + length));
            conv = tap.mul(local(m, w.get(new NDIndex(":, {}", k)))).add(conv);
        }
        NDArray x = conv.mul(Activation.sigmoid(conv)); // SiLU
        NDArray dbc = linear(x, p.layer(l, "mixer.x_proj.weight"), null); // (B, L, r + 2N)
        NDArray dt = dbc.get(new NDIndex(":, :, :{}", r));
        NDArray bm = dbc.get(new NDIndex(":, :, {}:{}", r, r + n));
        NDArray cm = dbc.get(new NDIndex(":, :, {}:", r + n));
        NDArray delta = Activation.softPlus(linear(dt, p.layer(l, "mixer.dt_proj.weight"), p.layer(l, "mixer.dt_proj.bias")));
        return new Projected(x, z, delta, bm, cm);
    }

    /** A = −exp(A_log) transposed to (N, d_inner), on the heap. */
    float[] aT(int l) {
        float[] aLog = p.layer(l, "mixer.A_log").toFloatArray(); // (d_inner, N)
        int dInner = c.dInner();
        int n = c.dState();
        float[] out = new float[aLog.length];
        for (int d = 0; d < dInner; d++) {
            for (int s = 0; s < n; s++) {
                out[s * dInner + d] = (float) -Math.exp(aLog[d * n + s]);
            }
        }
        return out;
    }

    /** out = h + out_proj(y ⊙ SiLU(z)). */
    NDArray output(int l, NDArray h, NDArray z, NDArray y) {
        NDArray gated = y.mul(z.mul(Activation.sigmoid(z)));
        return h.add(linear(gated, p.layer(l, "mixer.out_proj.weight"), null));
    }

    /** Layer inputs h_0 … h_L without gradients. */
    List<NDArray> forward(TrainBatch batch, NDManager m) {
        List<NDArray> hs = new ArrayList<>();
        NDArray h = embed(batch, m);
        hs.add(h);
        ScanGradient scan = new ScanGradient(batch.batch(), batch.sequenceLength(), c.dInner(), c.dState());
        for (int l = 0; l < c.layers(); l++) {
            Projected pr = project(l, h);
            float[] y = scan.forward(pr.x().toFloatArray(), pr.delta().toFloatArray(), aT(l), pr.b().toFloatArray(),
                    pr.c().toFloatArray(), p.layer(l, "mixer.D").toFloatArray());
            NDArray yArr = NativeArrays.floats(m, y, pr.x().getShape());
            h = output(l, h, pr.z(), yArr);
            hs.add(h);
        }
        return hs;
    }

    /** Logits (rows, vocab) at the given flattened rows of the last hidden state. */
    NDArray logits(NDArray hLast, int[] rows) {
        NDManager m = hLast.getManager();
        NDArray flat = hLast.reshape(-1, c.dModel()).get(new NDIndex("{}", NativeArrays.longs(m, rows)));
        NDArray normed = rmsNorm(flat, p.get("backbone.norm_f.weight"));
        return normed.matMul(local(m, p.get("backbone.embeddings.weight").transpose())); // tied lm_head
    }

    /** Greedy first answer token per sample, no gradients. */
    int[] predict(TrainBatch batch, NDManager m) {
        List<NDArray> hs = forward(batch, m);
        NDArray logits = logits(hs.get(hs.size() - 1), batch.answerRows());
        long[] arg = logits.get(new NDIndex(":, :{}", c.vocabSize())).argMax(1).toLongArray();
        int[] out = new int[arg.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) arg[i];
        }
        return out;
    }

    /**
     * One forward and backward pass: gradients accumulate into the parameters' gradient arrays.
     *
     * @return the mean cross-entropy over the scored positions
     */
    /** Nanoseconds spent so far: [forward, scan recompute, scan backward, forward + backward in all]. */
    private final long[] nanos = new long[4];

    long[] profile() {
        return nanos.clone();
    }

    double lossAndGradients(TrainBatch batch, NDManager m) {
        long t0 = System.nanoTime();
        List<NDArray> hs = forward(batch, m);
        nanos[0] += System.nanoTime() - t0;
        Engine engine = Engine.getEngine("PyTorch");
        NDArray g;
        double loss;
        // head: cross-entropy of the targets
        try (NDManager scope = m.newSubManager(); GradientCollector gc = engine.newGradientCollector()) {
            NDArray leaf = hs.get(c.layers()).duplicate();
            leaf.attach(scope);
            leaf.setRequiresGradient(true);
            NDArray logp = logits(leaf, batch.targetRows()).logSoftmax(1);
            NDArray oneHot = NativeArrays.longs(scope, batch.targets()).oneHot(c.paddedVocabSize());
            NDArray nll = logp.mul(oneHot).sum(new int[] {1}).mean().neg();
            loss = nll.getFloat();
            gc.backward(nll);
            g = leaf.getGradient().duplicate();
            g.attach(m);
        }
        ScanGradient scan = new ScanGradient(batch.batch(), batch.sequenceLength(), c.dInner(), c.dState());
        for (int l = c.layers() - 1; l >= 0; l--) {
            try (NDManager scope = m.newSubManager(); GradientCollector gc = engine.newGradientCollector()) {
                NDArray leaf = hs.get(l).duplicate();
                leaf.attach(scope);
                leaf.setRequiresGradient(true);
                Projected pr = project(l, leaf);
                float[] x = pr.x().toFloatArray();
                float[] delta = pr.delta().toFloatArray();
                float[] bm = pr.b().toFloatArray();
                float[] cm = pr.c().toFloatArray();
                float[] aT = aT(l);
                float[] dSkip = p.layer(l, "mixer.D").toFloatArray();
                long ts = System.nanoTime();
                float[] y = scan.forward(x, delta, aT, bm, cm, dSkip);
                nanos[1] += System.nanoTime() - ts;
                Shape xs = pr.x().getShape();
                NDArray yArr = NativeArrays.floats(scope, y, xs);
                NDArray out = output(l, leaf, pr.z(), yArr);
                // ∂y = (∂out · W_out) ⊙ SiLU(z), all constants
                NDArray zc = pr.z().stopGradient();
                NDArray gy = g.matMul(local(scope, p.layer(l, "mixer.out_proj.weight").stopGradient()))
                        .mul(zc.mul(Activation.sigmoid(zc)));
                gy.attach(scope);
                ts = System.nanoTime();
                ScanGradient.Grads sg = scan.backward(x, delta, aT, bm, cm, dSkip, gy.toFloatArray());
                nanos[2] += System.nanoTime() - ts;
                NDArray aLog = p.layer(l, "mixer.A_log");
                NDArray a = local(scope, local(scope, aLog.exp()).neg());
                NDArray gaT = NativeArrays.floats(scope, sg.aT(), new Shape(c.dState(), c.dInner())).transpose();
                NDArray surrogate = out.mul(g).sum()
                        .add(pr.x().mul(NativeArrays.floats(scope, sg.x(), xs)).sum())
                        .add(pr.delta().mul(NativeArrays.floats(scope, sg.delta(), xs)).sum())
                        .add(pr.b().mul(NativeArrays.floats(scope, sg.b(), pr.b().getShape())).sum())
                        .add(pr.c().mul(NativeArrays.floats(scope, sg.c(), pr.c().getShape())).sum())
                        .add(a.mul(gaT).sum())
                        .add(NativeArrays.floats(scope, sg.d(), new Shape(c.dInner())).mul(p.layer(l, "mixer.D")).sum());
                gc.backward(surrogate);
                NDArray next = leaf.getGradient().duplicate();
                next.attach(m);
                g.close();
                g = next;
            }
        }
        nanos[3] += System.nanoTime() - t0;
        try (NDManager scope = m.newSubManager(); GradientCollector gc = engine.newGradientCollector()) {
            NDArray h0 = embed(batch, scope);
            gc.backward(h0.mul(g).sum());
        }
        return loss;
    }

    /**
     * Moves an op's result into {@code m}. An op's result belongs to its first operand's manager, so
     * an op that starts from a parameter would otherwise leave a new array in the parameters'
     * manager on every step.
     */
    static NDArray local(NDManager m, NDArray a) {
        a.attach(m);
        return a;
    }

    /** Zeroes a parameter's gradient buffer in place (CPU). */
    static void zeroGradient(NDArray a) {
        try (NDArray g = a.getGradient()) {
            NativeArrays.overwrite(g, new float[Math.toIntExact(g.size())]);
        }
    }

    static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return Linear.linear(x, weight, bias).singletonOrThrow();
    }

    /**
     * RMSNorm x / √(mean(x²) + ε) ⊙ w. No operation here takes a Java number where autograd would
     * save it: DJL turns the number into a tensor and closes it at once, so a backward pass (pow's,
     * for one) would read freed memory.
     */
    NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray rms = x.square().mean(new int[] {-1}, true).add(c.normEps()).sqrt();
        return x.div(rms).mul(weight);
    }
}

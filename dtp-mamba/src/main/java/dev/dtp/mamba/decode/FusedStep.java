package dev.dtp.mamba.decode;

import dev.dtp.mamba.MambaConfig;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * One decode step of a Mamba language model for a batch of one on the CPU: per layer four passes
 * over the weights' memory, each split over the cores, instead of some thirty library calls —
 *
 * <ol>
 *   <li>RMSNorm, then in_proj (x and z) with the causal conv + SiLU of each channel's x,
 *   <li>x_proj (dt, B, C),
 *   <li>per channel dt_proj and softplus (Δ), one step of Eq. 2 and the gate y ⊙ SiLU(z),
 *   <li>out_proj added to the residual stream;
 * </ol>
 *
 * then norm_f and lm_head. Immutable over its weights; one {@link DecodeState} per sequence.
 *
 * <p>Its readable reference is the NDArray step beside it ({@code MambaBlock.step}, one statement
 * per operation of the block; {@code DecodeKernel.NDARRAY}, and the GPU's decode): the fixtures'
 * {@code FusedDecodeTest} checks the two token by token against each other and the float64
 * reference, also when they alternate within one session.
 */
public final class FusedStep {
    private final MambaConfig config;
    private final RowMatrix embedding;
    private final List<DecodeLayer> layers;
    private final float[] normF;
    private final RowMatrix lmHead;

    /**
     * @param embedding (padded_vocab, d_model)
     * @param normF (d_model)
     * @param lmHead (padded_vocab, d_model); only the first vocab_size rows are read
     */
    public FusedStep(MambaConfig config, RowMatrix embedding, List<DecodeLayer> layers, float[] normF, RowMatrix lmHead) {
        this.config = config;
        this.embedding = embedding;
        this.layers = List.copyOf(layers);
        this.normF = normF;
        this.lmHead = lmHead;
    }

    /** Bits in one float vector of the step's row kernels: 256 on AVX2, 512 on AVX-512; 0 where the step cannot run. */
    public static int vectorBits() {
        return supported() ? VectorDot.FLOATS.vectorBitSize() : 0;
    }

    /** True when this JVM can run the step: the Vector API module is present with at least 8 float lanes. */
    public static boolean supported() {
        return VectorSupport.PRESENT;
    }

    /**
     * A state over one sequence's caches, which the step then updates in place.
     *
     * @param conv per layer the conv window (K−1, d_inner) float32 in native order (null when K = 1)
     * @param ssm per layer the SSM state (d_inner, N)
     */
    public DecodeState newState(ByteBuffer[] conv, ByteBuffer[] ssm) {
        if (conv.length != layers.size() || ssm.length != layers.size()) {
            throw new IllegalArgumentException(layers.size() + " layers, got " + conv.length + " conv and " + ssm.length
                    + " SSM states");
        }
        int dInner = config.dInner();
        for (int l = 0; l < conv.length; l++) {
            long convBytes = (long) Float.BYTES * (config.dConv() - 1) * dInner;
            if ((conv[l] == null ? 0 : conv[l].capacity()) < convBytes || ssm[l].capacity() < (long) Float.BYTES * dInner * config.dState()) {
                throw new IllegalArgumentException("layer " + l + ": cache buffers too small");
            }
        }
        return new DecodeState(conv, ssm, config.dModel(), dInner, config.dtRank() + 2 * config.dState());
    }

    /** Weight bytes one step reads: every layer, the embedding row, norm_f and the vocabulary's lm_head rows. */
    public long bytesPerToken() {
        long n = 0;
        for (DecodeLayer l : layers) {
            n += l.bytes();
        }
        return n + embedding.bytes() / embedding.rows() + Float.BYTES * (long) normF.length
                + lmHead.bytes() / lmHead.rows() * config.vocabSize();
    }

    /** Feeds {@code token} to the sequence of {@code s}; returns the next-token logits (vocab_size). */
    public float[] step(int token, DecodeState s) {
        return stepBatch(new int[] {token}, new DecodeState[] {s})[0];
    }

    /**
     * Feeds {@code tokens[b]} to the sequence of {@code states[b]} for every b — one step for the
     * whole batch: every matrix is read once for all sequences (the memory-bound GEMVs of a single
     * step become small GEMMs), while the conv window, the scan step and the gate run per sequence
     * on its own state. Each sequence's logits are bit for bit those of a batch of one ({@link #step}):
     * the batched row kernels form every sum as the single-vector ones do.
     *
     * @return per sequence its next-token logits (vocab_size)
     */
    public float[][] stepBatch(int[] tokens, DecodeState[] states) {
        int batch = tokens.length;
        if (states.length != batch) {
            throw new IllegalArgumentException(batch + " tokens for " + states.length + " states");
        }
        Set<DecodeState> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        for (DecodeState s : states) {
            if (!distinct.add(s)) {
                throw new IllegalArgumentException("a sequence appears twice in the batch");
            }
        }
        int dModel = config.dModel();
        int dInner = config.dInner();
        int dtRank = config.dtRank();
        int n = config.dState();
        float[][] hidden = new float[batch][];
        float[][] xz = new float[batch][];
        float[][] x = new float[batch][];
        float[][] dbc = new float[batch][];
        float[][] gated = new float[batch][];
        float[][] out = new float[batch][];
        for (int b = 0; b < batch; b++) {
            DecodeState s = states[b];
            embedding.row(tokens[b], s.residual, 0);
            hidden[b] = s.hidden;
            xz[b] = s.xz;
            x[b] = s.x;
            dbc[b] = s.dbc;
            gated[b] = s.gated;
            out[b] = s.out;
        }
        for (int l = 0; l < layers.size(); l++) {
            DecodeLayer w = layers.get(l);
            int layer = l;
            BatchVectors normed = normBatch(states, w.norm(), hidden, w.inProj());
            // in_proj for the batch, then each sequence's conv window and SiLU over the chunk's x channels,
            // copied on into x_proj's column order while they are in this core's cache
            BatchVectors convolved = w.xProj().emptyBatch(x, batch);
            RowSplit.run(2 * dInner, w.inProj().bytes() / (2L * dInner), w.inProj().batchGranule(normed), (from, to) -> {
                w.inProj().multiplyBatch(normed, xz, from, to);
                for (DecodeState s : states) {
                    addBias(w.inProjBias(), s.xz, from, to);
                    if (from < dInner) {
                        ConvStep.run(s.conv[layer], s.xz, w.convWeightT(), w.convBias(), dInner, config.dConv(), s.x,
                                from, Math.min(to, dInner));
                    }
                }
                if (from < dInner) {
                    w.xProj().fillBatch(convolved, from, Math.min(to, dInner));
                }
            });
            RowSplit.run(w.xProj().rows(), w.xProj().bytes() / w.xProj().rows(), w.xProj().batchGranule(convolved),
                    (from, to) -> w.xProj().multiplyBatch(convolved, dbc, from, to));
            // Δ, Eq. 2 one step and the gate, per sequence on its own state; the gated channels copied on
            // into out_proj's column order
            BatchVectors gatedBatch = w.outProj().emptyBatch(gated, batch);
            RowSplit.run(dInner, batch * (w.dtProj().bytes() / dInner + (long) Float.BYTES * 2 * n), VectorDot.FLOATS.length(),
                    (from, to) -> {
                        for (DecodeState s : states) {
                            ScanStep.run(w, s.ssm[layer], s.dbc, s.x, s.xz, s.delta, s.gated, dInner, dtRank, n, from, to);
                        }
                        w.outProj().fillBatch(gatedBatch, from, to);
                    });
            RowSplit.run(dModel, w.outProj().bytes() / dModel, w.outProj().batchGranule(gatedBatch), (from, to) -> {
                w.outProj().multiplyBatch(gatedBatch, out, from, to);
                float[] bias = w.outProjBias();
                for (DecodeState s : states) {
                    for (int i = from; i < to; i++) {
                        s.residual[i] += bias == null ? s.out[i] : s.out[i] + bias[i];
                    }
                }
            });
        }
        return logitsBatch(normBatch(states, normF, hidden, lmHead), batch);
    }

    /**
     * RMSNorm of every sequence's residual into {@code hidden}, and the normed rows in {@code next}'s batch
     * form. On one core: split over both, the copy took as long (docs/BENCHMARKS.md section 6).
     */
    private BatchVectors normBatch(DecodeState[] states, float[] weight, float[][] hidden, RowMatrix next) {
        int batch = states.length;
        float[] scale = rmsScales(states);
        for (int b = 0; b < batch; b++) {
            float[] x = states[b].residual;
            float[] out = hidden[b];
            for (int i = 0; i < x.length; i++) {
                out[i] = x[i] * scale[b] * weight[i]; // x / sqrt(mean(x²) + eps) ⊙ w
            }
        }
        return next.prepareBatch(hidden, batch);
    }

    /** lm_head on a normed residual row (d_model): the logits over the vocabulary (vocab_size). */
    public float[] logits(float[] normed) {
        return logitsBatch(new float[][] {normed})[0];
    }

    /** lm_head on several normed residual rows (each d_model), the head read once for all: their logits. */
    public float[][] logitsBatch(float[][] normed) {
        return logitsBatch(lmHead.prepareBatch(normed, normed.length), normed.length);
    }

    private float[][] logitsBatch(BatchVectors in, int batch) {
        float[][] out = new float[batch][config.vocabSize()];
        RowSplit.run(config.vocabSize(), lmHead.bytes() / lmHead.rows(), lmHead.batchGranule(in),
                (from, to) -> lmHead.multiplyBatch(in, out, from, to));
        return out;
    }

    /**
     * RMSNorm's scale of each sequence's residual x: 1 / sqrt(mean(x²) + eps), the squares summed in
     * order in double precision. Four sequences at a time, so that four chains of additions are in
     * flight; one chain alone was most of a batch-16 step's RMSNorm time.
     */
    private float[] rmsScales(DecodeState[] states) {
        int batch = states.length;
        float[] scale = new float[batch];
        int b = 0;
        for (; b + 4 <= batch; b += 4) {
            float[] x0 = states[b].residual;
            float[] x1 = states[b + 1].residual;
            float[] x2 = states[b + 2].residual;
            float[] x3 = states[b + 3].residual;
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            for (int i = 0; i < x0.length; i++) {
                s0 += (double) x0[i] * x0[i];
                s1 += (double) x1[i] * x1[i];
                s2 += (double) x2[i] * x2[i];
                s3 += (double) x3[i] * x3[i];
            }
            scale[b] = rmsScale(s0, x0.length);
            scale[b + 1] = rmsScale(s1, x0.length);
            scale[b + 2] = rmsScale(s2, x0.length);
            scale[b + 3] = rmsScale(s3, x0.length);
        }
        for (; b < batch; b++) {
            float[] x = states[b].residual;
            double squares = 0;
            for (float v : x) {
                squares += (double) v * v;
            }
            scale[b] = rmsScale(squares, x.length);
        }
        return scale;
    }

    private float rmsScale(double squares, int length) {
        return (float) (1 / Math.sqrt(squares / length + config.normEps()));
    }

    private static void addBias(float[] bias, float[] v, int from, int to) {
        if (bias != null) {
            for (int i = from; i < to; i++) {
                v[i] += bias[i];
            }
        }
    }
}

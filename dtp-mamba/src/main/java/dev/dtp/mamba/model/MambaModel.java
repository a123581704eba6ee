package dev.dtp.mamba.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.dtp.core.DtpException;
import dev.dtp.core.InputException;
import dev.dtp.core.ModelInput;
import dev.dtp.core.PolicyException;
import dev.dtp.core.Prefill;
import dev.dtp.core.PrefillOptions;
import dev.dtp.core.PrunableModel;
import dev.dtp.core.PruningDefaults;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.PruningTrace;
import dev.dtp.core.Selection;
import dev.dtp.core.TensorLayerContext;
import dev.dtp.core.TokenLayout;
import dev.dtp.core.generate.Generation;
import dev.dtp.core.generate.GenerationConfig;
import dev.dtp.core.generate.TokenListener;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.checkpoint.CheckpointLoader;
import dev.dtp.mamba.scan.ScanKernels;
import dev.dtp.mamba.scan.SelectiveScan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A Mamba language model (batch of one) whose prefill a {@link PruningPolicy} can prune.
 *
 * <p>Thread-safety: a loaded model is immutable and may serve prefills and generations from many
 * threads at once; each {@link Prefill} it returns belongs to one thread. {@link #close()} waits
 * for running calls to finish; calls made after it fail with {@link IllegalStateException}.
 */
public final class MambaModel implements PrunableModel, AutoCloseable {
    private final MambaConfig config;
    private final MambaWeights weights;
    private final List<MambaBlock> blocks;
    private final SelectiveScan scan;
    private final PruningDefaults defaults;
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean closed;

    /** What closing the model frees: the loader's root manager, or the weights' own manager. */
    private final NDManager owner;

    private MambaModel(MambaWeights weights, SelectiveScan scan, PruningDefaults defaults, NDManager owner) {
        this.owner = owner;
        this.config = weights.config();
        this.weights = weights;
        this.scan = scan;
        this.defaults = defaults;
        List<MambaBlock> list = new ArrayList<>(config.layers());
        for (int i = 0; i < config.layers(); i++) {
            list.add(new MambaBlock(i, config, weights.layers().get(i), weights.manager()));
        }
        this.blocks = List.copyOf(list);
    }

    /** Loads {@code config.json} + safetensors from a model directory onto the CPU. */
    public static MambaModel load(Path modelDir) {
        return builder().load(modelDir);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options for loading or wrapping weights. */
    public static final class Builder {
        private Device device = Device.cpu();
        private SelectiveScan scan;
        private PruningDefaults defaults;

        public Builder device(Device device) {
            this.device = Objects.requireNonNull(device);
            return this;
        }

        /** Forces a scan kernel (default: the fastest valid one for the device). */
        public Builder scan(SelectiveScan scan) {
            this.scan = scan;
            return this;
        }

        /** DTP layers and keep ratio for {@code DtpPruner.wrap(model)}. */
        public Builder pruningDefaults(PruningDefaults defaults) {
            this.defaults = defaults;
            return this;
        }

        /**
         * DTP layers and keep ratio from a {@code calibration.json} written by {@code dtp calibrate}
         * (one inside the model directory is used without asking).
         */
        public Builder calibration(java.nio.file.Path calibrationJson) {
            this.defaults = ModelDefaults.readCalibration(calibrationJson);
            return this;
        }

        public MambaModel load(Path modelDir) {
            NDManager root = NDManager.newBaseManager(device);
            try {
                MambaWeights w = CheckpointLoader.load(modelDir, root, DataType.FLOAT32);
                PruningDefaults d = defaults != null ? defaults : ModelDefaults.read(modelDir, w.config());
                return create(w, d, root);
            } catch (RuntimeException e) {
                root.close();
                throw e;
            }
        }

        /** A model over weights already in memory; the model owns (and closes) them. */
        public MambaModel wrap(MambaWeights weights) {
            PruningDefaults d = defaults != null ? defaults : PruningDefaults.paperDefaults(weights.config().layers());
            return create(weights, d, weights.manager());
        }

        private MambaModel create(MambaWeights w, PruningDefaults d, NDManager owner) {
            SelectiveScan s = scan != null ? scan : ScanKernels.forDevice(w.embedding().getDevice());
            return new MambaModel(w, s, d, owner);
        }
    }

    public MambaConfig config() {
        return config;
    }

    public SelectiveScan scanKernel() {
        return scan;
    }

    public Device device() {
        return weights.embedding().getDevice();
    }

    @Override
    public int layerCount() {
        return config.layers();
    }

    @Override
    public PruningDefaults pruningDefaults() {
        return defaults;
    }

    @Override
    public Prefill prefill(ModelInput input, PruningPolicy policy, PrefillOptions options) {
        return prefill(input, policy, options, null);
    }

    /** A prefill whose layers also report their intermediates to {@code observer}. */
    public MambaSession prefill(ModelInput input, PruningPolicy policy, PrefillOptions options, LayerObserver observer) {
        return prefill(input, policy, options, observer, PrefillProfile.NONE);
    }

    /** A prefill that also records the wall time of each part of the blocks into {@code profile}. */
    public MambaSession prefill(ModelInput input, PruningPolicy policy, PrefillOptions options, LayerObserver observer,
            PrefillProfile profile) {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(profile, "profile");
        enter();
        try {
            return runPrefill(input, policy, options, observer, profile);
        } finally {
            exit();
        }
    }

    @Override
    public Generation generate(ModelInput input, GenerationConfig config, PruningPolicy policy, TokenListener listener) {
        try (MambaSession session = prefill(input, policy, PrefillOptions.DEFAULT, null)) {
            return Decoder.generate(session, config, listener);
        }
    }

    private MambaSession runPrefill(ModelInput input, PruningPolicy policy, PrefillOptions options, LayerObserver observer,
            PrefillProfile profile) {
        long start = System.nanoTime();
        TokenLayout layout = input.layout();
        NDManager sessionManager = weights.manager().newSubManager();
        try (NDManager pass = weights.manager().newSubManager()) {
            long t = profile.start();
            NDArray residual = embed(input, pass); // (L, d_model)
            profile.stop(PrefillProfile.Part.EMBED, t);
            int[] positions = new int[layout.length()];
            for (int i = 0; i < positions.length; i++) {
                positions[i] = i;
            }
            long seed = 0x9E3779B97F4A7C15L ^ layout.length();
            List<PruningTrace.LayerTrace> trace = new ArrayList<>(blocks.size());
            List<LayerCache> caches = new ArrayList<>(blocks.size());
            NDArray previousY = null;
            for (MambaBlock block : blocks) {
                try (NDManager scope = pass.newSubManager()) {
                    residual.tempAttach(scope);
                    MambaBlock.Projected p = block.project(residual, null, profile);
                    t = profile.start();
                    TensorLayerContext context = new TensorLayerContext(block.index(), blocks.size(), layout,
                            positions, p.delta(), p.b(), p.c(), previousY, seed);
                    Selection selection = select(policy, context);
                    float[] importance = options.recordImportance() ? context.importance() : null;
                    t = profile.stop(PrefillProfile.Part.POLICY, t);
                    NDArray convState = CausalConv.tail(p.convInput(), null, config.dConv());
                    convState.attach(sessionManager);
                    t = profile.stop(PrefillProfile.Part.CONV, t);

                    int[] kept = positions;
                    NDArray x = p.x();
                    NDArray z = p.z();
                    NDArray delta = p.delta();
                    NDArray b = p.b();
                    NDArray c = p.c();
                    NDArray res = residual;
                    if (!selection.keepsAll()) {
                        int[] rows = selection.indices();
                        kept = new int[rows.length];
                        for (int i = 0; i < rows.length; i++) {
                            kept[i] = positions[rows[i]];
                        }
                        NDArray index = NativeArrays.longs(scope, rows);
                        x = Ops.gatherRows(x, index);
                        z = Ops.gatherRows(z, index);
                        delta = Ops.gatherRows(delta, index);
                        b = Ops.gatherRows(b, index);
                        c = Ops.gatherRows(c, index);
                        res = Ops.gatherRows(res, index);
                    }
                    profile.stop(PrefillProfile.Part.GATHER, t);
                    MambaBlock.Mixed mixed = block.mix(x, z, delta, b, c, null, scan, profile);
                    t = profile.start();
                    NDArray next = res.add(mixed.output());
                    if (options.checkFinite()) {
                        checkFinite(next, block.index());
                    }
                    if (observer != null) {
                        observer.onLayer(new LayerObserver.LayerTensors(block.index(), positions, kept, x, z, delta, b,
                                c, mixed.y(), block.a()));
                    }
                    mixed.state().attach(sessionManager);
                    caches.add(new LayerCache(convState, mixed.state()));
                    trace.add(new PruningTrace.LayerTrace(block.index(), positions, kept, importance));
                    next.attach(pass);
                    mixed.y().attach(pass);
                    if (previousY != null) {
                        previousY.close();
                    }
                    previousY = mixed.y();
                    residual.close();
                    residual = next;
                    positions = kept;
                    profile.stop(PrefillProfile.Part.RESIDUAL, t);
                }
            }
            if (previousY != null) {
                previousY.close();
            }
            t = profile.start();
            float[] logits = lastLogits(residual);
            profile.stop(PrefillProfile.Part.LM_HEAD, t);
            long nanos = System.nanoTime() - start;
            return new MambaSession(this, sessionManager, caches, logits, new PruningTrace(layout, trace), nanos);
        } catch (RuntimeException e) {
            sessionManager.close();
            throw e;
        }
    }

    private Selection select(PruningPolicy policy, TensorLayerContext context) {
        Selection selection;
        try {
            selection = policy.select(context);
        } catch (DtpException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new PolicyException("policy '" + policy.name() + "' failed at layer " + context.layer() + ": " + e, e);
        }
        if (selection == null) {
            throw new PolicyException("policy '" + policy.name() + "' returned null at layer " + context.layer());
        }
        selection.validate(policy.name(), context.layer(), context.tokenCount());
        return selection;
    }

    /** The token and embedding segments concatenated into the residual stream (L, d_model). */
    private NDArray embed(ModelInput input, NDManager pass) {
        NDList parts = new NDList();
        int position = 0;
        for (ModelInput.Segment segment : input.segments()) {
            if (segment.isEmbedding()) {
                parts.add(checkedEmbeddings(segment.embeddings(), position, pass));
            } else {
                int[] ids = segment.ids();
                for (int i = 0; i < ids.length; i++) {
                    if (ids[i] < 0 || ids[i] >= config.vocabSize()) {
                        throw new InputException("token id " + ids[i] + " at position " + (position + i)
                                + " is outside the vocabulary [0, " + config.vocabSize() + ")");
                    }
                }
                try (NDArray index = NativeArrays.longs(pass, ids)) {
                    parts.add(weights.embedding().get(pass, new NDIndex("{}", index)));
                }
            }
            position += segment.length();
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        NDArray all = NDArrays.concat(parts, 0);
        all.attach(pass);
        parts.close();
        return all;
    }

    private NDArray checkedEmbeddings(NDArray embeddings, int position, NDManager pass) {
        long width = embeddings.getShape().get(1);
        if (width != config.dModel()) {
            throw new InputException("embeddings at position " + position + " have width " + width
                    + ", the model's d_model is " + config.dModel());
        }
        NDArray copy = embeddings.toDevice(device(), true).toType(DataType.FLOAT32, false);
        copy.attach(pass);
        try (NDArray bad = copy.isNaN().logicalOr(copy.isInfinite()).any()) {
            if (bad.getBoolean()) {
                throw new InputException("embeddings starting at position " + position + " contain NaN or Inf");
            }
        }
        return copy;
    }

    private static void checkFinite(NDArray residual, int layer) {
        try (NDArray bad = residual.isNaN().logicalOr(residual.isInfinite()).any()) {
            if (bad.getBoolean()) {
                throw new DtpException("non-finite values (NaN/Inf) in the residual stream after layer " + layer);
            }
        }
    }

    /** norm_f and lm_head on the last row of the residual stream; unpadded vocabulary. */
    float[] lastLogits(NDArray residual) {
        long rows = residual.getShape().get(0);
        try (NDArray last = Ops.rows(residual, rows - 1, rows);
                NDArray normed = Ops.rmsNorm(last, weights.normF(), config.normEps());
                NDArray logits = Ops.linear(normed, weights.lmHead(), null);
                NDArray vocab = logits.get(new NDIndex(":, 0:{}", config.vocabSize()))) {
            return vocab.toFloatArray();
        }
    }

    /** One decode step through every layer; caches are replaced in place. */
    float[] step(int tokenId, List<LayerCache> caches, NDManager cacheManager) {
        if (tokenId < 0 || tokenId >= config.vocabSize()) {
            throw new InputException("token id " + tokenId + " is outside the vocabulary [0, " + config.vocabSize() + ")");
        }
        enter();
        try (NDManager scope = weights.manager().newSubManager()) {
            NDArray residual;
            try (NDArray index = NativeArrays.longs(scope, new int[] {tokenId})) {
                residual = weights.embedding().get(scope, new NDIndex("{}", index)); // (1, d_model)
            }
            for (MambaBlock block : blocks) {
                MambaBlock.Stepped s = block.step(residual, caches.get(block.index()), cacheManager);
                caches.set(block.index(), s.cache());
                residual = residual.add(s.output());
            }
            return lastLogits(residual);
        } finally {
            exit();
        }
    }

    private void enter() {
        lifecycle.readLock().lock();
        if (closed) {
            lifecycle.readLock().unlock();
            throw new IllegalStateException("the model is closed");
        }
    }

    private void exit() {
        lifecycle.readLock().unlock();
    }

    /** Frees the weights after running calls finish; later calls fail with IllegalStateException. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            weights.close();
            owner.close();
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /**
     * Native arrays the model's managers hold right now (weights, derived weights, open sessions):
     * constant across prefills when nothing leaks. For leak tests and diagnostics.
     */
    public int managedArrayCount() {
        return owner instanceof ai.djl.ndarray.BaseNDManager base ? base.getManagedArrays().size() : -1;
    }

    boolean isClosed() {
        return closed;
    }
}

package dev.dtp.mamba.model;

import ai.djl.Device;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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
import dev.dtp.core.SequenceState;
import dev.dtp.core.TensorLayerContext;
import dev.dtp.core.TokenKind;
import dev.dtp.core.TokenLayout;
import dev.dtp.core.generate.Generation;
import dev.dtp.core.generate.GenerationConfig;
import dev.dtp.core.generate.TokenListener;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.checkpoint.CheckpointLoader;
import dev.dtp.mamba.checkpoint.ConfigException;
import dev.dtp.mamba.decode.DecodeLayer;
import dev.dtp.mamba.decode.DecodeState;
import dev.dtp.mamba.decode.FusedStep;
import dev.dtp.mamba.scan.ScanKernels;
import dev.dtp.mamba.scan.SelectiveScan;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Mamba language model (batch of one) whose prefill a {@link PruningPolicy} can prune.
 *
 * <p>Thread-safety: a loaded model is immutable and may serve prefills and generations from many
 * threads at once; each {@link Prefill} it returns belongs to one thread. {@link #close()} waits
 * for running calls to finish; calls made after it fail with {@link IllegalStateException}.
 */
public final class MambaModel implements PrunableModel, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MambaModel.class);
    private final MambaConfig config;
    private final MambaWeights weights;
    private final List<MambaBlock> blocks;
    private final SelectiveScan scan;
    private final PruningDefaults defaults;
    /** The fused CPU decode step over the weights' memory, or null where it cannot run (GPU, no Vector API). */
    private final FusedStep fused;
    private final DecodeKernel decodeKernel;
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean closed;
    private volatile String fingerprint;

    /** What closing the model frees: the loader's root manager, or the weights' own manager. */
    private final NDManager owner;

    private MambaModel(MambaWeights weights, SelectiveScan scan, PruningDefaults defaults, NDManager owner,
            DecodeKernel decodeKernel) {
        this.owner = owner;
        this.config = weights.config();
        this.weights = weights;
        this.scan = scan;
        this.defaults = defaults;
        List<MambaBlock> list = new ArrayList<>(config.layers());
        for (int i = 0; i < config.layers(); i++) {
            Q8Weights.Layer q8 = weights.q8() == null ? null : weights.q8().layers().get(i);
            list.add(new MambaBlock(i, config, weights.layers().get(i), q8, weights.manager()));
        }
        this.blocks = List.copyOf(list);
        this.fused = fusedStep();
        // int8 matrices exist only as int8 blocks: the fused step is the only fast way to read them
        this.decodeKernel = fused != null && (decodeKernel == DecodeKernel.FUSED || weights.q8() != null)
                ? DecodeKernel.FUSED : DecodeKernel.NDARRAY;
    }

    private FusedStep fusedStep() {
        if (!FusedStep.supported() || !CpuConv.supports(weights.normF())) {
            return null;
        }
        List<DecodeLayer> layers = new ArrayList<>(blocks.size());
        for (MambaBlock block : blocks) {
            layers.add(block.decodeLayer());
        }
        Q8Weights q8 = weights.q8();
        return new FusedStep(config, q8 != null ? q8.embedding() : MambaBlock.rows(weights.embedding()), layers,
                weights.normF().toFloatArray(), q8 != null ? q8.lmHead() : MambaBlock.rows(weights.lmHead()));
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
        private WeightFormat format = WeightFormat.F32;
        private DecodeKernel decodeKernel = DecodeKernel.FUSED;
        private SelectiveScan scan;
        private PruningDefaults defaults;

        public Builder device(Device device) {
            this.device = Objects.requireNonNull(device);
            return this;
        }

        /**
         * How the large matrices are held (default {@link WeightFormat#F32}); {@link WeightFormat#INT8}
         * quantises them at load (CPU only), or copies them as they are from a pre-quantised directory
         * ({@code dtp convert --weights int8}), which float32 dequantises with a warning.
         */
        public Builder weights(WeightFormat format) {
            this.format = Objects.requireNonNull(format);
            return this;
        }

        /**
         * The kernel {@link MambaSession#decode(int)} and generation use for float32 weights (default
         * {@link DecodeKernel#FUSED} where it runs: 1.03–1.24× libtorch's step on an idle 2-core
         * machine, docs/BENCHMARKS.md section 9); int8 models always decode fused, the only kernel
         * that reads int8.
         */
        public Builder decodeKernel(DecodeKernel kernel) {
            this.decodeKernel = Objects.requireNonNull(kernel);
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
        public Builder calibration(Path calibrationJson) {
            this.defaults = ModelDefaults.readCalibration(calibrationJson);
            return this;
        }

        public MambaModel load(Path modelDir) {
            checkFormat(device, format == WeightFormat.INT8);
            NDManager root = NDManager.newBaseManager(device);
            try {
                MambaWeights w = CheckpointLoader.load(modelDir, root, DataType.FLOAT32, format);
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
            checkFormat(weights.normF().getDevice(), format == WeightFormat.INT8 || weights.q8() != null);
            MambaWeights w = format == WeightFormat.INT8 ? WeightQuantizer.toInt8(weights) : weights;
            return create(w, d, weights.manager());
        }

        private static void checkFormat(Device on, boolean int8) {
            if (int8 && (!Device.Type.CPU.equals(on.getDeviceType()) || !FusedStep.supported())) {
                throw new ConfigException("int8 weights run on the CPU with the Vector API (java --add-modules "
                        + "jdk.incubator.vector); asked for " + on + (FusedStep.supported() ? "" : " without the Vector API"));
            }
        }

        private MambaModel create(MambaWeights w, PruningDefaults d, NDManager owner) {
            SelectiveScan s = scan != null ? scan : ScanKernels.forDevice(w.normF().getDevice());
            LOG.debug("model on {}: scan kernel '{}'{}, decode kernel {}, DTP defaults early {} r {} late {}",
                    w.normF().getDevice(), s.name(), scan != null ? " (forced)" : "", decodeKernel, d.early(),
                    d.keepRatio(), d.late());
            if (s.name().equals("reference")) {
                LOG.warn("the reference scan kernel is in use: plain Java, meant for tests, far slower than 'cpu'");
            }
            return new MambaModel(w, s, d, owner, decodeKernel);
        }
    }

    public MambaConfig config() {
        return config;
    }

    public SelectiveScan scanKernel() {
        return scan;
    }

    public Device device() {
        return weights.normF().getDevice();
    }

    /** How the large matrices are held. */
    public WeightFormat weightFormat() {
        return weights.format();
    }

    /** Bytes the weights occupy: the float32 arrays (shared ones once) and the int8 blocks. */
    public long weightBytes() {
        Set<NDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        long n = 0;
        List<NDArray> arrays = new ArrayList<>(Arrays.asList(weights.embedding(), weights.normF(), weights.lmHead()));
        for (LayerWeights l : weights.layers()) {
            arrays.addAll(Arrays.asList(l.norm(), l.inProj(), l.inProjBias(), l.convWeight(), l.convBias(), l.xProj(),
                    l.dtProj(), l.dtProjBias(), l.aLog(), l.d(), l.outProj(), l.outProjBias()));
        }
        for (NDArray a : arrays) {
            if (a != null && seen.add(a)) {
                n += Float.BYTES * a.size();
            }
        }
        return n + (weights.q8() == null ? 0 : weights.q8().bytes());
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

    /**
     * A prefill whose layers also report their intermediates to {@code observer}: each layer's
     * tensors after its scan and, if the observer asks ({@link LayerObserver#observesStages}), the
     * output of every named stage as it finishes.
     */
    public MambaSession prefill(ModelInput input, PruningPolicy policy, PrefillOptions options, LayerObserver observer) {
        return prefill(input, policy, options, observer, PrefillProfile.NONE);
    }

    /** A prefill that also records the wall time of each part of the blocks into {@code profile}. */
    public MambaSession prefill(ModelInput input, PruningPolicy policy, PrefillOptions options, LayerObserver observer,
            PrefillProfile profile) {
        return run(null, input, policy, options, observer, profile, true);
    }

    @Override
    public MambaSession prefill(SequenceState state, ModelInput input, PruningPolicy policy, PrefillOptions options) {
        return run(state, input, policy, options, null, PrefillProfile.NONE, true);
    }

    /** A continuation of {@code state} (null: the start) that also reports to {@code observer} and {@code profile}. */
    public MambaSession prefill(SequenceState state, ModelInput input, PruningPolicy policy, PrefillOptions options,
            LayerObserver observer, PrefillProfile profile) {
        return run(state, input, policy, options, observer, profile, true);
    }

    @Override
    public MambaState prefix(SequenceState state, ModelInput input, PruningPolicy policy, PrefillOptions options) {
        Objects.requireNonNull(policy, "policy");
        requirePrefixSafe(policy);
        try (MambaSession session = run(state, input, policy, options, null, PrefillProfile.NONE, false)) {
            return session.takeState();
        }
    }

    /** The state after {@code input}, continuing {@code state} (null: from the start). */
    public MambaState prefix(SequenceState state, ModelInput input, PruningPolicy policy) {
        return prefix(state, input, policy, PrefillOptions.DEFAULT);
    }

    @Override
    public MambaState loadState(Path file) {
        enter();
        try {
            return StateFile.read(file, this);
        } finally {
            exit();
        }
    }

    /**
     * The identity of this model's weights that saved states record (see {@link ModelFingerprint});
     * computed once, on first use.
     */
    public String fingerprint() {
        String f = fingerprint;
        if (f == null) {
            enter();
            try {
                f = ModelFingerprint.of(weights);
                fingerprint = f;
            } finally {
                exit();
            }
        }
        return f;
    }

    /** A manager for a state's arrays, on the model's device. */
    NDManager newStateManager() {
        return weights.manager().newSubManager();
    }

    @Override
    public Generation generate(ModelInput input, GenerationConfig config, PruningPolicy policy, TokenListener listener) {
        try (MambaSession session = prefill(input, policy, PrefillOptions.DEFAULT, null)) {
            return Decoder.generate(session, config, listener);
        }
    }

    @Override
    public Generation generate(SequenceState state, ModelInput input, GenerationConfig config, PruningPolicy policy,
            TokenListener listener) {
        try (MambaSession session = prefill(state, input, policy, PrefillOptions.DEFAULT)) {
            return Decoder.generate(session, config, listener);
        }
    }

    private MambaSession run(SequenceState state, ModelInput input, PruningPolicy policy, PrefillOptions options,
            LayerObserver observer, PrefillProfile profile, boolean requireLogits) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(profile, "profile");
        enter();
        try {
            MambaState start = state == null ? null : continuable(state, input, policy);
            MambaSession session = runPrefill(start, input, policy, options, observer, profile, requireLogits);
            if (LOG.isDebugEnabled()) {
                LOG.debug("prefill [{}] {} new tokens{} in {} ms; kept per stage: {}", policy.name(), input.length(),
                        start == null ? "" : " continuing a state of " + start.length() + " positions",
                        session.prefillNanos() / 1_000_000, stages(session.trace()));
            }
            return session;
        } finally {
            exit();
        }
    }

    /** The checks before a state is continued: same model, same policy, one that may be split. */
    private MambaState continuable(SequenceState state, ModelInput input, PruningPolicy policy) {
        if (!(state instanceof MambaState s)) {
            throw new InputException("a " + state.getClass().getSimpleName() + " cannot continue a Mamba model");
        }
        if (!s.modelFingerprint().equals(fingerprint())) {
            throw new InputException("the state was made by model " + s.modelFingerprint() + ", not by this model ("
                    + fingerprint() + ")");
        }
        if (!s.policy().equals(policy.name())) {
            throw new PolicyException("the state was pruned with policy '" + s.policy()
                    + "'; it cannot be continued with policy '" + policy.name() + "'");
        }
        requirePrefixSafe(policy);
        int before = s.layout().count(TokenKind.VISUAL);
        int added = input.layout().count(TokenKind.VISUAL);
        if (policy != PruningPolicy.none() && before > 0 && added > 0) {
            throw new InputException("the state already holds " + before + " visual tokens and the continuation adds "
                    + added + " more: policy '" + policy.name() + "' chooses among all visual tokens of a prefill, "
                    + "so a prefill cannot be split between images; prefill them together");
        }
        return s;
    }

    static void requirePrefixSafe(PruningPolicy policy) {
        requirePrefixSafe(policy.name(), policy.prefixSafe());
    }

    static void requirePrefixSafe(String policy, boolean prefixSafe) {
        if (!prefixSafe) {
            throw new PolicyException("policy '" + policy + "' is not prefix-safe (its choice over earlier "
                    + "tokens may depend on later ones), so its prefill cannot be split into a prefix and a "
                    + "continuation; prefill the whole sequence at once");
        }
    }

    /**
     * The prefill, layer by layer as in the paper: project (norm, in_proj, conv, x_proj, Δ) every
     * current token, let the policy select on Δ, gather the kept tokens, mix (scan, gate,
     * out_proj) and add to the residual stream. Continuing {@code start}, each layer's conv and
     * scan start from its saved conv window and SSM state.
     */
    private MambaSession runPrefill(MambaState start, ModelInput input, PruningPolicy policy, PrefillOptions options,
            LayerObserver observer, PrefillProfile profile, boolean requireLogits) {
        long begin = System.nanoTime();
        int offset = start == null ? 0 : start.length();
        TokenLayout layout = start == null ? input.layout() : start.layout().append(input.layout());
        NDManager sessionManager = weights.manager().newSubManager();
        PrefillCollector out = new PrefillCollector(sessionManager, config, options.recordImportance());
        StageProbe probe = StageProbe.of(profile, observer); // every stage of the blocks: timed, and shown if asked
        try (NDManager pass = weights.manager().newSubManager()) {
            long t = profile.start();
            NDArray residual = embed(input, pass); // (L, d_model)
            DequantScratch scratch = weights.q8() == null ? null : new DequantScratch(pass, config);
            profile.stop(PrefillProfile.Part.EMBED, t);
            int[] positions = range(offset, offset + input.length());
            NDArray previousY = null;
            int emptiedAt = -1;
            for (MambaBlock block : blocks) {
                int l = block.index();
                LayerCache before = start == null ? null : start.layer(l);
                if (positions.length == 0) { // every token was withdrawn below: this layer's state stays as it was
                    out.unchanged(l, before);
                    continue;
                }
                try (NDManager scope = pass.newSubManager()) {
                    residual.tempAttach(scope);
                    NDArray history = before == null ? null : before.convState();
                    MambaBlock.Matrices matrices = block.matrices(scratch); // int8: this layer dequantised
                    MambaBlock.Projected p = block.project(residual, history, matrices, probe);
                    t = profile.start();
                    TensorLayerContext context = new TensorLayerContext(l, blocks.size(), layout, positions, p.delta(),
                            p.b(), p.c(), previousY, residual);
                    Selection selection = select(policy, context); // the policy ranks on Δ (Eq. 6)
                    float[] importance = options.recordImportance() ? context.importance() : null;
                    t = profile.stop(PrefillProfile.Part.POLICY, t);
                    // the conv ran over every current token, so the window it hands on is the unpruned one
                    NDArray convState = out.keep(CausalConv.tail(p.convInput(), history, config.dConv()));
                    t = profile.stop(PrefillProfile.Part.CONV, t);
                    int[] kept = positions;
                    NDArray res = residual;
                    if (!selection.keepsAll()) {
                        int[] rows = selection.indices();
                        kept = pick(positions, rows);
                        if (rows.length > 0) {
                            NDArray index = NativeArrays.longs(scope, rows);
                            p = p.gather(index);
                            res = Ops.gatherRows(residual, index);
                        }
                    }
                    profile.stop(PrefillProfile.Part.GATHER, t);
                    out.trace(l, positions, kept, importance);
                    if (kept.length == 0) { // withdrawn at this layer: its scan ran on nothing
                        out.cache(l, convState, out.ssmOf(before));
                        emptiedAt = l;
                        residual.close();
                        residual = null;
                        positions = kept;
                        continue;
                    }
                    MambaBlock.Mixed mixed = block.mix(p, before == null ? null : before.ssmState(), scan, matrices, probe);
                    t = profile.start();
                    NDArray next = res.add(mixed.output()); // the residual stream
                    if (options.checkFinite()) {
                        checkFinite(next, l);
                    }
                    if (observer != null) {
                        observer.onLayer(new LayerObserver.LayerTensors(l, positions, kept, p.x(), p.z(), p.delta(),
                                p.b(), p.c(), mixed.y(), block.a()));
                    }
                    out.cache(l, convState, out.keep(mixed.state()));
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
            float[] logits = residual != null ? lastLogits(residual) : start == null ? null : start.logitsOrNull();
            profile.stop(PrefillProfile.Part.LM_HEAD, t);
            if (logits == null && requireLogits) {
                throw new PolicyException("policy '" + policy.name() + "' at layer " + emptiedAt
                        + ": selection is empty; at least one token must remain to predict the next one");
            }
            PruningTrace before = start == null ? PruningTrace.empty(blocks.size()) : start.trace();
            PruningTrace trace = before.append(layout, out.traceLayers());
            return new MambaSession(this, sessionManager, out.caches(), logits, trace, System.nanoTime() - begin,
                    policy.name(), policy.prefixSafe());
        } catch (RuntimeException e) {
            sessionManager.close();
            throw e;
        }
    }

    /** Tokens kept where the count changes: {@code L0 760 → L15 395 → L45 31}. */
    private static String stages(PruningTrace trace) {
        StringBuilder sb = new StringBuilder();
        int last = -1;
        for (PruningTrace.LayerTrace t : trace.layers()) {
            if (t.keptCount() != last) {
                sb.append(sb.length() == 0 ? "" : " → ").append('L').append(t.layer()).append(' ').append(t.keptCount());
                last = t.keptCount();
            }
        }
        return sb.toString();
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    /** The original positions of the selected current tokens. */
    private static int[] pick(int[] positions, int[] rows) {
        int[] kept = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            kept[i] = positions[rows[i]];
        }
        return kept;
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
        selection.validate(policy.name(), context.layer(), context.tokenCount(), true);
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
                parts.add(embedRows(ids, pass));
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

    /** The embedding rows of token ids (checked), (n, d_model) in {@code manager}. */
    private NDArray embedRows(int[] ids, NDManager manager) {
        if (weights.q8() == null) {
            try (NDArray index = NativeArrays.longs(manager, ids)) {
                return weights.embedding().get(manager, new NDIndex("{}", index));
            }
        }
        int d = config.dModel();
        float[] rows = new float[ids.length * d];
        for (int i = 0; i < ids.length; i++) {
            weights.q8().embedding().row(ids[i], rows, i * d);
        }
        return NativeArrays.floats(manager, rows, new Shape(ids.length, d));
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
        if (weights.q8() != null) { // int8 head: one pass over its rows in Java
            try (NDArray last = Ops.rows(residual, rows - 1, rows);
                    NDArray normed = Ops.rmsNorm(last, weights.normF(), config.normEps())) {
                return fused.logits(normed.toFloatArray());
            }
        }
        try (NDArray last = Ops.rows(residual, rows - 1, rows);
                NDArray normed = Ops.rmsNorm(last, weights.normF(), config.normEps());
                NDArray logits = Ops.linear(normed, weights.lmHead(), null);
                NDArray vocab = logits.get(new NDIndex(":, 0:{}", config.vocabSize()))) {
            return vocab.toFloatArray();
        }
    }

    /**
     * The kernel {@link MambaSession#decode(int)} uses: {@link DecodeKernel#FUSED} on the CPU when the
     * Vector API is present (unless the builder chose {@link DecodeKernel#NDARRAY} for float32
     * weights), else {@link DecodeKernel#NDARRAY}.
     */
    public DecodeKernel decodeKernel() {
        return decodeKernel;
    }

    /** Weight bytes one fused decode step reads (every layer, one embedding row, norm_f, lm_head); 0 without it. */
    public long decodeBytesPerToken() {
        return fused == null ? 0 : fused.bytesPerToken();
    }

    /**
     * The fused step's view of a session's caches, made once per session: each cache moves into a
     * fresh contiguous array of {@code cacheManager} (so that the view is the array's own memory,
     * which the step then updates in place) and the old array is closed.
     */
    DecodeState fusedState(List<LayerCache> caches, NDManager cacheManager) {
        if (fused == null) {
            throw new IllegalStateException("the fused decode step runs on the CPU with the Vector API "
                    + "(--add-modules jdk.incubator.vector); this model decodes with " + DecodeKernel.NDARRAY);
        }
        enter();
        try {
            ByteBuffer[] conv = new ByteBuffer[caches.size()];
            ByteBuffer[] ssm = new ByteBuffer[caches.size()];
            for (int l = 0; l < caches.size(); l++) {
                LayerCache old = caches.get(l);
                NDArray c = contiguousCopy(old.convState(), cacheManager);
                NDArray h = contiguousCopy(old.ssmState(), cacheManager);
                caches.set(l, new LayerCache(c, h));
                old.convState().close();
                old.ssmState().close();
                conv[l] = c.size() == 0 ? null : c.toByteBuffer(true);
                ssm[l] = h.toByteBuffer(true);
            }
            return fused.newState(conv, ssm);
        } finally {
            exit();
        }
    }

    private static NDArray contiguousCopy(NDArray a, NDManager manager) {
        NDArray copy = manager.create(a.getShape(), DataType.FLOAT32, a.getDevice());
        if (a.size() > 0) {
            NativeArrays.overwrite(copy, a.toFloatArray());
        }
        return copy;
    }

    /** One fused decode step; the caches behind {@code state} are updated in place. */
    float[] stepFused(int tokenId, DecodeState state) {
        checkToken(tokenId);
        enter();
        try {
            return fused.step(tokenId, state);
        } finally {
            exit();
        }
    }

    /** One fused decode step for a batch of sequences, each continuing its own state (updated in place). */
    float[][] stepFusedBatch(int[] tokens, DecodeState[] states) {
        for (int id : tokens) {
            checkToken(id);
        }
        enter();
        try {
            return fused.stepBatch(tokens, states);
        } finally {
            exit();
        }
    }

    private void checkToken(int tokenId) {
        if (tokenId < 0 || tokenId >= config.vocabSize()) {
            throw new InputException("token id " + tokenId + " is outside the vocabulary [0, " + config.vocabSize() + ")");
        }
    }

    /** One decode step through every layer with the NDArray block step; caches are replaced in place. */
    float[] step(int tokenId, List<LayerCache> caches, NDManager cacheManager) {
        checkToken(tokenId);
        enter();
        try (NDManager scope = weights.manager().newSubManager()) {
            NDArray residual = embedRows(new int[] {tokenId}, scope); // (1, d_model)
            DequantScratch scratch = weights.q8() == null ? null : new DequantScratch(scope, config);
            for (MambaBlock block : blocks) {
                MambaBlock.Stepped s = block.step(residual, caches.get(block.index()), cacheManager,
                        block.matrices(scratch));
                caches.set(block.index(), s.cache());
                residual = residual.add(s.output());
            }
            return lastLogits(residual);
        } finally {
            exit();
        }
    }

    /**
     * One decode step for a batch: token {@code tokens[i]} continues sequence i, whose per-layer
     * states are row i of {@code conv[l]} (B, K−1, d_inner) and {@code ssm[l]} (B, d_inner, N); the
     * arrays are replaced by the new states (in {@code scope}). Returns each row's logits.
     */
    float[][] stepBatch(int[] tokens, NDArray[] conv, NDArray[] ssm, NDManager scope) {
        for (int id : tokens) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new InputException("token id " + id + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
        enter();
        try (NDManager step = weights.manager().newSubManager()) {
            NDArray residual = embedRows(tokens, step); // (B, d_model)
            // int8: each layer's matrices dequantised into one scratch, once per step for the whole batch
            DequantScratch scratch = weights.q8() == null ? null : new DequantScratch(step, config);
            for (MambaBlock block : blocks) {
                int l = block.index();
                MambaBlock.BatchStepped s = block.stepBatch(residual, conv[l], ssm[l], block.matrices(scratch));
                residual = residual.add(s.output());
                NDArray newConv = s.conv() == conv[l] ? conv[l] : s.conv().duplicate();
                if (newConv != conv[l]) {
                    newConv.attach(scope);
                    conv[l].close();
                    conv[l] = newConv;
                }
                s.ssm().attach(scope);
                ssm[l].close();
                ssm[l] = s.ssm();
            }
            if (weights.q8() != null) { // int8 head: the fused batch kernel over its blocks
                try (NDArray normed = Ops.rmsNorm(residual, weights.normF(), config.normEps())) {
                    float[] flat = normed.toFloatArray();
                    int d = config.dModel();
                    float[][] rows = new float[tokens.length][];
                    for (int i = 0; i < tokens.length; i++) {
                        rows[i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
                    }
                    return fused.logitsBatch(rows);
                }
            }
            try (NDArray normed = Ops.rmsNorm(residual, weights.normF(), config.normEps());
                    NDArray all = Ops.linear(normed, weights.lmHead(), null);
                    NDArray vocab = all.get(new NDIndex(":, 0:{}", config.vocabSize()))) {
                float[] flat = vocab.toFloatArray();
                float[][] out = new float[tokens.length][];
                for (int i = 0; i < tokens.length; i++) {
                    out[i] = Arrays.copyOfRange(flat, i * config.vocabSize(), (i + 1) * config.vocabSize());
                }
                return out;
            }
        } finally {
            exit();
        }
    }

    @Override
    public List<Generation> generate(List<ModelInput> inputs, List<GenerationConfig> configs, PruningPolicy policy) {
        return generate(null, inputs, configs, policy);
    }

    /**
     * Batched generation, each input continuing {@code state} (null: from the start) — e.g. many
     * questions about one image: each question's prefill on its own, then one batched decode.
     */
    public List<Generation> generate(SequenceState state, List<ModelInput> inputs, List<GenerationConfig> configs,
            PruningPolicy policy) {
        return generate(state, inputs, configs, policy, batchKernel(inputs.size()));
    }

    /**
     * The largest batch that decodes on the fused step by default on this machine, as measured
     * (docs/BENCHMARKS.md section 6): 8 on an Intel CPU with 512-bit vectors (AVX-512), where
     * libtorch's GEMMs win from batch 16 on; unbounded with 256-bit vectors (AVX2) and on AMD CPUs
     * (Zen 3, Zen 4), where the fused step wins at every size. The system property
     * {@code dtp.decode.fusedBatchLimit} (a positive number, or {@code max}) overrides it.
     */
    public static int fusedBatchLimit() {
        return BatchDecoder.FUSED_BATCH_LIMIT;
    }

    /**
     * The kernel a batch of {@code size} decodes with by default: the model's, except that a batch
     * larger than {@link #fusedBatchLimit()} (an Intel CPU with 512-bit vectors) goes to libtorch's stacked
     * step (int8: each layer dequantised once per step for the batch), whose GEMMs outrun the fused
     * step's vector loops there once the batch makes the step compute-bound.
     */
    public DecodeKernel batchKernel(int size) {
        boolean large = size > fusedBatchLimit();
        return decodeKernel == DecodeKernel.FUSED && large ? DecodeKernel.NDARRAY : decodeKernel;
    }

    /**
     * {@link #generate(SequenceState, List, List, PruningPolicy)} with the batch decoded by the given
     * kernel: {@link DecodeKernel#FUSED} steps all sequences through the fused CPU step (each weight
     * read once per step for the batch, each sequence's logits equal to its own fused decode bit for
     * bit), {@link DecodeKernel#NDARRAY} stacks the states into (B, …) arrays for libtorch's batched
     * step (int8: each layer dequantised once per step). A batch of one decodes with the
     * single-sequence kernel.
     */
    public List<Generation> generate(SequenceState state, List<ModelInput> inputs, List<GenerationConfig> configs,
            PruningPolicy policy, DecodeKernel kernel) {
        Objects.requireNonNull(kernel, "kernel");
        if (kernel == DecodeKernel.FUSED && fused == null) {
            throw new ConfigException("the fused decode step runs on the CPU with the Vector API "
                    + "(--add-modules jdk.incubator.vector); this model decodes with " + DecodeKernel.NDARRAY);
        }
        if (inputs.size() != configs.size()) {
            throw new InputException(inputs.size() + " inputs but " + configs.size() + " generation configs");
        }
        List<MambaSession> sessions = new ArrayList<>(inputs.size());
        try {
            for (ModelInput input : inputs) {
                sessions.add(run(state, input, policy, PrefillOptions.DEFAULT, null, PrefillProfile.NONE, true));
            }
            return sessions.isEmpty() ? List.of() : BatchDecoder.generate(this, sessions, configs, kernel);
        } finally {
            sessions.forEach(MambaSession::close);
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
        return owner instanceof BaseNDManager base ? base.getManagedArrays().size() : -1;
    }
}

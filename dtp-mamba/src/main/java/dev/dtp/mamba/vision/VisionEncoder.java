package dev.dtp.mamba.vision;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import dev.dtp.core.InputException;
import dev.dtp.mamba.checkpoint.CheckpointException;
import dev.dtp.mamba.checkpoint.SafetensorsFile;
import dev.dtp.mamba.model.NativeArrays;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Image (or precomputed patch features) → visual tokens (patches, d_model): the patch embedding
 * with learned positions when the encoder is {@code patches}, then the projector MLP.
 * Owns its weights; thread-safe once built (it only reads them).
 */
public final class VisionEncoder implements AutoCloseable {
    public static final String PATCH_WEIGHT = "vision.patch_embed.weight";
    public static final String PATCH_BIAS = "vision.patch_embed.bias";
    public static final String POSITIONS = "vision.position_embed";

    private final VisionConfig config;
    private final int dModel;
    private final NDManager weights;
    private final NDArray patchWeight;
    private final NDArray patchBias;
    private final NDArray positions;
    private final List<NDArray> projWeights;
    private final List<NDArray> projBiases;
    private final ImagePreprocessor preprocessor;
    private FeatureBackbone backbone;

    private VisionEncoder(VisionConfig config, int dModel, NDManager weights, NDArray patchWeight, NDArray patchBias,
            NDArray positions, List<NDArray> projWeights, List<NDArray> projBiases) {
        this.config = config;
        this.dModel = dModel;
        this.weights = weights;
        this.patchWeight = patchWeight;
        this.patchBias = patchBias;
        this.positions = positions;
        this.projWeights = List.copyOf(projWeights);
        this.projBiases = List.copyOf(projBiases);
        this.preprocessor = config.encoder() == VisionConfig.Encoder.PATCHES && config.channels() == 3
                ? new ImagePreprocessor(config) : null;
    }

    /** Loads the vision tensors from the given safetensors files (the model's shards) onto {@code device}. */
    public static VisionEncoder load(VisionConfig config, int dModel, List<Path> files, Device device) {
        NDManager owner = NDManager.newBaseManager(device);
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            for (Path f : files) {
                opened.add(SafetensorsFile.open(f));
            }
            Loader l = new Loader(opened, owner);
            NDArray pw = null;
            NDArray pb = null;
            NDArray pos = null;
            if (config.encoder() == VisionConfig.Encoder.PATCHES) {
                pw = l.get(PATCH_WEIGHT, config.featureWidth(), config.patchDim());
                pb = l.get(PATCH_BIAS, config.featureWidth());
                pos = l.get(POSITIONS, config.patches(), config.featureWidth());
            }
            List<NDArray> ws = new ArrayList<>();
            List<NDArray> bs = new ArrayList<>();
            int[] idx = config.projector().linearIndices();
            int[] widths = config.projector().widths(config.featureWidth(), dModel);
            int in = config.featureWidth();
            for (int i = 0; i < idx.length; i++) {
                ws.add(l.get("projector." + idx[i] + ".weight", widths[i], in));
                bs.add(l.get("projector." + idx[i] + ".bias", widths[i]));
                in = widths[i];
            }
            return new VisionEncoder(config, dModel, owner, pw, pb, pos, ws, bs);
        } catch (RuntimeException e) {
            owner.close();
            throw e;
        } finally {
            opened.forEach(SafetensorsFile::close);
        }
    }

    private record Loader(List<SafetensorsFile> files, NDManager owner) {
        NDArray get(String name, long... shape) {
            for (SafetensorsFile f : files) {
                if (f.contains(name)) {
                    long[] actual = f.info(name).shape();
                    if (!Arrays.equals(actual, shape)) {
                        throw new CheckpointException(f.path() + ": tensor '" + name + "' has shape "
                                + Arrays.toString(actual) + ", config.json's vision section implies "
                                + Arrays.toString(shape));
                    }
                    return f.load(name, owner);
                }
            }
            throw new CheckpointException(files.isEmpty() ? "no safetensors file" : files.get(0).path()
                    + ": vision tensor '" + name + "' is missing (config.json has a vision section)");
        }
    }

    public VisionConfig config() {
        return config;
    }

    /** Runs images through {@code backbone} (a {@code features} encoder's vision tower); the encoder closes it. */
    void useBackbone(FeatureBackbone backbone) {
        this.backbone = backbone;
    }

    /** Visual tokens of one image: (patches, d_model) in {@code manager}. */
    public NDArray encode(BufferedImage image, NDManager manager) {
        if (preprocessor == null && backbone != null) {
            try (NDManager scope = manager.newSubManager()) {
                NDArray tokens = encodeFeatures(backbone.features(image, scope), manager);
                return tokens;
            }
        }
        if (preprocessor == null) {
            throw new InputException("this model's vision encoder is '" + config.encoder().name().toLowerCase()
                    + "' and config.json names no vision tower or TorchScript backbone: give precomputed patch features,"
                    + " not an image");
        }
        float[] pixels = preprocessor.patches(image);
        try (NDManager scope = manager.newSubManager()) {
            NDArray p = NativeArrays.floats(scope, pixels, new Shape(config.patches(), config.patchDim()))
                    .toDevice(weights.getDevice(), false);
            p.attach(scope);
            NDArray features = Linear.linear(p, patchWeight, patchBias).singletonOrThrow().add(positions);
            NDArray tokens = project(features, scope);
            tokens.attach(manager);
            return tokens;
        }
    }

    /**
     * Visual tokens from precomputed patch features (patches, feature_width).
     *
     * @throws InputException on a wrong shape or non-finite values
     */
    public NDArray encodeFeatures(NDArray features, NDManager manager) {
        Shape s = features.getShape();
        if (s.dimension() != 2 || s.get(1) != config.featureWidth() || s.get(0) != config.patches()) {
            throw new InputException("patch features must have shape (" + config.patches() + ", "
                    + config.featureWidth() + "), got " + s);
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray f = features;
            if (f.getDataType() != DataType.FLOAT32) {
                f = inScope(scope, f.toType(DataType.FLOAT32, false));
            }
            if (!f.getDevice().equals(weights.getDevice())) {
                f = inScope(scope, f.toDevice(weights.getDevice(), false));
            }
            // results of ops on the caller's array would land in the caller's manager: keep them here
            NDArray bad = inScope(scope, inScope(scope, f.isInfinite()).logicalOr(inScope(scope, f.isNaN())));
            if (inScope(scope, bad.any()).getBoolean()) {
                throw new InputException("patch features contain NaN or Inf");
            }
            NDArray tokens = project(f, scope);
            tokens.attach(manager);
            return tokens;
        }
    }

    private static NDArray inScope(NDManager scope, NDArray a) {
        a.attach(scope);
        return a;
    }

    /** The projector: Linear layers with GELU between them (exact, erf-based GELU as torch.nn.GELU). */
    private NDArray project(NDArray features, NDManager scope) {
        NDArray h = features;
        for (int i = 0; i < projWeights.size(); i++) {
            h = inScope(scope, Linear.linear(h, projWeights.get(i), projBiases.get(i)).singletonOrThrow());
            if (i + 1 < projWeights.size()) {
                h = inScope(scope, Activation.gelu(h));
            }
        }
        return h;
    }

    public int dModel() {
        return dModel;
    }

    @Override
    public void close() {
        try {
            if (backbone != null) {
                backbone.close();
            }
        } finally {
            weights.close();
        }
    }
}

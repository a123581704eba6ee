package dev.dtp.mamba.vision;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.dtp.mamba.checkpoint.CheckpointException;
import dev.dtp.mamba.checkpoint.ConfigException;
import dev.dtp.mamba.checkpoint.SafetensorsFile;
import dev.dtp.mamba.vision.vit.VisionTransformer;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's vision tower run in Java ({@link TowerSpec}): the image is resized once (Pillow's
 * bicubic), each ViT gets it normalised its own way, and their patch features are concatenated per
 * patch — Cobra's DINOv2 ‖ SigLIP (729, 2176), RoboMamba's CLIP (256, 1024). Weights come from timm's
 * safetensors files in the model directory, on the model's device. Thread-safe once loaded.
 */
public final class ViTTower implements FeatureBackbone {
    private final TowerSpec spec;
    private final NDManager weights;
    private final List<VisionTransformer> vits;

    private ViTTower(TowerSpec spec, NDManager weights, List<VisionTransformer> vits) {
        this.spec = spec;
        this.weights = weights;
        this.vits = List.copyOf(vits);
    }

    /**
     * Loads the tower's files (relative to {@code dir}) onto {@code device}, checking each against its ViT.
     *
     * @throws CheckpointException naming the file, tower and tensor when a file does not hold that ViT
     */
    public static ViTTower load(Path dir, TowerSpec spec, Device device) {
        NDManager weights = NDManager.newBaseManager(device);
        try {
            List<VisionTransformer> vits = new ArrayList<>();
            for (TowerSpec.Part part : spec.parts()) {
                Path file = dir.resolve(part.file()).normalize();
                if (!file.startsWith(dir.normalize())) {
                    throw new ConfigException(dir.resolve("config.json") + ": vision tower '" + spec.name() + "': file '"
                            + part.file() + "' is outside the model directory");
                }
                if (!Files.isRegularFile(file)) {
                    throw new ConfigException(file + ": weights of tower '" + spec.name() + "' (" + part.vit().name()
                            + ") not found (dtp convert --vision writes them)");
                }
                try (SafetensorsFile f = SafetensorsFile.open(file)) {
                    vits.add(VisionTransformer.load(f, part.prefix(), part.vit(), spec.name(), weights));
                }
            }
            return new ViTTower(spec, weights, vits);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    /**
     * Checks that the tower's output fits the projector and visual-token count of a vision section.
     *
     * @param source the config file, for messages
     */
    public static void checkFits(TowerSpec spec, VisionConfig config, String source) {
        if (spec.featureWidth() != config.featureWidth()) {
            throw new CheckpointException(source + ": vision tower '" + spec.name() + "' gives " + spec.featureWidth()
                    + "-wide patch features (" + widths(spec) + ") but the projector reads " + config.featureWidth()
                    + "-wide ones (projector.0.weight)");
        }
        if (spec.patches() != config.patches()) {
            throw new ConfigException(source + ": vision tower '" + spec.name() + "' gives " + spec.patches()
                    + " patches but vision.patches is " + config.patches());
        }
    }

    private static String widths(TowerSpec spec) {
        return String.join(" + ", spec.parts().stream().map(p -> p.vit().name() + " " + p.vit().width()).toList());
    }

    public TowerSpec spec() {
        return spec;
    }

    /** (patches, feature_width): the ViTs' features side by side, in {@code manager}. */
    @Override
    public NDArray features(BufferedImage image, NDManager manager) {
        int size = spec.imageSize();
        int[] rgb = Pixels.resized(image, size, spec.shortestEdgeCrop());
        try (NDManager scope = manager.newSubManager(weights.getDevice())) {
            NDList parts = new NDList();
            for (VisionTransformer vit : vits) {
                parts.add(vit.patchTokens(Pixels.normalised(rgb, size, vit.spec().mean(), vit.spec().std()), scope));
            }
            NDArray features = parts.size() == 1 ? parts.head().duplicate() : NDArrays.concat(parts, 1);
            features.attach(manager);
            return features;
        }
    }

    @Override
    public void close() {
        weights.close();
    }
}

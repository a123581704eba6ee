package dev.dtp.mamba.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;

/**
 * An image → per-patch features (patches, feature_width) for the projector: a model's vision tower,
 * run in Java ({@link ViTTower}) or exported with TorchScript ({@link TorchScriptBackbone}).
 * Implementations are thread-safe once loaded.
 */
public interface FeatureBackbone extends AutoCloseable {
    /** Patch features of one image, in {@code manager}. */
    NDArray features(BufferedImage image, NDManager manager);

    @Override
    void close();
}

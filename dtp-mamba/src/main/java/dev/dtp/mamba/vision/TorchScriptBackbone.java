package dev.dtp.mamba.vision;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.dtp.core.InputException;
import dev.dtp.mamba.checkpoint.ConfigException;
import dev.dtp.mamba.model.NativeArrays;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A vision backbone exported once with TorchScript (e.g. Cobra's DINOv2 + SigLIP, docs/COBRA.md),
 * run through DJL's PyTorch engine: image → patch features (patches, feature_width). The image is
 * resized to image_size × image_size with Pillow's bicubic filter ({@link PilResize}, aspect ratio not
 * kept: Cobra's "resize-naive"), scaled
 * to [0, 1], and — unless the export normalises itself ({@code "input": "unit"}) — normalised with
 * the config's mean and std; the tensor passed is (1, 3, size, size).
 */
public final class TorchScriptBackbone implements FeatureBackbone {
    private final Model model;
    private final VisionConfig config;
    private final boolean normalise;
    private final boolean crop;

    private TorchScriptBackbone(Model model, VisionConfig config, boolean normalise, boolean crop) {
        this.model = model;
        this.config = config;
        this.normalise = normalise;
        this.crop = crop;
    }

    /** Loads {@code file} (a TorchScript .pt) onto {@code device}; images are resized naively (Cobra). */
    public static TorchScriptBackbone load(Path file, VisionConfig config, boolean inputIsUnit, Device device) {
        return load(file, config, inputIsUnit, false, device);
    }

    /**
     * @param shortestEdgeCrop resize the shorter side to image_size and cut the centre square (CLIP's
     *     torchvision transform, RoboMamba) instead of resizing naively
     */
    public static TorchScriptBackbone load(Path file, VisionConfig config, boolean inputIsUnit, boolean shortestEdgeCrop,
            Device device) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + ": TorchScript backbone not found");
        }
        Model model = Model.newInstance("vision-backbone", device, "PyTorch");
        try {
            String name = file.getFileName().toString();
            model.load(file.toAbsolutePath().getParent(), name.endsWith(".pt") ? name.substring(0, name.length() - 3) : name);
            return new TorchScriptBackbone(model, config, !inputIsUnit, shortestEdgeCrop);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw new ConfigException(file + ": cannot load TorchScript backbone: " + e.getMessage(), e);
        }
    }

    /** The (1, 3, S, S) input the backbone receives, row-major, as documented above. */
    public float[] pixels(BufferedImage image) {
        int size = config.imageSize();
        int[] rgb = Pixels.resized(image, size, crop); // Pillow's bicubic, byte for byte
        return normalise ? Pixels.normalised(rgb, size, config.mean(), config.std())
                : Pixels.normalised(rgb, size, new float[] {0, 0, 0}, new float[] {1, 1, 1});
    }

    /** Patch features (patches, feature_width) of one image, in {@code manager}. */
    @Override
    public NDArray features(BufferedImage image, NDManager manager) {
        int size = config.imageSize();
        try (NDManager scope = manager.newSubManager(model.getNDManager().getDevice())) {
            NDArray input = NativeArrays.floats(scope, pixels(image), new Shape(1, 3, size, size));
            NDList out = model.getBlock().forward(new ParameterStore(scope, false), new NDList(input), false);
            NDArray f = out.head();
            f.attach(scope);
            out.attach(scope);
            Shape s = f.getShape();
            if (s.dimension() == 3 && s.get(0) == 1) {
                f = f.squeeze(0);
            }
            if (f.getShape().dimension() != 2 || f.getShape().get(0) != config.patches()
                    || f.getShape().get(1) != config.featureWidth()) {
                throw new InputException("the TorchScript backbone returned features of shape " + s + "; config.json's vision "
                        + "section expects (" + config.patches() + ", " + config.featureWidth() + ")");
            }
            NDArray result = f.duplicate();
            result.attach(manager);
            return result;
        }
    }

    @Override
    public void close() {
        model.close();
    }
}

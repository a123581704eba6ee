package dev.dtp.mamba.vision.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.dtp.mamba.checkpoint.SafetensorsFile;
import dev.dtp.mamba.model.NativeArrays;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A timm {@code VisionTransformer} up to its feature block, as {@code get_intermediate_layers}
 * runs it: patch embedding (a stride-p convolution, here a matrix product over the patches), the
 * class and register tokens, the position embedding (added to the patches only, or to all tokens
 * where it covers them), the pre-norm (CLIP), the blocks up to the feature block; the output is that
 * block's patch tokens, without the final norm. Weights are read once from a memory-mapped
 * safetensors file; thread-safe once loaded.
 */
public final class VisionTransformer {
    private final ViTSpec spec;
    private final NDArray patchWeight; // (width, 3·p·p)
    private final NDArray patchBias; // (width) or null
    private final NDArray prefix; // (class + registers, width) or null
    private final NDArray positions; // (grid² [+ prefix], width), resampled to the model's grid
    private final NDArray preNormWeight;
    private final NDArray preNormBias;
    private final List<ViTBlock> blocks;

    private VisionTransformer(ViTSpec spec, WeightReader r) {
        this.spec = spec;
        int d = spec.width();
        int p = spec.patchSize();
        patchWeight = r.get(ViTTensors.PATCH_WEIGHT).reshape(d, 3L * p * p);
        patchBias = r.optional(spec.patchBias(), ViTTensors.PATCH_BIAS);
        List<NDArray> tokens = new ArrayList<>();
        if (spec.classToken()) {
            tokens.add(r.get(ViTTensors.CLASS_TOKEN).reshape(1, d));
        }
        if (spec.registers() > 0) {
            tokens.add(r.get(ViTTensors.REGISTERS).reshape(spec.registers(), d));
        }
        prefix = tokens.isEmpty() ? null : NDArrays.concat(new NDList(tokens), 0);
        positions = positions(r, spec);
        preNormWeight = r.optional(spec.preNorm(), ViTTensors.PRE_NORM + "weight");
        preNormBias = r.optional(spec.preNorm(), ViTTensors.PRE_NORM + "bias");
        List<ViTBlock> b = new ArrayList<>();
        for (int i = 0; i <= spec.featureBlock(); i++) {
            b.add(ViTBlock.load(r, i, spec));
        }
        blocks = List.copyOf(b);
    }

    /**
     * Loads the ViT from {@code file} (tensors named {@code prefix} + timm's names) into {@code weights},
     * after checking every tensor's name and shape against the spec ({@link ViTTensors#check}).
     *
     * @param tower the tower's name, for messages
     */
    public static VisionTransformer load(SafetensorsFile file, String prefix, ViTSpec spec, String tower, NDManager weights) {
        ViTTensors.check(shapes(file), prefix, spec, file.path().toString(), tower);
        return new VisionTransformer(spec, new WeightReader(file, prefix, weights));
    }

    /** Tensor name → shape, from the file's header. */
    public static Map<String, long[]> shapes(SafetensorsFile file) {
        Map<String, long[]> m = new LinkedHashMap<>();
        file.tensors().forEach((name, info) -> m.put(name, info.shape()));
        return m;
    }

    /** The published position embedding, its patch grid resampled to the model's (timm's checkpoint filter). */
    private static NDArray positions(WeightReader r, ViTSpec spec) {
        int d = spec.width();
        float[] all = r.file().readFloats(r.prefix() + ViTTensors.POSITIONS);
        int prefixRows = spec.positionsCoverPrefix() ? spec.prefixTokens() : 0;
        float[] grid = Arrays.copyOfRange(all, prefixRows * d, all.length);
        float[] resampled = PositionResampler.resample(grid, spec.positionGrid(), spec.gridSide(), d);
        float[] rows = new float[prefixRows * d + resampled.length];
        System.arraycopy(all, 0, rows, 0, prefixRows * d);
        System.arraycopy(resampled, 0, rows, prefixRows * d, resampled.length);
        return NativeArrays.floats(r.manager(), rows, new Shape(rows.length / d, d));
    }

    public ViTSpec spec() {
        return spec;
    }

    /**
     * The feature block's patch tokens for one image.
     *
     * @param pixels (3, image_size, image_size) row-major, normalised with the spec's mean and std
     * @return (patches, width) in {@code manager}
     */
    public NDArray patchTokens(float[] pixels, NDManager manager) {
        NDManager forward = manager.newSubManager(patchWeight.getDevice());
        try {
            long patchDim = 3L * spec.patchSize() * spec.patchSize();
            NDArray patches = NativeArrays.floats(forward, patchify(pixels), new Shape(spec.patches(), patchDim));
            NDArray x = Linear.linear(patches, patchWeight, patchBias).singletonOrThrow(); // (patches, width)
            x = withPositions(x);
            if (spec.preNorm()) {
                x = ViTBlock.norm(x, preNormWeight, preNormBias, spec);
            }
            for (ViTBlock block : blocks) {
                x = inOwnScope(block, x, forward);
            }
            NDArray out = x.get(new NDIndex("{}:", spec.prefixTokens())); // patch tokens only
            out.attach(manager);
            return out;
        } finally {
            forward.close();
        }
    }

    /** Runs one block in a scope of its own, so that its intermediates are freed before the next. */
    private static NDArray inOwnScope(ViTBlock block, NDArray x, NDManager forward) {
        try (NDManager scope = forward.newSubManager()) {
            x.attach(scope);
            NDArray y = block.forward(x);
            y.attach(forward);
            return y;
        }
    }

    /** [class, registers, patches] with positions added: to all tokens (CLIP) or to the patches only (DINOv2, SigLIP). */
    private NDArray withPositions(NDArray patches) {
        NDManager scope = patches.getManager();
        if (prefix == null) {
            return patches.add(positions);
        }
        if (spec.positionsCoverPrefix()) {
            NDArray all = NDArrays.concat(new NDList(prefix, patches), 0);
            all.attach(scope);
            return all.add(positions);
        }
        NDArray all = NDArrays.concat(new NDList(prefix, patches.add(positions)), 0);
        all.attach(scope);
        return all;
    }

    /**
     * (3, S, S) → (grid², 3·p·p): patch (row, column) in grid order, its values ordered (channel, y,
     * x) like a Conv2d kernel; the pixels past grid · p are not read (timm's patch convolution).
     */
    private float[] patchify(float[] pixels) {
        int s = spec.imageSize();
        int p = spec.patchSize();
        int g = spec.gridSide();
        if (pixels.length != 3 * s * s) {
            throw new IllegalArgumentException(spec.name() + ": " + pixels.length + " pixel values for a 3 × " + s + " × " + s
                    + " image");
        }
        int dim = 3 * p * p;
        float[] out = new float[g * g * dim];
        for (int py = 0; py < g; py++) {
            for (int px = 0; px < g; px++) {
                int base = (py * g + px) * dim;
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < p; y++) {
                        System.arraycopy(pixels, (c * s + py * p + y) * s + px * p, out, base + (c * p + y) * p, p);
                    }
                }
            }
        }
        return out;
    }
}

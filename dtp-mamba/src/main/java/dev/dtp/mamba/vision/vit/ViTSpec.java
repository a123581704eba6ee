package dev.dtp.mamba.vision.vit;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.dtp.mamba.checkpoint.ConfigException;
import java.util.Locale;

/**
 * One timm {@code VisionTransformer} as Cobra or RoboMamba builds it, and the normalisation its
 * images get. Sizes that timm's weights do not record (heads, activation, norm eps, image size) are
 * here; {@link ViTTensors} checks the ones they do. The three towers of the two models are
 * {@link #DINOV2_L14_REG4}, {@link #SIGLIP_SO400M_14_384} and {@link #CLIP_L14_224_QUICKGELU};
 * {@link #toBuilder()} makes smaller versions of them (tests).
 *
 * @param name timm's model name, used in messages
 * @param imageSize side of the square image the model sees; pixels past the last whole patch are
 *     not read (384 = 27 · 14 + 6, as timm's strided patch convolution)
 * @param positionGrid side of the grid the published position embedding is for (DINOv2: 37, for
 *     518 px); resampled to {@link #gridSide()} at load time as timm does
 * @param positionsCoverPrefix whether the position embedding has rows for the class (and register)
 *     tokens — timm's {@code no_embed_class = False}
 * @param featureBlock index of the block whose output is the feature (Cobra and RoboMamba:
 *     {@code get_intermediate_layers(n={depth - 2})}, the second-to-last), without the final norm
 */
public record ViTSpec(
        String name,
        int imageSize,
        int patchSize,
        int width,
        int depth,
        int heads,
        int mlpHidden,
        boolean classToken,
        int registers,
        int positionGrid,
        boolean positionsCoverPrefix,
        boolean layerScale,
        boolean preNorm,
        boolean patchBias,
        Act activation,
        double normEps,
        float[] mean,
        float[] std,
        int featureBlock) {

    /** The MLP's activation, by timm's {@code act_layer} names. */
    public enum Act {
        /** GELU with erf, {@code nn.GELU}. */
        GELU("gelu"),
        /** x · σ(1.702 x), OpenAI CLIP's approximation. */
        QUICK_GELU("quick_gelu");

        private final String id;

        Act(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
    private static final float[] HALF = {0.5f, 0.5f, 0.5f};
    private static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    private static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    /** timm {@code vit_large_patch14_reg4_dinov2.lvd142m} built at 384 px (Cobra): 4 registers, layer scale. */
    public static final ViTSpec DINOV2_L14_REG4 = builder("vit_large_patch14_reg4_dinov2.lvd142m")
            .image(384, 14).width(1024).depth(24).heads(16).mlpHidden(4096)
            .classToken(true).registers(4).positionGrid(37).positionsCoverPrefix(false).layerScale(true)
            .normalisation(IMAGENET_MEAN, IMAGENET_STD).build();

    /**
     * timm {@code vit_so400m_patch14_siglip_384} (Cobra; its default weights, tag {@code webli}): no class
     * token, MLP 4304 = int(1152 · 3.7362), exact GELU (timm's definition sets no {@code act_layer}).
     */
    public static final ViTSpec SIGLIP_SO400M_14_384 = builder("vit_so400m_patch14_siglip_384.webli")
            .image(384, 14).width(1152).depth(27).heads(16).mlpHidden(4304)
            .positionGrid(27).positionsCoverPrefix(true).normalisation(HALF, HALF).build();

    /** timm {@code vit_large_patch14_clip_224.openai} with {@code act_layer="quick_gelu"} (RoboMamba): pre-norm. */
    public static final ViTSpec CLIP_L14_224_QUICKGELU = builder("vit_large_patch14_clip_224.openai")
            .image(224, 14).width(1024).depth(24).heads(16).mlpHidden(4096)
            .classToken(true).positionGrid(16).positionsCoverPrefix(true).preNorm(true).patchBias(false)
            .activation(Act.QUICK_GELU).normEps(1e-5).normalisation(CLIP_MEAN, CLIP_STD).build();

    public ViTSpec {
        mean = mean.clone();
        std = std.clone();
        String where = "vision transformer '" + name + "': ";
        if (imageSize < patchSize || patchSize <= 0 || width <= 0 || depth <= 0 || heads <= 0 || mlpHidden <= 0
                || registers < 0 || positionGrid <= 0 || !(normEps > 0)) {
            throw new ConfigException(where + "sizes must be positive (image_size >= patch_size)");
        }
        if (width % heads != 0) {
            throw new ConfigException(where + "width " + width + " is not a multiple of heads " + heads);
        }
        if (featureBlock < 0 || featureBlock >= depth) {
            throw new ConfigException(where + "feature_block " + featureBlock + " is not a block of 0.." + (depth - 1));
        }
        if (mean.length != 3 || std.length != 3) {
            throw new ConfigException(where + "mean and std need 3 values (RGB)");
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new ConfigException(where + "std must be > 0");
            }
        }
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** Patches per side: floor(image_size / patch_size). */
    public int gridSide() {
        return imageSize / patchSize;
    }

    public int patches() {
        return gridSide() * gridSide();
    }

    /** Class and register tokens before the patches. */
    public int prefixTokens() {
        return (classToken ? 1 : 0) + registers;
    }

    public int headDim() {
        return width / heads;
    }

    /** Rows of the published position embedding. */
    public int positionRows() {
        return positionGrid * positionGrid + (positionsCoverPrefix ? prefixTokens() : 0);
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("timm", name);
        o.addProperty("image_size", imageSize);
        o.addProperty("patch_size", patchSize);
        o.addProperty("width", width);
        o.addProperty("depth", depth);
        o.addProperty("heads", heads);
        o.addProperty("mlp_hidden", mlpHidden);
        o.addProperty("class_token", classToken);
        o.addProperty("registers", registers);
        o.addProperty("position_grid", positionGrid);
        o.addProperty("positions_cover_prefix", positionsCoverPrefix);
        o.addProperty("layer_scale", layerScale);
        o.addProperty("pre_norm", preNorm);
        o.addProperty("patch_bias", patchBias);
        o.addProperty("activation", activation.id());
        o.addProperty("norm_eps", normEps);
        o.add("mean", array(mean));
        o.add("std", array(std));
        o.addProperty("feature_block", featureBlock);
        return o;
    }

    /** Reads {@link #toJson()}'s object; every key is required. {@code source} names the file in messages. */
    public static ViTSpec fromJson(JsonObject o, String source) {
        Fields f = new Fields(o, source);
        String name = f.string("timm");
        Act act = null;
        String actId = f.string("activation");
        for (Act a : Act.values()) {
            if (a.id().equals(actId)) {
                act = a;
            }
        }
        if (act == null) {
            throw new ConfigException(source + ": vision tower '" + name + "': activation '" + actId
                    + "' is not one of [gelu, quick_gelu]");
        }
        return new ViTSpec(name, f.integer("image_size"), f.integer("patch_size"), f.integer("width"), f.integer("depth"),
                f.integer("heads"), f.integer("mlp_hidden"), f.bool("class_token"), f.integer("registers"),
                f.integer("position_grid"), f.bool("positions_cover_prefix"), f.bool("layer_scale"), f.bool("pre_norm"),
                f.bool("patch_bias"), act, f.number("norm_eps"), f.rgb("mean"), f.rgb("std"), f.integer("feature_block"));
    }

    private static JsonArray array(float[] v) {
        JsonArray a = new JsonArray();
        for (float x : v) {
            a.add(x);
        }
        return a;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A builder starting from this spec, e.g. a narrower, shallower version of it. */
    public Builder toBuilder() {
        Builder b = new Builder(name).image(imageSize, patchSize).width(width).depth(depth).heads(heads).mlpHidden(mlpHidden)
                .classToken(classToken).registers(registers).positionGrid(positionGrid)
                .positionsCoverPrefix(positionsCoverPrefix).layerScale(layerScale).preNorm(preNorm).patchBias(patchBias)
                .activation(activation).normEps(normEps).normalisation(mean, std);
        if (featureBlock != depth - 2) {
            b.featureBlock = featureBlock;
        }
        return b;
    }

    /**
     * Defaults: no class token or registers, no layer scale or pre-norm, GELU, LayerNorm eps 1e-6, a
     * patch bias, 0.5 / 0.5 normalisation; the feature block is depth − 2.
     */
    public static final class Builder {
        private final String name;
        private int imageSize = -1;
        private int patchSize = -1;
        private int width = -1;
        private int depth = -1;
        private int heads = -1;
        private int mlpHidden = -1;
        private boolean classToken;
        private int registers;
        private int positionGrid = -1;
        private boolean positionsCoverPrefix;
        private boolean layerScale;
        private boolean preNorm;
        private boolean patchBias = true;
        private Act activation = Act.GELU;
        private double normEps = 1e-6;
        private float[] mean = HALF;
        private float[] std = HALF;
        private Integer featureBlock;

        private Builder(String name) {
            this.name = name;
        }

        public Builder image(int imageSize, int patchSize) {
            this.imageSize = imageSize;
            this.patchSize = patchSize;
            return this;
        }

        public Builder width(int width) {
            this.width = width;
            return this;
        }

        /** The feature block follows it (depth − 2) unless set. */
        public Builder depth(int depth) {
            this.depth = depth;
            return this;
        }

        public Builder heads(int heads) {
            this.heads = heads;
            return this;
        }

        public Builder mlpHidden(int mlpHidden) {
            this.mlpHidden = mlpHidden;
            return this;
        }

        public Builder classToken(boolean classToken) {
            this.classToken = classToken;
            return this;
        }

        public Builder registers(int registers) {
            this.registers = registers;
            return this;
        }

        public Builder positionGrid(int positionGrid) {
            this.positionGrid = positionGrid;
            return this;
        }

        public Builder positionsCoverPrefix(boolean positionsCoverPrefix) {
            this.positionsCoverPrefix = positionsCoverPrefix;
            return this;
        }

        public Builder layerScale(boolean layerScale) {
            this.layerScale = layerScale;
            return this;
        }

        public Builder preNorm(boolean preNorm) {
            this.preNorm = preNorm;
            return this;
        }

        public Builder patchBias(boolean patchBias) {
            this.patchBias = patchBias;
            return this;
        }

        public Builder activation(Act activation) {
            this.activation = activation;
            return this;
        }

        public Builder normEps(double normEps) {
            this.normEps = normEps;
            return this;
        }

        public Builder normalisation(float[] mean, float[] std) {
            this.mean = mean;
            this.std = std;
            return this;
        }

        public Builder featureBlock(int featureBlock) {
            this.featureBlock = featureBlock;
            return this;
        }

        public ViTSpec build() {
            return new ViTSpec(name, imageSize, patchSize, width, depth, heads, mlpHidden, classToken, registers,
                    positionGrid, positionsCoverPrefix, layerScale, preNorm, patchBias, activation, normEps, mean, std,
                    featureBlock != null ? featureBlock : depth - 2);
        }
    }

    /** Required JSON fields, with messages naming the file and key. */
    private record Fields(JsonObject o, String source) {
        private JsonElement get(String key) {
            JsonElement e = o.get(key);
            if (e == null || e.isJsonNull()) {
                throw new ConfigException(source + ": vision.tower: '" + key + "' is missing");
            }
            return e;
        }

        String string(String key) {
            JsonElement e = get(key);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw new ConfigException(source + ": vision.tower: '" + key + "' must be a string");
            }
            return e.getAsString();
        }

        double number(String key) {
            JsonElement e = get(key);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                throw new ConfigException(source + ": vision.tower: '" + key + "' must be a number");
            }
            return e.getAsDouble();
        }

        int integer(String key) {
            double v = number(key);
            if (v != Math.rint(v) || v < 0 || v > Integer.MAX_VALUE) {
                throw new ConfigException(source + ": vision.tower: '" + key + "' must be a non-negative integer, got " + v);
            }
            return (int) v;
        }

        boolean bool(String key) {
            JsonElement e = get(key);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
                throw new ConfigException(source + ": vision.tower: '" + key + "' must be true or false");
            }
            return e.getAsBoolean();
        }

        float[] rgb(String key) {
            JsonElement e = get(key);
            if (!e.isJsonArray() || e.getAsJsonArray().size() != 3) {
                throw new ConfigException(source + ": vision.tower: '" + key + "' must be an array of 3 numbers");
            }
            float[] v = new float[3];
            for (int i = 0; i < 3; i++) {
                JsonElement x = e.getAsJsonArray().get(i);
                if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
                    throw new ConfigException(source + ": vision.tower: '" + key + "' must be an array of 3 numbers");
                }
                v[i] = x.getAsFloat();
            }
            return v;
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (%d px, %d wide, %d blocks, %d heads)", name, imageSize, width, depth, heads);
    }
}

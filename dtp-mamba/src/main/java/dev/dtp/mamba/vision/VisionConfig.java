package dev.dtp.mamba.vision;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.dtp.mamba.checkpoint.ConfigException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The {@code "vision"} section of a multimodal model's config.json: how an image becomes visual
 * tokens and where they go. Two encoders:
 * <ul>
 *   <li>{@code patches}: a learned patch embedding inside the checkpoint (tensors
 *       {@code vision.patch_embed.weight/bias}, {@code vision.position_embed}) over raw pixels;
 *   <li>{@code features}: per-patch features from an external backbone (Cobra's DINOv2+SigLIP,
 *       RoboMamba's CLIP), given precomputed or by a TorchScript file.
 * </ul>
 * Either way the projector (tensors {@code projector.*}) maps each patch's features to d_model.
 *
 * @param imageSize side of the square image the encoder sees, after the naive resize
 * @param mean per-channel mean of pixels in [0, 1]; pixels are normalised as (p − mean) / std
 * @param featureWidth width of one patch's features entering the projector
 * @param patches visual tokens per image
 * @param prompt template with a {@code {question}} placeholder
 * @param stop strings that end an answer (token strings of the tokenizer)
 * @param patchKernel side of the pixel window each patch token reads (the patch-embedding kernel): equal
 *     to patch_size for plain ViT patches; larger windows overlap their neighbours by
 *     (patch_kernel − patch_size) / 2 pixels on each side, zero-padded at the image border
 */
public record VisionConfig(
        Encoder encoder,
        int imageSize,
        int patchSize,
        int channels,
        float[] mean,
        float[] std,
        int featureWidth,
        int patches,
        ProjectorKind projector,
        Placement placement,
        String prompt,
        List<String> stop,
        int patchKernel) {

    public enum Encoder { PATCHES, FEATURES }

    /** Where the visual tokens go. Cobra and RoboMamba both put them before the prompt. */
    public enum Placement { BEFORE_TEXT }

    /** Non-overlapping patches (kernel = patch size). */
    public VisionConfig(Encoder encoder, int imageSize, int patchSize, int channels, float[] mean, float[] std,
            int featureWidth, int patches, ProjectorKind projector, Placement placement, String prompt, List<String> stop) {
        this(encoder, imageSize, patchSize, channels, mean, std, featureWidth, patches, projector, placement, prompt, stop,
                patchSize);
    }

    public VisionConfig {
        stop = List.copyOf(stop);
        if (patchKernel < patchSize || (patchKernel - patchSize) % 2 != 0) {
            throw new ConfigException("vision: patch_kernel " + patchKernel + " must be patch_size " + patchSize
                    + " plus an even number of pixels");
        }
        if (imageSize <= 0 || patchSize <= 0 || channels <= 0 || featureWidth <= 0 || patches <= 0) {
            throw new ConfigException("vision: sizes must be positive");
        }
        if (mean.length != channels || std.length != channels) {
            throw new ConfigException("vision: 'mean' and 'std' need one value per channel (" + channels + ")");
        }
        if (encoder == Encoder.PATCHES) {
            int side = imageSize / patchSize;
            if (imageSize % patchSize != 0 || side * side != patches) {
                throw new ConfigException("vision: image_size " + imageSize + " / patch_size " + patchSize
                        + " does not give " + patches + " patches");
            }
        }
        if (!prompt.contains("{question}")) {
            throw new ConfigException("vision: 'prompt' must contain {question}, got '" + prompt + "'");
        }
    }

    /** Values of one patch token's pixel window: channels · patch_kernel². */
    public int patchDim() {
        return channels * patchKernel * patchKernel;
    }

    /** Patches per side of the (square) grid. */
    public int gridSide() {
        return (int) Math.round(Math.sqrt(patches));
    }

    public String prompt(String question) {
        return prompt.replace("{question}", question);
    }

    /** Reads the section; {@code source} names the file in error messages. */
    public static VisionConfig fromJson(JsonObject o, String source) {
        try {
            Encoder encoder = enumValue(Encoder.class, string(o, "encoder", "patches"), source, "encoder");
            int channels = integer(o, "channels", 3, source);
            return new VisionConfig(encoder,
                    integer(o, "image_size", -1, source),
                    integer(o, "patch_size", -1, source),
                    channels,
                    floats(o, "mean", channels, 0.5f, source),
                    floats(o, "std", channels, 0.5f, source),
                    integer(o, "feature_width", -1, source),
                    integer(o, "patches", -1, source),
                    enumValue(ProjectorKind.class, string(o, "projector", "fused-gelu-mlp"), source, "projector"),
                    enumValue(Placement.class, string(o, "placement", "before_text"), source, "placement"),
                    string(o, "prompt", "{question}"),
                    strings(o, "stop", source),
                    o.has("patch_kernel") ? integer(o, "patch_kernel", -1, source) : integer(o, "patch_size", -1, source));
        } catch (ConfigException e) {
            throw e.getMessage().startsWith(source) ? e : new ConfigException(source + ": " + e.getMessage());
        }
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("encoder", encoder.name().toLowerCase(Locale.ROOT));
        o.addProperty("image_size", imageSize);
        o.addProperty("patch_size", patchSize);
        o.addProperty("patch_kernel", patchKernel);
        o.addProperty("channels", channels);
        JsonArray m = new JsonArray();
        JsonArray s = new JsonArray();
        for (int i = 0; i < channels; i++) {
            m.add(mean[i]);
            s.add(std[i]);
        }
        o.add("mean", m);
        o.add("std", s);
        o.addProperty("resize", "naive");
        o.addProperty("feature_width", featureWidth);
        o.addProperty("patches", patches);
        o.addProperty("projector", projector.id());
        o.addProperty("placement", placement.name().toLowerCase(Locale.ROOT));
        o.addProperty("prompt", prompt);
        JsonArray st = new JsonArray();
        stop.forEach(st::add);
        o.add("stop", st);
        return o;
    }

    private static String string(JsonObject o, String key, String dflt) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return dflt;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new ConfigException("vision." + key + " must be a string");
        }
        return e.getAsString();
    }

    private static int integer(JsonObject o, String key, int dflt, String source) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            if (dflt < 0) {
                throw new ConfigException(source + ": vision." + key + " is missing");
            }
            return dflt;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new ConfigException(source + ": vision." + key + " must be a number");
        }
        double v = e.getAsDouble();
        if (v != Math.rint(v) || v <= 0 || v > Integer.MAX_VALUE) {
            throw new ConfigException(source + ": vision." + key + " must be a positive integer, got " + e);
        }
        return (int) v;
    }

    private static float[] floats(JsonObject o, String key, int count, float dflt, String source) {
        float[] v = new float[count];
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            Arrays.fill(v, dflt);
            return v;
        }
        if (!e.isJsonArray() || e.getAsJsonArray().size() != count) {
            throw new ConfigException(source + ": vision." + key + " must be an array of " + count + " numbers");
        }
        for (int i = 0; i < count; i++) {
            JsonElement x = e.getAsJsonArray().get(i);
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
                throw new ConfigException(source + ": vision." + key + "[" + i + "] must be a number");
            }
            v[i] = x.getAsFloat();
            if (key.equals("std") && !(v[i] > 0)) {
                throw new ConfigException(source + ": vision.std[" + i + "] must be > 0");
            }
        }
        return v;
    }

    private static List<String> strings(JsonObject o, String key, String source) {
        List<String> out = new ArrayList<>();
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return out;
        }
        if (!e.isJsonArray()) {
            throw new ConfigException(source + ": vision." + key + " must be an array of strings");
        }
        for (JsonElement x : e.getAsJsonArray()) {
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) {
                throw new ConfigException(source + ": vision." + key + " must be an array of strings");
            }
            out.add(x.getAsString());
        }
        return out;
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String value, String source, String key) {
        for (E e : type.getEnumConstants()) {
            String id = e instanceof ProjectorKind p ? p.id() : e.name().toLowerCase(Locale.ROOT);
            if (id.equals(value)) {
                return e;
            }
        }
        List<String> ids = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            ids.add(e instanceof ProjectorKind p ? p.id() : e.name().toLowerCase(Locale.ROOT));
        }
        throw new ConfigException(source + ": vision." + key + " '" + value + "' is not one of " + ids);
    }
}

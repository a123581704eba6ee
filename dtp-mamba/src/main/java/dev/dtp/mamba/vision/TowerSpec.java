package dev.dtp.mamba.vision;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.dtp.mamba.checkpoint.ConfigException;
import dev.dtp.mamba.vision.vit.ViTSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's vision tower as config.json's {@code vision.tower} names it: one or more ViTs that see
 * the same resized image, each normalised its own way, whose patch features are concatenated per
 * patch in order. {@link #COBRA} and {@link #ROBOMAMBA} are the two models' towers.
 *
 * @param name the tower's name, in messages (Cobra's own id for its backbone)
 * @param shortestEdgeCrop resize the shorter side then cut the centre square (CLIP's transform)
 *     instead of resizing naively to a square (Cobra)
 */
public record TowerSpec(String name, boolean shortestEdgeCrop, List<Part> parts) {

    /**
     * One ViT of the tower and where its weights are.
     *
     * @param file safetensors file, relative to the model directory
     * @param prefix what precedes timm's tensor names in it ("" in timm's own files)
     */
    public record Part(String file, String prefix, ViTSpec vit) {}

    /** Cobra's "dinosiglip-vit-so-384px": DINOv2 then SigLIP features, 729 patches × (1024 + 1152). */
    public static final TowerSpec COBRA = new TowerSpec("dinosiglip-vit-so-384px", false, List.of(
            new Part("vision/dinov2.safetensors", "", ViTSpec.DINOV2_L14_REG4),
            new Part("vision/siglip.safetensors", "", ViTSpec.SIGLIP_SO400M_14_384)));

    /** RoboMamba's "CLIP224": CLIP ViT-L/14 with quick-GELU, 256 patches × 1024. */
    public static final TowerSpec ROBOMAMBA = new TowerSpec("robomamba-clip224", true, List.of(
            new Part("vision/clip.safetensors", "", ViTSpec.CLIP_L14_224_QUICKGELU)));

    public TowerSpec {
        parts = List.copyOf(parts);
        if (parts.isEmpty()) {
            throw new ConfigException("vision tower '" + name + "' has no ViTs");
        }
        ViTSpec first = parts.get(0).vit();
        for (Part p : parts) {
            if (p.vit().imageSize() != first.imageSize() || p.vit().gridSide() != first.gridSide()) {
                throw new ConfigException("vision tower '" + name + "': " + p.vit().name() + " sees " + p.vit().imageSize()
                        + " px in a " + p.vit().gridSide() + "² grid but " + first.name() + " " + first.imageSize()
                        + " px in a " + first.gridSide() + "² grid; their patches cannot be concatenated");
            }
        }
    }

    /** Side of the image every part sees. */
    public int imageSize() {
        return parts.get(0).vit().imageSize();
    }

    public int patches() {
        return parts.get(0).vit().patches();
    }

    /** Width of one patch's concatenated features. */
    public int featureWidth() {
        return parts.stream().mapToInt(p -> p.vit().width()).sum();
    }

    /** The same tower with other ViTs (e.g. smaller ones), files and prefixes kept. */
    public TowerSpec withVits(List<ViTSpec> vits) {
        if (vits.size() != parts.size()) {
            throw new IllegalArgumentException(name + " has " + parts.size() + " ViTs, got " + vits.size());
        }
        List<Part> p = new ArrayList<>();
        for (int i = 0; i < vits.size(); i++) {
            p.add(new Part(parts.get(i).file(), parts.get(i).prefix(), vits.get(i)));
        }
        return new TowerSpec(name, shortestEdgeCrop, p);
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("name", name);
        o.addProperty("resize", shortestEdgeCrop ? "shortest-edge-crop" : "naive");
        JsonArray vits = new JsonArray();
        for (Part p : parts) {
            JsonObject v = new JsonObject();
            v.addProperty("file", p.file());
            v.addProperty("prefix", p.prefix());
            p.vit().toJson().entrySet().forEach(e -> v.add(e.getKey(), e.getValue()));
            vits.add(v);
        }
        o.add("vits", vits);
        return o;
    }

    /** Reads config.json's {@code vision.tower}; {@code source} names the file in messages. */
    public static TowerSpec fromJson(JsonObject o, String source) {
        String name = string(o, "name", source);
        String resize = string(o, "resize", source);
        if (!resize.equals("naive") && !resize.equals("shortest-edge-crop")) {
            throw new ConfigException(source + ": vision.tower.resize '" + resize
                    + "' is not one of [naive, shortest-edge-crop]");
        }
        JsonElement vits = o.get("vits");
        if (vits == null || !vits.isJsonArray()) {
            throw new ConfigException(source + ": vision.tower.vits must be an array of ViTs");
        }
        List<Part> parts = new ArrayList<>();
        for (JsonElement e : vits.getAsJsonArray()) {
            if (!e.isJsonObject()) {
                throw new ConfigException(source + ": vision.tower.vits must be an array of objects");
            }
            JsonObject v = e.getAsJsonObject();
            parts.add(new Part(string(v, "file", source), v.has("prefix") ? string(v, "prefix", source) : "",
                    ViTSpec.fromJson(v, source)));
        }
        try {
            return new TowerSpec(name, resize.equals("shortest-edge-crop"), parts);
        } catch (ConfigException e) {
            throw new ConfigException(source + ": " + e.getMessage());
        }
    }

    private static String string(JsonObject o, String key, String source) {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new ConfigException(source + ": vision.tower: '" + key + "' must be a string");
        }
        return e.getAsString();
    }
}

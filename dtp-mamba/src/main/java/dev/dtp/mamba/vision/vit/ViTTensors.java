package dev.dtp.mamba.vision.vit;

import dev.dtp.mamba.checkpoint.CheckpointException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * timm's tensor names for a {@link ViTSpec} and their shapes, and the check that a weights file
 * holds exactly that tower: every tensor the spec needs with its shape, and none of the parts it
 * lacks (a class token, registers, layer scale, a pre-norm, a block past its depth) that would
 * change what the file's model computes. Names are relative to a prefix ({@code vision.model.} in
 * RoboMamba's checkpoint, {@code visual.trunk.} in OpenCLIP files, none in timm's own).
 */
public final class ViTTensors {
    public static final String PATCH_WEIGHT = "patch_embed.proj.weight";
    public static final String PATCH_BIAS = "patch_embed.proj.bias";
    public static final String CLASS_TOKEN = "cls_token";
    public static final String REGISTERS = "reg_token";
    public static final String POSITIONS = "pos_embed";
    public static final String PRE_NORM = "norm_pre.";

    private ViTTensors() {}

    /** Prefix of block {@code i}'s tensors. */
    public static String block(int i) {
        return "blocks." + i + ".";
    }

    /** Every tensor the spec needs (all its blocks, the unused last ones too) with its shape, in file order. */
    public static Map<String, long[]> expected(ViTSpec s) {
        long d = s.width();
        long h = s.mlpHidden();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(PATCH_WEIGHT, new long[] {d, 3, s.patchSize(), s.patchSize()});
        if (s.patchBias()) {
            m.put(PATCH_BIAS, new long[] {d});
        }
        if (s.classToken()) {
            m.put(CLASS_TOKEN, new long[] {1, 1, d});
        }
        if (s.registers() > 0) {
            m.put(REGISTERS, new long[] {1, s.registers(), d});
        }
        m.put(POSITIONS, new long[] {1, s.positionRows(), d});
        if (s.preNorm()) {
            m.put(PRE_NORM + "weight", new long[] {d});
            m.put(PRE_NORM + "bias", new long[] {d});
        }
        for (int i = 0; i < s.depth(); i++) {
            String b = block(i);
            m.put(b + "norm1.weight", new long[] {d});
            m.put(b + "norm1.bias", new long[] {d});
            m.put(b + "attn.qkv.weight", new long[] {3 * d, d});
            m.put(b + "attn.qkv.bias", new long[] {3 * d});
            m.put(b + "attn.proj.weight", new long[] {d, d});
            m.put(b + "attn.proj.bias", new long[] {d});
            if (s.layerScale()) {
                m.put(b + "ls1.gamma", new long[] {d});
            }
            m.put(b + "norm2.weight", new long[] {d});
            m.put(b + "norm2.bias", new long[] {d});
            m.put(b + "mlp.fc1.weight", new long[] {h, d});
            m.put(b + "mlp.fc1.bias", new long[] {h});
            m.put(b + "mlp.fc2.weight", new long[] {d, h});
            m.put(b + "mlp.fc2.bias", new long[] {d});
            if (s.layerScale()) {
                m.put(b + "ls2.gamma", new long[] {d});
            }
        }
        return m;
    }

    /**
     * The prefix in front of timm's names in a file: what precedes its one
     * {@code patch_embed.proj.weight}, or {@code null} when it has none or several.
     */
    public static String prefixOf(Iterable<String> names) {
        String found = null;
        for (String n : names) {
            if (n.endsWith(PATCH_WEIGHT)) {
                if (found != null) {
                    return null;
                }
                found = n.substring(0, n.length() - PATCH_WEIGHT.length());
            }
        }
        return found;
    }

    /**
     * Checks the shapes of a file's tensors (name → shape) against the spec.
     *
     * @param source the file, for messages
     * @param tower the tower's name, for messages
     * @throws CheckpointException naming the file, the tower, the ViT and the tensor
     */
    public static void check(Map<String, long[]> shapes, String prefix, ViTSpec spec, String source, String tower) {
        String where = source + ": tower '" + tower + "' (" + spec.name() + "): ";
        for (Map.Entry<String, long[]> e : expected(spec).entrySet()) {
            long[] actual = shapes.get(prefix + e.getKey());
            if (actual == null) {
                throw new CheckpointException(where + "tensor '" + prefix + e.getKey() + "' is missing");
            }
            if (!Arrays.equals(actual, e.getValue())) {
                throw new CheckpointException(where + "tensor '" + prefix + e.getKey() + "' has shape "
                        + Arrays.toString(actual) + ", the tower needs " + Arrays.toString(e.getValue()));
            }
        }
        List<String> absent = new ArrayList<>(List.of(block(spec.depth()) + "norm1.weight"));
        if (!spec.patchBias()) {
            absent.add(PATCH_BIAS);
        }
        if (!spec.classToken()) {
            absent.add(CLASS_TOKEN);
        }
        if (spec.registers() == 0) {
            absent.add(REGISTERS);
        }
        if (!spec.preNorm()) {
            absent.add(PRE_NORM + "weight");
        }
        if (!spec.layerScale()) {
            absent.add(block(0) + "ls1.gamma");
        }
        for (String name : absent) {
            if (shapes.containsKey(prefix + name)) {
                throw new CheckpointException(where + "tensor '" + prefix + name + "' belongs to a part this tower does not "
                        + "have (is the file for another model?)");
            }
        }
    }
}

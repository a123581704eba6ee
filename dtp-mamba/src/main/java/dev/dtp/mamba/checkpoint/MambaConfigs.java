package dev.dtp.mamba.checkpoint;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.dtp.mamba.MambaConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads and writes a Mamba config.json in either {@link Layout}. */
public final class MambaConfigs {
    private MambaConfigs() {}

    /** A parsed config.json: the model shape, which layout it used, and the whole JSON for extra sections. */
    public record ConfigFile(MambaConfig config, Layout layout, JsonObject json) {}

    public static ConfigFile read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": file not found (a model directory needs config.json)");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(file.toString(), text);
    }

    /** Parses config.json text; {@code source} names it in error messages. */
    public static ConfigFile parse(String source, String text) {
        JsonElement root;
        try {
            root = JsonParser.parseString(text);
        } catch (JsonParseException e) {
            throw new ConfigException(source + ": not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isJsonObject()) {
            throw new ConfigException(source + ": must be a JSON object");
        }
        JsonObject json = root.getAsJsonObject();
        if (json.has("model_type")) {
            String type = string(json, "model_type", source);
            if (!type.equals("mamba") && !type.equals("dtp-mamba")) {
                throw new ConfigException(source + ": unknown model_type '" + type + "' (expected 'mamba')");
            }
        }
        Keys k = new Keys(source, json);
        if (json.has("hidden_size") || json.has("num_hidden_layers")) {
            return new ConfigFile(huggingFace(k), Layout.HUGGING_FACE, json);
        }
        if (json.has("d_model") || json.has("n_layer")) {
            return new ConfigFile(mambaSsm(k), Layout.MAMBA_SSM, json);
        }
        throw new ConfigException(source + ": not a Mamba config: needs 'hidden_size' and 'num_hidden_layers' "
                + "(Hugging Face) or 'd_model' and 'n_layer' (mamba_ssm)");
    }

    private static MambaConfig huggingFace(Keys k) {
        int dModel = k.positive("hidden_size", null);
        int layers = k.positive("num_hidden_layers", null);
        int vocab = k.positive("vocab_size", null);
        int dState = k.positive("state_size", 16);
        int dConv = k.positive("conv_kernel", 4);
        int expand = k.positive("expand", 2);
        int dInner = k.dInner("expand × hidden_size", expand, dModel);
        if (k.json.has("intermediate_size") && k.positive("intermediate_size", null) != dInner) {
            throw new ConfigException(k.source + ": intermediate_size " + k.positive("intermediate_size", null)
                    + " disagrees with expand × hidden_size = " + dInner);
        }
        int dtRank = k.dtRank("time_step_rank", dModel, dInner);
        double eps = k.number("layer_norm_epsilon", 1e-5);
        boolean tied = k.bool("tie_word_embeddings", true);
        boolean projBias = k.bool("use_bias", false);
        boolean convBias = k.bool("use_conv_bias", true);
        // Hugging Face checkpoints store the embedding with exactly vocab_size rows.
        return new MambaConfig(dModel, layers, vocab, vocab, dState, dConv, expand, dtRank, eps, tied, projBias, convBias);
    }

    private static MambaConfig mambaSsm(Keys k) {
        int dModel = k.positive("d_model", null);
        int layers = k.positive("n_layer", null);
        int vocab = k.positive("vocab_size", null);
        int multiple = k.positive("pad_vocab_size_multiple", 1);
        if (k.json.has("rms_norm") && !k.bool("rms_norm", true)) {
            throw new ConfigException(k.source + ": rms_norm=false (LayerNorm blocks) is not supported");
        }
        Keys ssm = k.json.has("ssm_cfg") ? k.child("ssm_cfg") : new Keys(k.source + " ssm_cfg", new JsonObject());
        if (ssm.json.has("layer") && !"Mamba1".equals(ssm.string("layer"))) {
            throw new ConfigException(k.source + ": ssm_cfg.layer '" + ssm.string("layer") + "' is not supported (Mamba1 only)");
        }
        int dState = ssm.positive("d_state", 16);
        int dConv = ssm.positive("d_conv", 4);
        int expand = ssm.positive("expand", 2);
        int dInner = k.dInner("ssm_cfg.expand × d_model", expand, dModel);
        int dtRank = ssm.dtRank("dt_rank", dModel, dInner);
        boolean projBias = ssm.bool("bias", false);
        boolean convBias = ssm.bool("conv_bias", true);
        double eps = k.number("norm_epsilon", 1e-5);
        boolean tied = k.bool("tie_embeddings", true);
        long padded = MambaConfig.paddedVocab(vocab, multiple);
        if (padded > Integer.MAX_VALUE) {
            throw new ConfigException(k.source + ": vocab_size " + vocab + " padded to a multiple of "
                    + multiple + " is " + padded + ", too large (at most " + Integer.MAX_VALUE + ")");
        }
        return new MambaConfig(dModel, layers, vocab, (int) padded, dState, dConv, expand, dtRank, eps, tied, projBias, convBias);
    }

    /** config.json text in the Hugging Face layout. */
    public static String toHuggingFaceJson(MambaConfig c) {
        JsonObject o = new JsonObject();
        o.addProperty("model_type", "mamba");
        o.add("architectures", JsonParser.parseString("[\"MambaForCausalLM\"]"));
        o.addProperty("hidden_size", c.dModel());
        o.addProperty("num_hidden_layers", c.layers());
        o.addProperty("vocab_size", c.paddedVocabSize());
        o.addProperty("state_size", c.dState());
        o.addProperty("conv_kernel", c.dConv());
        o.addProperty("expand", c.expand());
        o.addProperty("intermediate_size", c.dInner());
        o.addProperty("time_step_rank", c.dtRank());
        o.addProperty("layer_norm_epsilon", c.normEps());
        o.addProperty("tie_word_embeddings", c.tieEmbeddings());
        o.addProperty("use_bias", c.projBias());
        o.addProperty("use_conv_bias", c.convBias());
        return gson().toJson(o);
    }

    /** config.json text in the mamba_ssm layout. */
    public static String toMambaSsmJson(MambaConfig c, int padVocabSizeMultiple) {
        JsonObject o = new JsonObject();
        o.addProperty("d_model", c.dModel());
        o.addProperty("n_layer", c.layers());
        o.addProperty("vocab_size", c.vocabSize());
        JsonObject ssm = new JsonObject();
        ssm.addProperty("d_state", c.dState());
        ssm.addProperty("d_conv", c.dConv());
        ssm.addProperty("expand", c.expand());
        ssm.addProperty("dt_rank", c.dtRank());
        ssm.addProperty("bias", c.projBias());
        ssm.addProperty("conv_bias", c.convBias());
        o.add("ssm_cfg", ssm);
        o.addProperty("rms_norm", true);
        o.addProperty("residual_in_fp32", true);
        o.addProperty("fused_add_norm", true);
        o.addProperty("pad_vocab_size_multiple", padVocabSizeMultiple);
        o.addProperty("tie_embeddings", c.tieEmbeddings());
        o.addProperty("norm_epsilon", c.normEps());
        return gson().toJson(o);
    }

    private static Gson gson() {
        return new GsonBuilder().setPrettyPrinting().create();
    }

    /** Typed access to config keys with error messages that name the file and key. */
    private record Keys(String source, JsonObject json) {
        Keys child(String key) {
            JsonElement e = json.get(key);
            if (e == null || e.isJsonNull()) {
                return new Keys(source + " " + key, new JsonObject());
            }
            if (!e.isJsonObject()) {
                throw new ConfigException(source + ": '" + key + "' must be an object");
            }
            return new Keys(source + " " + key, e.getAsJsonObject());
        }

        String string(String key) {
            return MambaConfigs.string(json, key, source);
        }

        int positive(String key, Integer fallback) {
            JsonElement e = json.get(key);
            if (e == null || e.isJsonNull()) {
                if (fallback == null) {
                    throw new ConfigException(source + ": missing required key '" + key + "'");
                }
                return fallback;
            }
            double v = numeric(key, e);
            if (v != Math.rint(v) || v > Integer.MAX_VALUE) {
                throw new ConfigException(source + ": '" + key + "' must be an integer, got " + e);
            }
            if (v <= 0) {
                throw new ConfigException(source + ": '" + key + "' must be positive, got " + e);
            }
            return (int) v;
        }

        double number(String key, double fallback) {
            JsonElement e = json.get(key);
            if (e == null || e.isJsonNull()) {
                return fallback;
            }
            double v = numeric(key, e);
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new ConfigException(source + ": '" + key + "' must be a positive number, got " + e);
            }
            return v;
        }

        boolean bool(String key, boolean fallback) {
            JsonElement e = json.get(key);
            if (e == null || e.isJsonNull()) {
                return fallback;
            }
            if (!(e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean())) {
                throw new ConfigException(source + ": '" + key + "' must be true or false, got " + e);
            }
            return e.getAsBoolean();
        }

        /** d_inner = expand × d_model; {@code what} names the product in the error when it does not fit in an int. */
        int dInner(String what, int expand, int dModel) {
            long dInner = (long) expand * dModel;
            if (dInner > Integer.MAX_VALUE) {
                throw new ConfigException(source + ": " + what + " = " + expand + " × " + dModel + " = " + dInner
                        + " is too large for d_inner (at most " + Integer.MAX_VALUE + ")");
            }
            return (int) dInner;
        }

        /** dt_rank: "auto" (= ceil(d_model / 16)) or a positive integer no larger than d_inner. */
        int dtRank(String key, int dModel, int dInner) {
            JsonElement e = json.get(key);
            int auto = (dModel - 1) / 16 + 1; // ceil(d_model / 16) for d_model >= 1, without overflow
            if (e == null || e.isJsonNull()) {
                return auto;
            }
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
                if (e.getAsString().equals("auto")) {
                    return auto;
                }
                throw new ConfigException(source + ": '" + key + "' must be \"auto\" or a positive integer, got " + e);
            }
            int rank = positive(key, null);
            if (rank > dInner) {
                throw new ConfigException(source + ": '" + key + "' = " + rank + " is inconsistent: larger than d_inner = "
                        + dInner);
            }
            return rank;
        }

        private double numeric(String key, JsonElement e) {
            if (!(e.isJsonPrimitive() && ((JsonPrimitive) e).isNumber())) {
                throw new ConfigException(source + ": '" + key + "' must be a number, got " + e);
            }
            return e.getAsDouble();
        }
    }

    private static String string(JsonObject json, String key, String source) {
        JsonElement e = json.get(key);
        if (e == null || !(e.isJsonPrimitive() && e.getAsJsonPrimitive().isString())) {
            throw new ConfigException(source + ": '" + key + "' must be a string");
        }
        return e.getAsString();
    }
}

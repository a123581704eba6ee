package dev.dtp.mamba.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dtp.core.InputException;
import dev.dtp.mamba.checkpoint.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} through DJL's tokenizers binding. The native library ships
 * inside the {@code ai.djl.huggingface:tokenizers} jar (linux-x86_64 and aarch64) and DJL extracts
 * it to its cache directory ({@code ~/.djl.ai}, or {@code DJL_CACHE_DIR}) on first use: no network.
 * Special tokens are not added unless asked (Cobra and RoboMamba use no BOS).
 */
public final class MambaTokenizer implements AutoCloseable {
    private final Path file;
    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Integer> vocabulary;

    private MambaTokenizer(Path file, HuggingFaceTokenizer tokenizer, Map<String, Integer> vocabulary) {
        this.file = file;
        this.tokenizer = tokenizer;
        this.vocabulary = vocabulary;
    }

    /** Loads {@code path}: a tokenizer.json, or a model directory holding one. */
    public static MambaTokenizer load(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + ": tokenizer file not found");
        }
        Map<String, Integer> vocabulary = readVocabulary(file);
        try {
            Map<String, String> options = new HashMap<>();
            options.put("addSpecialTokens", "false");
            HuggingFaceTokenizer t = HuggingFaceTokenizer.newInstance(file, options);
            return new MambaTokenizer(file, t, vocabulary);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(file + ": cannot load tokenizer: " + e.getMessage(), e);
        }
    }

    /** model.vocab plus added_tokens, read with Gson (also validates the JSON before the native parser). */
    private static Map<String, Integer> readVocabulary(Path file) {
        JsonObject root;
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                throw new ConfigException(file + ": tokenizer.json must be a JSON object");
            }
            root = e.getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            if (e instanceof ConfigException c) {
                throw c;
            }
            throw new ConfigException(file + ": not a valid tokenizer.json: " + e.getMessage(), e);
        }
        Map<String, Integer> vocab = new HashMap<>();
        if (root.has("model") && root.getAsJsonObject("model").has("vocab")
                && root.getAsJsonObject("model").get("vocab").isJsonObject()) {
            root.getAsJsonObject("model").getAsJsonObject("vocab").entrySet()
                    .forEach(en -> vocab.put(en.getKey(), en.getValue().getAsInt()));
        }
        if (root.has("added_tokens") && root.get("added_tokens").isJsonArray()) {
            for (JsonElement t : root.getAsJsonArray("added_tokens")) {
                JsonObject o = t.getAsJsonObject();
                vocab.put(o.get("content").getAsString(), o.get("id").getAsInt());
            }
        }
        return vocab;
    }

    public int[] encode(String text) {
        Encoding encoding = tokenizer.encode(text, false, false);
        long[] ids = encoding.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0) {
                throw new InputException("token id " + ids[i] + " at position " + i + " is negative");
            }
            l[i] = ids[i];
        }
        return tokenizer.decode(l, false);
    }

    /** The id of a token (e.g. {@code <|endoftext|>}); a clear error when the vocabulary lacks it. */
    public int tokenId(String token) {
        Integer id = vocabulary.get(token);
        if (id == null) {
            throw new InputException(file + ": no token '" + token + "' in the vocabulary");
        }
        return id;
    }

    /** True if {@code token} is in the vocabulary (or an added token). */
    public boolean contains(String token) {
        return vocabulary.containsKey(token);
    }

    /** Largest id + 1 over the vocabulary and added tokens. */
    public int vocabSize() {
        return vocabulary.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}

package dev.dtp.bench.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.dtp.bench.data.ShapesVqa;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The word-level Hugging Face tokenizer.json of the ShapesVQA model: {@code <unk>}, the end token
 * {@code <|endoftext|>}, then every question and answer word, lower-cased and split on whitespace
 * and punctuation (the {@code Whitespace} pre-tokenizer), which is how {@link ShapesVqa#tokens} splits.
 */
final class VqaTokenizer {
    static final String UNKNOWN = "<unk>";
    static final String END = "<|endoftext|>";

    private VqaTokenizer() {}

    static List<String> vocabulary() {
        List<String> words = new ArrayList<>();
        words.add(UNKNOWN);
        words.add(END);
        words.addAll(ShapesVqa.vocabulary());
        return words;
    }

    static void write(Path file) throws IOException {
        List<String> words = vocabulary();
        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", null);
        root.add("padding", null);
        JsonArray added = new JsonArray();
        for (int id = 0; id < 2; id++) {
            JsonObject t = new JsonObject();
            t.addProperty("id", id);
            t.addProperty("content", words.get(id));
            t.addProperty("single_word", false);
            t.addProperty("lstrip", false);
            t.addProperty("rstrip", false);
            t.addProperty("normalized", false);
            t.addProperty("special", true);
            added.add(t);
        }
        root.add("added_tokens", added);
        JsonObject normalizer = new JsonObject();
        normalizer.addProperty("type", "Lowercase");
        root.add("normalizer", normalizer);
        JsonObject pre = new JsonObject();
        pre.addProperty("type", "Whitespace");
        root.add("pre_tokenizer", pre);
        root.add("post_processor", null);
        JsonObject decoder = new JsonObject();
        decoder.addProperty("type", "WordPiece");
        decoder.addProperty("prefix", "##");
        decoder.addProperty("cleanup", true);
        root.add("decoder", decoder);
        JsonObject model = new JsonObject();
        model.addProperty("type", "WordLevel");
        JsonObject vocab = new JsonObject();
        for (int i = 0; i < words.size(); i++) {
            vocab.addProperty(words.get(i), i);
        }
        model.add("vocab", vocab);
        model.addProperty("unk_token", UNKNOWN);
        root.add("model", model);
        Files.writeString(file, new GsonBuilder().serializeNulls().setPrettyPrinting().create().toJson(root),
                StandardCharsets.UTF_8);
    }
}

package dev.dtp.bench.train;

import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dtp.core.PruningDefaults;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.checkpoint.MambaConfigs;
import dev.dtp.mamba.checkpoint.SafetensorsWriter;
import dev.dtp.mamba.vision.ProjectorKind;
import dev.dtp.mamba.vision.VisionConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a multimodal model directory: config.json (Hugging Face layout plus {@code vision},
 * {@code dtp} and {@code training} sections), model.safetensors and the word-level tokenizer.json.
 */
public final class VlmCheckpoint {
    private VlmCheckpoint() {}

    static void write(Path dir, VlmParameters params, JsonObject training) throws IOException {
        MambaConfig config = params.config;
        Files.createDirectories(dir);
        JsonObject json = JsonParser.parseString(MambaConfigs.toHuggingFaceJson(config)).getAsJsonObject();
        json.addProperty("unpadded_vocab_size", config.vocabSize());
        json.add("vision", params.vision.toJson());
        PruningDefaults d = PruningDefaults.paperDefaults(config.layers());
        JsonObject dtp = new JsonObject();
        dtp.addProperty("early", d.early());
        dtp.addProperty("late", d.late());
        dtp.addProperty("r", d.keepRatio());
        json.add("dtp", dtp);
        if (training != null) {
            json.add("training", training);
        }
        Files.writeString(dir.resolve("config.json"), new GsonBuilder().setPrettyPrinting().create().toJson(json),
                StandardCharsets.UTF_8);
        SafetensorsWriter.write(dir.resolve("model.safetensors"), params.checkpointTensors());
        if (!Files.exists(dir.resolve("tokenizer.json"))) {
            VqaTokenizer.write(dir.resolve("tokenizer.json"));
        }
    }

    /**
     * A seeded, untrained ShapesVQA-shaped model (64-px images, 256 patches, the ShapesVQA tokenizer)
     * of the given depth and width: for tests and benchmarks of the multimodal path.
     */
    public static void writeRandom(Path dir, int layers, int dModel, long seed) throws IOException {
        int vocab = VqaTokenizer.vocabulary().size();
        MambaConfig config = MambaConfig.of(dModel, layers, vocab).withState(16, 4, 2).withVocabPaddedTo(8);
        try (NDManager manager = NDManager.newBaseManager()) {
            write(dir, new VlmParameters(config, shapesVqaVision(dModel), seed, manager), null);
        }
    }

    static VisionConfig shapesVqaVision(int featureWidth) {
        return new VisionConfig(VisionConfig.Encoder.PATCHES, 64, 4, 3, new float[] {0.5f, 0.5f, 0.5f},
                new float[] {0.25f, 0.25f, 0.25f}, featureWidth, 256, ProjectorKind.FUSED_GELU_MLP,
                VisionConfig.Placement.BEFORE_TEXT, "{question}", List.of(VqaTokenizer.END));
    }
}

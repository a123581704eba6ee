package dev.dtp.mamba.convert;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.checkpoint.CheckpointException;
import dev.dtp.mamba.checkpoint.DType;
import dev.dtp.mamba.checkpoint.Layout;
import dev.dtp.mamba.checkpoint.MambaConfigs;
import dev.dtp.mamba.checkpoint.SafetensorsWriter;
import dev.dtp.mamba.checkpoint.torch.TorchCheckpoint;
import dev.dtp.mamba.checkpoint.torch.TorchTensor;
import dev.dtp.mamba.vision.ProjectorKind;
import dev.dtp.mamba.vision.TowerSpec;
import dev.dtp.mamba.vision.ViTTower;
import dev.dtp.mamba.vision.VisionConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Converts a released Cobra or RoboMamba PyTorch checkpoint into a model directory in our layout:
 * config.json (Hugging Face names, plus a {@code vision} section), model.safetensors with the
 * language model (renamed to the Hugging Face layout) and the projector ({@code projector.N.*}),
 * and, when given, the tokenizer. The language model's shape is read from the tensors themselves
 * (the checkpoints carry no config); tensors keep their dtype (F32, F16 or BF16).
 */
public final class CheckpointConverter {
    private CheckpointConverter() {}

    /** What was written; {@code tower} is null when no vision tower was. */
    public record Result(MambaConfig config, VisionConfig vision, int tensors, TowerSpec tower) {}

    public static Result convert(ModelFamily family, Path checkpoint, Path out, Path tokenizer, Integer patches)
            throws IOException {
        return convert(family, checkpoint, out, tokenizer, patches, List.of(), family.tower());
    }

    /**
     * Also writes the vision tower {@code tower} (e.g. the family's, {@link ModelFamily#tower()}; null:
     * none) into the model directory, from {@code towerFiles} (timm's weight files, one per ViT in the
     * tower's order) or, when none are given, from the checkpoint itself where it holds the ViT
     * (RoboMamba); config.json's vision section then names the tower and images need nothing else.
     */
    public static Result convert(ModelFamily family, Path checkpoint, Path out, Path tokenizer, Integer patches,
            List<Path> towerFiles, TowerSpec tower) throws IOException {
        if (tower == null && !towerFiles.isEmpty()) {
            throw new IllegalArgumentException("tower files given without a tower");
        }
        try (TorchCheckpoint pt = TorchCheckpoint.open(checkpoint)) {
            Map<String, TorchTensor> llm = pt.tensors(family.llmPrefix);
            Map<String, TorchTensor> projector = pt.tensors(family.projectorPrefix);
            if (llm.isEmpty()) {
                throw new CheckpointException(checkpoint + ": no tensors under '" + family.llmPrefix + "': not a "
                        + family.id() + " checkpoint (keys start with " + firstKeys(pt) + ")");
            }
            if (projector.isEmpty()) {
                throw new CheckpointException(checkpoint + ": no projector tensors under '" + family.projectorPrefix + "'");
            }
            Layout layout = llm.containsKey("backbone.embeddings.weight") ? Layout.HUGGING_FACE : Layout.MAMBA_SSM;
            MambaConfig config = inferConfig(checkpoint, llm, layout);
            ProjectorKind kind = projectorKind(checkpoint, projector);
            int featureWidth = Math.toIntExact(projector.get("0.weight").shape()[1]);
            boolean towerInCheckpoint = tower != null && towerFiles.isEmpty() && family.visionPrefix != null
                    && !pt.tensors(family.visionPrefix).isEmpty();
            boolean withTower = !towerFiles.isEmpty() || towerInCheckpoint;
            int defaultPatches = withTower ? tower.patches() : family.defaultPatches();
            VisionConfig vision = family.vision(featureWidth, kind, patches != null ? patches : defaultPatches);
            if (withTower) {
                ViTTower.checkFits(tower, vision, checkpoint.toString());
            }
            List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
            for (Map.Entry<String, TorchTensor> e : llm.entrySet()) {
                String name = e.getKey();
                if (name.equals("lm_head.weight") && config.tieEmbeddings()) {
                    continue;
                }
                String target = layout == Layout.MAMBA_SSM && name.equals(Layout.MAMBA_SSM.embeddingName())
                        ? Layout.HUGGING_FACE.embeddingName() : name;
                tensors.add(tensor(target, e.getValue()));
            }
            for (Map.Entry<String, TorchTensor> e : projector.entrySet()) {
                tensors.add(tensor("projector." + e.getKey(), e.getValue()));
            }
            Files.createDirectories(out);
            JsonObject json = JsonParser.parseString(MambaConfigs.toHuggingFaceJson(config)).getAsJsonObject();
            json.addProperty("unpadded_vocab_size", config.vocabSize());
            JsonObject visionJson = vision.toJson();
            if (!family.prompts().byBenchmark().isEmpty()) {
                visionJson.add("prompts", family.prompts().toJson());
            }
            if (withTower) {
                if (towerInCheckpoint) {
                    TowerConverter.fromCheckpoint(tower, pt, family.visionPrefix, out);
                } else {
                    TowerConverter.fromFiles(tower, towerFiles, out);
                }
                visionJson.add("tower", tower.toJson());
            }
            json.add("vision", visionJson);
            JsonObject source = new JsonObject();
            source.addProperty("family", family.id());
            source.addProperty("checkpoint", checkpoint.getFileName().toString());
            json.add("converted_from", source);
            SafetensorsWriter.write(out.resolve("model.safetensors"), tensors);
            Files.writeString(out.resolve("config.json"), new GsonBuilder().setPrettyPrinting().create().toJson(json),
                    StandardCharsets.UTF_8);
            if (tokenizer != null) {
                Files.copy(tokenizer, out.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
            }
            return new Result(config, vision, tensors.size(), withTower ? tower : null);
        }
    }

    /** Which family a checkpoint belongs to, from its key layout. */
    public static ModelFamily detect(Path checkpoint) {
        try (TorchCheckpoint pt = TorchCheckpoint.open(checkpoint)) {
            for (ModelFamily f : ModelFamily.values()) {
                if (!pt.tensors(f.llmPrefix).isEmpty() && !pt.tensors(f.projectorPrefix).isEmpty()) {
                    return f;
                }
            }
            throw new CheckpointException(checkpoint + ": neither a Cobra nor a RoboMamba checkpoint (keys start with "
                    + firstKeys(pt) + ")");
        }
    }

    private static SafetensorsWriter.Tensor tensor(String name, TorchTensor t) {
        DType dtype = switch (t.dtype()) {
            case F16 -> DType.F16;
            case BF16 -> DType.BF16;
            default -> DType.F32;
        };
        long[] shape = t.shape();
        return new SafetensorsWriter.Tensor(name, dtype, shape, t::toFloatArray);
    }

    /** The language model's shape from its tensors; the lm_head is tied when it equals the embedding. */
    static MambaConfig inferConfig(Path file, Map<String, TorchTensor> llm, Layout layout) {
        TorchTensor emb = require(file, llm, layout.embeddingName());
        long vocab = emb.shape()[0];
        int dModel = Math.toIntExact(emb.shape()[1]);
        TreeSet<Integer> indices = new TreeSet<>();
        for (String k : llm.keySet()) {
            if (k.startsWith("backbone.layers.")) {
                String rest = k.substring("backbone.layers.".length());
                indices.add(Integer.parseInt(rest.substring(0, rest.indexOf('.'))));
            }
        }
        int layers = indices.isEmpty() ? 0 : indices.last() + 1;
        if (layers == 0 || indices.size() != layers) {
            throw new CheckpointException(file + ": layer indices are not 0.." + (layers - 1) + ": " + indices);
        }
        String m = "backbone.layers.0.mixer.";
        long[] aLog = require(file, llm, m + "A_log").shape();
        long[] conv = require(file, llm, m + "conv1d.weight").shape();
        long[] inProj = require(file, llm, m + "in_proj.weight").shape();
        long[] dtProj = require(file, llm, m + "dt_proj.weight").shape();
        int dInner = Math.toIntExact(inProj[0] / 2);
        if (dInner % dModel != 0) {
            throw new CheckpointException(file + ": in_proj rows " + inProj[0] + " are not 2 × expand × d_model " + dModel);
        }
        boolean tied = true;
        if (llm.containsKey("lm_head.weight")) {
            TorchTensor head = llm.get("lm_head.weight");
            tied = head.sharesStorageWith(emb) || Arrays.equals(head.toFloatArray(), emb.toFloatArray());
        }
        return new MambaConfig(dModel, layers, Math.toIntExact(vocab), Math.toIntExact(vocab), Math.toIntExact(aLog[1]),
                Math.toIntExact(conv[conv.length - 1]), dInner / dModel, Math.toIntExact(dtProj[1]), 1e-5, tied,
                llm.containsKey(m + "in_proj.bias"), llm.containsKey(m + "conv1d.bias"));
    }

    static ProjectorKind projectorKind(Path file, Map<String, TorchTensor> projector) {
        if (projector.containsKey("4.weight")) {
            return ProjectorKind.FUSED_GELU_MLP;
        }
        if (projector.containsKey("2.weight")) {
            return ProjectorKind.GELU_MLP;
        }
        if (projector.containsKey("0.weight")) {
            return ProjectorKind.LINEAR;
        }
        throw new CheckpointException(file + ": unrecognised projector keys " + projector.keySet());
    }

    private static TorchTensor require(Path file, Map<String, TorchTensor> llm, String name) {
        TorchTensor t = llm.get(name);
        if (t == null) {
            throw new CheckpointException(file + ": tensor '" + name + "' is missing");
        }
        return t;
    }

    private static String firstKeys(TorchCheckpoint pt) {
        return pt.tensors().keySet().stream().limit(3).toList().toString();
    }
}

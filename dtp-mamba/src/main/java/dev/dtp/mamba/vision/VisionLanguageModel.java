package dev.dtp.mamba.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dtp.core.DtpPruner;
import dev.dtp.core.InputException;
import dev.dtp.core.ModelInput;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.SequenceState;
import dev.dtp.core.generate.Generation;
import dev.dtp.core.generate.GenerationConfig;
import dev.dtp.core.generate.TokenListener;
import dev.dtp.mamba.checkpoint.ConfigException;
import dev.dtp.mamba.convert.CheckpointConverter;
import dev.dtp.mamba.model.MambaModel;
import dev.dtp.mamba.tokenizer.MambaTokenizer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A multimodal Mamba model directory: the language model, its tokenizer, and the vision front end
 * and prompt template of config.json's {@code "vision"} section. Builds {@link ModelInput}s laid out
 * as the model was trained (visual tokens first for Cobra and RoboMamba), which any
 * {@link dev.dtp.core.PruningPolicy} then prunes. Thread-safe like {@link MambaModel}.
 *
 * <pre>{@code
 * try (VisionLanguageModel vlm = VisionLanguageModel.load(Path.of("models/shapes-vqa"));
 *      NDManager m = NDManager.newBaseManager()) {
 *     ModelInput in = vlm.input(ImageIO.read(file), "what color is the circle?", m);
 *     Generation g = DtpPruner.wrap(vlm.model()).generate(in, vlm.generationConfig(4));
 *     String answer = vlm.decode(g.tokens());
 * }
 * }</pre>
 */
public final class VisionLanguageModel implements AutoCloseable {
    private final Path dir;
    private final MambaModel model;
    private final VisionEncoder vision;
    private final MambaTokenizer tokenizer;
    private final PromptTemplates prompts;
    private Path temporary;

    private VisionLanguageModel(Path dir, MambaModel model, VisionEncoder vision, MambaTokenizer tokenizer,
            PromptTemplates prompts) {
        this.dir = dir;
        this.model = model;
        this.vision = vision;
        this.tokenizer = tokenizer;
        this.prompts = prompts;
    }

    /** Loads a model directory with config.json (with a "vision" section), safetensors and tokenizer.json. */
    public static VisionLanguageModel load(Path dir) {
        return load(dir, MambaModel.builder());
    }

    public static VisionLanguageModel load(Path dir, MambaModel.Builder builder) {
        String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
        if (Files.isRegularFile(dir) && (name.endsWith(".pt") || name.endsWith(".pth"))) {
            return loadCheckpoint(dir, builder);
        }
        if (!Files.isDirectory(dir)) {
            throw new ConfigException(dir + ": model directory not found");
        }
        JsonObject section = visionSection(dir);
        VisionConfig config = VisionConfig.fromJson(section, dir.resolve("config.json").toString());
        PromptTemplates prompts = PromptTemplates.fromJson(section, dir.resolve("config.json").toString());
        MambaModel model = builder.load(dir);
        VisionEncoder vision = null;
        try {
            vision = VisionEncoder.load(config, model.config().dModel(), safetensorsFiles(dir), model.device());
            // optional: a Java vision tower, {"name": ..., "resize": ..., "vits": [...]} (TowerSpec), or a TorchScript
            // backbone, {"file": "backbone.pt", "input": "unit" | "normalized", "resize": "naive" | "shortest-edge-crop"}
            JsonObject backbone = section.has("backbone") && section.get("backbone").isJsonObject()
                    ? section.getAsJsonObject("backbone") : null;
            String configFile = dir.resolve("config.json").toString();
            if (backbone != null && section.has("tower")) {
                throw new ConfigException(configFile + ": the vision section has both a 'tower' and a TorchScript 'backbone'");
            }
            if (section.has("tower")) {
                if (!section.get("tower").isJsonObject()) {
                    throw new ConfigException(configFile + ": vision.tower must be an object");
                }
                TowerSpec tower = TowerSpec.fromJson(section.getAsJsonObject("tower"), configFile);
                ViTTower.checkFits(tower, config, configFile);
                vision.useBackbone(ViTTower.load(dir, tower, model.device()));
            }
            if (backbone != null) {
                String file = backbone.has("file") ? backbone.get("file").getAsString() : "backbone.pt";
                boolean unit = backbone.has("input") && backbone.get("input").getAsString().equals("unit");
                String resize = backbone.has("resize") ? backbone.get("resize").getAsString() : "naive";
                if (!resize.equals("naive") && !resize.equals("shortest-edge-crop")) {
                    throw new ConfigException(dir.resolve("config.json") + ": vision.backbone.resize '" + resize
                            + "' is not one of [naive, shortest-edge-crop]");
                }
                vision.useBackbone(TorchScriptBackbone.load(dir.resolve(file), config, unit,
                        resize.equals("shortest-edge-crop"), model.device()));
            }
            MambaTokenizer tokenizer = MambaTokenizer.load(dir);
            return new VisionLanguageModel(dir, model, vision, tokenizer, prompts);
        } catch (RuntimeException e) {
            if (vision != null) {
                vision.close();
            }
            model.close();
            throw e;
        }
    }

    /**
     * A released Cobra or RoboMamba checkpoint used as is: converted (see {@code dtp convert}) into a
     * temporary directory that {@link #close} deletes; a {@code tokenizer.json} next to the file is used.
     */
    private static VisionLanguageModel loadCheckpoint(Path file, MambaModel.Builder builder) {
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("dtp-" + file.getFileName().toString().replace('.', '-'));
            Path tokenizer = file.toAbsolutePath().resolveSibling("tokenizer.json");
            CheckpointConverter.convert(CheckpointConverter.detect(file), file, tmp,
                    Files.isRegularFile(tokenizer) ? tokenizer : null, null);
            VisionLanguageModel vlm = load(tmp, builder);
            vlm.temporary = tmp;
            return vlm;
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new ConfigException(file + ": cannot convert: " + e.getMessage());
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is not worth failing for
        }
    }

    /** True if {@code dir}/config.json has a "vision" section. */
    public static boolean isMultimodal(Path dir) {
        Path file = dir.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file));
            return e.isJsonObject() && e.getAsJsonObject().has("vision");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** config.json's {@code "vision"} object. */
    static JsonObject visionSection(Path dir) {
        Path file = dir.resolve("config.json");
        JsonObject root;
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file));
            if (!e.isJsonObject()) {
                throw new ConfigException(file + ": not a JSON object");
            }
            root = e.getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            if (e instanceof ConfigException c) {
                throw c;
            }
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        JsonElement v = root.get("vision");
        if (v == null || !v.isJsonObject()) {
            throw new ConfigException(file + ": no \"vision\" section: this is a text-only model");
        }
        return v.getAsJsonObject();
    }

    private static List<Path> safetensorsFiles(Path dir) {
        Path single = dir.resolve("model.safetensors");
        if (Files.isRegularFile(single)) {
            return List.of(single);
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        } catch (IOException e) {
            throw new ConfigException(dir + ": cannot list: " + e.getMessage());
        }
    }

    public Path directory() {
        return dir;
    }

    public MambaModel model() {
        return model;
    }

    public MambaTokenizer tokenizer() {
        return tokenizer;
    }

    public VisionConfig visionConfig() {
        return vision.config();
    }

    public VisionEncoder vision() {
        return vision;
    }

    /** The model directory's prompt templates per benchmark ({@code vision.prompts}, else {@code vision.prompt}). */
    public PromptTemplates prompts() {
        return prompts;
    }

    /** Prompt token ids for a question, through the model's template ({@code vision.prompt}). */
    public int[] promptIds(String question) {
        return encodePrompt(vision.config().prompt(question));
    }

    /** Prompt token ids for a question of {@code benchmark}, through that benchmark's template. */
    public int[] promptIds(String benchmark, String question) {
        return encodePrompt(prompts.fill(benchmark, question));
    }

    /** Token ids of a filled-in prompt. */
    public int[] encodePrompt(String prompt) {
        int[] ids = tokenizer.encode(prompt);
        if (ids.length == 0) {
            throw new InputException("the prompt '" + prompt + "' has no tokens");
        }
        return ids;
    }

    /** An image and a question as the model's input; the visual rows live in {@code manager}. */
    public ModelInput input(BufferedImage image, String question, NDManager manager) {
        return layout(vision.encode(image, manager), question);
    }

    /** Precomputed patch features (patches, feature_width) and a question as the model's input. */
    public ModelInput inputFromFeatures(NDArray features, String question, NDManager manager) {
        return layout(vision.encodeFeatures(features, manager), question);
    }

    /**
     * The state after the image alone: the visual prefill that every question about the image
     * continues from ({@link #answer}). The policy must be prefix-safe; close the state when done
     * (or keep it in an {@link ImageStateCache}).
     */
    public SequenceState prefix(BufferedImage image, PruningPolicy policy) {
        try (NDManager m = NDManager.newBaseManager(model.device())) {
            return model.prefix(null, ModelInput.builder().visual(vision.encode(image, m)).build(), policy);
        }
    }

    /** {@link #prefix(BufferedImage, PruningPolicy)} with DTP at the model's calibrated defaults. */
    public SequenceState prefix(BufferedImage image) {
        return prefix(image, DtpPruner.wrap(model).policy());
    }

    /** The state after precomputed patch features (patches, feature_width) alone. */
    public SequenceState prefixFromFeatures(NDArray features, PruningPolicy policy) {
        try (NDManager m = NDManager.newBaseManager(model.device())) {
            return model.prefix(null, ModelInput.builder().visual(vision.encodeFeatures(features, m)).build(), policy);
        }
    }

    /** The text that follows the image for a question: what continues an image's state. */
    public ModelInput question(String question) {
        return ModelInput.builder().text(promptIds(question)).build();
    }

    /**
     * Answers a question about the image whose state {@code image} is (from {@link #prefix}):
     * only the question's tokens are prefilled. The same answer as {@code model().generate(input(image,
     * question), ...)} for a prefix-safe policy.
     */
    public Generation answer(SequenceState image, String question, PruningPolicy policy, int maxNewTokens) {
        return model.generate(image, question(question), generationConfig(maxNewTokens), policy, TokenListener.NONE);
    }

    private ModelInput layout(NDArray visual, String question) {
        return ModelInput.builder().visual(visual).text(promptIds(question)).build();
    }

    /** Token ids of the template's stop strings (those the tokenizer knows as single tokens). */
    public Set<Integer> stopTokens() {
        Set<Integer> ids = new LinkedHashSet<>();
        for (String s : vision.config().stop()) {
            if (tokenizer.contains(s)) {
                ids.add(tokenizer.tokenId(s));
            }
        }
        return ids;
    }

    /** Greedy decoding of up to {@code maxNewTokens}, stopping at the template's stop tokens. */
    public GenerationConfig generationConfig(int maxNewTokens) {
        return GenerationConfig.greedy(maxNewTokens).withStopTokens(stopTokens());
    }

    /** The answer text of generated ids, stop tokens removed, trimmed. */
    public String decode(int[] ids) {
        Set<Integer> stops = stopTokens();
        int n = 0;
        int[] kept = new int[ids.length];
        for (int id : ids) {
            if (!stops.contains(id)) {
                kept[n++] = id;
            }
        }
        return tokenizer.decode(Arrays.copyOf(kept, n)).trim();
    }

    @Override
    public void close() {
        try {
            tokenizer.close();
        } finally {
            try {
                vision.close();
            } finally {
                try {
                    model.close();
                } finally {
                    deleteQuietly(temporary);
                }
            }
        }
    }
}

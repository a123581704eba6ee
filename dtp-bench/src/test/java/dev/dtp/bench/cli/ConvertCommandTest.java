package dev.dtp.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.dtp.core.ModelInput;
import dev.dtp.core.Prefill;
import dev.dtp.core.PrefillOptions;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.TokenKind;
import dev.dtp.fixtures.Float64Ops;
import dev.dtp.fixtures.ReferenceMamba;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.checkpoint.MambaConfigs;
import dev.dtp.mamba.checkpoint.torch.TorchCheckpoint;
import dev.dtp.mamba.model.NativeArrays;
import dev.dtp.mamba.vision.VisionLanguageModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code dtp convert} on the committed fakes of Cobra's and RoboMamba's checkpoints (real key names
 * and nesting, tiny shapes): the converted model's logits for projected patch features plus a prompt
 * equal an independent float64 computation of projector (erf GELU) + Mamba (ReferenceMamba) done
 * straight from the .pt tensors.
 */
class ConvertCommandTest {
    static final Path TORCH = Path.of("..", "dtp-mamba", "src", "test", "resources", "torch");
    static final Path TOKENIZER = Path.of("..", "dtp-mamba", "src", "test", "resources", "tokenizer", "tokenizer.json");

    @TempDir
    Path dir;

    static void run(String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(0, r.exit(), r.err());
    }

    @ParameterizedTest
    @CsvSource({"cobra, cobra_fake_f32.pt, model.llm_backbone.llm., model.projector.projector., 729, 1e-4",
            "cobra, cobra_fake_bf16.pt, model.llm_backbone.llm., model.projector.projector., 729, 1e-4",
            "robomamba, robomamba_fake.pth, llm.mamba., projector.projector., 256, 1e-4"})
    void convertedModelMatchesAnIndependentComputation(String family, String file, String llmPrefix, String projPrefix,
            int patches, double tolerance) throws Exception {
        Path out = dir.resolve(family);
        // --vision none: the RoboMamba fake's ViT is 8 wide, not CLIP's 1024 (JavaTowerTest converts towers)
        run("convert", family, "--checkpoint", TORCH.resolve(file).toString(), "--out", out.toString(), "--tokenizer",
                TOKENIZER.toString(), "--vision", "none");
        MambaConfig config = MambaConfigs.read(out.resolve("config.json")).config();
        Map<String, float[]> lm = new HashMap<>();
        Map<String, float[]> proj = new HashMap<>();
        try (TorchCheckpoint pt = TorchCheckpoint.open(TORCH.resolve(file))) {
            pt.tensors(llmPrefix).forEach((k, t) -> lm.put(k, t.toFloatArray()));
            pt.tensors(projPrefix).forEach((k, t) -> proj.put(k, t.toFloatArray()));
        }
        int width = proj.get("0.bias").length / 4; // Linear(F → 4F) first
        SplittableRandom r = new SplittableRandom(3);
        float[] features = new float[patches * width];
        for (int i = 0; i < features.length; i++) {
            features[i] = (float) r.nextGaussian();
        }
        try (VisionLanguageModel vlm = VisionLanguageModel.load(out); NDManager m = NDManager.newBaseManager()) {
            assertEquals(patches, vlm.visionConfig().patches());
            NDArray f = NativeArrays.floats(m, features, new Shape(patches, width));
            String question = "what color is the circle ?";
            ModelInput input = vlm.inputFromFeatures(f, question, m);
            assertEquals(patches, input.layout().count(TokenKind.VISUAL));
            assertEquals(TokenKind.VISUAL, input.layout().kind(0)); // patches first, as both families place them
            int[] ids = vlm.promptIds(question);
            float[] logits;
            try (Prefill p = vlm.model().prefill(input, PruningPolicy.none(), PrefillOptions.DEFAULT)) {
                logits = p.logits();
            }
            // independent: projector in doubles, then the float64 Mamba over [visual rows; token embeddings]
            ReferenceMamba ref = new ReferenceMamba(config, lm);
            double[][] rows = new double[patches + ids.length][];
            for (int i = 0; i < patches; i++) {
                double[] h = new double[width];
                for (int k = 0; k < width; k++) {
                    h[k] = features[i * width + k];
                }
                h = gelu(linear(proj, "0", h));
                h = gelu(linear(proj, "2", h));
                rows[i] = linear(proj, "4", h);
            }
            for (int i = 0; i < ids.length; i++) {
                rows[patches + i] = ref.embed(ids[i]);
            }
            double[] expected = ref.forward(rows).logits();
            double max = 0;
            double err = 0;
            for (int v = 0; v < logits.length; v++) {
                max = Math.max(max, Math.abs(expected[v]));
                err = Math.max(err, Math.abs(expected[v] - logits[v]));
            }
            assertTrue(err <= tolerance * max, family + "/" + file + ": max logit error " + err + " of " + max);
        }
    }

    @Test
    void aConvertedCobraCarriesVlmEvaluationsPromptsPerBenchmark() throws Exception {
        Path cobra = dir.resolve("cobra");
        run("convert", "cobra", "--checkpoint", TORCH.resolve("cobra_fake_f32.pt").toString(), "--out", cobra.toString(),
                "--tokenizer", TOKENIZER.toString(), "--vision", "none");
        Path robomamba = dir.resolve("robomamba");
        run("convert", "robomamba", "--checkpoint", TORCH.resolve("robomamba_fake.pth").toString(), "--out",
                robomamba.toString(), "--tokenizer", TOKENIZER.toString(), "--vision", "none");
        try (VisionLanguageModel vlm = VisionLanguageModel.load(cobra)) {
            // the human turn of vlm-evaluation's prismatic.py, stripped, inside Cobra's Zephyr template
            assertEquals("<|user|>\nwhat is it?\nAnswer the question using a single word or phrase.<|endoftext|>\n"
                    + "<|assistant|>\n", vlm.prompts().fill("vqav2", "what is it?"));
            assertEquals("<|user|>\nwhat is it?\nWhen the provided information is insufficient, respond with "
                    + "'Unanswerable'.\nAnswer the question using a single word or phrase.<|endoftext|>\n<|assistant|>\n",
                    vlm.prompts().fill("vizwiz", "what is it?"));
            assertEquals("<|user|>\nBased on the image, is this statement \"True\" or \"False\"? The cat is on the mat."
                    + "\nRespond with \"True\" or \"False\" directly.<|endoftext|>\n<|assistant|>\n",
                    vlm.prompts().fill("vsr", "The cat is on the mat."));
            assertEquals("<|user|>\nReference OCR token: coke, 7\nwhat brand?\nAnswer the question using a single word or "
                    + "phrase.<|endoftext|>\n<|assistant|>\n", vlm.prompts().fill("textvqa", "what brand?\nReference OCR token: coke, 7"));
            assertEquals("<|user|>\nhello<|endoftext|>\n<|assistant|>\n", vlm.prompts().fill("shapes", "hello"));
        }
        try (VisionLanguageModel vlm = VisionLanguageModel.load(robomamba)) {
            assertEquals("<image>Question: what is it? Answer:", vlm.prompts().fill("vqav2", "what is it?"));
            assertTrue(vlm.prompts().byBenchmark().isEmpty());
        }
    }

    @Test
    void aCheckpointFileLoadsDirectly() throws Exception {
        Path pt = dir.resolve("release").resolve("latest-checkpoint.pt");
        Files.createDirectories(pt.getParent());
        Files.copy(TORCH.resolve("cobra_fake_f32.pt"), pt);
        Files.copy(TOKENIZER, pt.resolveSibling("tokenizer.json"));
        run("convert", "cobra", "--checkpoint", pt.toString(), "--out", dir.resolve("converted").toString(), "--tokenizer",
                TOKENIZER.toString());
        float[] features = new float[729 * 12];
        for (int i = 0; i < features.length; i++) {
            features[i] = (float) Math.sin(i);
        }
        float[] direct;
        float[] converted;
        Path temporary;
        try (VisionLanguageModel vlm = VisionLanguageModel.load(pt); NDManager m = NDManager.newBaseManager()) {
            temporary = vlm.directory();
            ModelInput in = vlm.inputFromFeatures(NativeArrays.floats(m, features, new Shape(729, 12)), "what is it ?", m);
            try (Prefill p = vlm.model().prefill(in, PruningPolicy.none(), PrefillOptions.DEFAULT)) {
                direct = p.logits();
            }
        }
        assertTrue(!Files.exists(temporary), "temporary conversion left behind: " + temporary);
        try (VisionLanguageModel vlm = VisionLanguageModel.load(dir.resolve("converted")); NDManager m = NDManager.newBaseManager()) {
            ModelInput in = vlm.inputFromFeatures(NativeArrays.floats(m, features, new Shape(729, 12)), "what is it ?", m);
            try (Prefill p = vlm.model().prefill(in, PruningPolicy.none(), PrefillOptions.DEFAULT)) {
                converted = p.logits();
            }
        }
        Assertions.assertArrayEquals(converted, direct);
    }

    @Test
    void rejectsTheWrongFamilyClearly() {
        CliRun r = CliRun.of("convert", "robomamba", "--checkpoint", TORCH.resolve("cobra_fake_f32.pt").toString(), "--out",
                dir.resolve("x").toString());
        assertEquals(1, r.exit());
        String err = r.err();
        assertTrue(err.contains("no tensors under 'llm.mamba.'") && err.contains("robomamba"),
                err);
        assertTrue(!Files.exists(dir.resolve("x").resolve("model.safetensors")));
    }

    private static double[] linear(Map<String, float[]> proj, String index, double[] in) {
        return Float64Ops.linear(proj.get(index + ".weight"), proj.get(index + ".bias"), in);
    }

    private static double[] gelu(double[] v) {
        return Float64Ops.gelu(v);
    }
}

package dev.dtp.mamba.convert;

import dev.dtp.mamba.vision.ProjectorKind;
import dev.dtp.mamba.vision.PromptTemplates;
import dev.dtp.mamba.vision.TowerSpec;
import dev.dtp.mamba.vision.VisionConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a released checkpoint of each supported family looks like and how its inputs are laid out;
 * sources in docs/COBRA.md.
 */
public enum ModelFamily {
    /**
     * Cobra (h-zhao1997/cobra): {@code torch.load(...)["model"]} holds {@code projector} and
     * {@code llm_backbone}; the language model (mamba-2.8b-zephyr) in the mamba_ssm layout under
     * {@code llm.}; DINOv2 ViT-L/14 + SigLIP SO400M/14 at 384 px, 729 patches, features 1024 + 1152.
     */
    COBRA("cobra", "model.llm_backbone.llm.", "model.projector.projector.", null, TowerSpec.COBRA, 729, 384, 14,
            new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f},
            "<|user|>\n{question}<|endoftext|>\n<|assistant|>\n", List.of("<|endoftext|>")),
    /**
     * RoboMamba: one flat state dict with {@code vision.*} (CLIP ViT-L/14 at 224 px, 256 patch tokens),
     * {@code llm.mamba.*} (mamba-2.8b in the Hugging Face layout) and {@code projector.projector.*}.
     */
    ROBOMAMBA("robomamba", "llm.mamba.", "projector.projector.", "vision.model.", TowerSpec.ROBOMAMBA, 256, 224, 14,
            new float[] {0.48145466f, 0.4578275f, 0.40821073f}, new float[] {0.26862954f, 0.26130258f, 0.27577711f},
            "<image>Question: {question} Answer:", List.of("<|endoftext|>"));

    final String id;
    final String llmPrefix;
    final String projectorPrefix;
    /** Where the checkpoint holds the vision tower's weights, or null (Cobra's are timm's files). */
    final String visionPrefix;
    final TowerSpec tower;
    final int patches;
    final int imageSize;
    final int patchSize;
    final float[] mean;
    final float[] std;
    final String prompt;
    final List<String> stop;

    ModelFamily(String id, String llmPrefix, String projectorPrefix, String visionPrefix, TowerSpec tower, int patches,
            int imageSize, int patchSize, float[] mean, float[] std, String prompt, List<String> stop) {
        this.id = id;
        this.llmPrefix = llmPrefix;
        this.projectorPrefix = projectorPrefix;
        this.visionPrefix = visionPrefix;
        this.tower = tower;
        this.patches = patches;
        this.imageSize = imageSize;
        this.patchSize = patchSize;
        this.mean = mean;
        this.std = std;
        this.prompt = prompt;
        this.stop = stop;
    }

    public String id() {
        return id;
    }

    /**
     * The prompt templates a converted directory carries ({@code vision.prompts}): for Cobra, the human turn
     * vlm-evaluation builds per dataset (TRI-ML/vlm-evaluation's {@code vlm_eval/models/prismatic.py}, with
     * Cobra's fork putting TextVQA's OCR tokens first), stripped and wrapped in the Zephyr chat template as
     * Cobra's prompt builder does; RoboMamba has none (its {@code vision.prompt} serves every benchmark).
     */
    public PromptTemplates prompts() {
        Map<String, String> turns = new LinkedHashMap<>();
        if (this == COBRA) {
            String shortAnswer = "{question}\nAnswer the question using a single word or phrase.";
            for (String b : List.of("vqav2", "gqa", "pope", "textvqa")) {
                turns.put(b, shortAnswer);
            }
            turns.put(PromptTemplates.TEXTVQA_OCR,
                    "Reference OCR token: {ocr}\n{question}\nAnswer the question using a single word or phrase.");
            turns.put("vizwiz", "{question}\nWhen the provided information is insufficient, respond with 'Unanswerable'."
                    + "\nAnswer the question using a single word or phrase.");
            turns.put("vsr", "Based on the image, is this statement \"True\" or \"False\"? {question}"
                    + "\nRespond with \"True\" or \"False\" directly.");
            String choices = "{question}\nAnswer with the option's letter from the given choices directly.";
            turns.put("ai2d", choices);
            turns.put("tallyqa", choices);
        }
        Map<String, String> wrapped = new LinkedHashMap<>();
        turns.forEach((b, turn) -> wrapped.put(b, prompt.replace(PromptTemplates.QUESTION, turn)));
        return PromptTemplates.of(prompt, wrapped, "the " + id + " family");
    }

    /** The family's vision tower, run in Java from timm's weights. */
    public TowerSpec tower() {
        return tower;
    }

    /** The vision section for a projector reading {@code featureWidth}-wide patch features. */
    VisionConfig vision(int featureWidth, ProjectorKind projector, int patches) {
        return new VisionConfig(VisionConfig.Encoder.FEATURES, imageSize, patchSize, 3, mean, std, featureWidth, patches,
                projector, VisionConfig.Placement.BEFORE_TEXT, prompt, stop);
    }

    int defaultPatches() {
        return patches;
    }
}

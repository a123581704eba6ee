package dev.dtp.bench.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dtp.core.InputException;
import dev.dtp.core.ModelInput;
import dev.dtp.core.TokenLayout;
import dev.dtp.mamba.checkpoint.SafetensorsFile;
import dev.dtp.mamba.vision.PromptTemplates;
import dev.dtp.mamba.vision.VisionLanguageModel;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** An eval sample as the model reads it: its image (or precomputed features) and its question. */
public final class EvalInputs {
    private EvalInputs() {}

    /**
     * The sample's image (or features) and question, through its benchmark's prompt template (the model
     * directory's), as the model's input; visual rows in {@code manager}.
     */
    public static ModelInput input(VisionLanguageModel vlm, EvalSample s, NDManager manager) {
        return ModelInput.builder().visual(visual(vlm, s, manager)).text(vlm.promptIds(s.family(), s.question())).build();
    }

    /** The projected visual tokens (patches, d_model) of the sample's image or features file. */
    public static NDArray visual(VisionLanguageModel vlm, EvalSample s, NDManager manager) {
        if (s.features() != null) {
            try (SafetensorsFile f = SafetensorsFile.open(s.features())) {
                if (!f.contains("features")) {
                    throw new InputException(s.features() + ": no tensor named 'features'");
                }
                NDArray features = f.load("features", manager);
                return vlm.vision().encodeFeatures(features, manager);
            }
        }
        return vlm.vision().encode(image(s), manager);
    }

    /** The token layout of the sample's input (the image's patches, then the prompt), without reading the image. */
    public static TokenLayout layout(VisionLanguageModel vlm, EvalSample s) {
        return layout(vlm, vlm.prompts(), s);
    }

    /** {@link #layout(VisionLanguageModel, EvalSample)} with the prompt from {@code prompts}. */
    public static TokenLayout layout(VisionLanguageModel vlm, PromptTemplates prompts, EvalSample s) {
        int visual = vlm.visionConfig().patches();
        int text = vlm.encodePrompt(prompts.fill(s.family(), s.question())).length;
        return TokenLayout.textWithImage(visual + text, 0, visual);
    }

    /** What identifies a sample's image: its features file if it has one, else its image file. */
    public static Path imageKey(EvalSample s) {
        return s.features() != null ? s.features() : s.image();
    }

    private static BufferedImage image(EvalSample s) {
        BufferedImage image;
        try {
            image = ImageIO.read(s.image().toFile());
        } catch (IOException e) {
            throw new InputException(s.image() + ": cannot read image: " + e.getMessage());
        }
        if (image == null) {
            throw new InputException(s.image() + ": not an image format Java can read (sample " + s.id() + ")");
        }
        return image;
    }
}

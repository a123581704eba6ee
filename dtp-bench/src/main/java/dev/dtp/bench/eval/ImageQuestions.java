package dev.dtp.bench.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dtp.bench.data.EvalInputs;
import dev.dtp.bench.data.EvalSample;
import dev.dtp.core.ModelInput;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.SequenceState;
import dev.dtp.core.flops.Flops;
import dev.dtp.core.flops.MambaShape;
import dev.dtp.core.generate.Generation;
import dev.dtp.core.generate.GenerationConfig;
import dev.dtp.core.generate.TokenListener;
import dev.dtp.mamba.model.MambaModel;
import dev.dtp.mamba.vision.VisionLanguageModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Answers the questions about one image under one policy. With the image cache the image's
 * visual tokens are prefilled once and every question continues from that state (only its own
 * tokens are prefilled); without it, or for a policy that is not prefix-safe, each question
 * prefills the image again. Answers are decoded {@code batch} at a time. Either way the answers
 * are the same; the first answer's prefill time includes the image's.
 */
final class ImageQuestions {
    private final VisionLanguageModel vlm;
    private final MambaShape shape;
    private final int maxNewTokens;
    private final int batch;

    ImageQuestions(VisionLanguageModel vlm, MambaShape shape, int maxNewTokens, int batch) {
        this.vlm = vlm;
        this.shape = shape;
        this.maxNewTokens = maxNewTokens;
        this.batch = batch;
    }

    /** Whether questions under {@code policy} share the image's state when the cache is on. */
    static boolean cacheable(PruningPolicy policy, boolean cacheOn) {
        return cacheOn && policy.prefixSafe();
    }

    /**
     * @param visual the image's projected visual tokens (patches, d_model)
     * @param questions samples about that image, none answered yet under this policy
     */
    List<SampleResult> answer(NDArray visual, List<EvalSample> questions, String name, PruningPolicy policy,
            boolean cached) {
        MambaModel model = vlm.model();
        List<SampleResult> out = new ArrayList<>(questions.size());
        SequenceState image = null;
        double imageMs = 0;
        try (NDManager manager = NDManager.newBaseManager(model.device())) {
            if (cached) {
                long t = System.nanoTime();
                image = model.prefix(null, ModelInput.builder().visual(visual).build(), policy);
                imageMs = (System.nanoTime() - t) / 1e6;
            }
            for (int from = 0; from < questions.size(); from += batch) {
                List<EvalSample> chunk = questions.subList(from, Math.min(questions.size(), from + batch));
                List<ModelInput> inputs = new ArrayList<>(chunk.size());
                for (EvalSample s : chunk) {
                    ModelInput.Builder b = ModelInput.builder();
                    if (!cached) {
                        b.visual(visual);
                    }
                    inputs.add(b.text(vlm.promptIds(s.question())).build());
                }
                List<Generation> answers = generate(image, inputs, policy);
                for (int i = 0; i < chunk.size(); i++) {
                    boolean first = from + i == 0;
                    Generation g = answers.get(i);
                    EvalSample s = chunk.get(i);
                    Flops.Result f = Flops.of(shape, g.trace());
                    double ms = g.prefillNanos() / 1e6 + (first ? imageMs : 0);
                    out.add(new SampleResult(name, s.id(), s.family(), s.subset(), vlm.decode(g.tokens()), f.macs(),
                            f.baselineMacs(), ms, !cached || first));
                }
            }
        } finally {
            if (image != null) {
                image.close();
            }
        }
        return out;
    }

    private List<Generation> generate(SequenceState image, List<ModelInput> inputs, PruningPolicy policy) {
        GenerationConfig config = vlm.generationConfig(maxNewTokens);
        if (inputs.size() == 1) {
            return List.of(vlm.model().generate(image, inputs.get(0), config, policy, TokenListener.NONE));
        }
        return vlm.model().generate(image, inputs, Collections.nCopies(inputs.size(), config), policy);
    }
}

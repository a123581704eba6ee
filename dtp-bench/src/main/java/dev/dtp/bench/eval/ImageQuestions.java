package dev.dtp.bench.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dtp.bench.cli.NativeMemory;
import dev.dtp.bench.data.EvalSample;
import dev.dtp.core.ModelInput;
import dev.dtp.core.Prefill;
import dev.dtp.core.PrefillOptions;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.PruningTrace;
import dev.dtp.core.SequenceState;
import dev.dtp.core.flops.Flops;
import dev.dtp.core.flops.MambaShape;
import dev.dtp.core.generate.Generation;
import dev.dtp.core.generate.GenerationConfig;
import dev.dtp.mamba.model.MambaModel;
import dev.dtp.mamba.vision.PromptTemplates;
import dev.dtp.mamba.vision.VisionLanguageModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers the questions about one image under one policy. With the image cache the image's
 * visual tokens are prefilled once and every question continues from that state (only its own
 * tokens are prefilled); without it, or for a policy that is not prefix-safe, each question
 * prefills the image again. Generated answers are decoded {@code batch} at a time; a question
 * scored by probability needs only its prefill, whose last logits are the first answer step.
 * Either way the answers are the same; the first answer's prefill time includes the image's.
 */
final class ImageQuestions {
    private final VisionLanguageModel vlm;
    private final PromptTemplates prompts;
    private final MambaShape shape;
    private final int maxNewTokens;
    private final int batch;

    ImageQuestions(VisionLanguageModel vlm, PromptTemplates prompts, MambaShape shape, int maxNewTokens, int batch) {
        this.vlm = vlm;
        this.prompts = prompts;
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
     * @param scoring how each question is scored
     */
    /**
     * @param results every answer
     * @param residentBytes the process's resident memory just before this image's tensors were freed
     */
    record Answers(List<SampleResult> results, long residentBytes) {}

    Answers answer(NDArray visual, List<EvalSample> questions, String name, PruningPolicy policy,
            boolean cached, ScoringPlan scoring) {
        MambaModel model = vlm.model();
        List<SampleResult> out = new ArrayList<>(questions.size());
        SequenceState image = null;
        long resident;
        try (NDManager manager = NDManager.newBaseManager(model.device())) {
            double imageMs = 0;
            if (cached) {
                long t = System.nanoTime();
                image = model.prefix(null, ModelInput.builder().visual(visual).build(), policy);
                imageMs = (System.nanoTime() - t) / 1e6;
            }
            List<EvalSample> generated = new ArrayList<>();
            for (EvalSample s : questions) {
                ScoringPlan.Choice choice = scoring.choice(s.id());
                if (!choice.probability()) {
                    generated.add(s);
                    continue;
                }
                try (Prefill p = model.prefill(image, input(visual, s, cached), policy, PrefillOptions.DEFAULT)) {
                    double[] probs = CandidateProbabilities.of(p.logits(), choice.firstTokens());
                    Map<String, Double> byCandidate = new LinkedHashMap<>();
                    for (int i = 0; i < probs.length; i++) {
                        byCandidate.put(choice.candidates().get(i), probs[i]);
                    }
                    String answer = choice.candidates().get(CandidateProbabilities.argmax(probs));
                    out.add(result(name, s, answer, p.trace(), p.prefillNanos(), out.isEmpty() ? imageMs : 0, cached,
                            out.isEmpty(), "probability", byCandidate));
                }
            }
            for (int from = 0; from < generated.size(); from += batch) {
                List<EvalSample> chunk = generated.subList(from, Math.min(generated.size(), from + batch));
                List<ModelInput> inputs = new ArrayList<>(chunk.size());
                for (EvalSample s : chunk) {
                    inputs.add(input(visual, s, cached));
                }
                List<Generation> answers = generate(image, inputs, policy);
                for (int i = 0; i < chunk.size(); i++) {
                    Generation g = answers.get(i);
                    out.add(result(name, chunk.get(i), vlm.decode(g.tokens()), g.trace(), g.prefillNanos(),
                            out.isEmpty() ? imageMs : 0, cached, out.isEmpty(), "generate", Map.of()));
                }
            }
            resident = NativeMemory.residentBytes();
        } finally {
            if (image != null) {
                image.close();
            }
        }
        return new Answers(out, resident);
    }

    /** The question's tokens through its benchmark's prompt template, after the image's unless they continue the image's state. */
    private ModelInput input(NDArray visual, EvalSample s, boolean cached) {
        ModelInput.Builder b = ModelInput.builder();
        if (!cached) {
            b.visual(visual);
        }
        return b.text(vlm.encodePrompt(prompts.fill(s.family(), s.question()))).build();
    }

    private SampleResult result(String name, EvalSample s, String prediction, PruningTrace trace, long prefillNanos,
            double imageMs, boolean cached, boolean first, String scoring, Map<String, Double> probabilities) {
        Flops.Result f = Flops.of(shape, trace);
        return new SampleResult(name, s.id(), s.family(), s.subset(), prediction, f.macs(), f.baselineMacs(),
                prefillNanos / 1e6 + imageMs, !cached || first, scoring, probabilities, trace.keptCounts());
    }

    private List<Generation> generate(SequenceState image, List<ModelInput> inputs, PruningPolicy policy) {
        GenerationConfig config = vlm.generationConfig(maxNewTokens);
        return vlm.model().generate(image, inputs, Collections.nCopies(inputs.size(), config), policy);
    }
}

package dev.dtp.bench.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dtp.bench.data.EvalInputs;
import dev.dtp.bench.data.EvalSample;
import dev.dtp.core.PruningPolicy;
import dev.dtp.mamba.vision.PromptTemplates;
import dev.dtp.mamba.vision.VisionLanguageModel;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One evaluation's work, independent of where it runs (this JVM, or a Spark executor): the model,
 * the policies and the settings, and answering every policy's questions about one image — the
 * image's visual tokens computed once, and prefilled once per policy when the image cache is on.
 */
public final class EvalRun {
    /**
     * @param maxNewTokens answer length limit
     * @param imageCache reuse each image's state for its questions (prefix-safe policies only)
     * @param batch answers about one image decoded together
     * @param prompts prompt templates replacing the model directory's, by benchmark ("" for every benchmark);
     *     {@code dtp eval --prompt-template}
     */
    public record Settings(int maxNewTokens, boolean imageCache, int batch, Map<String, String> prompts)
            implements Serializable {
        public Settings {
            prompts = Map.copyOf(prompts);
        }

        /** The model directory's prompt templates. */
        public Settings(int maxNewTokens, boolean imageCache, int batch) {
            this(maxNewTokens, imageCache, batch, Map.of());
        }
    }

    private ScoringPlan scoring = ScoringPlan.generateAll();
    private final Map<String, PolicyCost> costs = new LinkedHashMap<>();

    private final VisionLanguageModel vlm;
    private final List<String> names;
    private final List<PruningPolicy> policies;
    private final Settings settings;
    private final ImageQuestions answerer;

    public EvalRun(VisionLanguageModel vlm, List<String> names, List<PruningPolicy> policies, Settings settings) {
        if (names.size() != policies.size()) {
            throw new IllegalArgumentException(names.size() + " policy names for " + policies.size() + " policies");
        }
        this.vlm = vlm;
        this.names = List.copyOf(names);
        this.policies = List.copyOf(policies);
        this.settings = settings;
        this.answerer = new ImageQuestions(vlm, prompts(vlm, settings), vlm.model().config().shape(),
                settings.maxNewTokens(), settings.batch());
    }

    /** The model directory's prompt templates with the settings' overrides. */
    public static PromptTemplates prompts(VisionLanguageModel vlm, Settings settings) {
        return vlm.prompts().with(settings.prompts(), "--prompt-template");
    }

    /** Scores questions as {@code plan} says (default: every question by generation). */
    EvalRun scoring(ScoringPlan plan) {
        this.scoring = plan;
        return this;
    }

    public List<String> names() {
        return names;
    }

    /** The key of one answer: policy name and sample id. */
    public static String key(String policy, String id) {
        return policy + "\u0000" + id;
    }

    /** The samples grouped by image (or features file), in order of first appearance. */
    public static List<List<EvalSample>> byImage(List<EvalSample> samples) {
        Map<Path, List<EvalSample>> groups = new LinkedHashMap<>();
        for (EvalSample s : samples) {
            groups.computeIfAbsent(EvalInputs.imageKey(s), k -> new ArrayList<>()).add(s);
        }
        return new ArrayList<>(groups.values());
    }

    /**
     * Answers, under every policy, the questions about one image whose key is not in {@code done};
     * each result goes to {@code sink} as soon as it is known.
     *
     * @param image samples that share one image
     */
    public void answerImage(List<EvalSample> image, Set<String> done, Consumer<SampleResult> sink) {
        NDManager manager = null;
        NDArray visual = null;
        try {
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                List<EvalSample> pending = image.stream().filter(s -> !done.contains(key(name, s.id()))).toList();
                if (pending.isEmpty()) {
                    continue;
                }
                if (visual == null) {
                    manager = NDManager.newBaseManager(vlm.model().device());
                    visual = EvalInputs.visual(vlm, image.get(0), manager);
                }
                boolean cached = ImageQuestions.cacheable(policies.get(i), settings.imageCache());
                long t = System.nanoTime();
                ImageQuestions.Answers answers = answerer.answer(visual, pending, name, policies.get(i), cached, scoring);
                costs.merge(name, PolicyCost.NONE.plus(System.nanoTime() - t, answers.residentBytes()),
                        (a, b) -> a.plus(b.wallNanos(), b.peakResidentBytes()));
                answers.results().forEach(sink);
            }
        } finally {
            if (manager != null) {
                manager.close();
            }
        }
    }

    /** Per policy, what answering its questions cost so far in this run. */
    public Map<String, PolicyCost> costs() {
        return Map.copyOf(costs);
    }

    /** Per policy: "on", "off", or why the cache was off for it, for the report. */
    public Map<String, String> imageCacheNotes() {
        Map<String, String> notes = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            notes.put(names.get(i), !settings.imageCache() ? "off" : policies.get(i).prefixSafe() ? "on"
                    : "off (policy not prefix-safe)");
        }
        return notes;
    }
}

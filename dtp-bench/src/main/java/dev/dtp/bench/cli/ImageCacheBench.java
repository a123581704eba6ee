package dev.dtp.bench.cli;

import ai.djl.ndarray.NDManager;
import dev.dtp.core.ModelInput;
import dev.dtp.core.Prefill;
import dev.dtp.core.PrefillOptions;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.SequenceState;
import dev.dtp.mamba.model.MambaModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code dtp bench --questions-per-image N}: what a question about an image costs when the image's
 * state is reused. Per policy: the prefill of image + question from scratch (uncached), the
 * image's visual prefill once, and a follow-up question continuing from its state (cached); the
 * runs alternate between the two so that drift hits both alike.
 */
final class ImageCacheBench {
    private final MambaModel model;
    private final int visual;
    private final int text;
    private final int questions;
    private final int runs;
    private final int warmup;
    private final long seed;

    ImageCacheBench(MambaModel model, int visual, int text, int questions, int runs, int warmup, long seed) {
        this.model = model;
        this.visual = visual;
        this.text = text;
        this.questions = questions;
        this.runs = runs;
        this.warmup = warmup;
        this.seed = seed;
    }

    Map<String, Object> measure(String name, PruningPolicy policy) {
        try (NDManager manager = NDManager.newBaseManager(model.device())) {
            ModelInput image = BenchInputs.cobraLayout(model, manager, visual, 0, seed);
            List<ModelInput> asked = new ArrayList<>(questions);
            List<ModelInput> whole = new ArrayList<>(questions);
            SplittableRandom rnd = new SplittableRandom(seed + 1);
            for (int q = 0; q < questions; q++) {
                int[] ids = rnd.ints(text, 0, model.config().vocabSize()).toArray();
                asked.add(ModelInput.ofIds(ids));
                whole.add(ModelInput.builder().visual(image.segments().get(0).embeddings()).text(ids).build());
            }
            double[] uncached = new double[runs * questions];
            double[] cached = new double[runs * questions];
            double[] imageMs = new double[runs];
            for (int r = -warmup; r < runs; r++) {
                long t0 = System.nanoTime();
                try (SequenceState state = model.prefix(null, image, policy)) {
                    long t1 = System.nanoTime();
                    if (r >= 0) {
                        imageMs[r] = (t1 - t0) / 1e6;
                    }
                    for (int q = 0; q < questions; q++) {
                        long a = System.nanoTime();
                        try (Prefill p = model.prefill(whole.get(q), policy, PrefillOptions.DEFAULT)) {
                            long b = System.nanoTime();
                            try (Prefill c = model.prefill(state, asked.get(q), policy, PrefillOptions.DEFAULT)) {
                                long e = System.nanoTime();
                                if (r >= 0) {
                                    uncached[r * questions + q] = (b - a) / 1e6;
                                    cached[r * questions + q] = (e - b) / 1e6;
                                }
                            }
                        }
                    }
                }
            }
            double u = Stats.of(uncached).median();
            double c = Stats.of(cached).median();
            double img = Stats.of(imageMs).median();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("policy", name);
            row.put("questions_per_image", questions);
            row.put("per_question_ms_uncached", round(u));
            row.put("per_question_ms_cached", round(c));
            row.put("cached_speedup", round(u / c));
            row.put("image_prefill_ms", round(img));
            row.put("per_question_ms_cached_amortised", round((img + questions * c) / questions));
            row.put("peak_rss_mb", NativeMemory.peakResidentBytes() / (1 << 20));
            return row;
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}

package dev.dtp.bench.train;

import ai.djl.ndarray.NDManager;
import dev.dtp.bench.cli.Progress;
import dev.dtp.bench.data.Scene;
import dev.dtp.bench.data.ShapesVqaSample;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Stage one of the recipe: the vision front end learns dense patch labels ({@link VisionPretrainer})
 * before the language model trains, 32 random training scenes a step.
 */
final class VisionStage {
    private static final int SCENES_PER_STEP = 32;

    private final int steps;
    private final long seed;

    VisionStage(int steps, long seed) {
        this.steps = steps;
        this.seed = seed;
    }

    void run(VlmParameters params, List<ShapesVqaSample> train, NDManager manager, PrintWriter o) {
        // seed + 1: its scenes are drawn independently of the language model's batches, which use seed
        SplittableRandom rng = new SplittableRandom(seed + 1);
        Progress progress = new Progress(o, "vision", steps);
        try (VisionPretrainer pre = new VisionPretrainer(params, manager, seed)) {
            double loss = Double.NaN;
            // smoothed shape, character and column accuracy and position error
            double[] quality = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
            for (int step = 1; step <= steps; step++) {
                VisionPretrainer.Step s;
                try (NDManager scratch = manager.newSubManager()) {
                    s = pre.step(scenes(train, rng), learningRate(step), scratch);
                }
                loss = Double.isNaN(loss) ? s.loss() : 0.95 * loss + 0.05 * s.loss();
                smooth(quality, new double[] {s.shapeAccuracy(), s.glyphAccuracy(), s.placeAccuracy(),
                        s.positionError()});
                progress.update(step, String.format(Locale.ROOT, "patch loss %.3f", loss));
                if (step % 100 == 0 || step == steps) {
                    progress.log(String.format(Locale.ROOT, "vision step %d  patch loss %.4f  object-patch shape"
                            + " accuracy %.3f  text-patch character accuracy %.3f  object column accuracy %.3f"
                            + "  position rms %.3f", step, loss, quality[0], quality[1], quality[2], quality[3]));
                }
            }
        }
    }

    private static List<Scene> scenes(List<ShapesVqaSample> train, SplittableRandom rng) {
        List<Scene> scenes = new ArrayList<>();
        for (int i = 0; i < SCENES_PER_STEP; i++) {
            scenes.add(train.get(rng.nextInt(train.size())).scene());
        }
        return scenes;
    }

    /** 3e-3 after 50 warm-up steps, then a cosine to a tenth of it. */
    private double learningRate(int step) {
        return 3e-3 * Math.min(1.0, step / 50.0) * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * step / steps)));
    }

    /** Moving averages; a step without a measurement (NaN: no labelled patch in its scenes) leaves one as it was. */
    private static void smooth(double[] averages, double[] now) {
        for (int k = 0; k < averages.length; k++) {
            averages[k] = Double.isNaN(now[k]) ? averages[k]
                    : Double.isNaN(averages[k]) ? now[k] : 0.95 * averages[k] + 0.05 * now[k];
        }
    }
}

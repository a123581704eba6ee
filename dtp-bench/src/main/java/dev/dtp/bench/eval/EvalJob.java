package dev.dtp.bench.eval;

import dev.dtp.core.PruningPolicy;
import dev.dtp.core.policy.PolicySpec;
import dev.dtp.mamba.model.MambaModel;
import dev.dtp.mamba.vision.VisionLanguageModel;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What an evaluation runs, as plain values that can be sent to another JVM: the model directory,
 * an explicit calibration file (or null), the policy specs and the answer settings. Two equal jobs
 * load the same model the same way, so a Spark executor keeps one loaded model per job.
 *
 * @param model absolute path of the model directory (or .pt checkpoint)
 * @param calibration absolute path of a calibration.json, or null for the model directory's own
 * @param device {@code cpu} or {@code gpu[:N]}, as {@code --device} takes it
 */
public record EvalJob(String model, String calibration, List<String> policies, EvalRun.Settings settings,
        String device) implements Serializable {

    public EvalJob {
        policies = List.copyOf(policies);
    }

    public Path modelPath() {
        return Path.of(model);
    }

    /** Loads the model with {@code builder} (device and threads already chosen) and parses every policy. */
    public LoadedEval load(MambaModel.Builder builder) {
        MambaModel.Builder b = calibration == null ? builder : builder.calibration(Path.of(calibration));
        VisionLanguageModel vlm = VisionLanguageModel.load(modelPath(), b);
        try {
            List<PruningPolicy> parsed = new ArrayList<>();
            for (String p : policies) {
                parsed.add(PolicySpec.parse(p, vlm.model().pruningDefaults(), vlm.model().layerCount()));
            }
            return new LoadedEval(vlm, new EvalRun(vlm, policies, parsed, settings));
        } catch (RuntimeException e) {
            vlm.close();
            throw e;
        }
    }
}

package dev.dtp.bench.analysis;

import ai.djl.ndarray.NDManager;
import dev.dtp.bench.cli.Progress;
import dev.dtp.bench.data.EvalInputs;
import dev.dtp.bench.data.EvalSample;
import dev.dtp.core.ModelInput;
import dev.dtp.core.Prefill;
import dev.dtp.core.PrefillOptions;
import dev.dtp.core.PruningPolicy;
import dev.dtp.mamba.vision.VisionLanguageModel;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.IntFunction;

/**
 * How much a pruning policy changes the answer: the mean KL(p_full ‖ p_policy) of the next-token
 * distribution over calibration samples, for one policy per layer (VTW's criterion, the sweep).
 */
final class NextTokenKl {
    private NextTokenKl() {}

    /**
     * Mean KL(p_full ‖ p_policy) over the samples for the policy at each layer l; NaN where
     * {@code policyAt} gives null (not tried).
     */
    static double[] perLayer(VisionLanguageModel vlm, List<EvalSample> samples, String label,
            IntFunction<PruningPolicy> policyAt, PrintWriter o) {
        int n = vlm.model().layerCount();
        double[] kl = new double[n];
        Progress progress = new Progress(o, label, (long) samples.size() * n);
        long done = 0;
        for (EvalSample s : samples) {
            try (NDManager m = NDManager.newBaseManager(vlm.model().device())) {
                ModelInput input = EvalInputs.input(vlm, s, m);
                double[] p = softmax(logits(vlm, input, PruningPolicy.none()));
                for (int l = 0; l < n; l++) {
                    PruningPolicy policy = policyAt.apply(l);
                    if (policy == null) {
                        kl[l] = Double.NaN;
                    } else {
                        kl[l] += divergence(p, softmax(logits(vlm, input, policy))) / samples.size();
                    }
                    progress.update(++done, "");
                }
            }
        }
        return kl;
    }

    /** KL(p ‖ q) in nats; q floored at 1e-300 so that a token q rules out costs a large but finite amount. */
    private static double divergence(double[] p, double[] q) {
        double d = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                d += p[i] * (Math.log(p[i]) - Math.log(Math.max(q[i], 1e-300)));
            }
        }
        return d;
    }

    private static float[] logits(VisionLanguageModel vlm, ModelInput input, PruningPolicy policy) {
        try (Prefill p = vlm.model().prefill(input, policy, PrefillOptions.DEFAULT)) {
            return p.logits();
        }
    }

    private static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}

package dev.dtp.bench.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov & Hutter) with global gradient-norm clipping, on the parameters' own
 * gradient buffers, which it zeroes after each step. Weight decay applies to matrices only (not
 * to norms, biases, A_log, D, positions).
 */
final class Adam {
    private final Map<String, NDArray> params;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private final double beta1 = 0.9;
    private final double beta2 = 0.98;
    private final double eps = 1e-8;
    private final double weightDecay;
    private final double clip;
    private int t;

    Adam(Map<String, NDArray> params, NDManager manager, double weightDecay, double clip) {
        this.params = params;
        this.weightDecay = weightDecay;
        this.clip = clip;
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            m.put(e.getKey(), manager.zeros(e.getValue().getShape()));
            v.put(e.getKey(), manager.zeros(e.getValue().getShape()));
        }
    }

    /** Applies one update with learning rate {@code lr}; returns the gradient norm before clipping. */
    double step(double lr, NDManager scratch) {
        t++;
        double sq = 0;
        Map<String, NDArray> grads = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray g = e.getValue().getGradient();
            g.attach(scratch);
            grads.put(e.getKey(), g);
            sq += g.square().sum().getFloat();
        }
        double norm = Math.sqrt(sq);
        if (!Double.isFinite(norm)) {
            throw new IllegalStateException("gradient norm is " + norm + " at step " + t);
        }
        float scale = (float) (norm > clip ? clip / norm : 1);
        float c1 = (float) (1 - Math.pow(beta1, t));
        float c2 = (float) (1 - Math.pow(beta2, t));
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            String name = e.getKey();
            NDArray p = e.getValue();
            NDArray g = grads.get(name).mul(scale);
            NDArray mi = m.get(name);
            NDArray vi = v.get(name);
            mi.muli((float) beta1).addi(g.mul((float) (1 - beta1)));
            vi.muli((float) beta2).addi(g.square().mul((float) (1 - beta2)));
            // temporaries of the moments' and parameters' ops land in their managers: move them to scratch
            NDArray mHat = in(scratch, mi.div(c1));
            NDArray denominator = in(scratch, in(scratch, in(scratch, vi.div(c2)).sqrt()).add((float) eps));
            NDArray update = mHat.div(denominator).mul((float) lr);
            if (weightDecay > 0 && decays(name, p)) {
                update = update.add(in(scratch, p.mul((float) (lr * weightDecay))));
            }
            p.subi(update);
            MambaTrainer.zeroGradient(p);
        }
        return norm;
    }

    private static NDArray in(NDManager scratch, NDArray a) {
        a.attach(scratch);
        return a;
    }

    private static boolean decays(String name, NDArray p) {
        return p.getShape().dimension() == 2 && !name.endsWith("A_log") && !name.contains("position_embed")
                && !name.contains("conv1d");
    }
}

package dev.dtp.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.model.NativeArrays;
import dev.dtp.mamba.scan.NDArrayScan;
import dev.dtp.mamba.scan.ScanInput;
import dev.dtp.mamba.vision.ProjectorKind;
import dev.dtp.mamba.vision.VisionConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The trainer's layer-by-layer backward (Java scan gradients + autograd surrogate) against plain
 * DJL autograd through the whole model with the differentiable chunked {@link NDArrayScan}: an
 * independent route to the same gradients.
 */
class MambaTrainerGradientTest {
    static VisionConfig vision() {
        return new VisionConfig(VisionConfig.Encoder.PATCHES, 8, 2, 3, new float[] {0.5f, 0.5f, 0.5f},
                new float[] {0.25f, 0.25f, 0.25f}, 8, 16, ProjectorKind.FUSED_GELU_MLP,
                VisionConfig.Placement.BEFORE_TEXT, "{question}", List.of("<|endoftext|>"));
    }

    static TrainBatch batch(int batch, VisionConfig v, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int text = 5;
        float[] pixels = new float[batch * v.patches() * v.patchDim()];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) r.nextGaussian();
        }
        int[] ids = new int[batch * text];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextInt(vocab);
        }
        int length = v.patches() + text;
        int[] rows = new int[2 * batch];
        int[] targets = new int[2 * batch];
        int[] answers = new int[batch];
        for (int s = 0; s < batch; s++) {
            int pos = length - 2 - r.nextInt(2);
            rows[2 * s] = s * length + pos;
            rows[2 * s + 1] = s * length + pos + 1;
            answers[s] = rows[2 * s];
            targets[2 * s] = r.nextInt(vocab);
            targets[2 * s + 1] = r.nextInt(vocab);
        }
        return new TrainBatch(batch, v.patches(), pixels, text, ids, rows, targets, answers);
    }

    @Test
    void layerwiseBackwardEqualsFullAutograd() {
        MambaConfig config = MambaConfig.of(16, 3, 24).withState(16, 4, 2);
        VisionConfig v = vision();
        TrainBatch b = batch(3, v, 24, 5);
        try (NDManager m = NDManager.newBaseManager()) {
            VlmParameters params = new VlmParameters(config, v, 11, m);
            // make the test sensitive: non-trivial D, norms and biases
            jitter(params, 3);
            MambaTrainer trainer = new MambaTrainer(params);
            double loss;
            try (NDManager step = m.newSubManager()) {
                loss = trainer.lossAndGradients(b, step);
            }
            Map<String, float[]> ours = new LinkedHashMap<>();
            params.all().forEach((name, a) -> {
                NDArray g = a.getGradient();
                ours.put(name, g.toFloatArray());
                g.close();
                MambaTrainer.zeroGradient(a);
            });
            double refLoss = fullAutograd(trainer, params, b, m);
            assertEquals(refLoss, loss, 1e-4 * Math.abs(refLoss));
            params.all().forEach((name, a) -> {
                NDArray g = a.getGradient();
                float[] ref = g.toFloatArray();
                g.close();
                float[] got = ours.get(name);
                double max = 0;
                double err = 0;
                for (int i = 0; i < ref.length; i++) {
                    max = Math.max(max, Math.abs(ref[i]));
                    err = Math.max(err, Math.abs(ref[i] - got[i]));
                }
                assertTrue(max > 0, name + " got no gradient in the reference");
                assertTrue(err <= 1e-4 * max + 1e-8, name + ": max error " + err + " vs max |grad| " + max);
            });
        }
    }

    static void jitter(VlmParameters params, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (var e : params.all().entrySet()) {
            String n = e.getKey();
            if (n.endsWith("norm.weight") || n.endsWith("norm_f.weight") || n.endsWith("mixer.D") || n.endsWith(".bias")) {
                float[] v = e.getValue().toFloatArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] += (float) (0.3 * (r.nextDouble() - 0.5));
                }
                NativeArrays.overwrite(e.getValue(), v);
            }
        }
    }

    /** The same loss through DJL autograd end to end, the scan by NDArrayScan per sample. */
    private static double fullAutograd(MambaTrainer t, VlmParameters p, TrainBatch b, NDManager parent) {
        MambaConfig c = p.config;
        NDArrayScan scan = new NDArrayScan(4);
        try (NDManager m = parent.newSubManager();
                GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray h = t.embed(b, m);
            for (int l = 0; l < c.layers(); l++) {
                MambaTrainer.Projected pr = t.project(l, h);
                NDArray a = p.layer(l, "mixer.A_log").exp().neg();
                List<NDArray> ys = new ArrayList<>();
                for (int s = 0; s < b.batch(); s++) {
                    NDIndex i = new NDIndex("{}", s);
                    ys.add(scan.scan(new ScanInput(pr.x().get(i), pr.delta().get(i), a, pr.b().get(i), pr.c().get(i),
                            p.layer(l, "mixer.D"), null)).y());
                }
                h = t.output(l, h, pr.z(), NDArrays.stack(new NDList(ys)));
            }
            NDArray logp = t.logits(h, b.targetRows()).logSoftmax(1);
            NDArray oneHot = NativeArrays.longs(m, b.targets()).oneHot(c.paddedVocabSize());
            NDArray nll = logp.mul(oneHot).sum(new int[] {1}).mean().neg();
            gc.backward(nll);
            return nll.getFloat();
        }
    }
}

package dev.dtp.bench.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.dtp.bench.data.Scene;
import dev.dtp.mamba.model.NativeArrays;
import dev.dtp.mamba.vision.ImagePreprocessor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Stage one of training, standing in for the pretrained vision encoder a real VLM starts from: the patch
 * embedding, positions and projector learn to say, per visual token, what covers its patch (colour, shape,
 * size — {@link PatchLabels}) through linear heads that are thrown away afterwards. The language model
 * then starts from visual tokens that already carry the scene, as Cobra's LLM does.
 */
final class VisionPretrainer implements AutoCloseable {
    private final VlmParameters p;
    private final MambaTrainer trainer;
    private final NDManager heads;
    private final Map<String, NDArray> trained = new LinkedHashMap<>();
    private final Adam adam;
    private final ImagePreprocessor preprocessor;

    VisionPretrainer(VlmParameters parameters, NDManager manager, long seed) {
        this.p = parameters;
        this.trainer = new MambaTrainer(parameters);
        this.heads = manager.newSubManager();
        this.preprocessor = new ImagePreprocessor(parameters.vision);
        SplittableRandom rnd = new SplittableRandom(seed);
        int d = parameters.config.dModel();
        head("color", PatchLabels.COLORS, d, rnd);
        head("shape", PatchLabels.SHAPES, d, rnd);
        head("size", PatchLabels.SIZES, d, rnd);
        parameters.all().forEach((name, a) -> {
            if (name.startsWith("vision.") || name.startsWith("projector.")) {
                trained.put(name, a);
            }
        });
        this.adam = new Adam(trained, heads, 0.0, 1.0);
    }

    private void head(String name, int classes, int d, SplittableRandom rnd) {
        float[] w = new float[classes * d];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((rnd.nextDouble() * 2 - 1) / Math.sqrt(d));
        }
        NDArray a = NativeArrays.floats(heads, w, new Shape(classes, d));
        a.setRequiresGradient(true);
        trained.put("head." + name, a);
    }

    /** Result of one step: mean cross-entropy and the fraction of object patches whose shape was right. */
    record Step(double loss, double shapeAccuracy) {
    }

    /** One AdamW step on a batch of scenes. */
    Step step(List<Scene> scenes, double lr, NDManager scratch) {
        int n = scenes.size();
        int patches = p.vision.patches();
        int patchDim = p.vision.patchDim();
        float[] pixels = new float[n * patches * patchDim];
        int[][] labels = new int[3][n * patches];
        for (int i = 0; i < n; i++) {
            Scene s = scenes.get(i);
            float[] x = preprocessor.patches(dev.dtp.bench.data.SceneRenderer.render(s));
            System.arraycopy(x, 0, pixels, i * patches * patchDim, x.length);
            PatchLabels l = PatchLabels.of(s, p.vision.patchSize());
            System.arraycopy(l.color(), 0, labels[0], i * patches, patches);
            System.arraycopy(l.shape(), 0, labels[1], i * patches, patches);
            System.arraycopy(l.size(), 0, labels[2], i * patches, patches);
        }
        double loss;
        long right = 0;
        long objects = 0;
        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray tokens = trainer.visualTokens(pixels, n, scratch).reshape(n * patches, -1);
            NDArray total = null;
            String[] names = {"color", "shape", "size"};
            for (int k = 0; k < 3; k++) {
                NDArray logits = tokens.matMul(MambaTrainer.local(scratch, trained.get("head." + names[k]).transpose()));
                NDArray oneHot = NativeArrays.longs(scratch, labels[k]).oneHot((int) logits.getShape().get(1));
                NDArray ce = logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).mean().neg();
                total = total == null ? ce : total.add(ce);
                if (k == 1) {
                    long[] predicted = logits.argMax(1).toLongArray();
                    for (int i = 0; i < predicted.length; i++) {
                        if (labels[1][i] > 0) {
                            objects++;
                            right += predicted[i] == labels[1][i] ? 1 : 0;
                        }
                    }
                }
            }
            loss = total.getFloat();
            gc.backward(total);
        }
        adam.step(lr, scratch);
        return new Step(loss, objects == 0 ? 1 : (double) right / objects);
    }

    @Override
    public void close() {
        heads.close();
    }
}

package dev.dtp.bench.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.dtp.bench.data.Scene;
import dev.dtp.bench.data.SceneRenderer;
import dev.dtp.mamba.model.NativeArrays;
import dev.dtp.mamba.vision.ImagePreprocessor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Stage one of training, standing in for the pretrained vision encoder a real VLM starts from: the patch
 * embedding, positions and projector learn to say, per visual token, what covers its patch (colour, shape,
 * size, text character, and where the covering object is — {@link PatchLabels}) and where the patch itself
 * is, through linear heads that are thrown away afterwards. The language model then starts from visual
 * tokens that already carry the scene, as Cobra's LLM does.
 */
final class VisionPretrainer implements AutoCloseable {
    private static final String[] CLASS_HEADS = {"color", "shape", "size", "glyph", "column", "row"};
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
        int[] classes = {PatchLabels.COLORS, PatchLabels.SHAPES, PatchLabels.SIZES, PatchLabels.GLYPHS,
            1 + PatchLabels.PLACES, 1 + PatchLabels.PLACES};
        for (int k = 0; k < CLASS_HEADS.length; k++) {
            head(CLASS_HEADS[k], classes[k], d, rnd);
        }
        head("position", 2, d, rnd);
        parameters.all().forEach((name, a) -> {
            if (VlmParameters.isVision(name)) {
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

    /**
     * Result of one step: mean loss, the fraction of object patches whose shape was right, the fraction of
     * text patches whose character was right (NaN without text), the fraction of object patches whose
     * object's column bin was right and the RMS error of the patch positions.
     */
    record Step(double loss, double shapeAccuracy, double glyphAccuracy, double placeAccuracy, double positionError) {
    }

    /** One AdamW step on a batch of scenes. */
    Step step(List<Scene> scenes, double lr, NDManager scratch) {
        int n = scenes.size();
        int patches = p.vision.patches();
        int patchDim = p.vision.patchDim();
        float[] pixels = new float[n * patches * patchDim];
        int[][] labels = new int[CLASS_HEADS.length][n * patches];
        for (int i = 0; i < n; i++) {
            Scene s = scenes.get(i);
            float[] x = preprocessor.patches(SceneRenderer.render(s));
            System.arraycopy(x, 0, pixels, i * patches * patchDim, x.length);
            PatchLabels l = PatchLabels.of(s, p.vision.patchSize());
            int[][] perHead = {l.color(), l.shape(), l.size(), l.glyph(), l.column(), l.row()};
            for (int k = 0; k < CLASS_HEADS.length; k++) {
                System.arraycopy(perHead[k], 0, labels[k], i * patches, patches);
            }
        }
        double loss;
        double[] accuracy = new double[CLASS_HEADS.length];
        double positionError;
        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray tokens = trainer.visualTokens(pixels, n, scratch).reshape(n * patches, -1);
            NDArray total = null;
            for (int k = 0; k < CLASS_HEADS.length; k++) {
                NDArray logits = tokens.matMul(MambaTrainer.local(scratch, trained.get("head." + CLASS_HEADS[k]).transpose()));
                NDArray oneHot = NativeArrays.longs(scratch, labels[k]).oneHot((int) logits.getShape().get(1));
                NDArray ce = logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).mean().neg();
                total = total == null ? ce : total.add(ce);
                accuracy[k] = labelledAccuracy(logits.argMax(1).toLongArray(), labels[k]);
            }
            // every patch also says where it is, as (column, row) scaled to [-1, 1]: coordinates the language
            // model can compare linearly ("left of", "above")
            NDArray where = tokens.matMul(MambaTrainer.local(scratch, trained.get("head.position").transpose()));
            NDArray mse = where.sub(positions(n, scratch)).square().mean();
            positionError = Math.sqrt(mse.getFloat());
            total = total.add(mse);
            loss = total.getFloat();
            gc.backward(total);
        }
        adam.step(lr, scratch);
        return new Step(loss, accuracy[1], accuracy[3], accuracy[4], positionError);
    }

    /** Fraction of patches with a non-zero label whose prediction is right; NaN if there is none. */
    private static double labelledAccuracy(long[] predicted, int[] labels) {
        long right = 0;
        long labelled = 0;
        for (int i = 0; i < predicted.length; i++) {
            if (labels[i] > 0) {
                labelled++;
                right += predicted[i] == labels[i] ? 1 : 0;
            }
        }
        return labelled == 0 ? Double.NaN : (double) right / labelled;
    }

    /** (column, row) of every patch of {@code n} images, each scaled to [-1, 1], as (n · patches, 2). */
    private NDArray positions(int n, NDManager scratch) {
        int grid = p.vision.imageSize() / p.vision.patchSize();
        float[] xy = new float[n * grid * grid * 2];
        for (int i = 0, at = 0; i < n; i++) {
            for (int row = 0; row < grid; row++) {
                for (int col = 0; col < grid; col++) {
                    xy[at++] = 2f * col / (grid - 1) - 1;
                    xy[at++] = 2f * row / (grid - 1) - 1;
                }
            }
        }
        return NativeArrays.floats(scratch, xy, new Shape(n * grid * grid, 2));
    }

    @Override
    public void close() {
        heads.close();
    }
}

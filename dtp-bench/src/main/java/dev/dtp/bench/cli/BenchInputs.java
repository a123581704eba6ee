package dev.dtp.bench.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dtp.core.ModelInput;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.checkpoint.RandomMambaCheckpoint;
import dev.dtp.mamba.model.MambaModel;
import dev.dtp.mamba.model.WeightFormat;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

/** Seeded random models and inputs at Cobra's token layout, shared by demo and bench. */
final class BenchInputs {
    private BenchInputs() {}

    /** A model over seeded random weights held in memory (no files). */
    static MambaModel randomModel(MambaConfig config, long seed) {
        return randomModel(config, seed, Device.cpu(), WeightFormat.F32);
    }

    /** With {@link WeightFormat#INT8} the large matrices are quantised as they are drawn (no float32 copy). */
    static MambaModel randomModel(MambaConfig config, long seed, Device device, WeightFormat format) {
        NDManager root = NDManager.newBaseManager(device);
        try {
            return MambaModel.builder().weights(format).wrap(RandomMambaCheckpoint.create(config, seed, root, format));
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
    }

    /**
     * {@code visual} standard-normal embeddings first (where Cobra puts image patches), then
     * {@code text} random token ids; the embeddings live in {@code manager}.
     */
    static ModelInput cobraLayout(MambaModel model, NDManager manager, int visual, int text, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int d = model.config().dModel();
        ModelInput.Builder b = ModelInput.builder();
        if (visual > 0) {
            NDArray v = manager.create(new Shape(visual, d), DataType.FLOAT32);
            FloatBuffer buf = v.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (int i = 0; i < visual * d; i++) {
                buf.put((float) rnd.nextGaussian());
            }
            b.visual(v);
        }
        return b.text(rnd.ints(text, 0, model.config().vocabSize()).toArray()).build();
    }
}

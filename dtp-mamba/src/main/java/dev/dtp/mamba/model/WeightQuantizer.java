package dev.dtp.mamba.model;

import ai.djl.ndarray.NDArray;
import dev.dtp.mamba.decode.Q8Quantizer;
import dev.dtp.mamba.decode.Q8Rows;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * float32 weights already in memory turned into {@link WeightFormat#INT8} ones: each large matrix is
 * quantised straight from its libtorch memory and its float32 array closed at once.
 */
final class WeightQuantizer {
    private WeightQuantizer() {}

    static MambaWeights toInt8(MambaWeights w) {
        if (w.q8() != null) {
            return w;
        }
        boolean tied = w.lmHead() == w.embedding();
        Q8Rows embedding = take(w.embedding(), "embedding");
        Q8Rows lmHead = tied ? embedding : take(w.lmHead(), "lm_head.weight");
        List<LayerWeights> layers = new ArrayList<>();
        List<Q8Weights.Layer> q8 = new ArrayList<>();
        for (int i = 0; i < w.layers().size(); i++) {
            LayerWeights l = w.layers().get(i);
            String m = "layer " + i + " ";
            q8.add(new Q8Weights.Layer(take(l.inProj(), m + "in_proj.weight"), take(l.xProj(), m + "x_proj.weight"),
                    take(l.outProj(), m + "out_proj.weight")));
            layers.add(new LayerWeights(l.norm(), null, l.inProjBias(), l.convWeight(), l.convBias(), null, l.dtProj(),
                    l.dtProjBias(), l.aLog(), l.d(), null, l.outProjBias()));
        }
        return new MambaWeights(w.config(), w.manager(), null, layers, w.normF(), null,
                new Q8Weights(embedding, lmHead, q8));
    }

    /** Q8_0 of a float32 (rows, cols) array, read in place; the array is closed afterwards. */
    private static Q8Rows take(NDArray a, String fallbackName) {
        String name = a.getName() != null && !a.getName().isEmpty() ? a.getName() : fallbackName;
        int rows = Math.toIntExact(a.getShape().get(0));
        int cols = Math.toIntExact(a.getShape().get(1));
        FloatBuffer values = a.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
        Q8Rows q = Q8Quantizer.quantize(name, rows, cols, (row, out) -> values.get(row * cols, out, 0, cols));
        a.close();
        return q;
    }
}

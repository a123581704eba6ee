package dev.dtp.bench.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.dtp.core.InputException;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.checkpoint.DType;
import dev.dtp.mamba.checkpoint.Layout;
import dev.dtp.mamba.checkpoint.RandomMambaCheckpoint;
import dev.dtp.mamba.checkpoint.SafetensorsWriter;
import dev.dtp.mamba.model.NativeArrays;
import dev.dtp.mamba.vision.ProjectorKind;
import dev.dtp.mamba.vision.VisionConfig;
import dev.dtp.mamba.vision.VisionEncoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The trainable tensors of a multimodal Mamba model, named as in its checkpoint (Hugging Face
 * layout plus {@code vision.*} and {@code projector.*}), each with gradients attached. The
 * language model starts from {@link RandomMambaCheckpoint}'s initialisation; the vision front end
 * from scaled normals (1/√fan_in), positions at 0.1.
 */
final class VlmParameters {
    final MambaConfig config;
    final VisionConfig vision;
    private final Map<String, NDArray> tensors = new LinkedHashMap<>();

    VlmParameters(MambaConfig config, VisionConfig vision, long seed, NDManager manager) {
        this.config = config;
        this.vision = vision;
        for (SafetensorsWriter.Tensor t : RandomMambaCheckpoint.tensors(config, seed, Layout.HUGGING_FACE, DType.F32, false)) {
            long[] shape = t.shape();
            if (t.name().endsWith("conv1d.weight")) {
                shape = new long[] {shape[0], shape[2]}; // (d_inner, 1, K) kept as (d_inner, K)
            }
            float[] values = t.values().get();
            if (t.name().endsWith("mixer.A_log")) {
                values = longMemoryALog(config.dInner(), config.dState(), vision.patches());
            } else if (t.name().endsWith("mixer.dt_proj.bias")) {
                values = deltaBias(values.length, seed ^ t.name().hashCode());
            }
            add(manager, t.name(), values, shape);
        }
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5EEDL);
        int fw = vision.featureWidth();
        add(manager, VisionEncoder.PATCH_WEIGHT, normal(rnd, fw * vision.patchDim(), 1 / Math.sqrt(vision.patchDim())),
                fw, vision.patchDim());
        add(manager, VisionEncoder.PATCH_BIAS, new float[fw], fw);
        add(manager, VisionEncoder.POSITIONS, normal(rnd, vision.patches() * fw, 0.1), vision.patches(), fw);
        int[] idx = vision.projector().linearIndices();
        int[] widths = vision.projector().widths(fw, config.dModel());
        int in = fw;
        for (int i = 0; i < idx.length; i++) {
            add(manager, "projector." + idx[i] + ".weight", normal(rnd, widths[i] * in, 1 / Math.sqrt(in)), widths[i], in);
            add(manager, "projector." + idx[i] + ".bias", new float[widths[i]], widths[i]);
            in = widths[i];
        }
        for (NDArray a : tensors.values()) {
            a.setRequiresGradient(true);
        }
    }

    /**
     * A_log for training from scratch: in every channel the N decay rates a_n = −A_n are log-spaced over
     * [1/T, 1], T = the visual token count, instead of the usual 1..N. With Δ ≈ 0.001–0.1 the usual rates
     * forget a token within tens of steps, so at initialisation the answer's gradient reaches only the
     * last few dozen of the 256 visual tokens (measured: ~10⁻³ of the last patch's at 55 tokens back) and
     * the model never starts to use the image; slow rates carry it across the whole image (Eq. 2:
     * Ā = exp(ΔA) close to 1).
     */
    static float[] longMemoryALog(int dInner, int stateSize, int visualTokens) {
        float[] out = new float[dInner * stateSize];
        double lo = Math.log(1.0 / visualTokens);
        for (int d = 0; d < dInner; d++) {
            for (int n = 0; n < stateSize; n++) {
                out[d * stateSize + n] = (float) (lo * (1 - (double) n / Math.max(1, stateSize - 1)));
            }
        }
        return out;
    }

    /** dt_proj bias with Δ log-uniform in [0.01, 0.1]: with the slow rates above, a larger Δ writes more of each token. */
    static float[] deltaBias(int count, long seed) {
        float[] out = new float[count];
        RandomMambaCheckpoint.deltaBias(out, new SplittableRandom(seed), 0.01, 0.1);
        return out;
    }

    private void add(NDManager manager, String name, float[] values, long... shape) {
        // native (libtorch-owned) memory: an array made by manager.create(float[]) points into a direct
        // buffer that the garbage collector may free once autograd has re-wrapped the tensor
        NDArray a = NativeArrays.floats(manager, values, new Shape(shape));
        a.setName(name);
        tensors.put(name, a);
    }

    private static float[] normal(SplittableRandom rnd, int count, double std) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            double u1 = 1 - rnd.nextDouble();
            double u2 = rnd.nextDouble();
            v[i] = (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2) * std);
        }
        return v;
    }

    NDArray get(String name) {
        NDArray a = tensors.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no parameter " + name);
        }
        return a;
    }

    NDArray layer(int i, String name) {
        return get(Layout.HUGGING_FACE.layerPrefix(i) + name);
    }

    /** Whether {@code name} belongs to the vision front end (patch embedding, positions, projector). */
    static boolean isVision(String name) {
        return name.startsWith("vision.") || name.startsWith("projector.");
    }

    Map<String, NDArray> all() {
        return tensors;
    }

    ProjectorKind projector() {
        return vision.projector();
    }

    /** The tensors as written to model.safetensors (conv weights back to (d_inner, 1, K)). */
    List<SafetensorsWriter.Tensor> checkpointTensors() {
        List<SafetensorsWriter.Tensor> out = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            long[] shape = e.getValue().getShape().getShape();
            if (e.getKey().endsWith("conv1d.weight")) {
                shape = new long[] {shape[0], 1, shape[1]};
            }
            out.add(SafetensorsWriter.Tensor.of(e.getKey(), DType.F32, e.getValue().toFloatArray(), shape));
        }
        return out;
    }

    /**
     * Depth growth: starts this model from a shallower trained one of the same widths. Layer j of the
     * {@code smallLayers}-layer model becomes layer j · (L / smallLayers); every layer in between keeps its
     * fresh initialisation except out_proj = 0, which makes it the identity on the residual stream, so the
     * grown model computes exactly what the small one did before its first step. Everything outside the
     * layers (vision front end, projector, embeddings, final norm) is copied.
     */
    void grow(Map<String, float[]> small, int smallLayers) {
        int layers = config.layers();
        if (smallLayers < 1 || layers % smallLayers != 0) {
            throw new IllegalArgumentException("cannot grow " + smallLayers + " layers to " + layers
                    + ": the layer count must be a multiple");
        }
        int stride = layers / smallLayers;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            String name = e.getKey();
            int layer = layerOf(name);
            String source = name;
            if (layer >= 0) {
                if (layer % stride != 0) {
                    if (name.endsWith("mixer.out_proj.weight")) {
                        NativeArrays.overwrite(e.getValue(), new float[Math.toIntExact(e.getValue().size())]);
                    }
                    continue;
                }
                source = Layout.HUGGING_FACE.layerPrefix(layer / stride)
                        + name.substring(Layout.HUGGING_FACE.layerPrefix(layer).length());
            }
            float[] v = small.get(source);
            if (v == null || v.length != e.getValue().size()) {
                throw new IllegalArgumentException("the smaller checkpoint lacks tensor " + source + " of size " + e.getValue().size());
            }
            NativeArrays.overwrite(e.getValue(), v);
        }
    }

    /** The layer index of a layer tensor's name, or −1. */
    private int layerOf(String name) {
        for (int i = 0; i < config.layers(); i++) {
            if (name.startsWith(Layout.HUGGING_FACE.layerPrefix(i))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Copies the vision front end (every {@code vision.*} and {@code projector.*} tensor) in from the
     * checkpoint of another trained model; its widths must match this model's.
     */
    void loadVision(Map<String, float[]> values, Path from) {
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            if (!isVision(e.getKey())) {
                continue;
            }
            float[] v = values.get(e.getKey());
            if (v == null) {
                throw new InputException(from + ": no tensor " + e.getKey() + " to take the vision front end from");
            }
            if (v.length != e.getValue().size()) {
                throw new InputException(from + ": tensor " + e.getKey() + " has " + v.length + " values, this model's "
                        + e.getValue().getShape() + " needs " + e.getValue().size()
                        + " (--feature-width, --patch-kernel and --d-model must match the model it comes from)");
            }
            NativeArrays.overwrite(e.getValue(), v);
        }
    }

    /** Copies values in from a checkpoint's tensors (to resume). */
    void load(Map<String, float[]> values) {
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            float[] v = values.get(e.getKey());
            if (v == null || v.length != e.getValue().size()) {
                throw new IllegalArgumentException("checkpoint lacks tensor " + e.getKey() + " of size " + e.getValue().size());
            }
            NativeArrays.overwrite(e.getValue(), v);
        }
    }
}

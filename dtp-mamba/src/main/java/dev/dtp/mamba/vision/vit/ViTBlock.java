package dev.dtp.mamba.vision.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;

/**
 * One pre-norm transformer block (timm's {@code Block}):
 * x ← x + ls1 ⊙ attn(norm1(x)); x ← x + ls2 ⊙ fc2(act(fc1(norm2(x)))). The layer scales ls1 and
 * ls2 (DINOv2's) are absent for SigLIP and CLIP.
 */
final class ViTBlock {
    private final NDArray norm1Weight;
    private final NDArray norm1Bias;
    private final Attention attention;
    private final NDArray ls1; // (width) or null
    private final NDArray norm2Weight;
    private final NDArray norm2Bias;
    private final NDArray fc1Weight; // (mlp_hidden, width)
    private final NDArray fc1Bias;
    private final NDArray fc2Weight; // (width, mlp_hidden)
    private final NDArray fc2Bias;
    private final NDArray ls2;
    private final ViTSpec spec;

    private ViTBlock(WeightReader r, String b, ViTSpec spec) {
        this.spec = spec;
        norm1Weight = r.get(b + "norm1.weight");
        norm1Bias = r.get(b + "norm1.bias");
        attention = Attention.load(r, b, spec);
        ls1 = r.optional(spec.layerScale(), b + "ls1.gamma");
        norm2Weight = r.get(b + "norm2.weight");
        norm2Bias = r.get(b + "norm2.bias");
        fc1Weight = r.get(b + "mlp.fc1.weight");
        fc1Bias = r.get(b + "mlp.fc1.bias");
        fc2Weight = r.get(b + "mlp.fc2.weight");
        fc2Bias = r.get(b + "mlp.fc2.bias");
        ls2 = r.optional(spec.layerScale(), b + "ls2.gamma");
    }

    static ViTBlock load(WeightReader r, int index, ViTSpec spec) {
        return new ViTBlock(r, ViTTensors.block(index), spec);
    }

    /** x: (tokens, width) → (tokens, width); every intermediate lands in x's manager. */
    NDArray forward(NDArray x) {
        NDArray a = attention.forward(norm(x, norm1Weight, norm1Bias));
        x = x.add(ls1 != null ? a.mul(ls1) : a);
        NDArray h = act(Linear.linear(norm(x, norm2Weight, norm2Bias), fc1Weight, fc1Bias).singletonOrThrow());
        NDArray m = Linear.linear(h, fc2Weight, fc2Bias).singletonOrThrow();
        return x.add(ls2 != null ? m.mul(ls2) : m);
    }

    private NDArray norm(NDArray x, NDArray weight, NDArray bias) {
        return norm(x, weight, bias, spec);
    }

    /** LayerNorm over the features with the spec's eps (1e-6; CLIP's 1e-5). */
    static NDArray norm(NDArray x, NDArray weight, NDArray bias, ViTSpec spec) {
        return LayerNorm.layerNorm(x, new Shape(spec.width()), weight, bias, (float) spec.normEps()).singletonOrThrow();
    }

    private NDArray act(NDArray x) {
        return switch (spec.activation()) {
            case GELU -> Activation.gelu(x);
            case QUICK_GELU -> x.mul(Activation.sigmoid(x.mul(1.702f)));
        };
    }
}

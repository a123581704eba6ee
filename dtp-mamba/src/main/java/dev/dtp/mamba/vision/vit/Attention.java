package dev.dtp.mamba.vision.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.core.Linear;

/**
 * Multi-head self-attention of a ViT block (timm's {@code Attention}): one Linear gives q, k and v
 * for all heads, laid out (3, heads, head_dim) along the features; per head
 * softmax(q kᵀ / √head_dim) v; the heads side by side go through the output projection. The
 * heads run one after another, each in its own scope, so that only one (tokens × tokens) score
 * matrix exists at a time.
 */
final class Attention {
    private final NDArray qkvWeight; // (3·width, width)
    private final NDArray qkvBias;
    private final NDArray projWeight; // (width, width)
    private final NDArray projBias;
    private final int heads;
    private final int headDim;
    private final float scale;

    private Attention(NDArray qkvWeight, NDArray qkvBias, NDArray projWeight, NDArray projBias, int heads, int headDim) {
        this.qkvWeight = qkvWeight;
        this.qkvBias = qkvBias;
        this.projWeight = projWeight;
        this.projBias = projBias;
        this.heads = heads;
        this.headDim = headDim;
        this.scale = (float) (1 / Math.sqrt(headDim));
    }

    static Attention load(WeightReader r, String block, ViTSpec spec) {
        return new Attention(r.get(block + "attn.qkv.weight"), r.get(block + "attn.qkv.bias"), r.get(block + "attn.proj.weight"),
                r.get(block + "attn.proj.bias"), spec.heads(), spec.headDim());
    }

    /** x: (tokens, width) → (tokens, width), in x's manager. */
    NDArray forward(NDArray x) {
        NDManager scope = x.getManager();
        NDArray qkv = Linear.linear(x, qkvWeight, qkvBias).singletonOrThrow(); // (N, 3·width)
        int width = heads * headDim;
        NDList perHead = new NDList(heads);
        for (int h = 0; h < heads; h++) {
            try (NDManager head = scope.newSubManager()) {
                NDArray q = slice(qkv, h * headDim, head).mul(scale); // (N, head_dim)
                NDArray k = slice(qkv, width + h * headDim, head);
                NDArray v = slice(qkv, 2 * width + h * headDim, head);
                NDArray scores = q.matMul(k.transpose()).softmax(-1); // (N, N): the only one alive
                NDArray out = scores.matMul(v); // (N, head_dim)
                out.attach(scope);
                perHead.add(out);
            }
        }
        NDArray joined = NDArrays.concat(perHead, 1); // (N, width)
        return Linear.linear(joined, projWeight, projBias).singletonOrThrow();
    }

    private NDArray slice(NDArray qkv, int from, NDManager head) {
        NDArray s = qkv.get(new NDIndex(":, {}:{}", from, from + headDim));
        s.attach(head);
        return s;
    }
}

package dev.dtp.mamba.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.dtp.mamba.decode.Q8Rows;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A short identity of a model's weights, recorded in saved states so that only the model that
 * wrote a state continues it: SHA-256 over the config and, for every tensor, its shape and 64
 * values at evenly spaced positions (two models that differ in any sampled value differ; reading
 * 64 values a tensor costs milliseconds even for a Cobra-size model).
 */
final class ModelFingerprint {
    private static final int SAMPLES = 64;

    private ModelFingerprint() {}

    static String of(MambaWeights weights) {
        MessageDigest sha = sha256();
        sha.update(weights.config().toString().getBytes(StandardCharsets.UTF_8));
        try (NDManager scope = weights.manager().newSubManager()) {
            for (NDArray a : tensors(weights)) {
                sha.update(Arrays.toString(a.getShape().getShape()).getBytes(StandardCharsets.UTF_8));
                for (float v : sample(a, scope)) {
                    sha.update(ByteBuffer.allocate(4).putFloat(v).array());
                }
            }
        }
        if (weights.q8() != null) { // int8 weights compute other numbers than their float32 source: another identity
            sha.update("int8".getBytes(StandardCharsets.UTF_8));
            for (Q8Rows m : matrices(weights.q8())) {
                sha.update((m.rows() + "x" + m.cols()).getBytes(StandardCharsets.UTF_8));
                long size = (long) m.rows() * m.cols();
                for (int i = 0; i < SAMPLES; i++) {
                    sha.update(ByteBuffer.allocate(4).putFloat(m.get((size - 1) * i / (SAMPLES - 1))).array());
                }
            }
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest()).substring(0, 24);
    }

    private static List<NDArray> tensors(MambaWeights w) {
        List<NDArray> out = new ArrayList<>();
        for (NDArray a : new NDArray[] {w.embedding(), w.normF(), w.lmHead()}) {
            if (a != null) {
                out.add(a);
            }
        }
        for (LayerWeights l : w.layers()) {
            for (NDArray a : new NDArray[] {l.norm(), l.inProj(), l.inProjBias(), l.convWeight(), l.convBias(), l.xProj(),
                    l.dtProj(), l.dtProjBias(), l.aLog(), l.d(), l.outProj(), l.outProjBias()}) {
                if (a != null) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    private static List<Q8Rows> matrices(Q8Weights q8) {
        List<Q8Rows> out = new ArrayList<>(List.of(q8.embedding(), q8.lmHead()));
        for (Q8Weights.Layer l : q8.layers()) {
            out.addAll(List.of(l.inProj(), l.xProj(), l.outProj()));
        }
        return out;
    }

    private static float[] sample(NDArray a, NDManager scope) {
        long size = a.size();
        if (size == 0) {
            return new float[0];
        }
        int n = (int) Math.min(SAMPLES, size);
        long[] at = new long[n];
        for (int i = 0; i < n; i++) {
            at[i] = (size - 1) * i / Math.max(1, n - 1);
        }
        NDArray flat = a.reshape(new Shape(size));
        flat.attach(scope);
        NDArray index = NativeArrays.longs(scope, at);
        NDArray values = flat.get(scope, new NDIndex("{}", index));
        return values.toFloatArray();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

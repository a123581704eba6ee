package dev.dtp.core.policy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.dtp.core.PolicyException;

/** Per-token feature vectors on the JVM, for policies that compare tokens with each other (DART). */
final class TokenFeatures {
    private TokenFeatures() {}

    /** The rows of a (tokens, width) tensor. */
    static float[][] rows(NDArray features, int tokens) {
        if (features.getShape().dimension() != 2 || features.getShape().get(0) != tokens) {
            throw new PolicyException("token features of shape " + features.getShape() + " for " + tokens + " tokens");
        }
        int width = (int) features.getShape().get(1);
        float[] flat = features.getDataType() == DataType.FLOAT32 ? features.toFloatArray()
                : features.toType(DataType.FLOAT32, false).toFloatArray();
        float[][] rows = new float[tokens][width];
        for (int t = 0; t < tokens; t++) {
            System.arraycopy(flat, t * width, rows[t], 0, width);
        }
        return rows;
    }

    static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    /** cos(a, b) = a·b / (|a| |b|); 0 when either is the zero vector. */
    static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
        }
        double n = norm(a) * norm(b);
        return n == 0 ? 0 : dot / n;
    }
}

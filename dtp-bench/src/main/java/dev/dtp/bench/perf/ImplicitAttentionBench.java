package dev.dtp.bench.perf;

import dev.dtp.mamba.analysis.ImplicitAttention;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Times {@link ImplicitAttention#aggregate} for one layer at a given size, to size {@code dtp analyze}
 * runs: {@code java -cp ... dev.dtp.bench.perf.ImplicitAttentionBench [L] [d_inner] [N] [layers]}.
 */
public final class ImplicitAttentionBench {
    private ImplicitAttentionBench() {}

    public static void main(String[] args) {
        int length = args.length > 0 ? Integer.parseInt(args[0]) : 800;
        int channels = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        int layers = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        SplittableRandom r = new SplittableRandom(1);
        float[] delta = new float[length * channels];
        float[] a = new float[channels * n];
        float[] b = new float[length * n];
        float[] c = new float[length * n];
        for (int i = 0; i < delta.length; i++) {
            delta[i] = (float) (0.001 + 0.1 * r.nextDouble());
        }
        for (int i = 0; i < a.length; i++) {
            a[i] = -(i % n + 1);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) r.nextGaussian();
            c[i] = (float) r.nextGaussian();
        }
        ImplicitAttention attention = new ImplicitAttention(length, channels, n, delta, a, b, c);
        attention.aggregate(); // warm-up
        long t0 = System.nanoTime();
        attention.aggregate();
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "implicit attention, L=%d, d_inner=%d, N=%d: %.2f s per layer, %.1f s for %d layers "
                + "(%.2f GFLOP/s)%n", length, channels, n, seconds, seconds * layers, layers,
                (double) channels * length * (length + 1) / 2 * n * 3 / seconds / 1e9);
    }
}

package dev.dtp.mamba.vision.vit;

import dev.dtp.mamba.vision.PilResize;
import java.util.Arrays;

/**
 * Resamples a square grid of position embeddings to another side, as timm's
 * {@code resample_abs_pos_embed} does when a model is built for another image size than its weights
 * (DINOv2's 37 × 37 grid for 518 px → 27 × 27 for Cobra's 384 px): torch's
 * {@code F.interpolate(mode="bicubic", antialias=True, align_corners=False)} per channel. That is the
 * separable cubic filter with a = −0.5, widened by the scale when shrinking, its weights normalised
 * per output position (the same filter as Pillow's, {@code PilResize}, here in double precision).
 */
public final class PositionResampler {
    private PositionResampler() {}

    /**
     * @param grid (side · side, width) row-major: position (row y, column x) at row y · side + x
     * @return (newSide · newSide, width)
     */
    public static float[] resample(float[] grid, int side, int newSide, int width) {
        if (grid.length != side * side * width) {
            throw new IllegalArgumentException(grid.length + " values are not a " + side + " × " + side + " × " + width
                    + " grid");
        }
        if (side == newSide) {
            return grid.clone();
        }
        Filter f = Filter.of(side, newSide);
        // columns first: (side, newSide, width), then rows: (newSide, newSide, width)
        double[] mid = new double[side * newSide * width];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < newSide; x++) {
                int out = (y * newSide + x) * width;
                for (int k = 0; k < f.count[x]; k++) {
                    double w = f.weights[x][k];
                    int in = (y * side + f.first[x] + k) * width;
                    for (int c = 0; c < width; c++) {
                        mid[out + c] += w * grid[in + c];
                    }
                }
            }
        }
        float[] result = new float[newSide * newSide * width];
        double[] acc = new double[width];
        for (int y = 0; y < newSide; y++) {
            for (int x = 0; x < newSide; x++) {
                Arrays.fill(acc, 0);
                for (int k = 0; k < f.count[y]; k++) {
                    double w = f.weights[y][k];
                    int in = ((f.first[y] + k) * newSide + x) * width;
                    for (int c = 0; c < width; c++) {
                        acc[c] += w * mid[in + c];
                    }
                }
                int out = (y * newSide + x) * width;
                for (int c = 0; c < width; c++) {
                    result[out + c] = (float) acc[c];
                }
            }
        }
        return result;
    }

    /** Per output index: the first input index read, how many, and their normalised weights. */
    private record Filter(int[] first, int[] count, double[][] weights) {
        static Filter of(int in, int out) {
            double scale = (double) in / out;
            double support = 2.0 * Math.max(scale, 1.0);
            double invScale = scale >= 1.0 ? 1.0 / scale : 1.0;
            int[] first = new int[out];
            int[] count = new int[out];
            double[][] weights = new double[out][];
            for (int i = 0; i < out; i++) {
                double center = scale * (i + 0.5);
                int min = Math.max((int) (center - support + 0.5), 0);
                int max = Math.min((int) (center + support + 0.5), in);
                double[] w = new double[max - min];
                double total = 0;
                for (int j = 0; j < w.length; j++) {
                    w[j] = PilResize.cubic((j + min - center + 0.5) * invScale);
                    total += w[j];
                }
                for (int j = 0; j < w.length; j++) {
                    w[j] = total != 0 ? w[j] / total : 0;
                }
                first[i] = min;
                count[i] = w.length;
                weights[i] = w;
            }
            return new Filter(first, count, weights);
        }
    }
}

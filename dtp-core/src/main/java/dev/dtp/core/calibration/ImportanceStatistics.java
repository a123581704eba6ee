package dev.dtp.core.calibration;

import java.util.ArrayList;
import java.util.List;

/**
 * Eq. 7 over a calibration set: at every layer, the standard deviation of the visual tokens'
 * importance s_j (population std over the tokens of one sample), then its mean and spread (std)
 * over samples. A layer where the curve peaks separates important from unimportant tokens best.
 */
public final class ImportanceStatistics {
    private final int layers;
    private final List<double[]> perSample = new ArrayList<>();

    public ImportanceStatistics(int layers) {
        this.layers = layers;
    }

    /** Eq. 7 for one vector of importances: sqrt(mean_j (s_j − mean s)²). */
    public static double std(float[] importance) {
        if (importance.length == 0) {
            return Double.NaN;
        }
        double mean = 0;
        for (float s : importance) {
            mean += s;
        }
        mean /= importance.length;
        double var = 0;
        for (float s : importance) {
            var += (s - mean) * (s - mean);
        }
        return Math.sqrt(var / importance.length);
    }

    /**
     * Adds one sample: its visual tokens' importance at every layer ({@code importance[l]}, one value
     * per visual token the layer saw; null or empty where the layer saw none).
     */
    public void add(float[][] importance) {
        if (importance.length != layers) {
            throw new IllegalArgumentException("expected " + layers + " layers, got " + importance.length);
        }
        double[] row = new double[layers];
        for (int l = 0; l < layers; l++) {
            row[l] = importance[l] == null ? Double.NaN : std(importance[l]);
        }
        perSample.add(row);
    }

    public int samples() {
        return perSample.size();
    }

    /** Mean over samples of each layer's std (NaN where no sample had visual tokens). */
    public double[] mean() {
        double[] m = new double[layers];
        for (int l = 0; l < layers; l++) {
            double s = 0;
            int n = 0;
            for (double[] r : perSample) {
                if (!Double.isNaN(r[l])) {
                    s += r[l];
                    n++;
                }
            }
            m[l] = n == 0 ? Double.NaN : s / n;
        }
        return m;
    }

    /** Std over samples of each layer's std: the spread of the curve. */
    public double[] spread() {
        double[] m = mean();
        double[] sd = new double[layers];
        for (int l = 0; l < layers; l++) {
            double s = 0;
            int n = 0;
            for (double[] r : perSample) {
                if (!Double.isNaN(r[l])) {
                    s += (r[l] - m[l]) * (r[l] - m[l]);
                    n++;
                }
            }
            sd[l] = n == 0 ? Double.NaN : Math.sqrt(s / n);
        }
        return sd;
    }
}

package dev.dtp.bench.cli;

import java.util.Arrays;

/** Median and spread of repeated timings, and the rounding the bench tables print them with. */
record Stats(double median, double min, double max) {
    static Stats of(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        return new Stats(median, v[0], v[n - 1]);
    }

    /** Two decimals. */
    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** Four decimals (ratios). */
    static double round4(double v) {
        return Math.round(v * 10000) / 10000.0;
    }
}

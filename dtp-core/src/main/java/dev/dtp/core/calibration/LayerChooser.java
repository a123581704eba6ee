package dev.dtp.core.calibration;

import java.util.OptionalInt;

/**
 * Chooses DTP's two layers from the Eq. 7 curve (and, for the late layer, the implicit attention of
 * text to visual tokens), replacing the paper's reading of its Figures 3–8.
 *
 * <ul>
 *   <li>Early layer: the first <em>clear</em> local peak of the curve after smoothing with a centred
 *       moving average of {@code window} layers: a layer higher than its left neighbour and not lower
 *       than its right one, whose topographic prominence (height above the higher of the two lowest
 *       points separating it from higher ground on each side, or from the curve's ends) is at least
 *       {@code prominence} × (max − min) of the smoothed curve; then the raw curve's highest layer
 *       within the smoothing window of that peak.
 *   <li>Late layer: the start of the curve's sustained steep rise after the early layer — the first
 *       layer from which the smoothed curve rises at every one of the next {@code riseLayers} layers
 *       by a total of at least {@code riseFraction} × (max − min) — moved later, if attention is
 *       given, to the first such layer at or after it where the text-to-visual attention share has
 *       fallen below {@code attentionFraction} × its maximum over layers.
 * </ul>
 */
public final class LayerChooser {
    /** Tunables, with defaults used by {@code dtp calibrate}. */
    public record Options(int window, double prominence, int riseLayers, double riseFraction, double attentionFraction) {
        public static Options defaults(int layers) {
            return new Options(3, 0.1, Math.max(2, layers / 16), 0.15, 0.5);
        }
    }

    private LayerChooser() {}

    /** Centred moving average; the window shrinks at the ends. NaN entries are skipped. */
    public static double[] smooth(double[] curve, int window) {
        int half = window / 2;
        double[] out = new double[curve.length];
        for (int i = 0; i < curve.length; i++) {
            double s = 0;
            int n = 0;
            for (int k = Math.max(0, i - half); k <= Math.min(curve.length - 1, i + half); k++) {
                if (!Double.isNaN(curve[k])) {
                    s += curve[k];
                    n++;
                }
            }
            out[i] = n == 0 ? Double.NaN : s / n;
        }
        return out;
    }

    /** Topographic prominence of the point at {@code i} (see class comment). */
    public static double prominence(double[] s, int i) {
        double leftMin = s[i];
        for (int k = i - 1; k >= 0 && !(s[k] > s[i]); k--) {
            leftMin = Math.min(leftMin, s[k]);
        }
        double rightMin = s[i];
        for (int k = i + 1; k < s.length && !(s[k] > s[i]); k++) {
            rightMin = Math.min(rightMin, s[k]);
        }
        return s[i] - Math.max(leftMin, rightMin);
    }

    /** The early layer: first clear peak, or empty if the curve has none. */
    public static OptionalInt earlyLayer(double[] curve, Options o) {
        double[] s = smooth(curve, o.window());
        double range = range(s);
        if (!(range > 0)) {
            return OptionalInt.empty();
        }
        for (int i = 1; i < s.length - 1; i++) {
            if (s[i] > s[i - 1] && s[i] >= s[i + 1] && prominence(s, i) >= o.prominence() * range) {
                return OptionalInt.of(rawPeak(curve, i, o.window() / 2));
            }
        }
        return OptionalInt.empty();
    }

    /**
     * The unsmoothed curve's highest layer within {@code half} layers of a smoothed peak: smoothing
     * spreads a one-layer spike over its neighbours, and the layer that pruning reads should be the
     * spike itself, not a neighbour that merely averages it in.
     */
    static int rawPeak(double[] curve, int i, int half) {
        int best = i;
        for (int k = Math.max(0, i - half); k <= Math.min(curve.length - 1, i + half); k++) {
            if (curve[k] > curve[best] || Double.isNaN(curve[best])) {
                best = k;
            }
        }
        return best;
    }

    /** Where the sustained steep rise starts, searching after {@code from}; empty if it never does. */
    public static OptionalInt riseStart(double[] curve, int from, Options o) {
        double[] s = smooth(curve, o.window());
        double range = range(s);
        for (int i = from + 1; i + o.riseLayers() < s.length; i++) {
            boolean rising = true;
            for (int k = i; k < i + o.riseLayers(); k++) {
                rising &= s[k + 1] > s[k];
            }
            if (rising && s[i + o.riseLayers()] - s[i] >= o.riseFraction() * range) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }

    /**
     * The late layer: the rise start, moved to the first layer at or after it whose text-to-visual
     * attention share is below the threshold (when {@code textToVisual} is not null).
     */
    public static OptionalInt lateLayer(double[] curve, double[] textToVisual, int early, Options o) {
        OptionalInt rise = riseStart(curve, early, o);
        if (rise.isEmpty()) {
            return rise;
        }
        if (textToVisual == null) {
            return rise;
        }
        double max = 0;
        for (double v : textToVisual) {
            if (!Double.isNaN(v)) {
                max = Math.max(max, v);
            }
        }
        for (int l = rise.getAsInt(); l < textToVisual.length; l++) {
            if (textToVisual[l] < o.attentionFraction() * max) {
                return OptionalInt.of(l);
            }
        }
        return rise;
    }

    private static double range(double[] s) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : s) {
            if (!Double.isNaN(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        return max - min;
    }

    /**
     * VTW's criterion: the earliest layer from which on withdrawing every visual token changes the
     * next-token distribution by a mean KL below {@code threshold} at every later layer too; empty if
     * even the last layer is above it.
     */
    public static OptionalInt vtwLayer(double[] kl, double threshold) {
        int layer = -1;
        for (int i = kl.length - 1; i >= 0 && kl[i] < threshold; i--) {
            layer = i;
        }
        return layer < 0 ? OptionalInt.empty() : OptionalInt.of(layer);
    }

    /**
     * The swept early layer: the earliest layer whose DTP run (at the chosen late layer and r) changes the
     * next-token distribution by a mean KL at most {@code threshold}; entries that are NaN (layers not tried)
     * never qualify. Earlier means fewer FLOPs at the same r and late layer, so this is the cheapest early
     * layer the measurement allows.
     */
    public static OptionalInt sweptEarly(double[] klByEarly, double threshold) {
        for (int e = 0; e < klByEarly.length; e++) {
            if (klByEarly[e] <= threshold) {
                return OptionalInt.of(e);
            }
        }
        return OptionalInt.empty();
    }

    /** Which rule decided the late layer. */
    public enum LateSource { RISE, RISE_MOVED_TO_VTW, VTW, PAPER }

    /** The late layer and the rule that decided it. */
    public record Late(int layer, LateSource source) {
    }

    /**
     * The late layer from the curve's rule ({@link #lateLayer}) and VTW's layer ({@link #vtwLayer}), which
     * counts only after the early layer: the rule's layer, but never before VTW's layer — DTP's second
     * stage withdraws every visual token, and VTW measures that doing so earlier changes the answer; with no
     * rule answer, VTW's layer, else the paper's layer scaled to the depth.
     */
    public static Late late(OptionalInt rule, OptionalInt vtw, int early, int paperLate) {
        boolean vtwCounts = vtw.isPresent() && vtw.getAsInt() > early;
        if (rule.isPresent()) {
            return vtwCounts && rule.getAsInt() < vtw.getAsInt()
                    ? new Late(vtw.getAsInt(), LateSource.RISE_MOVED_TO_VTW)
                    : new Late(rule.getAsInt(), LateSource.RISE);
        }
        return vtwCounts ? new Late(vtw.getAsInt(), LateSource.VTW) : new Late(paperLate, LateSource.PAPER);
    }
}

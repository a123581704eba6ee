package dev.dtp.bench.eval;

import dev.dtp.core.PruningDefaults;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.TokenKind;
import dev.dtp.core.TokenLayout;
import dev.dtp.core.flops.Flops;
import dev.dtp.core.flops.MambaShape;
import dev.dtp.core.policy.Dart;
import dev.dtp.core.policy.Dtp;
import dev.dtp.core.policy.FastV;
import dev.dtp.core.policy.WithdrawVisual;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code dtp eval --sweep r=1.0,0.9,...,0.3}: the camera-ready's accuracy-vs-FLOPs curves. For
 * each r, DTP at the model's layers with that r, and FastV, DART (both at layer {@code k}) and VTW
 * at the FLOPs DTP spends there: FastV's and DART's kept count and VTW's layer are the ones whose
 * FLOPs ratio, on a representative input, comes closest to DTP's. The calibrated default ({@code
 * dtp}) and the unpruned model ({@code none}) are points of their own.
 */
final class KeepRatioSweep {
    static final String DTP = "DTP";
    static final String FASTV = "FastV";
    static final String DART = "DART";
    static final String VTW = "VTW";
    static final String DEFAULT = "DTP (calibrated default)";
    static final String NONE = "no pruning";

    /**
     * @param method the curve it belongs to
     * @param r the sweep's r (DTP's keep ratio) this point matches
     * @param spec the policy spec evaluated
     * @param simulatedFlops the FLOPs ratio on the representative input
     */
    record Point(String method, double r, String spec, double simulatedFlops) {}

    private KeepRatioSweep() {}

    /**
     * The keep ratios of {@code r=a,b,c} or {@code r=a,b,...,z} (the step b − a repeated down or up
     * to z), each in (0, 1].
     */
    static List<Double> ratios(String arg) {
        if (!arg.startsWith("r=")) {
            throw new IllegalArgumentException("--sweep must be r=R,R,... (e.g. r=1.0,0.9,...,0.3), got '" + arg + "'");
        }
        String[] parts = arg.substring(2).split(",", -1);
        List<BigDecimal> out = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.equals("...")) {
                if (out.size() < 2 || i != parts.length - 2) {
                    throw new IllegalArgumentException("--sweep: '...' needs two values before it and one after, got '"
                            + arg + "'");
                }
                BigDecimal step = out.get(out.size() - 1).subtract(out.get(out.size() - 2));
                BigDecimal end = number(parts[i + 1].trim(), arg);
                if (step.signum() == 0 || end.subtract(out.get(out.size() - 1)).signum() != step.signum()) {
                    throw new IllegalArgumentException("--sweep: the step " + step + " does not lead to " + end);
                }
                BigDecimal next = out.get(out.size() - 1).add(step);
                while (next.subtract(end).signum() * step.signum() < 0) {
                    out.add(next);
                    next = next.add(step);
                }
                continue;
            }
            out.add(number(p, arg));
        }
        List<Double> ratios = new ArrayList<>();
        for (BigDecimal b : out) {
            double r = b.doubleValue();
            if (!(r > 0 && r <= 1)) {
                throw new IllegalArgumentException("--sweep: keep ratio " + b + " is outside (0, 1]");
            }
            ratios.add(r);
        }
        return ratios;
    }

    private static BigDecimal number(String s, String arg) {
        try {
            return new BigDecimal(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--sweep: '" + s + "' is not a number in '" + arg + "'");
        }
    }

    /**
     * @param layout a representative input (the image and a typical question)
     * @param k FastV's and DART's layer
     */
    static List<Point> plan(List<Double> ratios, PruningDefaults defaults, MambaShape shape, TokenLayout layout, int k) {
        int visual = layout.count(TokenKind.VISUAL);
        List<Point> points = new ArrayList<>();
        points.add(new Point(NONE, 1, "none", 1));
        points.add(new Point(DEFAULT, defaults.keepRatio(), "dtp", flops(shape, layout,
                new Dtp(defaults.early(), defaults.keepRatio(), defaults.late()))));
        for (double r : ratios) {
            Dtp dtp = new Dtp(defaults.early(), r, defaults.late());
            double target = flops(shape, layout, dtp);
            points.add(new Point(DTP, r, dtp.name(), target));
            int bestKept = 1;
            double bestGap = Double.POSITIVE_INFINITY;
            for (int kept = 1; kept <= visual; kept++) {
                double gap = Math.abs(flops(shape, layout, new FastV(k, (double) kept / visual)) - target);
                if (gap < bestGap) {
                    bestGap = gap;
                    bestKept = kept;
                }
            }
            double matched = round6((double) bestKept / visual);
            FastV fastv = new FastV(k, matched);
            points.add(new Point(FASTV, r, fastv.name(), flops(shape, layout, fastv)));
            Dart dart = new Dart(k, matched, Dart.DEFAULT_PIVOTS);
            points.add(new Point(DART, r, dart.name(), flops(shape, layout, dart)));
            int bestLayer = 0;
            bestGap = Double.POSITIVE_INFINITY;
            for (int layer = 0; layer < shape.layers(); layer++) {
                double gap = Math.abs(flops(shape, layout, new WithdrawVisual(layer)) - target);
                if (gap < bestGap) {
                    bestGap = gap;
                    bestLayer = layer;
                }
            }
            WithdrawVisual vtw = new WithdrawVisual(bestLayer);
            points.add(new Point(VTW, r, vtw.name(), flops(shape, layout, vtw)));
        }
        return points;
    }

    static double flops(MambaShape shape, TokenLayout layout, PruningPolicy policy) {
        return Flops.simulate(shape, layout, policy).ratio();
    }

    private static double round6(double v) {
        return new BigDecimal(v).setScale(6, RoundingMode.HALF_EVEN).doubleValue();
    }

    /** The specs to evaluate, each once, in plan order. */
    static List<String> specs(List<Point> points) {
        return points.stream().map(Point::spec).distinct().toList();
    }

    static String describe(Point p) {
        return String.format(Locale.ROOT, "%s r=%s → %s (simulated FLOPs %.3f)", p.method(), p.r(), p.spec(),
                p.simulatedFlops());
    }
}

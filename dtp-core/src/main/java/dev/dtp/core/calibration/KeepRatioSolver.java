package dev.dtp.core.calibration;

import dev.dtp.core.PolicyException;
import dev.dtp.core.TokenLayout;
import dev.dtp.core.flops.Flops;
import dev.dtp.core.flops.MambaShape;
import dev.dtp.core.policy.Dtp;
import java.util.Locale;

/**
 * The keep ratio r that gives DTP at fixed layers a target FLOPs ratio on a token layout. The
 * ratio grows with r (more tokens kept between the layers), so bisection finds it; the answer is
 * the smallest r whose ratio reaches the target, to the resolution of one visual token.
 */
public final class KeepRatioSolver {
    private KeepRatioSolver() {}

    public static double solve(MambaShape shape, TokenLayout layout, int early, int late, double targetRatio) {
        double low = ratio(shape, layout, early, late, 1e-6);
        double high = ratio(shape, layout, early, late, 1.0);
        if (targetRatio < low - 1e-9 || targetRatio > high + 1e-9) {
            throw new PolicyException(String.format(Locale.ROOT,
                    "target FLOPs ratio %.4f is outside what DTP at layers %d/%d can reach: [%.4f, %.4f]", targetRatio,
                    early, late, low, high));
        }
        double lo = 1e-6;
        double hi = 1.0;
        for (int i = 0; i < 40; i++) {
            double mid = (lo + hi) / 2;
            if (ratio(shape, layout, early, late, mid) >= targetRatio) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    public static double ratio(MambaShape shape, TokenLayout layout, int early, int late, double r) {
        return Flops.simulate(shape, layout, new Dtp(early, r, late)).ratio();
    }
}

package dev.dtp.core.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dtp.core.PolicyException;
import dev.dtp.core.TokenLayout;
import dev.dtp.core.flops.MambaShape;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The layer choice on synthetic Eq. 7 curves with known structure, and the keep-ratio solver. */
class CalibrationTest {
    /** A curve shaped like the paper's Figure 3: a bump peaking at {@code peak}, a dip, a steep rise from {@code rise}. */
    static double[] paperLike(int layers, int peak, int rise, double noise, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] c = new double[layers];
        for (int l = 0; l < layers; l++) {
            double bump = Math.exp(-0.5 * Math.pow((l - peak) / 2.0, 2));
            double climb = l < rise ? 0 : 2.5 * (l - rise) / (double) (layers - rise);
            c[l] = 0.3 + bump + climb + noise * (r.nextDouble() - 0.5);
        }
        return c;
    }

    @Test
    void findsTheEarlyPeakAndTheLateRiseOfAPaperLikeCurve() {
        LayerChooser.Options o = LayerChooser.Options.defaults(64);
        for (long seed = 0; seed < 20; seed++) {
            double[] c = paperLike(64, 15, 45, 0.08, seed);
            OptionalInt early = LayerChooser.earlyLayer(c, o);
            assertTrue(early.isPresent());
            assertTrue(Math.abs(early.getAsInt() - 15) <= 1, "early " + early + " for seed " + seed);
            OptionalInt late = LayerChooser.lateLayer(c, null, early.getAsInt(), o);
            assertTrue(late.isPresent());
            assertTrue(Math.abs(late.getAsInt() - 45) <= 2, "late " + late + " for seed " + seed);
        }
    }

    @Test
    void ignoresNoiseWigglesBeforeTheRealPeak() {
        double[] c = paperLike(64, 20, 50, 0, 1);
        c[3] += 0.02; // a wiggle: a local maximum, but far below the prominence threshold
        c[4] -= 0.02;
        LayerChooser.Options o = LayerChooser.Options.defaults(64);
        assertEquals(20, LayerChooser.earlyLayer(c, o).getAsInt());
    }

    @Test
    void aFlatOrMonotoneCurveHasNoClearPeak() {
        LayerChooser.Options o = LayerChooser.Options.defaults(24);
        assertTrue(LayerChooser.earlyLayer(new double[24], o).isEmpty());
        double[] rising = new double[24];
        for (int i = 0; i < 24; i++) {
            rising[i] = i;
        }
        assertTrue(LayerChooser.earlyLayer(rising, o).isEmpty());
        // a uniform ramp is not a steep rise; flat then steep is, from where it starts (smoothing leaks one layer)
        assertTrue(LayerChooser.riseStart(rising, 0, o).isEmpty());
        double[] kink = new double[24];
        for (int i = 10; i < 24; i++) {
            kink[i] = 3 * (i - 10);
        }
        int start = LayerChooser.riseStart(kink, 0, o).getAsInt();
        assertTrue(start >= 9 && start <= 11, "rise start " + start);
    }

    @Test
    void attentionMovesTheLateLayerToWhereTextStopsReadingImages() {
        double[] c = paperLike(64, 15, 45, 0, 2);
        double[] t2v = new double[64];
        for (int l = 0; l < 64; l++) {
            t2v[l] = l < 50 ? 0.6 : 0.1; // text still reads the image until layer 50
        }
        LayerChooser.Options o = LayerChooser.Options.defaults(64);
        assertEquals(50, LayerChooser.lateLayer(c, t2v, 15, o).getAsInt());
    }

    @Test
    void prominenceIsHeightAboveTheHigherSaddle() {
        double[] s = {0, 3, 1, 5, 2};
        assertEquals(2.0, LayerChooser.prominence(s, 1), 1e-12); // saddle 1 to the right, 0 left → higher is 1
        assertEquals(5.0 - 2.0, LayerChooser.prominence(s, 3), 1e-12); // highest point: lowest on each side, 0 and 2
    }

    @Test
    void eq7IsThePopulationStd() {
        assertEquals(1.0, ImportanceStatistics.std(new float[] {1, 3, 1, 3}), 1e-12);
        ImportanceStatistics stats = new ImportanceStatistics(2);
        stats.add(new float[][] {{1, 3}, {0, 0}});
        stats.add(new float[][] {{1, 5}, null});
        assertEquals(1.5, stats.mean()[0], 1e-12);
        assertEquals(0.5, stats.spread()[0], 1e-12);
        assertEquals(0.0, stats.mean()[1], 1e-12);
    }

    @Test
    void keepRatioSolverHitsTheTargetFlops() {
        MambaShape cobra = new MambaShape(64, 2560, 16, 2, 160, 4, 50280);
        TokenLayout layout = TokenLayout.textWithImage(760, 0, 729);
        for (double target : new double[] {0.45, 0.5, 0.6}) {
            double r = KeepRatioSolver.solve(cobra, layout, 15, 45, target);
            double got = KeepRatioSolver.ratio(cobra, layout, 15, 45, r);
            assertEquals(target, got, 0.002, "r = " + r);
        }
        // 0.5 is about the paper's Cobra setting (r = 0.5 at 15/45 gives ≈ 0.50)
        assertEquals(0.5, KeepRatioSolver.solve(cobra, layout, 15, 45, KeepRatioSolver.ratio(cobra, layout, 15, 45, 0.5)), 0.01);
        assertThrows(PolicyException.class, () -> KeepRatioSolver.solve(cobra, layout, 15, 45, 0.1));
    }

    @Test
    void sweptEarlyIsTheEarliestLayerWithinTheKlBudget() {
        double[] kl = {3.0, 0.4, 0.08, 0.02, 0.2, Double.NaN, Double.NaN};
        assertEquals(OptionalInt.of(3), LayerChooser.sweptEarly(kl, 0.05));
        assertEquals(OptionalInt.of(2), LayerChooser.sweptEarly(kl, 0.08));
        assertEquals(OptionalInt.of(1), LayerChooser.sweptEarly(kl, 0.5));
        assertEquals(OptionalInt.empty(), LayerChooser.sweptEarly(kl, 0.01));
    }

    @Test
    void vtwLayerIsWhereWithdrawingStaysHarmless() {
        // a dip below the threshold at layer 2 does not count: layer 4 rises again
        double[] kl = {2.0, 1.5, 0.01, 0.3, 0.2, 0.04, 0.03, 0.001};
        assertEquals(OptionalInt.of(5), LayerChooser.vtwLayer(kl, 0.05));
        assertEquals(OptionalInt.of(2), LayerChooser.vtwLayer(kl, 0.5));
        assertEquals(OptionalInt.empty(), LayerChooser.vtwLayer(new double[] {1, 1, 1}, 0.05));
    }

    @Test
    void aOneLayerSpikeIsChosenItself() {
        // smoothing makes layers 2, 3 and 4 equal; the first of them is the smoothed peak, the spike is 3
        double[] spiky = {0.1, 0.1, 0.1, 1.0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
        assertEquals(OptionalInt.of(3), LayerChooser.earlyLayer(spiky, LayerChooser.Options.defaults(10)));
    }

    @Test
    void lateLayerNeverComesBeforeVtwsLayer() {
        OptionalInt none = OptionalInt.empty();
        OptionalInt at = OptionalInt.of(19);
        assertEquals(new LayerChooser.Late(19, LayerChooser.LateSource.RISE_MOVED_TO_VTW),
                LayerChooser.late(OptionalInt.of(16), at, 12, 17));
        assertEquals(new LayerChooser.Late(21, LayerChooser.LateSource.RISE), LayerChooser.late(OptionalInt.of(21), at, 12, 17));
        assertEquals(new LayerChooser.Late(19, LayerChooser.LateSource.VTW), LayerChooser.late(none, at, 12, 17));
        assertEquals(new LayerChooser.Late(17, LayerChooser.LateSource.PAPER), LayerChooser.late(none, none, 12, 17));
        // a VTW layer at or before the early layer does not count
        assertEquals(new LayerChooser.Late(16, LayerChooser.LateSource.RISE),
                LayerChooser.late(OptionalInt.of(16), OptionalInt.of(12), 12, 17));
        assertEquals(new LayerChooser.Late(17, LayerChooser.LateSource.PAPER), LayerChooser.late(none, OptionalInt.of(3), 12, 17));
    }
}

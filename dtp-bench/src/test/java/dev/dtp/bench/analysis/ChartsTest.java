package dev.dtp.bench.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/** Layers without a value (NaN) are left out of the curves, not drawn as 0. */
class ChartsTest {
    @Test
    void curveLeavesOutLayersWithoutAValue() {
        XYChart chart = Charts.curve("t", "y", "kl", new double[] {0.5, Double.NaN, 2.0, Double.NaN});
        XYSeries s = chart.getSeriesMap().get("kl");
        assertArrayEquals(new double[] {0, 2}, s.getXData());
        assertArrayEquals(new double[] {0.5, 2.0}, s.getYData());
    }

    @Test
    void stdCurveKeepsTheSpreadOfTheLayersItDraws() {
        XYChart chart = Charts.stdCurve("t", new double[] {1, Double.NaN, 3}, new double[] {0.1, 0.2, Double.NaN}, null, null);
        XYSeries s = chart.getSeriesMap().values().iterator().next();
        assertArrayEquals(new double[] {0, 2}, s.getXData());
        assertArrayEquals(new double[] {1, 3}, s.getYData());
        assertArrayEquals(new double[] {0.1, 0}, s.getExtraValues());
    }

    @Test
    void aCurveWithNoValuesSaysSo() {
        XYChart chart = Charts.curve("t", "y", "kl", new double[] {Double.NaN, Double.NaN});
        assertTrue(chart.getTitle().endsWith("(no values)"), chart.getTitle());
    }
}

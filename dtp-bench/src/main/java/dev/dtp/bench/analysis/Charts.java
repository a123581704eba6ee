package dev.dtp.bench.analysis;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The analysis figures, drawn with XChart: titles, axis labels and legends on every chart. */
final class Charts {
    private Charts() {}

    /** Eq. 7 per layer, mean over samples with ± spread as error bars; optional vertical markers. */
    static XYChart stdCurve(String title, double[] mean, double[] spread, int[] markers, String[] markerNames) {
        XYChart chart = new XYChartBuilder().width(640).height(420).title(title).xAxisTitle("layer")
                .yAxisTitle("std of visual-token importance (Eq. 7)").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        int[] layers = measured(mean, chart);
        XYSeries s = chart.addSeries("mean over samples (± std)", asDouble(layers), at(mean, layers), at(spread, layers));
        s.setMarker(SeriesMarkers.CIRCLE);
        if (markers != null) {
            double lo = min(mean);
            double hi = max(mean);
            for (int i = 0; i < markers.length; i++) {
                XYSeries m = chart.addSeries(markerNames[i], new double[] {markers[i], markers[i]}, new double[] {lo, hi});
                m.setMarker(SeriesMarkers.NONE);
                m.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            }
        }
        return chart;
    }

    /** A per-layer curve (e.g. text-to-visual attention share, or KL divergence). */
    static XYChart curve(String title, String yTitle, String series, double[] values) {
        XYChart chart = new XYChartBuilder().width(640).height(420).title(title).xAxisTitle("layer").yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        int[] layers = measured(values, chart);
        chart.addSeries(series, asDouble(layers), at(values, layers)).setMarker(SeriesMarkers.CIRCLE);
        return chart;
    }

    /** Importance of visual tokens on the patch grid (row-major), as a heat map. */
    static HeatMapChart patchGrid(String title, float[] importance, int side) {
        HeatMapChart chart = new HeatMapChartBuilder().width(520).height(480).title(title).xAxisTitle("patch column")
                .yAxisTitle("patch row").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setShowValue(false);
        chart.getStyler().setRangeColors(new Color[] {new Color(20, 20, 80), new Color(60, 140, 200), new Color(250, 220, 60)});
        List<Integer> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        for (int i = 0; i < side; i++) {
            xs.add(i);
            ys.add(side - 1 - i);
        }
        List<Number[]> cells = new ArrayList<>();
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < Math.min(importance.length, side * side); i++) {
            cells.add(new Number[] {i % side, side - 1 - i / side, importance[i]});
            min = Math.min(min, importance[i]);
            max = Math.max(max, importance[i]);
        }
        // XChart's own range starts its maximum at Double.MIN_VALUE, wrong for all-negative data
        chart.getStyler().setMin(min);
        chart.getStyler().setMax(max > min ? max : min + 1e-12);
        chart.addSeries("importance", xs, ys, cells);
        return chart;
    }

    /** Importance per visual token index with the top half marked (the paper's Figure 4 scatter). */
    static XYChart topHalfScatter(String title, float[] importance) {
        XYChart chart = new XYChartBuilder().width(640).height(420).title(title).xAxisTitle("visual token index")
                .yAxisTitle("importance").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(4);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        float[] sorted = importance.clone();
        Arrays.sort(sorted);
        float median = sorted.length == 0 ? 0 : sorted[sorted.length / 2];
        List<Double> kx = new ArrayList<>();
        List<Double> ky = new ArrayList<>();
        List<Double> dx = new ArrayList<>();
        List<Double> dy = new ArrayList<>();
        for (int i = 0; i < importance.length; i++) {
            (importance[i] >= median ? kx : dx).add((double) i);
            (importance[i] >= median ? ky : dy).add((double) importance[i]);
        }
        if (!kx.isEmpty()) {
            chart.addSeries("top 50% (kept at r = 0.5)", kx, ky);
        }
        if (!dx.isEmpty()) {
            chart.addSeries("bottom 50%", dx, dy);
        }
        return chart;
    }

    /** An aggregated attention matrix (rows: query t, columns: source j), block-averaged to at most {@code cells}². */
    static HeatMapChart attention(String title, float[] matrix, int length, int cells, int width) {
        int n = Math.min(cells, length);
        double block = (double) length / n;
        HeatMapChart chart = new HeatMapChartBuilder().width(width).height(width).title(title)
                .xAxisTitle("source token j").yAxisTitle("query token t").build();
        chart.getStyler().setShowValue(false);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setRangeColors(new Color[] {Color.WHITE, new Color(250, 170, 60), new Color(160, 20, 20)});
        List<Integer> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            xs.add((int) Math.round(i * block));
            ys.add((int) Math.round((n - 1 - i) * block));
        }
        double[] sums = new double[n * n];
        int[] counts = new int[n * n];
        for (int t = 0; t < length; t++) {
            for (int j = 0; j <= t; j++) {
                int bi = Math.min(n - 1, (int) (t / block));
                int bj = Math.min(n - 1, (int) (j / block));
                sums[bi * n + bj] += matrix[t * length + j];
                counts[bi * n + bj]++;
            }
        }
        // square root: attention falls off by orders of magnitude away from the diagonal
        List<Number[]> data = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double v = counts[i * n + j] == 0 ? 0 : Math.sqrt(sums[i * n + j] / counts[i * n + j]);
                data.add(new Number[] {j, n - 1 - i, v});
            }
        }
        chart.addSeries("√ mean |K| (rows normalised)", xs, ys, data);
        return chart;
    }

    static void save(Chart<?, ?> chart, Path png) throws IOException {
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    static void saveGrid(List<? extends Chart<?, ?>> charts, int rows, int cols, Path png) throws IOException {
        BitmapEncoder.saveBitmap(new ArrayList<>(charts), rows, cols, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * The layers that have a value (NaN marks a layer not measured): those are plotted, the others left
     * out rather than drawn as 0. With none, layer 0 is drawn at 0 and the title says so.
     */
    private static int[] measured(double[] v, XYChart chart) {
        int[] layers = IntStream.range(0, v.length).filter(i -> !Double.isNaN(v[i])).toArray();
        if (layers.length == 0) {
            chart.setTitle(chart.getTitle() + " (no values)");
            return new int[] {0};
        }
        return layers;
    }

    /** v at the given layers; a missing or NaN entry (a spread not measured) becomes 0. */
    private static double[] at(double[] v, int[] layers) {
        double[] out = new double[layers.length];
        for (int i = 0; i < layers.length; i++) {
            out[i] = layers[i] < v.length && !Double.isNaN(v[layers[i]]) ? v[layers[i]] : 0;
        }
        return out;
    }

    private static double[] asDouble(int[] layers) {
        return Arrays.stream(layers).asDoubleStream().toArray();
    }

    private static double min(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                m = Math.min(m, x);
            }
        }
        return m;
    }

    private static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                m = Math.max(m, x);
            }
        }
        return m;
    }
}

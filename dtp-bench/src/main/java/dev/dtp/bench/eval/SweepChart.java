package dev.dtp.bench.eval;

import dev.dtp.bench.eval.KeepRatioSweep.Point;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The sweep's picture and table: {@code sweep.png}, accuracy against the measured FLOPs ratio, one
 * curve per method, the calibrated default and the unpruned model as single markers; and {@code
 * sweep.csv}, one row per point.
 */
final class SweepChart {
    /** One evaluated point: where the plan put it and what the eval measured. */
    record Measured(Point point, double flopsRatio, double accuracy) {}

    private SweepChart() {}

    static List<Measured> measure(List<Point> plan, EvalReport report) {
        Map<String, EvalReport.Row> rows = new LinkedHashMap<>();
        report.rows().forEach(r -> rows.put(r.policy(), r));
        List<Measured> out = new ArrayList<>();
        for (Point p : plan) {
            EvalReport.Row row = rows.get(p.spec());
            if (row == null) {
                throw new IllegalStateException("sweep point " + p.spec() + " was not evaluated");
            }
            out.add(new Measured(p, row.flopsRatio(), row.accuracy()));
        }
        return out;
    }

    static String csv(List<Measured> points) {
        StringBuilder sb = new StringBuilder("method,r,policy,flops_ratio,simulated_flops_ratio,accuracy\n");
        for (Measured m : points) {
            sb.append(m.point().method()).append(',').append(m.point().r()).append(",\"").append(m.point().spec())
                    .append("\",").append(String.format(Locale.ROOT, "%.4f,%.4f,%.4f", m.flopsRatio(),
                            m.point().simulatedFlops(), m.accuracy()))
                    .append('\n');
        }
        return sb.toString();
    }

    static XYChart chart(List<Measured> points, String title) {
        XYChart chart = new XYChartBuilder().width(720).height(480).title(title).xAxisTitle("FLOPs ratio (prefill)")
                .yAxisTitle("accuracy (%)").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        Map<String, List<Measured>> curves = new LinkedHashMap<>();
        for (Measured m : points) {
            curves.computeIfAbsent(m.point().method(), k -> new ArrayList<>()).add(m);
        }
        // the default last, so that its marker is drawn over the DTP curve it lies on
        List<Measured> defaults = curves.remove(KeepRatioSweep.DEFAULT);
        if (defaults != null) {
            curves.put(KeepRatioSweep.DEFAULT, defaults);
        }
        curves.forEach((method, list) -> {
            list.sort(Comparator.comparingDouble(Measured::flopsRatio));
            double[] x = list.stream().mapToDouble(Measured::flopsRatio).toArray();
            double[] y = list.stream().mapToDouble(m -> 100 * m.accuracy()).toArray();
            XYSeries s = chart.addSeries(method, x, y);
            boolean single = method.equals(KeepRatioSweep.DEFAULT) || method.equals(KeepRatioSweep.NONE);
            s.setMarker(method.equals(KeepRatioSweep.DEFAULT) ? SeriesMarkers.DIAMOND
                    : single ? SeriesMarkers.SQUARE : SeriesMarkers.CIRCLE);
            if (single) {
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                s.setMarkerColor(method.equals(KeepRatioSweep.DEFAULT) ? Color.BLACK : Color.GRAY);
            }
        });
        return chart;
    }

    static void write(Path out, List<Measured> points, String title) throws IOException {
        Files.writeString(out.resolve("sweep.csv"), csv(points), StandardCharsets.UTF_8);
        BitmapEncoder.saveBitmap(chart(points, title), out.resolve("sweep.png").toString(),
                BitmapEncoder.BitmapFormat.PNG);
    }
}

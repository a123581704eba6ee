package dev.dtp.bench.analysis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/** The figures beside calibration.json: the evidence of a {@link Calibration}, one chart each. */
final class CalibrationFigures {
    private CalibrationFigures() {}

    /**
     * Writes std-curve.png (Eq. 7 with the chosen layers marked), text-to-visual.png, vtw-kl.png and,
     * after a sweep, sweep-kl.png into {@code dir}.
     *
     * @param stdSpread the Eq. 7 curve's spread over the samples, drawn around it
     */
    static void save(Calibration c, double[] stdSpread, Path dir) throws IOException {
        if (c.sweep() != null) {
            Charts.save(Charts.curve("DTP at each early layer (late " + c.late() + ", r " + c.r() + "; budget "
                    + c.sweep().threshold() + "): KL(full ‖ DTP)", "mean KL (nats)", "KL",
                    Arrays.copyOf(c.sweep().kl(), c.late())), dir.resolve("sweep-kl.png"));
        }
        Charts.save(Charts.stdCurve("Eq. 7 with Δ importance (" + c.samples() + " samples)", c.std(), stdSpread,
                new int[] {c.early(), c.late()}, new String[] {"early = " + c.early(), "late = " + c.late()}),
                dir.resolve("std-curve.png"));
        Charts.save(Charts.curve("Share of text tokens' implicit attention on visual tokens", "share of attention",
                "text → visual", c.lateRule().textToVisual()), dir.resolve("text-to-visual.png"));
        Charts.save(Charts.curve("VTW criterion: KL(full ‖ visual tokens withdrawn at layer)", "mean KL (nats)", "KL",
                c.vtw().kl()), dir.resolve("vtw-kl.png"));
    }
}

package dev.dtp.bench.analysis;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.dtp.core.PruningDefaults;
import dev.dtp.core.calibration.LayerChooser;
import dev.dtp.core.calibration.LayerChooser.LateSource;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * What {@code dtp calibrate} chose and the evidence for it. {@link #toJson} gives calibration.json
 * (read by {@code DtpPruner.wrap} and every {@code dtp} command) and {@link #toMarkdown} the report
 * beside it, both from these values.
 *
 * @param early the early layer: the sweep's where it found one, else the Eq. 7 rule's
 * @param late the late layer, from which on every visual token is withdrawn
 * @param r the keep ratio between the layers, three decimals
 * @param flopsRatio DTP's FLOPs ratio at these layers and r on the first sample's layout
 * @param samples how many calibration samples were surveyed
 * @param std the Eq. 7 curve: per layer, the standard deviation of Δ importance across tokens (mean
 *     over the samples)
 * @param earlyRule how the Eq. 7 rule chose its early layer
 * @param lateRule how the late layer was chosen
 * @param vtw VTW's criterion, measured alongside
 * @param sweep what {@code --sweep} measured; null without it
 */
record Calibration(int early, int late, double r, double flopsRatio, int samples, double[] std, EarlyRule earlyRule,
        LateRule lateRule, Vtw vtw, Sweep sweep) {

    /**
     * The Eq. 7 rule's early layer: the first prominent local peak of the smoothed curve, else the
     * paper's layer scaled to the depth.
     */
    record EarlyRule(LayerChooser.Options rules, OptionalInt peak, int paperLayer) {
        static EarlyRule apply(double[] curve, LayerChooser.Options rules, PruningDefaults paper) {
            return new EarlyRule(rules, LayerChooser.earlyLayer(curve, rules), paper.early());
        }

        int layer() {
            return peak.orElse(paperLayer);
        }

        String rule() {
            return "first local peak of the Eq. 7 curve smoothed over " + rules.window() + " layers with prominence >= "
                    + rules.prominence() + " x (max - min)";
        }

        /**
         * The prominence is the smoothed curve's at {@code early}, the calibrated early layer: after a sweep
         * moved it off the peak that is not the peak's, but it is what calibration.json has always held.
         */
        JsonObject toJson(double[] curve, int early) {
            JsonObject j = new JsonObject();
            j.addProperty("rule", rule());
            j.addProperty("found", peak.isPresent());
            if (peak.isPresent()) {
                j.addProperty("prominence", LayerChooser.prominence(LayerChooser.smooth(curve, rules.window()), early));
            } else {
                j.addProperty("fallback", "paper's layer scaled to depth: " + paperLayer);
            }
            return j;
        }
    }

    /**
     * The late layer: where the curve's steep rise starts, moved on to where text stops attending to
     * the visual tokens and never before VTW's layer ({@link LayerChooser#late}).
     */
    record LateRule(LayerChooser.Options rules, OptionalInt riseStart, LayerChooser.Late chosen, int paperLayer,
            double[] textToVisual) {
        static LateRule apply(double[] curve, double[] textToVisual, int early, OptionalInt vtwLayer,
                LayerChooser.Options rules, PruningDefaults paper) {
            OptionalInt rise = LayerChooser.riseStart(curve, early, rules);
            OptionalInt byRule = LayerChooser.lateLayer(curve, textToVisual, early, rules);
            LayerChooser.Late chosen = LayerChooser.late(byRule, vtwLayer, early, paper.late());
            return new LateRule(rules, rise, chosen, paper.late(), textToVisual);
        }

        int layer() {
            return chosen.layer();
        }

        /** Whether the curve's rule found the layer (VTW's criterion may still have moved it). */
        boolean found() {
            return chosen.source() == LateSource.RISE || movedToVtw();
        }

        boolean movedToVtw() {
            return chosen.source() == LateSource.RISE_MOVED_TO_VTW;
        }

        String rule() {
            return "start of a rise over " + rules.riseLayers() + " consecutive layers by >= " + rules.riseFraction()
                    + " x (max - min), moved to the first layer where the text-to-visual attention share < "
                    + rules.attentionFraction() + " x its maximum";
        }

        JsonObject toJson() {
            JsonObject j = new JsonObject();
            j.addProperty("rule", rule());
            j.addProperty("rise_start", riseStart.orElse(-1));
            j.addProperty("found", found());
            if (!found()) {
                j.addProperty("fallback", chosen.source() == LateSource.VTW
                        ? "VTW criterion's layer (visual tokens redundant from here on): " + layer()
                        : "paper's layer scaled to depth: " + paperLayer);
            }
            j.add("text_to_visual", array(textToVisual));
            j.addProperty("moved_to_vtw_layer", movedToVtw());
            return j;
        }
    }

    /**
     * VTW's criterion: the earliest layer from which on withdrawing every visual token keeps the mean
     * KL divergence of the next-token distribution below the threshold.
     *
     * @param kl mean KL(full ‖ withdrawn at the layer) per layer
     */
    record Vtw(double[] kl, OptionalInt layer) {
        static Vtw of(double[] kl, double threshold) {
            return new Vtw(kl, LayerChooser.vtwLayer(kl, threshold));
        }

        String policy() {
            return layer.isPresent() ? "vtw:k=" + layer.getAsInt() : "";
        }

        JsonObject toJson() {
            JsonObject j = new JsonObject();
            j.addProperty("rule",
                    "earliest layer from which on every mean KL(full || withdrawn) is below the threshold");
            j.addProperty("layer", layer.orElse(-1));
            j.addProperty("policy", policy());
            j.add("kl", array(kl));
            return j;
        }
    }

    /**
     * What {@code --sweep} measured: DTP's KL and FLOPs ratio per early layer (NaN where not tried) and
     * the earliest layer within the threshold ({@link LayerChooser#sweptEarly}).
     */
    record Sweep(double threshold, double[] kl, double[] flops, OptionalInt layer, int eq7Early) {
        String rule(int late, double r) {
            return "earliest early layer whose DTP run (late " + late + ", r " + r
                    + ") keeps the mean KL(full || DTP) <= the threshold; else the Eq. 7 layer";
        }

        JsonObject toJson(int late, double r) {
            JsonObject j = new JsonObject();
            j.addProperty("rule", rule(late, r));
            j.addProperty("threshold", threshold);
            j.addProperty("layer", layer.orElse(-1));
            j.addProperty("eq7_early", eq7Early);
            j.add("kl", array(kl));
            j.add("flops_ratio", array(flops));
            return j;
        }

        String outcome() {
            if (layer.isEmpty()) {
                return "no layer within " + threshold + " nats, so the Eq. 7 layer " + eq7Early + " stays";
            }
            int e = layer.getAsInt();
            return String.format(Locale.ROOT, "layer %d (KL %.3g) %s the Eq. 7 layer %d", e, kl[e],
                    e == eq7Early ? "agrees with" : "replaces", eq7Early);
        }
    }

    /** The policy spec these layers and r make, as every {@code dtp} command parses it. */
    String policy() {
        return String.format(Locale.ROOT, "dtp:early=%d,r=%s,late=%d", early, r, late);
    }

    /** Whether the sweep, not the Eq. 7 rule, chose the early layer. */
    boolean swept() {
        return sweep != null && sweep.layer().isPresent();
    }

    /** calibration.json: the choice, the Eq. 7 curve and the evidence, NaN (not tried) as null. */
    String toJson() {
        JsonObject j = new JsonObject();
        j.addProperty("early", early);
        j.addProperty("late", late);
        j.addProperty("r", r);
        j.addProperty("policy", policy());
        j.add("std", array(std));
        JsonObject evidence = new JsonObject();
        evidence.addProperty("samples", samples);
        evidence.addProperty("flops_ratio", flopsRatio);
        evidence.add("early", earlyRule.toJson(std, early));
        evidence.add("late", lateRule.toJson());
        evidence.add("vtw", vtw.toJson());
        if (sweep != null) {
            evidence.add("sweep", sweep.toJson(late, r));
        }
        j.add("evidence", evidence);
        return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(j) + "\n";
    }

    /** calibration.md: the choice and, per layer, the rule that made it. */
    String toMarkdown() {
        return String.format(Locale.ROOT, """
                # Calibration

                Samples: %d. Policy: `%s` (FLOPs ratio %.1f%% on the first sample's layout).

                - **Early layer %d** — %s.
                - **Late layer %d** — %s; the curve's steep rise starts at layer %d.
                - **VTW criterion** — %s.%s

                Figures: `std-curve.png` (Eq. 7 with the chosen layers), `text-to-visual.png`, `vtw-kl.png`.
                Values: `calibration.json` (`std` per layer, `evidence`).
                """, samples, policy(), 100 * flopsRatio, early, earlyReason(), late, lateReason(),
                lateRule.riseStart().orElse(-1), vtwOutcome(), sweepLine());
    }

    private String earlyReason() {
        return (swept() ? "chosen by the sweep below; the Eq. 7 rule: " : "") + earlyRule.rule()
                + (earlyRule.peak().isPresent() ? "" : " (none found: fallback)");
    }

    private String lateReason() {
        return lateRule.rule() + (lateRule.found() ? "" : " (none found: fallback)")
                + (lateRule.movedToVtw() ? "; then moved to the VTW criterion's layer, before which withdrawing the"
                        + " visual tokens measurably changes the answer" : "");
    }

    private String vtwOutcome() {
        return vtw.layer().isEmpty() ? "no layer below the KL threshold"
                : "withdraw at layer " + vtw.layer().getAsInt() + " (`" + vtw.policy() + "`)";
    }

    private String sweepLine() {
        return sweep == null ? ""
                : String.format(Locale.ROOT, "%n- **Sweep** — %s; %s (`sweep-kl.png`).", sweep.rule(late, r),
                        sweep.outcome());
    }

    private static JsonArray array(double[] v) {
        JsonArray a = new JsonArray();
        for (double x : v) {
            a.add(Double.isNaN(x) ? null : x);
        }
        return a;
    }
}

package dev.dtp.core.flops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dtp.core.PruningPolicy;
import dev.dtp.core.PruningTrace;
import dev.dtp.core.TokenLayout;
import dev.dtp.core.policy.PolicySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The FLOPs ratios of the paper's Tables 1, 2 and 5 (independent ground truth) from our count. */
class FlopsTest {
    /** Cobra's and RoboMamba's language model: mamba-2.8b (64 layers, d_model 2560). */
    static final MambaShape MAMBA_2_8B = new MambaShape(64, 2560, 16, 2, 160, 4, 50288);

    static double ratio(int visual, int text, String spec) {
        TokenLayout layout = TokenLayout.textWithImage(visual + text, 0, visual);
        return Flops.simulate(MAMBA_2_8B, layout, PolicySpec.parse(spec)).ratio();
    }

    @ParameterizedTest(name = "Cobra {0}: paper {1}")
    @CsvSource({
        "'fastv:k=2,r=0.7', 0.72",
        "'vtw:k=45', 0.71",
        "'dtp:early=15,r=0.9,late=45', 0.67",
        "'fastv:k=2,r=0.5', 0.53",
        "'vtw:k=32', 0.52",
        "'dtp:early=15,r=0.5,late=45', 0.48",
    })
    void cobraTable1(String spec, double paper) {
        // Our count charges a pruning layer's norm, in_proj, conv, x_proj and dt_proj to all the
        // tokens entering it (the pruning semantics); the paper's DTP rows match a count in which
        // the early selection already applies to the whole layer 15 (0.483 for r = 0.5), so DTP
        // r = 0.5 lands 2.1 points above the paper. docs/FLOPS.md works through it.
        double tolerance = spec.equals("dtp:early=15,r=0.5,late=45") ? 0.025 : 0.02;
        assertEquals(paper, ratio(729, 31, spec), tolerance, spec);
    }

    @ParameterizedTest(name = "RoboMamba {0}: paper {1}")
    @CsvSource({
        "'fastv:k=2,r=0.7', 0.71",
        "'vtw:k=45', 0.71",
        "'dtp:early=15,r=0.9,late=45', 0.66",
        "'fastv:k=2,r=0.5', 0.53",
        "'vtw:k=32', 0.51",
        "'dtp:early=15,r=0.5,late=45', 0.49",
    })
    void roboMambaTable2(String spec, double paper) {
        // RoboMamba's prompts are short: its 0.70 × 10^12 baseline is 256 visual + about 8 text tokens
        assertEquals(paper, ratio(256, 8, spec), 0.02, spec);
    }

    @Test
    void roboMambaBaselineImpliesShortPrompts() {
        TokenLayout layout = TokenLayout.textWithImage(256 + 8, 0, 256);
        assertEquals(0.70, Flops.simulate(MAMBA_2_8B, layout, PruningPolicy.none()).teraMacs(), 0.01);
    }

    @Test
    void absoluteMacsOfTheCobraBaseline() {
        // Table 1: 2.01 × 10^12 for the unpruned Cobra prefill
        TokenLayout layout = TokenLayout.textWithImage(760, 0, 729);
        assertEquals(2.01, Flops.simulate(MAMBA_2_8B, layout, PruningPolicy.none()).teraMacs(), 0.03);
    }

    @Test
    void completePruningAblationOfTable5() {
        // Table 5: enabling the late complete pruning cuts Cobra from 1.26 to 1.04 (−17%)
        TokenLayout cobra = TokenLayout.textWithImage(760, 0, 729);
        double disabled = Flops.simulate(MAMBA_2_8B, cobra, PolicySpec.parse("fastv:k=15,r=0.5")).teraMacs();
        double enabled = Flops.simulate(MAMBA_2_8B, cobra, PolicySpec.parse("dtp:early=15,r=0.5,late=45")).teraMacs();
        assertEquals(1.26, disabled, 0.03); // 1.286: the same pruning-layer charge as in cobraTable1
        // the paper gives DTP r = 0.5 as 0.97 in Table 1 but 1.04 in Table 5; our count lies between
        Assertions.assertTrue(enabled >= 0.97 && enabled <= 1.04, "enabled: " + enabled);
    }

    @Test
    void aTraceCountsLikeTheSimulation() {
        MambaShape tiny = MambaShape.of(6, 32, 100);
        TokenLayout layout = TokenLayout.textWithImage(20, 2, 12);
        PruningPolicy dtp = PolicySpec.parse("dtp:early=1,r=0.5,late=4");
        List<PruningTrace.LayerTrace> layers = new ArrayList<>();
        int[] positions = IntStream.range(0, 20).toArray();
        int[] afterEarly = IntStream.concat(IntStream.range(0, 8),
                IntStream.range(14, 20)).toArray();
        int[] text = IntStream.concat(IntStream.range(0, 2),
                IntStream.range(14, 20)).toArray();
        layers.add(new PruningTrace.LayerTrace(0, positions, positions, null));
        layers.add(new PruningTrace.LayerTrace(1, positions, afterEarly, null));
        layers.add(new PruningTrace.LayerTrace(2, afterEarly, afterEarly, null));
        layers.add(new PruningTrace.LayerTrace(3, afterEarly, afterEarly, null));
        layers.add(new PruningTrace.LayerTrace(4, afterEarly, text, null));
        layers.add(new PruningTrace.LayerTrace(5, text, text, null));
        Flops.Result fromTrace = Flops.of(tiny, new PruningTrace(layout, layers));
        Flops.Result simulated = Flops.simulate(tiny, layout, dtp);
        assertEquals(simulated.macs(), fromTrace.macs());
        assertArrayEquals(simulated.perLayer(), fromTrace.perLayer());
        // and by hand: layer 1 runs its projections on 20 tokens and its scan on 14
        assertEquals(20 * Flops.beforeDecision(tiny) + 14 * Flops.afterDecision(tiny), fromTrace.perLayer()[1]);
    }
}

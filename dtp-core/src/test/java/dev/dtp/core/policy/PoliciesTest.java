package dev.dtp.core.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.dtp.core.DtpPruner;
import dev.dtp.core.ModelInput;
import dev.dtp.core.PolicyException;
import dev.dtp.core.Prefill;
import dev.dtp.core.PrefillOptions;
import dev.dtp.core.PrunableModel;
import dev.dtp.core.PruningDefaults;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.Selection;
import dev.dtp.core.TensorLayerContext;
import dev.dtp.core.TokenLayout;
import dev.dtp.core.generate.Generation;
import dev.dtp.core.generate.GenerationConfig;
import dev.dtp.core.generate.TokenListener;
import dev.dtp.core.importance.ImportanceSignals;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every built-in policy's selection on hand-made Δ values. */
class PoliciesTest {
    NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /**
     * 2 text, 6 visual (positions 2..7), 2 text. Δ has d_inner = 2; the importance of token j is
     * the mean of its two Δ values, chosen below as {0.1, 0.2, | 0.5, 0.9, 0.3, 0.9, 0.1, 0.7, | 0.05, 0.2}.
     */
    static final float[] IMPORTANCE = {0.1f, 0.2f, 0.5f, 0.9f, 0.3f, 0.9f, 0.1f, 0.7f, 0.05f, 0.2f};

    TensorLayerContext context(int layer, TokenLayout layout, float[] importance) {
        int n = importance.length;
        float[] delta = new float[n * 2];
        for (int i = 0; i < n; i++) {
            delta[2 * i] = importance[i] - 0.01f; // mean over d_inner = importance (Eq. 6)
            delta[2 * i + 1] = importance[i] + 0.01f;
        }
        NDArray d = manager.create(delta, new Shape(n, 2));
        NDArray b = manager.zeros(new Shape(n, 3));
        NDArray c = manager.zeros(new Shape(n, 3));
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) {
            positions[i] = i;
        }
        return new TensorLayerContext(layer, 8, layout, positions, d, b, c, null);
    }

    TensorLayerContext context(int layer) {
        return context(layer, TokenLayout.textWithImage(10, 2, 6), IMPORTANCE);
    }

    @Test
    void fastVKeepsTheTopVisualTokensWithTiesByPosition() {
        PruningPolicy p = new FastV(2, 0.5);
        assertTrue(p.select(context(1)).keepsAll());
        // k = round(0.5 × 6) = 3: positions 3 and 5 (0.9, tie: both), then 7 (0.7); text stays
        assertArrayEquals(new int[] {0, 1, 3, 5, 7, 8, 9}, p.select(context(2)).indices());
        // r = 1/3 → k = 2; the tie at 0.9 is broken towards the lower position
        assertArrayEquals(new int[] {0, 1, 3, 5, 8, 9}, new FastV(2, 1.0 / 3).select(context(2)).indices());
        assertArrayEquals(new int[] {0, 1, 3, 8, 9}, new FastV(2, 0.17).select(context(2)).indices()); // k = 1
        assertTrue(p.select(context(3)).keepsAll());
    }

    @Test
    void roundingOfKFollowsRTimesVisual() {
        // 6 visual × 0.7 = 4.2 → 4
        assertEquals(4 + 4, new FastV(2, 0.7).select(context(2)).indices().length); // 4 text + 4 visual
        // 6 × 0.75 = 4.5 → round half up → 5
        assertEquals(4 + 5, new FastV(2, 0.75).select(context(2)).indices().length);
    }

    @Test
    void dtpSelectsAtTheEarlyLayerAndWithdrawsAtTheLateLayer() {
        PruningPolicy p = new Dtp(1, 0.5, 5);
        assertTrue(p.select(context(0)).keepsAll());
        assertArrayEquals(new int[] {0, 1, 3, 5, 7, 8, 9}, p.select(context(1)).indices());
        assertTrue(p.select(context(3)).keepsAll());
        assertArrayEquals(new int[] {0, 1, 8, 9}, p.select(context(5)).indices());
        assertThrows(PolicyException.class, () -> new Dtp(5, 0.5, 5));
    }

    @Test
    void aLaggingSignalNeedsTheLateLayerAfterTheLayerWhereItPrunes() {
        // y is known only after the early layer, so it prunes one layer later: early 4 with y prunes at 5
        PolicyException e = assertThrows(PolicyException.class,
                () -> new Dtp(4, 0.5, 5, ImportanceSignals.Y));
        assertTrue(e.getMessage().contains("late layer (5)") && e.getMessage().contains("layer 5, where the y ranking"),
                e.getMessage());
        assertEquals(6, new Dtp(4, 0.5, 6, ImportanceSignals.Y).lateLayer());
    }

    @Test
    void vtwDropsEveryVisualTokenAtItsLayer() {
        PruningPolicy p = new WithdrawVisual(4);
        assertTrue(p.select(context(3)).keepsAll());
        assertArrayEquals(new int[] {0, 1, 8, 9}, p.select(context(4)).indices());
    }

    @Test
    void topKAllTokensMayDropText() {
        // k = round(0.3 × 10) = 3 over all tokens: the last token (9, importance 0.2) always, then the
        // top 2 of the rest: 3 and 5 (0.9) — 7 (0.7) would have been third
        assertArrayEquals(new int[] {3, 5, 9}, new TopKAllTokens(2, 0.3).select(context(2)).indices());
        float[] textHeavy = {0.9f, 0.8f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.95f, 0.2f};
        // text positions 0, 1, 8, 9: keeps 8 (0.95) and 0 (0.9) and the last, dropping text token 1
        assertArrayEquals(new int[] {0, 8, 9},
                new TopKAllTokens(2, 0.3).select(context(2, TokenLayout.textWithImage(10, 2, 6), textHeavy)).indices());
    }

    @Test
    void randomKeepsTheRightNumberReproduciblyAndOnlyVisual() {
        Selection a = new RandomVisual(2, 0.5, 7).select(context(2));
        Selection b = new RandomVisual(2, 0.5, 7).select(context(2));
        assertArrayEquals(a.indices(), b.indices());
        assertEquals(7, a.indices().length); // 4 text + 3 visual
        for (int t : new int[] {0, 1, 8, 9}) {
            assertTrue(Arrays.stream(a.indices()).anyMatch(i -> i == t), "text " + t + " kept");
        }
        // over many seeds every visual token is chosen sometimes: the choice is not a fixed rule
        boolean[] seen = new boolean[10];
        for (long seed = 0; seed < 50; seed++) {
            for (int i : new RandomVisual(2, 0.5, seed).select(context(2)).indices()) {
                seen[i] = true;
            }
        }
        for (int v = 2; v < 8; v++) {
            assertTrue(seen[v], "visual " + v + " never chosen");
        }
    }

    @Test
    void severalVisualSpansArePooled() {
        TokenLayout twoImages = TokenLayout.withSpans(10, List.of(new TokenLayout.Span(1, 3), new TokenLayout.Span(5, 3)));
        // visual: 1,2,3 (0.2, 0.5, 0.9) and 5,6,7 (0.9, 0.1, 0.7); k = round(0.5 × 6) = 3 → 3, 5, 7
        assertArrayEquals(new int[] {0, 3, 4, 5, 7, 8, 9},
                new FastV(0, 0.5).select(context(0, twoImages, IMPORTANCE)).indices());
    }

    @Test
    void ySignalShiftsTheSelectionToTheNextLayer() {
        PruningPolicy y = PolicySpec.parse("fastv:k=2,r=0.5,signal=y");
        assertTrue(y.select(context(2)).keepsAll()); // y of layer 2 exists only after its scan
    }

    @Test
    void stagedPoliciesComposeSingleStages() {
        PruningPolicy p = PolicySpec.parse("fastv:k=1,r=0.5+vtw:k=5");
        assertArrayEquals(new int[] {0, 1, 3, 5, 7, 8, 9}, p.select(context(1)).indices());
        assertArrayEquals(new int[] {0, 1, 8, 9}, p.select(context(5)).indices());
        assertEquals("fastv:k=1,r=0.5+vtw:k=5", p.name());
    }

    @Test
    void specsParseAndRoundTrip() {
        PruningDefaults defaults = new PruningDefaults(3, 0.5, 6);
        for (String spec : List.of("none", "dtp:early=15,r=0.5,late=45", "fastv:k=2,r=0.7", "vtw:k=45",
                "random:layer=15,r=0.5,seed=1", "topk-all:layer=15,r=0.5", "dtp:early=15,r=0.9,late=45,signal=y",
                "fastv:k=2,r=0.5,signal=c", "topk-all:layer=3,r=0.25,signal=b")) {
            PruningPolicy p = PolicySpec.parse(spec, defaults, 64);
            assertEquals(spec, p.name(), spec);
            assertEquals(spec, PolicySpec.parse(p.name(), defaults, 64).name());
        }
        assertEquals("dtp:early=3,r=0.5,late=6", PolicySpec.parse("dtp", defaults, 8).name());
        assertEquals("dtp:early=3,r=0.9,late=6", PolicySpec.parse("dtp:r=0.9", defaults, 8).name());
    }

    @Test
    void aBareDtpSpecMeansWhatDtpPrunerWrapMeans() {
        PruningDefaults calibrated = new PruningDefaults(3, 0.8, 6);
        PrunableModel model = new PrunableModel() {
            @Override
            public int layerCount() {
                return 8;
            }

            @Override
            public PruningDefaults pruningDefaults() {
                return calibrated;
            }

            @Override
            public Prefill prefill(ModelInput input, PruningPolicy policy,
                    PrefillOptions options) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Generation generate(ModelInput input,
                    GenerationConfig config, PruningPolicy policy,
                    TokenListener listener) {
                throw new UnsupportedOperationException();
            }
        };
        assertEquals("dtp:early=3,r=0.8,late=6", PolicySpec.parse("dtp", calibrated, 8).name());
        assertEquals(DtpPruner.wrap(model).policy().name(), PolicySpec.parse("dtp", calibrated, 8).name());
    }

    private static void assertBadSpec(String spec, String fragment) {
        PolicyException e = assertThrows(PolicyException.class, () -> PolicySpec.parse(spec, new PruningDefaults(3, 0.5, 6), 64));
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
    }

    @Test
    void badSpecsSayWhatIsWrong() {
        assertBadSpec("", "empty");
        assertBadSpec("prune", "unknown policy 'prune'");
        assertBadSpec("dtp:early=15,r=1.5,late=45", "outside (0, 1]");
        assertBadSpec("dtp:early=15,r=0,late=45", "outside (0, 1]");
        assertBadSpec("fastv:k=64,r=0.5", "outside the model's layers [0, 64)");
        assertBadSpec("fastv:k=-1,r=0.5", "outside");
        assertBadSpec("fastv:k=two,r=0.5", "not an integer");
        assertBadSpec("fastv:k=2", "missing key 'r'");
        assertBadSpec("fastv:k=2,r=0.5,k=3", "given twice");
        assertBadSpec("vtw:k=4,r=0.5", "unknown key 'r'");
        assertBadSpec("vtw:k", "not key=value");
        assertBadSpec("fastv:k=2,r=0.5,signal=attention", "unknown signal 'attention'");
        assertBadSpec("none:k=1", "takes no arguments");
        assertBadSpec("dtp:early=45,r=0.5,late=15", "late layer");
        assertBadSpec("fastv:k=2,r=0.5+", "empty stage");
    }

    @Test
    void invalidSelectionsNameThePolicyAndLayer() {
        for (int[] bad : new int[][] {{0, 0, 1}, {2, 1}, {0, 10}, {-1, 2}, {}}) {
            PolicyException e = assertThrows(PolicyException.class,
                    () -> Selection.keep(bad).validate("my-policy", 7, 10));
            assertTrue(e.getMessage().contains("my-policy") && e.getMessage().contains("7"), e.getMessage());
        }
    }
}

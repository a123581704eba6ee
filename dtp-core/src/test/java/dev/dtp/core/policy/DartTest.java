package dev.dtp.core.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.dtp.core.PolicyException;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.TensorLayerContext;
import dev.dtp.core.TokenLayout;
import dev.dtp.core.flops.Flops;
import dev.dtp.core.flops.MambaShape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DartTest {
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
     * Token 0 is text; tokens 1–6 visual, with 2-d hidden states: 1 = (10, 0), the largest norm;
     * 2 = (1, 0.1), nearly parallel to it; 3 = (0, 1), orthogonal; 4 = (−1, 0), opposite; 5 = (1, 1),
     * at 45°; 6 = (2, 0), a duplicate of 1 in direction, norm second largest.
     */
    TensorLayerContext context(int layer) {
        float[] h = {3, 3, 10, 0, 1, 0.1f, 0, 1, -1, 0, 1, 1, 2, 0};
        return new TensorLayerContext(layer, 8, TokenLayout.textWithImage(7, 1, 6), new int[] {0, 1, 2, 3, 4, 5, 6},
                null, null, null, null, manager.create(h, new Shape(7, 2)));
    }

    @Test
    void keepsThePivotAndTheTokensLeastLikeIt() {
        // k = round(0.5 × 6) = 3: pivot 1; then cosines 2: 0.995, 3: 0, 4: −1, 5: 0.707, 6: 1 → 4 and 3
        assertArrayEquals(new int[] {0, 1, 3, 4}, new Dart(2, 0.5, 1).select(context(2)).indices());
    }

    @Test
    void withTwoPivotsADuplicateOfOneIsStillDropped() {
        // pivots 1 and 6 (norms 10 and 2); the one more token: the smallest max-cosine, 4 (−1)
        assertArrayEquals(new int[] {0, 1, 4, 6}, new Dart(2, 0.5, 2).select(context(2)).indices());
    }

    @Test
    void morePivotsThanTheBudgetKeepsTheLargestNorms() {
        // k = round(1/3 × 6) = 2 < 8 pivots: the two largest norms, 1 and 6
        assertArrayEquals(new int[] {0, 1, 6}, new Dart(2, 1.0 / 3, 8).select(context(2)).indices());
    }

    @Test
    void prunesOnlyAtItsLayerAndIsPrefixSafe() {
        PruningPolicy dart = new Dart(2, 0.5, 8);
        assertTrue(dart.select(context(1)).keepsAll());
        assertTrue(dart.select(context(3)).keepsAll());
        assertTrue(new Dart(2, 1.0, 8).select(context(2)).keepsAll());
        assertTrue(dart.prefixSafe());
    }

    @Test
    void specParsesWithDefaultPivotsAndNamesItself() {
        assertEquals("dart:k=2,r=0.5,pivots=8", PolicySpec.parse("dart:k=2,r=0.5,pivots=8").name());
        assertEquals("dart:k=3,r=0.25,pivots=8", PolicySpec.parse("dart:k=3,r=0.25").name());
        PolicyException e = assertThrows(PolicyException.class, () -> PolicySpec.parse("dart:k=2,r=0.5,pivots=0"));
        assertTrue(e.getMessage().contains("pivots=0"), e.getMessage());
        assertThrows(PolicyException.class, () -> PolicySpec.parse("dart:k=2"));
    }

    @Test
    void flopsSimulationCountsTheKeptTokensWithoutHiddenStates() {
        MambaShape shape = MambaShape.of(8, 64, 100);
        TokenLayout layout = TokenLayout.textWithImage(40, 0, 32);
        Flops.Result dart = Flops.simulate(shape, layout, new Dart(2, 0.5, 8));
        Flops.Result fastv = Flops.simulate(shape, layout, new FastV(2, 0.5));
        assertEquals(fastv.macs(), dart.macs()); // the same counts at every layer
        assertTrue(dart.macs() < dart.baselineMacs());
    }
}

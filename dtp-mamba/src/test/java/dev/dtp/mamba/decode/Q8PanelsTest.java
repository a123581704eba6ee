package dev.dtp.mamba.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The panel copy of a Q8_0 matrix (Q8Panels) against the single-vector int8 kernel: every (sequence,
 * row) sum bit for bit, for batch sizes with zero padding (two, three, five sequences), row ranges
 * that cut panels (the rows around them go to the row kernel), a last partial panel, and an odd
 * and an even count of blocks (the odd last block goes to the even accumulators).
 */
class Q8PanelsTest {
    private static final int ROWS = 83; // five whole 16-row panels (ten 8-row) and a partial one

    @Test
    void batchedSumsFromThePanelsAreTheRowKernelsBitForBit() {
        for (int cols : new int[] {96, 128}) { // three blocks, four blocks
            SplittableRandom random = new SplittableRandom(cols);
            Q8Rows rows = matrix(random, cols);
            float[][] xs = vectors(random, 21, cols);
            float[][] single = new float[xs.length][ROWS];
            for (int b = 0; b < xs.length; b++) {
                rows.multiply(xs[b], single[b], 0, ROWS);
            }
            // enough rounds for the JIT to compile the panel kernel, so that the compiled code is checked too
            for (int round = 0; round < 600; round++) {
                int batch = new int[] {2, 3, 5, 8, 9, 16, 21}[round % 7];
                int cut = round % ROWS;
                float[][] outs = new float[batch][ROWS];
                BatchVectors in = rows.prepareBatch(xs, batch);
                assertNotNull(in.columns(), "a batch of " + batch + " goes to the panels");
                rows.multiplyBatch(in, outs, 0, cut);
                rows.multiplyBatch(in, outs, cut, ROWS);
                for (int b = 0; b < batch; b++) {
                    for (int r = 0; r < ROWS; r++) {
                        assertEquals(Float.floatToIntBits(single[b][r]), Float.floatToIntBits(outs[b][r]),
                                cols + " columns, batch " + batch + ", cut at " + cut + ": sequence " + b + ", row " + r);
                    }
                }
            }
            int panelRows = ROWS - ROWS % Q8Panels.lanes();
            assertEquals((long) panelRows * cols + (long) Float.BYTES * panelRows * (cols / Q8Rows.BLOCK), rows.panelBytes());
        }
    }

    @Test
    void theSumsAreCloseToTheDequantisedDoubleSums() {
        SplittableRandom random = new SplittableRandom(3);
        int cols = 96;
        Q8Rows rows = matrix(random, cols);
        float[][] xs = vectors(random, 16, cols);
        float[][] outs = new float[16][ROWS];
        rows.multiplyBatch(xs, outs, 16, 0, ROWS);
        for (int b = 0; b < 16; b++) {
            for (int r = 0; r < ROWS; r++) {
                double exact = 0;
                double scale = 0;
                for (int k = 0; k < cols; k++) {
                    double term = (double) rows.scales()[(r * cols + k) / Q8Rows.BLOCK] * rows.quants()[r * cols + k] * xs[b][k];
                    exact += term;
                    scale += Math.abs(term);
                }
                assertEquals(exact, outs[b][r], 1e-5 * scale, "sequence " + b + ", row " + r);
            }
        }
    }

    @Test
    void vectorsPreparedForAnotherShapeAreRefused() {
        SplittableRandom random = new SplittableRandom(11);
        Q8Rows rows = matrix(random, 128);
        Q8Rows narrower = matrix(random, 96);
        float[][] xs = vectors(random, 8, 128);
        BatchVectors forNarrower = narrower.prepareBatch(xs, 8);
        rows.prepareBatch(xs, 8); // this matrix has its panels too
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> rows.multiplyBatch(forNarrower, new float[8][ROWS], 0, ROWS));
        assertTrue(e.getMessage().contains("(" + ROWS + ", 128)"), e.getMessage());
    }

    @Test
    void singleVectorsAndPanelsOffReadTheRowsAsTheyAre() {
        SplittableRandom random = new SplittableRandom(5);
        Q8Rows rows = matrix(random, 96);
        float[][] xs = vectors(random, 16, 96);
        assertNull(rows.prepareBatch(xs, 1).columns());
        assertEquals(0, rows.panelBytes(), "a single vector reads the rows as they are: no copy");
        PanelsOff.run(() -> {
            Q8Rows off = new Q8Rows(rows.quants(), rows.scales(), ROWS, 96);
            assertNull(off.prepareBatch(xs, 16).columns());
            assertEquals(0, off.panelBytes());
            for (int batch = 2; batch <= 16; batch++) { // the row kernel's quads and their leftovers, bit for bit
                float[][] outs = new float[batch][ROWS];
                off.multiplyBatch(xs, outs, batch, 0, ROWS);
                for (int b = 0; b < batch; b++) {
                    float[] one = new float[ROWS];
                    off.multiply(xs[b], one, 0, ROWS);
                    for (int r = 0; r < ROWS; r++) {
                        assertEquals(Float.floatToIntBits(one[r]), Float.floatToIntBits(outs[b][r]), "batch " + batch + ", row " + r);
                    }
                }
            }
        });
    }

    /** Rows quantised from values over six decades, so that the order of the sums shows. */
    private static Q8Rows matrix(SplittableRandom random, int cols) {
        float[] w = new float[ROWS * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(-3, 3)));
        }
        return Q8Quantizer.quantize("w", ROWS, cols, (row, out) -> System.arraycopy(w, row * cols, out, 0, cols));
    }

    private static float[][] vectors(SplittableRandom random, int count, int cols) {
        float[][] xs = new float[count][cols];
        for (float[] x : xs) {
            for (int k = 0; k < cols; k++) {
                x[k] = (float) (random.nextDouble() * 4 - 2);
            }
        }
        return xs;
    }
}

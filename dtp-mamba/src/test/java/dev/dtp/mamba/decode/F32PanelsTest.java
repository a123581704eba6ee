package dev.dtp.mamba.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The panel copy of a float32 matrix (F32Panels) against the single-vector row kernel: every
 * (sequence, row) sum bit for bit, for batch sizes that use the eight- and four-sequence blocks and
 * their zero padding (two and three sequences padded to four), row ranges that cut panels (the rows around them go to the row kernel), a
 * last partial panel, and columns that leave a scalar tail at either vector width.
 */
class F32PanelsTest {
    private static final int ROWS = 83; // five whole 16-row panels (ten 8-row) and a partial one
    private static final int COLS = 77; // 64 + 13 or 72 + 5: a tail at either width

    @Test
    void batchedSumsFromThePanelsAreTheRowKernelsBitForBit() {
        SplittableRandom random = new SplittableRandom(17);
        ByteBuffer w = matrix(random);
        F32Rows rows = new F32Rows(w, ROWS, COLS);
        float[][] xs = vectors(random, 21);
        float[][] single = new float[xs.length][ROWS];
        for (int b = 0; b < xs.length; b++) {
            rows.multiply(xs[b], single[b], 0, ROWS);
        }
        // enough rounds for the JIT to compile the panel kernels, so that the compiled code is checked too
        for (int round = 0; round < 600; round++) {
            int batch = new int[] {2, 3, 8, 9, 12, 16, 21}[round % 7];
            int cut = round % ROWS;
            float[][] outs = new float[batch][ROWS];
            BatchVectors in = rows.prepareBatch(xs, batch);
            assertTrue(in.columns() != null, "a batch of " + batch + " goes to the panels");
            rows.multiplyBatch(in, outs, 0, cut);
            rows.multiplyBatch(in, outs, cut, ROWS);
            for (int b = 0; b < batch; b++) {
                for (int r = 0; r < ROWS; r++) {
                    assertEquals(Float.floatToIntBits(single[b][r]), Float.floatToIntBits(outs[b][r]),
                            "batch " + batch + ", cut at " + cut + ": sequence " + b + ", row " + r);
                }
            }
        }
        assertEquals((long) Float.BYTES * (ROWS - ROWS % F32Panels.lanes()) * (COLS - COLS % F32Panels.lanes()),
                rows.panelBytes());
    }

    @Test
    void columnsFilledInTwoRangesAreThePanelOrder() {
        SplittableRandom random = new SplittableRandom(23);
        F32Rows rows = new F32Rows(matrix(random), ROWS, COLS);
        float[][] xs = vectors(random, 9);
        int lanes = F32Panels.lanes();
        int whole = COLS - COLS % lanes;
        int chunks = whole / lanes;
        for (int cut = 0; cut <= COLS; cut++) {
            BatchVectors in = rows.emptyBatch(xs, 9);
            rows.fillBatch(in, cut, COLS); // the later range first, as another core may fill it
            rows.fillBatch(in, 0, cut);
            assertEquals(12, in.stride(), "nine sequences padded to twelve");
            float[] columns = in.columns();
            assertEquals(whole * 12, columns.length);
            for (int k = 0; k < whole; k++) {
                int at = ((k % lanes) * chunks + k / lanes) * 12; // columns[(m·C + c)·stride + b] = xs[b][c·lanes + m]
                for (int b = 0; b < 12; b++) {
                    float expected = b < 9 ? xs[b][k] : 0f;
                    assertEquals(expected, columns[at + b], "cut at " + cut + ": entry " + k + " of sequence " + b);
                }
            }
        }
    }

    @Test
    void vectorsPreparedForAnotherShapeAreRefused() {
        SplittableRandom random = new SplittableRandom(11);
        F32Rows rows = new F32Rows(matrix(random), ROWS, COLS);
        F32Rows narrower = new F32Rows(matrix(random), ROWS, COLS - F32Panels.lanes());
        float[][] xs = vectors(random, 8);
        BatchVectors forNarrower = narrower.prepareBatch(xs, 8);
        rows.prepareBatch(xs, 8); // this matrix has its panels too
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> rows.multiplyBatch(forNarrower, new float[8][ROWS], 0, ROWS));
        assertTrue(e.getMessage().contains("(" + ROWS + ", " + COLS + ")"), e.getMessage());
    }

    @Test
    void theSumsAreCloseToTheDoubleSums() {
        SplittableRandom random = new SplittableRandom(3);
        ByteBuffer w = matrix(random);
        float[][] xs = vectors(random, 16);
        float[][] outs = new float[16][ROWS];
        new F32Rows(w, ROWS, COLS).multiplyBatch(xs, outs, 16, 0, ROWS);
        for (int b = 0; b < 16; b++) {
            for (int r = 0; r < ROWS; r++) {
                double exact = 0;
                double scale = 0;
                for (int k = 0; k < COLS; k++) {
                    double term = (double) w.getFloat(Float.BYTES * (r * COLS + k)) * xs[b][k];
                    exact += term;
                    scale += Math.abs(term);
                }
                assertEquals(exact, outs[b][r], 1e-5 * scale, "sequence " + b + ", row " + r);
            }
        }
    }

    @Test
    void singleVectorsAndPanelsOffReadTheRowsWhereTheyLie() {
        SplittableRandom random = new SplittableRandom(5);
        ByteBuffer w = matrix(random);
        float[][] xs = vectors(random, 16);
        F32Rows rows = new F32Rows(w, ROWS, COLS);
        assertEquals(null, rows.prepareBatch(xs, 1).columns());
        assertEquals(0, rows.panelBytes(), "a single vector reads the rows where they lie: no copy");
        PanelsOff.run(() -> {
            F32Rows off = new F32Rows(w, ROWS, COLS);
            assertEquals(null, off.prepareBatch(xs, 16).columns());
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

    private static ByteBuffer matrix(SplittableRandom random) {
        ByteBuffer w = ByteBuffer.allocateDirect(Float.BYTES * ROWS * COLS).order(ByteOrder.nativeOrder());
        for (int i = 0; i < ROWS * COLS; i++) { // magnitudes over six decades, so that the order of the sums shows
            w.putFloat(Float.BYTES * i, (float) ((random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(-3, 3))));
        }
        return w;
    }

    private static float[][] vectors(SplittableRandom random, int count) {
        float[][] xs = new float[count][COLS];
        for (float[] x : xs) {
            for (int k = 0; k < COLS; k++) {
                x[k] = (float) (random.nextDouble() * 4 - 2);
            }
        }
        return xs;
    }
}

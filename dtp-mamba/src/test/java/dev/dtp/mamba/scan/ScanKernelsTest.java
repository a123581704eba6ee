package dev.dtp.mamba.scan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScanKernelsTest {
    /** -Ddtp.test.device=gpu (tools/gpu_check.sh) runs the kernels that support it on a GPU; the CPU otherwise. */
    static Device testDevice() {
        return Device.fromName(System.getProperty("dtp.test.device", "cpu"));
    }


    @Test
    void referenceScanMatchesAHandComputedCase() {
        // L = 2, d_inner = 1, N = 1, A = −1, D = 0.5, B = (1, 2), C = (3, 1), Δ = (0.5, 1), x = (2, −1):
        // h1 = exp(−0.5)·0 + 0.5·1·2 = 1;              y1 = 3·1 + 0.5·2 = 4
        // h2 = exp(−1)·1 + 1·2·(−1) = e⁻¹ − 2;        y2 = 1·(e⁻¹ − 2) + 0.5·(−1) = e⁻¹ − 2.5
        Device device = testDevice();
        try (NDManager m = NDManager.newBaseManager(device)) {
            ScanInput in = new ScanInput(m.create(new float[] {2, -1}, new Shape(2, 1)),
                    m.create(new float[] {0.5f, 1}, new Shape(2, 1)), m.create(new float[] {-1}, new Shape(1, 1)),
                    m.create(new float[] {1, 2}, new Shape(2, 1)), m.create(new float[] {3, 1}, new Shape(2, 1)),
                    m.create(new float[] {0.5f}, new Shape(1)), null);
            for (SelectiveScan kernel : ScanKernels.all()) {
                if (!kernel.supports(device)) {
                    continue;
                }
                ScanOutput out = kernel.scan(in);
                float e = (float) Math.exp(-1);
                assertArrayEquals(new float[] {4, e - 2.5f}, out.y().toFloatArray(), 1e-6f, kernel.name());
                assertArrayEquals(new float[] {e - 2}, out.state().toFloatArray(), 1e-6f, kernel.name());
            }
        }
    }

    static ScanInput random(NDManager m, int length, int dInner, int stateSize, boolean withState, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[length * dInner];
        float[] delta = new float[length * dInner];
        float[] b = new float[length * stateSize];
        float[] c = new float[length * stateSize];
        float[] a = new float[dInner * stateSize];
        float[] d = new float[dInner];
        float[] h0 = new float[dInner * stateSize];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
            delta[i] = (float) Math.exp(Math.log(1e-3) + rnd.nextDouble() * Math.log(2000)); // 1e-3 … 2
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) rnd.nextGaussian();
            c[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < a.length; i++) {
            a[i] = -(i % stateSize + 1) * (float) (0.5 + rnd.nextDouble());
            h0[i] = withState ? (float) rnd.nextGaussian() : 0;
        }
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) rnd.nextGaussian();
        }
        return new ScanInput(m.create(x, new Shape(length, dInner)), m.create(delta, new Shape(length, dInner)),
                m.create(a, new Shape(dInner, stateSize)), m.create(b, new Shape(length, stateSize)),
                m.create(c, new Shape(length, stateSize)), m.create(d, new Shape(dInner)),
                withState ? m.create(h0, new Shape(dInner, stateSize)) : null);
    }

    @ParameterizedTest
    @CsvSource({"1, 16, 4, false", "7, 37, 16, true", "65, 130, 16, false", "300, 64, 8, true", "5, 3, 1, true"})
    void everyKernelAgreesWithTheReference(int length, int dInner, int stateSize, boolean withState) {
        Device device = testDevice();
        try (NDManager m = NDManager.newBaseManager(device)) {
            ScanInput in = random(m, length, dInner, stateSize, withState, length * 31L + dInner);
            float[] xBefore = in.x().toFloatArray();
            ScanOutput expected = new ReferenceScan().scan(in);
            for (SelectiveScan kernel : ScanKernels.all()) {
                if (!kernel.supports(device)) {
                    continue;
                }
                ScanOutput out = kernel.scan(in);
                assertClose(expected.y().toFloatArray(), out.y().toFloatArray(), kernel.name() + " y");
                assertClose(expected.state().toFloatArray(), out.state().toFloatArray(), kernel.name() + " state");
                assertEquals(new Shape(length, dInner), out.y().getShape());
            }
            assertArrayEquals(xBefore, in.x().toFloatArray(), "inputs unchanged");
        }
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length);
        double scale = 1e-30;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs(expected[i] - actual[i]) <= 2e-5 * scale,
                    what + "[" + i + "]: " + expected[i] + " vs " + actual[i]);
        }
    }

    @Test
    void kernelsAreFoundByNameAndDevice() {
        assertEquals("cpu", ScanKernels.forDevice(Device.cpu()).name());
        assertEquals("reference", ScanKernels.byName("reference").name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScanKernels.byName("gpu"));
        assertTrue(e.getMessage().contains("reference"));
        assertTrue(CpuScan.vectorised(), "tests run with --add-modules jdk.incubator.vector");
    }
}

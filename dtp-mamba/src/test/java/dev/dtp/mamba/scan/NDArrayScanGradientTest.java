package dev.dtp.mamba.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Gradients through the chunked NDArray scan equal those through a plainly sequential NDArray scan
 * (one step of Eq. 2 per loop iteration) — two different formulations of the same function.
 */
class NDArrayScanGradientTest {

    /** h_t = exp(Δ_t A) h_{t−1} + Δ_t B_t x_t; y_t = C_t·h_t + D x_t, one step at a time. */
    static ScanOutput sequential(ScanInput in) {
        NDArray h = in.h0();
        NDList ys = new NDList();
        for (int t = 0; t < in.length(); t++) {
            NDArray delta = in.delta().get(new NDIndex("{}", t)).expandDims(1); // (D, 1)
            NDArray x = in.x().get(new NDIndex("{}", t)); // (D)
            NDArray b = in.b().get(new NDIndex("{}", t)).expandDims(0); // (1, N)
            NDArray c = in.c().get(new NDIndex("{}", t)).expandDims(0);
            h = delta.mul(in.a()).exp().mul(h).add(delta.mul(x.expandDims(1)).mul(b));
            ys.add(h.mul(c).sum(new int[] {1}).add(x.mul(in.d())).expandDims(0));
        }
        return new ScanOutput(NDArrays.concat(ys, 0), h);
    }

    static List<float[]> gradients(NDManager m, ScanInput in, Function<ScanInput, ScanOutput> scan) {
        List<NDArray> params = List.of(in.x(), in.delta(), in.a(), in.b(), in.c(), in.d(), in.h0());
        for (NDArray p : params) {
            p.setRequiresGradient(true);
        }
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            ScanOutput out = scan.apply(in);
            NDArray wy = m.arange(0f, (float) out.y().size()).reshape(out.y().getShape()).mul(0.01f).sin();
            NDArray loss = out.y().mul(wy).sum().add(out.state().mul(out.state()).sum());
            gc.backward(loss);
        }
        return params.stream().map(p -> p.getGradient().toFloatArray()).toList();
    }

    @Test
    void gradientsMatchASequentialScan() {
        String[] names = {"x", "delta", "A", "B", "C", "D", "h0"};
        try (NDManager m = NDManager.newBaseManager()) {
            for (int chunk : new int[] {1, 3, 16}) {
                ScanInput a = ScanKernelsTest.random(m, 7, 5, 3, true, 11);
                ScanInput b = ScanKernelsTest.random(m, 7, 5, 3, true, 11);
                List<float[]> expected = gradients(m, a, NDArrayScanGradientTest::sequential);
                List<float[]> actual = gradients(m, b, new NDArrayScan(chunk)::scan);
                for (int i = 0; i < names.length; i++) {
                    float[] e = expected.get(i);
                    float[] g = actual.get(i);
                    double scale = 1e-30;
                    for (float v : e) {
                        scale = Math.max(scale, Math.abs(v));
                    }
                    for (int j = 0; j < e.length; j++) {
                        assertTrue(Float.isFinite(g[j]), names[i] + " grad not finite");
                        assertEquals(e[j], g[j], 1e-4 * scale, "d loss / d " + names[i] + "[" + j + "], chunk " + chunk);
                    }
                }
            }
        }
    }

    @Test
    void forwardMatchesTheReferenceAcrossChunkBoundaries() {
        try (NDManager m = NDManager.newBaseManager()) {
            ScanInput in = ScanKernelsTest.random(m, 37, 6, 4, true, 5);
            ScanOutput expected = new ReferenceScan().scan(in);
            for (int chunk : new int[] {1, 4, 37, 64}) {
                ScanOutput out = new NDArrayScan(chunk).scan(in);
                ScanKernelsTest.assertClose(expected.y().toFloatArray(), out.y().toFloatArray(), "chunk " + chunk);
                ScanKernelsTest.assertClose(expected.state().toFloatArray(), out.state().toFloatArray(), "state, chunk " + chunk);
                assertEquals(new Shape(37, 6), out.y().getShape());
            }
        }
    }
}

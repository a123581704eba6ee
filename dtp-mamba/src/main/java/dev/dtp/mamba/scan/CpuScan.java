package dev.dtp.mamba.scan;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteOrder;
import java.util.stream.IntStream;

/**
 * The fast CPU kernel: the inputs are copied out of libtorch once per call, the recurrence runs in
 * Java over float arrays — vectorised over channels with the Vector API ({@link VectorScanLoop}),
 * or plain Java ({@link ScalarScanLoop}) when the JVM was started without
 * {@code --add-modules jdk.incubator.vector} — and blocks of channels run in parallel. The outputs
 * are written straight into libtorch-owned memory.
 */
public final class CpuScan implements SelectiveScan {
    /** Channels per parallel task. */
    private static final int CHANNELS_PER_TASK = 128;

    private static final boolean VECTOR = vectorApiPresent();

    private static boolean vectorApiPresent() {
        try {
            return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() && VectorScanLoop.lanes() > 1;
        } catch (LinkageError e) {
            return false;
        }
    }

    /** True when the Vector API path is in use. */
    public static boolean vectorised() {
        return VECTOR;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public boolean supports(Device device) {
        return Device.Type.CPU.equals(device.getDeviceType());
    }

    @Override
    public boolean differentiable() {
        return false;
    }

    @Override
    public ScanOutput scan(ScanInput in) {
        int length = in.length();
        int dInner = in.dInner();
        int stateSize = in.dState();
        ScanArrays s = new ScanArrays(length, dInner, stateSize,
                in.x().toFloatArray(), in.delta().toFloatArray(), in.b().toFloatArray(), in.c().toFloatArray(),
                transpose(in.a().toFloatArray(), dInner, stateSize), in.d().toFloatArray(),
                in.h0() == null ? new float[stateSize * dInner] : transpose(in.h0().toFloatArray(), dInner, stateSize),
                new float[length * dInner]);
        int tasks = (dInner + CHANNELS_PER_TASK - 1) / CHANNELS_PER_TASK;
        IntStream range = IntStream.range(0, tasks);
        (tasks > 1 ? range.parallel() : range).forEach(task -> {
            int from = task * CHANNELS_PER_TASK;
            int to = Math.min(dInner, from + CHANNELS_PER_TASK);
            int scalarFrom = from;
            if (VECTOR) {
                scalarFrom = VectorScanLoop.run(s, from, to);
            }
            ScalarScanLoop.run(s, scalarFrom, to);
        });
        NDManager manager = in.x().getManager();
        NDArray y = filled(manager, s.y(), new Shape(length, dInner));
        NDArray state = filled(manager, transpose(s.hT(), stateSize, dInner), new Shape(dInner, stateSize));
        return new ScanOutput(y, state);
    }

    /** (rows, cols) row-major → (cols, rows) row-major. */
    static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = m[r * cols + c];
            }
        }
        return t;
    }

    /** A libtorch-owned array holding {@code values}; its manager frees it on close. */
    private static NDArray filled(NDManager manager, float[] values, Shape shape) {
        NDArray out = manager.create(shape, DataType.FLOAT32);
        if (values.length > 0) {
            out.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer().put(values);
        }
        return out;
    }
}

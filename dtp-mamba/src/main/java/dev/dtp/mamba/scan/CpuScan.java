package dev.dtp.mamba.scan;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dtp.mamba.VectorApi;
import java.nio.ByteBuffer;
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
            return VectorApi.usable() && VectorScanLoop.lanes() > 1;
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
        NDManager manager = in.x().getManager();
        NDArray y = manager.create(new Shape(length, dInner), DataType.FLOAT32);
        // x, Δ and y are read and written in place through libtorch's memory: no copies of (L, d_inner)
        ScanArrays s = new ScanArrays(length, dInner, stateSize,
                nativeBytes(in.x()), nativeBytes(in.delta()), in.b().toFloatArray(), in.c().toFloatArray(),
                transpose(in.a().toFloatArray(), dInner, stateSize), in.d().toFloatArray(),
                in.h0() == null ? new float[stateSize * dInner] : transpose(in.h0().toFloatArray(), dInner, stateSize),
                nativeBytes(y));
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
        NDArray state = filled(manager, transpose(s.hT(), stateSize, dInner), new Shape(dInner, stateSize));
        return new ScanOutput(y, state);
    }

    /** The array's float32 data as native-order bytes: its own memory when contiguous, else a copy. */
    private static ByteBuffer nativeBytes(NDArray array) {
        if (array.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("scan inputs must be float32, got " + array.getDataType());
        }
        return array.toByteBuffer(true).order(ByteOrder.nativeOrder());
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

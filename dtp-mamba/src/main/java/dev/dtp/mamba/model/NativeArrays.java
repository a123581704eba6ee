package dev.dtp.mamba.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteOrder;

/**
 * Small arrays created in native memory that their manager frees on close (manager.create(long[])
 * would copy into direct memory that only the garbage collector frees).
 */
public final class NativeArrays {
    private NativeArrays() {}

    /** A float32 array of {@code shape} holding {@code values} (row-major), freed when its manager closes. */
    public static NDArray floats(NDManager manager, float[] values, Shape shape) {
        if (shape.size() != values.length) {
            throw new IllegalArgumentException(values.length + " values do not fill shape " + shape);
        }
        NDArray a = manager.create(shape, DataType.FLOAT32, Device.cpu());
        if (values.length > 0) {
            a.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer().put(values);
        }
        return onDevice(a, manager.getDevice());
    }

    /**
     * Overwrites a contiguous CPU float32 array in place. (NDArray.set(float[]) makes the tensor
     * point into a direct buffer that the garbage collector later frees: use this instead.)
     */
    public static void overwrite(NDArray array, float[] values) {
        if (array.size() != values.length || array.getDataType() != DataType.FLOAT32 || !array.getDevice().equals(Device.cpu())) {
            throw new IllegalArgumentException("cannot overwrite " + array.getShape() + " " + array.getDataType()
                    + " on " + array.getDevice() + " with " + values.length + " floats");
        }
        array.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer().put(values);
    }

    public static NDArray longs(NDManager manager, long[] values) {
        NDArray a = manager.create(new Shape(values.length), DataType.INT64, Device.cpu());
        if (values.length > 0) {
            a.toByteBuffer(true).asLongBuffer().put(values);
        }
        return onDevice(a, manager.getDevice());
    }

    public static NDArray longs(NDManager manager, int[] values) {
        long[] v = new long[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = values[i];
        }
        return longs(manager, v);
    }

    private static NDArray onDevice(NDArray cpuArray, Device device) {
        if (device.equals(cpuArray.getDevice())) {
            return cpuArray;
        }
        try (cpuArray) {
            return cpuArray.toDevice(device, true);
        }
    }
}

package dev.dtp.mamba.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Small arrays created in native memory that their manager frees on close (manager.create(long[])
 * would copy into direct memory that only the garbage collector frees).
 */
final class NativeArrays {
    private NativeArrays() {}

    static NDArray longs(NDManager manager, long[] values) {
        NDArray a = manager.create(new Shape(values.length), DataType.INT64, Device.cpu());
        if (values.length > 0) {
            a.toByteBuffer(true).asLongBuffer().put(values);
        }
        return onDevice(a, manager.getDevice());
    }

    static NDArray longs(NDManager manager, int[] values) {
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

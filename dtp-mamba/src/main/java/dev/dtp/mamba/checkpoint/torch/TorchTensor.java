package dev.dtp.mamba.checkpoint.torch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * One tensor of a PyTorch checkpoint: a strided view ({@code storageOffset}, {@code shape}, {@code stride}, all in
 * elements) into a storage that other tensors may share (tied weights, slices). Nothing is read until asked;
 * values come back as float32 in row-major order whatever the strides.
 */
public final class TorchTensor {

    private final TorchStorage storage;
    private final TorchDType dtype;
    private final long storageOffset;
    private final long[] shape;
    private final long[] stride;
    private final long numel;

    TorchTensor(TorchStorage storage, TorchDType dtype, long storageOffset, long[] shape, long[] stride) {
        this.storage = storage;
        this.dtype = dtype;
        this.storageOffset = storageOffset;
        this.shape = shape.clone();
        this.stride = stride.clone();
        if (shape.length != stride.length) {
            throw invalid("has " + shape.length + " sizes but " + stride.length + " strides");
        }
        long n = 1;
        long lastElement = storageOffset;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0 || stride[d] < 0) {
                throw invalid("has a negative size or stride: size " + Arrays.toString(shape) + ", stride "
                        + Arrays.toString(stride));
            }
            n = Math.multiplyExact(n, shape[d]);
            if (shape[d] > 0) {
                lastElement = Math.addExact(lastElement, Math.multiplyExact(shape[d] - 1, stride[d]));
            }
        }
        this.numel = n;
        long storageBytes = storage.numel() * storage.dtype().byteSize();
        if (storageOffset < 0 || (n > 0 && (lastElement + 1) * dtype.byteSize() > storageBytes)) {
            throw invalid("(offset " + storageOffset + ", size " + Arrays.toString(shape) + ", stride "
                    + Arrays.toString(stride) + ") reaches past its storage of " + storageBytes + " bytes");
        }
    }

    public TorchDType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public long[] stride() {
        return stride.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long numel() {
        return numel;
    }

    /** Offset of element [0, ..., 0] in its storage, in elements. */
    public long storageOffset() {
        return storageOffset;
    }

    /** The zip entry holding the storage, e.g. {@code latest-checkpoint/data/6}. */
    public String storageEntry() {
        return storage.entryName();
    }

    public boolean sharesStorageWith(TorchTensor other) {
        return storage == other.storage;
    }

    /** Row-major with no gaps (dimensions of size 1 may have any stride). */
    public boolean isContiguous() {
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    /**
     * The tensor's raw little-endian bytes without copying (a slice of the memory-mapped file for STORED
     * entries). Only for contiguous tensors; the buffer is read-only.
     */
    public ByteBuffer rawBytes() {
        if (!isContiguous()) {
            throw new TorchCheckpointException("Tensor in " + storage.where() + " is not contiguous (stride "
                    + Arrays.toString(stride) + "); read it with readFloats");
        }
        int bytes = Math.toIntExact(numel * dtype.byteSize());
        int from = Math.toIntExact(storageOffset * dtype.byteSize());
        return storage.bytes().slice(from, bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** All elements as float32, row-major; BF16 and F16 are widened exactly. */
    public float[] toFloatArray() {
        if (numel > Integer.MAX_VALUE - 8) {
            throw new TorchCheckpointException("Tensor in " + storage.where() + " has " + numel
                    + " elements, too many for one float[]; use readFloats with a larger buffer");
        }
        float[] out = new float[(int) numel];
        readFloats(FloatBuffer.wrap(out));
        return out;
    }

    /** Writes all elements as float32, row-major, at {@code dst}'s position and advances it by {@link #numel()}. */
    public void readFloats(FloatBuffer dst) {
        if (!dtype.readableAsFloat()) {
            throw new TorchCheckpointException("Tensor in " + storage.where() + " is " + dtype.torchName()
                    + "; only float32, float16 and bfloat16 tensors can be read as floats");
        }
        if (dst.remaining() < numel) {
            throw new IllegalArgumentException("Buffer has room for " + dst.remaining() + " floats, tensor has "
                    + numel);
        }
        ByteBuffer bytes = storage.bytes();
        if (isContiguous()) {
            readRun(bytes, storageOffset, (int) numel, dst);
            return;
        }
        // Strided: walk the index odometer, reading one contiguous innermost run at a time when possible.
        int rank = shape.length;
        long inner = shape[rank - 1];
        boolean innerContiguous = stride[rank - 1] == 1;
        long[] index = new long[rank];
        long rows = numel / Math.max(inner, 1);
        for (long r = 0; r < rows; r++) {
            long base = storageOffset;
            for (int d = 0; d < rank - 1; d++) {
                base += index[d] * stride[d];
            }
            if (innerContiguous) {
                readRun(bytes, base, (int) inner, dst);
            } else {
                for (long i = 0; i < inner; i++) {
                    readRun(bytes, base + i * stride[rank - 1], 1, dst);
                }
            }
            for (int d = rank - 2; d >= 0; d--) {
                if (++index[d] < shape[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
    }

    private void readRun(ByteBuffer bytes, long element, int count, FloatBuffer dst) {
        int at = Math.toIntExact(element * dtype.byteSize());
        switch (dtype) {
            case F32 -> dst.put(bytes.slice(at, count * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer());
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    dst.put(FloatConversions.bf16ToFloat(bytes.getShort(at + 2 * i)));
                }
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    dst.put(FloatConversions.f16ToFloat(bytes.getShort(at + 2 * i)));
                }
            }
            default -> throw new IllegalStateException(dtype.name());
        }
    }

    private TorchCheckpointException invalid(String what) {
        return new TorchCheckpointException("Tensor in " + storage.where() + " " + what);
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape) + " @ " + storage.entryName()
                + (storageOffset == 0 ? "" : "+" + storageOffset) + (isContiguous() ? "" : " stride "
                + Arrays.toString(stride));
    }
}

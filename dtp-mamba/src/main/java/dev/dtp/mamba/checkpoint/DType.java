package dev.dtp.mamba.checkpoint;

import java.util.Arrays;

/** The safetensors element types this library reads and writes. */
public enum DType {
    F32(4),
    F16(2),
    BF16(2),
    /** int8: the quants of a Q8_0 matrix in a pre-quantised checkpoint ({@link Q8Tensors}); not a float type. */
    I8(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** The dtype named {@code name} in a safetensors header, or null when it is not one we read. */
    static DType fromHeader(String name) {
        return Arrays.stream(values()).filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }
}

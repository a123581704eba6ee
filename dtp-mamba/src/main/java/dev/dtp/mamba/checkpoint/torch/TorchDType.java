package dev.dtp.mamba.checkpoint.torch;

/**
 * Element types a checkpoint may declare. Only {@link #F32}, {@link #F16} and {@link #BF16} can be read as floats;
 * the others are described (so a stray integer buffer does not stop a load) but refuse to be read.
 */
public enum TorchDType {
    F32(4, "float32", "FloatStorage"),
    F16(2, "float16", "HalfStorage"),
    BF16(2, "bfloat16", "BFloat16Storage"),
    F64(8, "float64", "DoubleStorage"),
    I64(8, "int64", "LongStorage"),
    I32(4, "int32", "IntStorage"),
    I16(2, "int16", "ShortStorage"),
    I8(1, "int8", "CharStorage"),
    U8(1, "uint8", "ByteStorage"),
    BOOL(1, "bool", "BoolStorage");

    private final int byteSize;
    private final String torchName;
    private final String storageClass;

    TorchDType(int byteSize, String torchName, String storageClass) {
        this.byteSize = byteSize;
        this.torchName = torchName;
        this.storageClass = storageClass;
    }

    public int byteSize() {
        return byteSize;
    }

    /** The name after {@code torch.}, e.g. {@code float32}. */
    public String torchName() {
        return torchName;
    }

    /** The legacy typed-storage class after {@code torch.}, e.g. {@code FloatStorage}. */
    public String storageClass() {
        return storageClass;
    }

    public boolean readableAsFloat() {
        return this == F32 || this == F16 || this == BF16;
    }
}

package dev.dtp.mamba.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.dtp.mamba.decode.Q8Quantizer;
import dev.dtp.mamba.decode.Q8Rows;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * How a pre-quantised checkpoint ({@code dtp convert --weights int8}) stores a Q8_0 matrix
 * {@code NAME} of shape (rows, cols): tensor {@code NAME}, dtype I8, shape (rows, cols), the quants q,
 * row-major; tensor {@code NAME_scale}, dtype F32, shape (rows, cols / 32), one scale s per block of
 * 32 values along a row; W[i, j] = s[i, j / 32] · q[i, j]. The file's {@code __metadata__} says
 * {@code "weights": "q8_0"} and {@code "block_size": "32"}. The same values as quantising at load
 * ({@link Q8Quantizer}) the float32 matrix they were made from.
 */
public final class Q8Tensors {
    /** {@code __metadata__} key naming how the large matrices are stored. */
    public static final String WEIGHTS_KEY = "weights";
    /** Its value for Q8_0. */
    public static final String Q8_0 = "q8_0";
    /** {@code __metadata__} key of the values per scale. */
    public static final String BLOCK_SIZE_KEY = "block_size";
    /** Appended to a matrix's name to name its scales. */
    public static final String SCALE_SUFFIX = "_scale";

    private Q8Tensors() {}

    /** The name of the scales of matrix {@code name}. */
    public static String scaleName(String name) {
        return name + SCALE_SUFFIX;
    }

    /** The shape of the scales of a (rows, cols) matrix. */
    public static long[] scaleShape(long rows, long cols) {
        return new long[] {rows, cols / Q8Rows.BLOCK};
    }

    /**
     * Q8_0 of the float (F32, F16 or BF16) matrix {@code name} of {@code file}, quantised a row at a
     * time from the file mapping; no float32 copy of the whole matrix is made.
     */
    static Q8Rows quantize(SafetensorsFile file, String name) {
        SafetensorsFile.TensorInfo info = file.info(name);
        long[] shape = matrixShape(file, info);
        DType dtype = info.dtype();
        ByteBuffer bytes = file.bytes(name);
        int cols = Math.toIntExact(shape[1]);
        long rowBytes = (long) cols * dtype.bytes();
        return Q8Quantizer.quantize(name, Math.toIntExact(shape[0]), cols, (row, out) -> SafetensorsFile.convert(
                bytes.slice(Math.toIntExact(row * rowBytes), Math.toIntExact(rowBytes)).order(bytes.order()), dtype,
                FloatBuffer.wrap(out)));
    }

    /**
     * The stored Q8_0 matrix {@code name} (I8, in {@code quantsFile}) with its scales ({@code scaleName(name)},
     * in {@code scalesFile}), copied from the file mappings onto the Java heap, where the int8 kernels
     * read it.
     */
    static Q8Rows read(SafetensorsFile quantsFile, String name, SafetensorsFile scalesFile) {
        SafetensorsFile.TensorInfo info = quantsFile.info(name);
        long[] shape = matrixShape(quantsFile, info);
        long rows = shape[0];
        long cols = shape[1];
        if (cols % Q8Rows.BLOCK != 0) {
            throw new CheckpointException(quantsFile.path() + ": int8 tensor '" + name + "' has rows of " + cols
                    + " values; Q8_0 needs a multiple of " + Q8Rows.BLOCK);
        }
        String scales = scaleName(name);
        SafetensorsFile.TensorInfo scaleInfo = scalesFile.info(scales);
        if (!Arrays.equals(scaleInfo.shape(), scaleShape(rows, cols)) || scaleInfo.dtype() == DType.I8) {
            throw new CheckpointException(scalesFile.path() + ": tensor '" + scales + "' is " + scaleInfo.dtype() + " "
                    + Arrays.toString(scaleInfo.shape()) + "; the scales of the int8 " + Arrays.toString(shape)
                    + " tensor '" + name + "' must be float " + Arrays.toString(scaleShape(rows, cols)));
        }
        if (rows * cols > Integer.MAX_VALUE - 8) {
            throw new CheckpointException("tensor '" + name + "' has " + rows * cols + " values, too many for one int8 array");
        }
        byte[] quants;
        float[] s;
        try {
            quants = new byte[(int) (rows * cols)];
            s = new float[(int) (rows * (cols / Q8Rows.BLOCK))];
        } catch (OutOfMemoryError e) {
            throw new CheckpointException("tensor '" + name + "': no Java heap left for its " + (rows * cols >> 20)
                    + " MiB of int8 weights; int8 weights live on the Java heap, raise -Xmx", e);
        }
        quantsFile.readBytes(name, quants); // read, not mapped: the file's pages do not stay resident beside the copy
        SafetensorsFile.convert(scalesFile.bytes(scales), scaleInfo.dtype(), FloatBuffer.wrap(s));
        int blocks = (int) (cols / Q8Rows.BLOCK);
        for (int i = 0; i < s.length; i++) {
            if (!Float.isFinite(s[i]) || s[i] < 0) {
                throw new CheckpointException(scalesFile.path() + ": tensor '" + scales + "' holds " + s[i] + " at ["
                        + i / blocks + ", " + i % blocks + "]; a Q8_0 scale is finite and not negative");
            }
        }
        return new Q8Rows(quants, s, (int) rows, (int) cols);
    }

    /** The float32 values s · q of a Q8_0 matrix as an array of {@code manager}, named {@code name}. */
    static NDArray dequantize(Q8Rows q, String name, NDManager manager) {
        return SafetensorsFile.filled(name, new Shape(q.rows(), q.cols()), manager, target -> {
            float[] row = new float[q.cols()];
            for (int i = 0; i < q.rows(); i++) {
                q.row(i, row, 0);
                target.put(row);
            }
        });
    }

    private static long[] matrixShape(SafetensorsFile file, SafetensorsFile.TensorInfo info) {
        if (info.shape().length != 2) {
            throw new CheckpointException(file.path() + ": tensor '" + info.name() + "' has shape "
                    + Arrays.toString(info.shape()) + "; int8 (Q8_0) weights are (rows, cols) matrices");
        }
        return info.shape();
    }
}

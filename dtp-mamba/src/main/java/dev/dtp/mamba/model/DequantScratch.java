package dev.dtp.mamba.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dtp.mamba.MambaConfig;
import java.nio.ByteBuffer;

/**
 * The float32 arrays a pass over an int8 model dequantises each layer's matrices into, one layer at
 * a time: allocated once per pass (every layer has the same shapes) in the pass's manager, which
 * frees them.
 */
final class DequantScratch {
    private final MambaConfig config;
    private final MambaBlock.Matrices matrices;
    private final ByteBuffer inProjX;
    private final ByteBuffer inProjZ;
    private final ByteBuffer xProj;
    private final ByteBuffer outProj;

    DequantScratch(NDManager manager, MambaConfig c) {
        this.config = c;
        int di = c.dInner();
        NDArray x = manager.create(new Shape(di, c.dModel()), DataType.FLOAT32);
        NDArray z = manager.create(new Shape(di, c.dModel()), DataType.FLOAT32);
        NDArray xp = manager.create(new Shape(c.dtRank() + 2L * c.dState(), di), DataType.FLOAT32);
        NDArray out = manager.create(new Shape(c.dModel(), di), DataType.FLOAT32);
        this.matrices = new MambaBlock.Matrices(x, z, xp, out);
        this.inProjX = x.toByteBuffer(true);
        this.inProjZ = z.toByteBuffer(true);
        this.xProj = xp.toByteBuffer(true);
        this.outProj = out.toByteBuffer(true);
    }

    /** Layer {@code q}'s matrices dequantised into the scratch arrays (valid until the next call). */
    MambaBlock.Matrices fill(Q8Weights.Layer q) {
        int di = config.dInner();
        q.inProj().dequantize(0, di, inProjX);
        q.inProj().dequantize(di, 2 * di, inProjZ);
        q.xProj().dequantize(0, q.xProj().rows(), xProj);
        q.outProj().dequantize(0, q.outProj().rows(), outProj);
        return matrices;
    }
}

package dev.dtp.mamba.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dtp.core.PruningTrace;
import dev.dtp.mamba.MambaConfig;
import java.util.Arrays;
import java.util.List;

/**
 * What one prefill leaves behind, gathered layer by layer: each layer's cache (conv window and SSM
 * state, kept in the session's manager) and its trace record.
 */
final class PrefillCollector {
    private final NDManager session;
    private final MambaConfig config;
    private final boolean recordImportance;
    private final LayerCache[] caches;
    private final PruningTrace.LayerTrace[] trace;

    PrefillCollector(NDManager session, MambaConfig config, boolean recordImportance) {
        this.session = session;
        this.config = config;
        this.recordImportance = recordImportance;
        this.caches = new LayerCache[config.layers()];
        this.trace = new PruningTrace.LayerTrace[config.layers()];
    }

    /** Moves {@code array} into the session: it outlives the prefill. */
    NDArray keep(NDArray array) {
        array.attach(session);
        return array;
    }

    void cache(int layer, NDArray convState, NDArray ssmState) {
        caches[layer] = new LayerCache(convState, ssmState);
    }

    void trace(int layer, int[] input, int[] kept, float[] importance) {
        trace[layer] = new PruningTrace.LayerTrace(layer, input, kept, importance);
    }

    /** A layer no token reached: its cache is the one it started from (zeros at the start). */
    void unchanged(int layer, LayerCache before) {
        NDArray conv = before == null ? zeros(config.dConv() - 1, config.dInner()) : copy(before.convState());
        cache(layer, conv, ssmOf(before));
        trace(layer, new int[0], new int[0], recordImportance ? new float[0] : null);
    }

    /** A copy of the SSM state a layer started from, or zeros at the start of a sequence. */
    NDArray ssmOf(LayerCache before) {
        return before == null ? zeros(config.dInner(), config.dState()) : copy(before.ssmState());
    }

    List<LayerCache> caches() {
        return List.of(caches);
    }

    List<PruningTrace.LayerTrace> traceLayers() {
        return Arrays.asList(trace);
    }

    private NDArray zeros(long rows, long cols) {
        return session.zeros(new Shape(rows, cols), DataType.FLOAT32);
    }

    private NDArray copy(NDArray a) {
        return keep(a.duplicate());
    }
}

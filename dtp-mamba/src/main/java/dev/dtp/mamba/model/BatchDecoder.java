package dev.dtp.mamba.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.dtp.core.generate.Generation;
import dev.dtp.core.generate.GenerationConfig;
import dev.dtp.core.generate.Sampler;
import dev.dtp.core.generate.TokenListener;
import dev.dtp.mamba.decode.DecodeState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes several prefilled sequences together. After pruning every sequence's state has the same
 * shape whatever it read, so the states stack into (B, …) arrays and one step serves the whole
 * batch, reading each weight once (memory-bound GEMVs become GEMMs). Each sequence samples with
 * its own seeded {@link Sampler}; a finished sequence leaves the batch. The step is the fused batched
 * step or libtorch's stacked one, as the caller chose ({@link MambaModel#batchKernel} by default).
 */
final class BatchDecoder {
    /** Largest batch that decodes on the fused step by default on this machine ({@link FusedBatchLimit}). */
    static final int FUSED_BATCH_LIMIT = FusedBatchLimit.onThisMachine();

    private BatchDecoder() {}

    static List<Generation> generate(MambaModel model, List<MambaSession> sessions, List<GenerationConfig> configs,
            DecodeKernel kernel) {
        if (sessions.size() == 1) { // a batch of one decodes with the model's single-sequence kernel
            return List.of(Decoder.generate(sessions.get(0), configs.get(0), TokenListener.NONE));
        }
        int count = sessions.size();
        Sampler[] samplers = new Sampler[count];
        int[][] tokens = new int[count][];
        int[] lengths = new int[count];
        boolean[] stopped = new boolean[count];
        float[][] logits = new float[count][];
        long[] decodeNanos = new long[count];
        List<Integer> active = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            samplers[i] = new Sampler(configs.get(i));
            tokens[i] = new int[configs.get(i).maxNewTokens()];
            logits[i] = sessions.get(i).logits();
            if (tokens[i].length > 0) {
                active.add(i);
            }
        }
        long start = System.nanoTime();
        try (Batch batch = kernel == DecodeKernel.FUSED ? new FusedBatch(model, sessions)
                : new StackedBatch(model, sessions)) {
            while (!active.isEmpty()) {
                // the next token of every active sequence; a stop token ends a sequence unfed
                List<Integer> fed = new ArrayList<>();
                int[] next = new int[active.size()];
                for (int row = 0; row < active.size(); row++) {
                    int i = active.get(row);
                    int token = samplers[i].next(logits[i]);
                    tokens[i][lengths[i]++] = token;
                    if (configs.get(i).stopTokens().contains(token)) {
                        stopped[i] = true;
                        decodeNanos[i] = System.nanoTime() - start;
                    } else {
                        next[fed.size()] = token;
                        fed.add(row);
                    }
                }
                active = batch.keep(active, fed);
                if (active.isEmpty()) {
                    break;
                }
                float[][] out = batch.step(Arrays.copyOf(next, active.size()));
                // a sequence at its length limit leaves after its last token was fed (as one at a time)
                List<Integer> going = new ArrayList<>();
                for (int row = 0; row < active.size(); row++) {
                    int i = active.get(row);
                    logits[i] = out[row];
                    if (lengths[i] < tokens[i].length) {
                        going.add(row);
                    } else {
                        decodeNanos[i] = System.nanoTime() - start;
                    }
                }
                active = batch.keep(active, going);
            }
        }
        List<Generation> result = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            MambaSession s = sessions.get(i);
            result.add(new Generation(Arrays.copyOf(tokens[i], lengths[i]), logits[i], s.trace(), s.prefillNanos(),
                    decodeNanos[i], stopped[i]));
        }
        return result;
    }

    /** The states of the sequences still decoding, and one step for all of them. */
    private interface Batch extends AutoCloseable {
        /** Row i continues with token {@code next[i]}; returns each row's logits. */
        float[][] step(int[] next);

        /** Keeps rows {@code keep} of {@code active} (sequence indices) and returns them as the new active list. */
        List<Integer> keep(List<Integer> active, List<Integer> keep);

        @Override
        void close();
    }

    private static List<Integer> rows(List<Integer> active, List<Integer> keep) {
        List<Integer> kept = new ArrayList<>(keep.size());
        for (int row : keep) {
            kept.add(active.get(row));
        }
        return kept;
    }

    /**
     * The fused CPU step for the batch ({@link dev.dtp.mamba.decode.FusedStep#stepBatch}): each
     * sequence keeps its own state in place, so leaving the batch is only dropping it from the list.
     */
    private static final class FusedBatch implements Batch {
        private final MambaModel model;
        private final List<DecodeState> states = new ArrayList<>();

        FusedBatch(MambaModel model, List<MambaSession> sessions) {
            this.model = model;
            for (MambaSession s : sessions) {
                states.add(s.fusedState());
            }
        }

        @Override
        public float[][] step(int[] next) {
            return model.stepFusedBatch(next, states.toArray(new DecodeState[0]));
        }

        @Override
        public List<Integer> keep(List<Integer> active, List<Integer> keep) {
            if (keep.size() == active.size()) {
                return active;
            }
            List<DecodeState> kept = new ArrayList<>(keep.size());
            for (int row : keep) {
                kept.add(states.get(row));
            }
            states.clear();
            states.addAll(kept);
            return rows(active, keep);
        }

        @Override
        public void close() {}
    }

    /**
     * The NDArray step for the batch ({@link MambaModel#stepBatch}): the states stacked into (B, …)
     * arrays, gathered anew when sequences leave.
     */
    private static final class StackedBatch implements Batch {
        private final MambaModel model;
        private final NDManager scope;
        private final NDArray[] conv;
        private final NDArray[] ssm;

        StackedBatch(MambaModel model, List<MambaSession> sessions) {
            this.model = model;
            this.scope = model.newStateManager();
            conv = new NDArray[model.layerCount()];
            ssm = new NDArray[model.layerCount()];
            for (int l = 0; l < conv.length; l++) {
                NDList c = new NDList();
                NDList h = new NDList();
                for (MambaSession s : sessions) {
                    c.add(s.cache(l).convState());
                    h.add(s.cache(l).ssmState());
                }
                conv[l] = NDArrays.stack(c);
                ssm[l] = NDArrays.stack(h);
                conv[l].attach(scope);
                ssm[l].attach(scope);
            }
        }

        @Override
        public float[][] step(int[] next) {
            return model.stepBatch(next, conv, ssm, scope);
        }

        @Override
        public List<Integer> keep(List<Integer> active, List<Integer> keep) {
            if (keep.size() == active.size() || keep.isEmpty()) {
                return keep.isEmpty() ? List.of() : active;
            }
            try (NDArray index = NativeArrays.longs(scope, keep.stream().mapToInt(Integer::intValue).toArray())) {
                for (int l = 0; l < conv.length; l++) {
                    conv[l] = replace(conv[l], Ops.gatherRows(conv[l], index));
                    ssm[l] = replace(ssm[l], Ops.gatherRows(ssm[l], index));
                }
            }
            return rows(active, keep);
        }

        private NDArray replace(NDArray old, NDArray fresh) {
            fresh.attach(scope);
            old.close();
            return fresh;
        }

        @Override
        public void close() {
            scope.close();
        }
    }
}

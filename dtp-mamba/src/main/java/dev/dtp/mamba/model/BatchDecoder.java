package dev.dtp.mamba.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.dtp.core.generate.Generation;
import dev.dtp.core.generate.GenerationConfig;
import dev.dtp.core.generate.Sampler;
import dev.dtp.core.generate.TokenListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes several prefilled sequences together. After pruning every sequence's state has the same
 * shape whatever it read, so the states stack into (B, …) arrays and one step serves the whole
 * batch, reading each weight once (memory-bound GEMVs become GEMMs). Each sequence samples with
 * its own seeded {@link Sampler}; a finished sequence leaves the batch.
 */
final class BatchDecoder {
    private BatchDecoder() {}

    static List<Generation> generate(MambaModel model, List<MambaSession> sessions, List<GenerationConfig> configs) {
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
        try (NDManager scope = model.newStateManager()) {
            NDArray[] conv = new NDArray[model.layerCount()];
            NDArray[] ssm = new NDArray[model.layerCount()];
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
                active = shrink(active, fed, conv, ssm, scope);
                if (active.isEmpty()) {
                    break;
                }
                float[][] out = model.stepBatch(Arrays.copyOf(next, active.size()), conv, ssm, scope);
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
                active = shrink(active, going, conv, ssm, scope);
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

    /** The active sequences at rows {@code keep}, their states gathered to match. */
    private static List<Integer> shrink(List<Integer> active, List<Integer> keep, NDArray[] conv, NDArray[] ssm,
            NDManager scope) {
        if (keep.size() == active.size() || keep.isEmpty()) {
            return keep.isEmpty() ? List.of() : active;
        }
        try (NDArray index = NativeArrays.longs(scope, keep.stream().mapToInt(Integer::intValue).toArray())) {
            for (int l = 0; l < conv.length; l++) {
                conv[l] = replace(conv[l], Ops.gatherRows(conv[l], index), scope);
                ssm[l] = replace(ssm[l], Ops.gatherRows(ssm[l], index), scope);
            }
        }
        List<Integer> kept = new ArrayList<>(keep.size());
        for (int row : keep) {
            kept.add(active.get(row));
        }
        return kept;
    }

    private static NDArray replace(NDArray old, NDArray fresh, NDManager scope) {
        fresh.attach(scope);
        old.close();
        return fresh;
    }
}

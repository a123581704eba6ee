package dev.dtp.bench.train;

import ai.djl.ndarray.NDManager;
import dev.dtp.bench.data.Family;
import dev.dtp.bench.data.ShapesVqaSample;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Greedy first-token accuracy on validation samples, with the training forward and no pruning. */
final class Validation {
    private static final int CHUNK = 32;

    private final MambaTrainer trainer;
    private final ShapesVqaBatches batches;

    Validation(MambaTrainer trainer, ShapesVqaBatches batches) {
        this.trainer = trainer;
        this.batches = batches;
    }

    /** "overall", then each family present by id (three decimals), in {@link Family} order. */
    Map<String, Double> accuracy(List<ShapesVqaSample> val, NDManager manager) {
        Map<Family, int[]> byFamily = new EnumMap<>(Family.class);
        int right = 0;
        for (int start = 0; start < val.size(); start += CHUNK) {
            List<ShapesVqaSample> chunk = val.subList(start, Math.min(val.size(), start + CHUNK));
            int[] predicted;
            try (NDManager scratch = manager.newSubManager()) {
                predicted = trainer.predict(batches.batch(chunk), scratch);
            }
            for (int i = 0; i < chunk.size(); i++) {
                boolean ok = predicted[i] == batches.answerId(chunk.get(i));
                int[] c = byFamily.computeIfAbsent(chunk.get(i).family(), f -> new int[2]);
                c[0] += ok ? 1 : 0;
                c[1]++;
                right += ok ? 1 : 0;
            }
        }
        Map<String, Double> acc = new LinkedHashMap<>();
        acc.put("overall", (double) right / val.size());
        byFamily.forEach((f, c) -> acc.put(f.id(), Math.round(1000.0 * c[0] / c[1]) / 1000.0));
        return acc;
    }
}

package dev.dtp.bench.cli;

import dev.dtp.core.ModelInput;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.generate.Generation;
import dev.dtp.core.generate.GenerationConfig;
import dev.dtp.mamba.model.DecodeKernel;
import dev.dtp.mamba.model.MambaModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code dtp bench --batch-sizes 1,4,16}: decode tokens/s of batched greedy generation (every
 * sequence decodes the same number of tokens, so none leaves the batch early). Batch sizes are
 * measured round-robin, median over runs; {@code decode_tokens_per_s} is what {@code generate} gives
 * by default ({@code batch_kernel}: {@link MambaModel#batchKernel}). With the fused kernel,
 * every batch of two or more is decoded by both batch steps in turn ({@code fused_batch_tokens_per_s},
 * {@code ndarray_batch_tokens_per_s}).
 */
final class BatchDecodeBench {
    private final MambaModel model;
    private final int text;
    private final int tokens;
    private final int runs;
    private final int warmup;
    private final long seed;

    BatchDecodeBench(MambaModel model, int text, int tokens, int runs, int warmup, long seed) {
        this.model = model;
        this.text = text;
        this.tokens = tokens;
        this.runs = runs;
        this.warmup = warmup;
        this.seed = seed;
    }

    List<Map<String, Object>> measure(int[] sizes) {
        // with the fused kernel (float32 or int8), batches of two or more run on both batch steps in turn
        boolean compare = model.decodeKernel() == DecodeKernel.FUSED;
        double[][] fused = new double[sizes.length][runs];
        double[][] stacked = new double[sizes.length][runs];
        for (int r = -warmup; r < runs; r++) {
            for (int s = 0; s < sizes.length; s++) {
                boolean both = compare && sizes[s] > 1;
                double rate = once(sizes[s], r + warmup, both ? DecodeKernel.FUSED : model.batchKernel(sizes[s]));
                double other = both ? once(sizes[s], r + warmup, DecodeKernel.NDARRAY) : Double.NaN;
                if (r >= 0) {
                    fused[s][r] = rate;
                    stacked[s][r] = other;
                }
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        double single = Double.NaN;
        for (int s = 0; s < sizes.length; s++) {
            double first = Stats.of(fused[s]).median();
            boolean both = compare && sizes[s] > 1;
            double second = both ? Stats.of(stacked[s]).median() : Double.NaN;
            DecodeKernel kernel = sizes[s] == 1 ? model.decodeKernel() : model.batchKernel(sizes[s]);
            double median = both && kernel == DecodeKernel.NDARRAY ? second : first; // what generate() uses by default
            if (sizes[s] == 1) {
                single = median;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("batch", sizes[s]);
            row.put("decode_tokens_per_s", round(median));
            row.put("over_batch_1", Double.isNaN(single) ? null : round(median / single));
            row.put("batch_kernel", kernel.name().toLowerCase(Locale.ROOT));
            if (both) {
                row.put("fused_batch_tokens_per_s", round(first));
                row.put("ndarray_batch_tokens_per_s", round(second));
                row.put("fused_over_ndarray", round(first / second));
            }
            row.put("peak_rss_mb", NativeMemory.peakResidentBytes() / (1 << 20));
            rows.add(row);
        }
        return rows;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** Tokens/s of one batched generation of {@code batch} sequences. */
    private double once(int batch, int run, DecodeKernel kernel) {
        SplittableRandom rnd = new SplittableRandom(seed + 31L * run + batch);
        List<ModelInput> inputs = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            inputs.add(ModelInput.ofIds(rnd.ints(text, 0, model.config().vocabSize()).toArray()));
        }
        List<Generation> out = model.generate(null, inputs, Collections.nCopies(batch, GenerationConfig.greedy(tokens)),
                PruningPolicy.none(), kernel);
        long nanos = out.stream().mapToLong(Generation::decodeNanos).max().orElse(1);
        return (double) batch * tokens / (nanos / 1e9);
    }
}

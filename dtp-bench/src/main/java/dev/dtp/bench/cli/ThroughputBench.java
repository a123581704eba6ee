package dev.dtp.bench.cli;

import static dev.dtp.bench.cli.Stats.round;
import static dev.dtp.bench.cli.Stats.round4;

import ai.djl.ndarray.NDManager;
import dev.dtp.bench.perf.Roofline;
import dev.dtp.core.ModelInput;
import dev.dtp.core.Prefill;
import dev.dtp.core.PrefillOptions;
import dev.dtp.core.PruningPolicy;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.model.DecodeKernel;
import dev.dtp.mamba.model.MambaModel;
import dev.dtp.mamba.model.PrefillProfile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code dtp bench --lengths L,L,...}: per length, an unpruned text-only prefill's throughput with
 * the share of each part of the blocks (from a {@link PrefillProfile}), the projections' rate
 * against libtorch's GEMM on the same shapes, and decode's rate against the machine's read
 * bandwidth (roofline ratios).
 */
final class ThroughputBench {
    private final MambaModel model;
    private final int runs;
    private final int warmup;
    private final int decode;
    private final long seed;

    /** @param decode tokens decoded to measure decode speed (0: not measured) */
    ThroughputBench(MambaModel model, int runs, int warmup, int decode, long seed) {
        this.model = model;
        this.runs = runs;
        this.warmup = warmup;
        this.decode = decode;
        this.seed = seed;
    }

    /** One row per length (each at least 1). */
    List<Map<String, Object>> measure(int[] lengths) {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int length : lengths) {
                rows.add(measure(manager, length));
            }
        }
        return rows;
    }

    private Map<String, Object> measure(NDManager manager, int length) {
        MambaConfig c = model.config();
        int[] ids = new SplittableRandom(seed + length).ints(length, 0, c.vocabSize()).toArray();
        ModelInput input = ModelInput.ofIds(ids);
        long[] parts = profiledParts(input);
        // unprofiled timing (the profile's clock reads are cheap, but measure without them)
        double[] plain = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            try (Prefill p = model.prefill(input, PruningPolicy.none(), PrefillOptions.DEFAULT)) {
                plain[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        Stats st = Stats.of(plain);
        double partTotal = 0;
        for (long n : parts) {
            partTotal += n;
        }
        double projections = 0;
        for (PrefillProfile.Part part : PrefillProfile.Part.values()) {
            if (part.isProjection()) {
                projections += parts[part.ordinal()];
            }
        }
        double scan = parts[PrefillProfile.Part.SCAN.ordinal()];
        double conv = parts[PrefillProfile.Part.CONV.ordinal()];
        double other = partTotal - projections - scan - conv;
        // roofline: the projections' FLOPs at the GEMM rate libtorch reaches on the same shapes
        double flopsPerToken = Roofline.projectionFlopsPerTokenPerLayer(c) * c.layers();
        double gemmSeconds = Roofline.projectionSeconds(manager, c, length, Math.max(3, runs));
        double gemmRate = Roofline.projectionFlopsPerTokenPerLayer(c) * length / gemmSeconds;
        double prefillRate = flopsPerToken * length / (st.median() / 1e3);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("length", length);
        row.put("weights", model.weightFormat().name().toLowerCase(Locale.ROOT));
        row.put("prefill_ms_median", round(st.median()));
        row.put("prefill_ms_min", round(st.min()));
        row.put("prefill_ms_max", round(st.max()));
        row.put("prefill_tokens_per_s", round(length / (st.median() / 1e3)));
        row.put("share_projections", round4(projections / partTotal));
        row.put("share_conv", round4(conv / partTotal));
        row.put("share_scan", round4(scan / partTotal));
        row.put("share_other", round4(other / partTotal));
        row.put("projection_gflops_per_s_in_prefill", round(prefillRate / 1e9));
        row.put("gemm_gflops_per_s_same_shapes", round(gemmRate / 1e9));
        row.put("matmul_limit_ratio", round4(prefillRate / gemmRate));
        if (decode > 0) {
            decodeColumns(manager, input, row);
        }
        row.put("peak_rss_mb", NativeMemory.peakResidentBytes() / (1 << 20));
        return row;
    }

    /** The nanoseconds of each part over the timed profiled runs (after the warm-up). */
    private long[] profiledParts(ModelInput input) {
        long[] parts = new long[PrefillProfile.Part.values().length];
        for (int i = -warmup; i < runs; i++) {
            PrefillProfile profile = new PrefillProfile();
            try (Prefill p = model.prefill(input, PruningPolicy.none(), PrefillOptions.DEFAULT, null, profile)) {
                if (i >= 0) {
                    for (PrefillProfile.Part part : PrefillProfile.Part.values()) {
                        parts[part.ordinal()] += profile.nanos(part);
                    }
                }
            }
        }
        return parts;
    }

    /** Decode tokens/s of both kernels, and the default kernel's against the read bandwidth. */
    private void decodeColumns(NDManager manager, ModelInput input, Map<String, Object> row) {
        MambaConfig c = model.config();
        // rates[0]: the fused step where it runs (else the default kernel); rates[1]: the NDArray step
        double[] rates = DecodeTiming.rates(model, input, PruningPolicy.none(), decode, true);
        double rate = model.decodeKernel() == DecodeKernel.NDARRAY ? rates[1] : rates[0];
        double weightBytes = model.decodeBytesPerToken() > 0 ? model.decodeBytesPerToken() : weightBytesPerToken(c);
        double read = Roofline.readBytesPerSecond(manager, weightBytes, 7);
        row.put("decode_kernel", model.decodeKernel().name().toLowerCase(Locale.ROOT));
        row.put("decode_tokens_per_s", round(rate));
        row.put("decode_fused_tokens_per_s", model.decodeBytesPerToken() > 0 ? round(rates[0]) : null);
        row.put("decode_ndarray_tokens_per_s", round(rates[1]));
        row.put("decode_speedup", round4(rates[0] / rates[1]));
        row.put("decode_weight_mb_per_token", round(weightBytes / (1 << 20)));
        row.put("decode_gb_per_s", round4(rate * weightBytes / 1e9)); // four decimals: a tiny model reads well under 0.01 GB/s
        row.put("read_gb_per_s", round4(read / 1e9));
        row.put("decode_limit_tokens_per_s", round(read / weightBytes));
        row.put("decode_limit_ratio", round4(rate * weightBytes / read));
    }

    /** Bytes of weights one decode step reads: every layer, the final norm and the lm_head. */
    static double weightBytesPerToken(MambaConfig c) {
        long d = c.dModel();
        long di = c.dInner();
        long perLayer = d + 2 * d * di + di * c.dConv() + di + di * (c.dtRank() + 2L * c.dState())
                + (long) c.dtRank() * di + di + di * c.dState() + di + di * d;
        return 4.0 * (c.layers() * perLayer + d + (long) c.paddedVocabSize() * d);
    }
}

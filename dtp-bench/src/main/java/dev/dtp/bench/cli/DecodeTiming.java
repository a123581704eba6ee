package dev.dtp.bench.cli;

import dev.dtp.core.ModelInput;
import dev.dtp.core.PrefillOptions;
import dev.dtp.core.PruningPolicy;
import dev.dtp.mamba.model.DecodeKernel;
import dev.dtp.mamba.model.MambaModel;
import dev.dtp.mamba.model.MambaSession;

/** Decode tokens/s after a prefill, for the policy and throughput benches. */
final class DecodeTiming {
    /** Decode warm-up per kernel: at least this many tokens and this long, so that the JIT has compiled the kernels. */
    private static final int WARMUP_TOKENS = 3;
    private static final long WARMUP_NANOS = 2_000_000_000L;
    /**
     * Tokens per turn when two kernels are compared: each decodes this many tokens back to back, as a
     * generation does, before the other takes its turn. Turns of one token put a libtorch step between
     * every two fused ones, which evicts the fused step's caches and lets its decode workers park: the
     * int8 130m fused step measured 95 tokens/s that way against 108–135 decoding back to back.
     */
    private static final int TURN = 8;

    private DecodeTiming() {}

    /**
     * Decode tokens/s of the model's default kernel over {@code tokens} tokens, or (with
     * {@code compare}) of the fused step where it runs and of the NDArray step, timed in turns of
     * {@link #TURN} tokens on two sessions after the same prefill (after a warm-up of both), so that
     * drift hits both.
     *
     * @return {the default kernel's rate (with compare: the fused step's where it runs), the NDArray
     *     step's rate (with compare; NaN otherwise)}
     */
    static double[] rates(MambaModel model, ModelInput input, PruningPolicy policy, int tokens, boolean compare) {
        DecodeKernel main = compare && model.decodeBytesPerToken() > 0 ? DecodeKernel.FUSED : model.decodeKernel();
        int vocab = model.config().vocabSize();
        try (MambaSession a = model.prefill(input, policy, PrefillOptions.DEFAULT, null);
                MambaSession b = compare ? model.prefill(input, policy, PrefillOptions.DEFAULT, null) : null) {
            long start = System.nanoTime();
            for (int i = 0; i < WARMUP_TOKENS || System.nanoTime() - start < WARMUP_NANOS; i++) {
                a.decode(i % vocab, main);
                if (compare) {
                    b.decode(i % vocab, DecodeKernel.NDARRAY);
                }
            }
            long mainNanos = 0;
            long ndarrayNanos = 0;
            for (int i = 0; i < tokens; i += TURN) {
                int turn = Math.min(TURN, tokens - i);
                long t0 = System.nanoTime();
                for (int k = i; k < i + turn; k++) {
                    a.decode((k * 7919) % vocab, main);
                }
                long t1 = System.nanoTime();
                if (compare) {
                    for (int k = i; k < i + turn; k++) {
                        b.decode((k * 7919) % vocab, DecodeKernel.NDARRAY);
                    }
                }
                long t2 = System.nanoTime();
                mainNanos += t1 - t0;
                ndarrayNanos += t2 - t1;
            }
            return new double[] {tokens / (mainNanos / 1e9), compare ? tokens / (ndarrayNanos / 1e9) : Double.NaN};
        }
    }
}

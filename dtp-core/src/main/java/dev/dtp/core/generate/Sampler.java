package dev.dtp.core.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits: greedy argmax (ties → lowest id) when the config is greedy,
 * otherwise seeded sampling from softmax(logits / temperature) restricted to the top-k ids and to
 * the smallest set whose probability reaches top-p. One sampler gives one deterministic sequence.
 */
public final class Sampler {
    private final GenerationConfig config;
    private final SplittableRandom random;

    public Sampler(GenerationConfig config) {
        this.config = config;
        this.random = new SplittableRandom(config.seed());
    }

    public int next(float[] logits) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("empty logits");
        }
        for (int i = 0; i < logits.length; i++) {
            if (Float.isNaN(logits[i])) {
                throw new IllegalArgumentException("logit " + i + " is NaN");
            }
        }
        if (config.isGreedy()) {
            return argmax(logits);
        }
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Float.compare(logits[b], logits[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int candidates = config.topK() > 0 ? Math.min(config.topK(), order.length) : order.length;
        double max = logits[order[0]];
        double[] p = new double[candidates];
        double total = 0;
        for (int i = 0; i < candidates; i++) {
            p[i] = Math.exp((logits[order[i]] - max) / config.temperature());
            total += p[i];
        }
        // nucleus: the smallest prefix (in probability order) whose mass reaches top-p
        int keep = candidates;
        double mass = 0;
        for (int i = 0; i < candidates; i++) {
            mass += p[i] / total;
            if (mass >= config.topP()) {
                keep = i + 1;
                break;
            }
        }
        double kept = 0;
        for (int i = 0; i < keep; i++) {
            kept += p[i];
        }
        double u = random.nextDouble() * kept;
        for (int i = 0; i < keep; i++) {
            u -= p[i];
            if (u < 0) {
                return order[i];
            }
        }
        return order[keep - 1];
    }

    /** The index of the largest logit, ties to the lowest index. */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}

package dev.dtp.core.generate;

import java.util.Set;

/**
 * How to decode after the prefill: greedy when {@code temperature == 0}, otherwise seeded
 * sampling with optional top-k and top-p (nucleus) truncation.
 */
public record GenerationConfig(
        int maxNewTokens, float temperature, int topK, float topP, long seed, Set<Integer> stopTokens) {

    public GenerationConfig {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        }
        if (temperature < 0 || Float.isNaN(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0 (0 = off), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
        stopTokens = Set.copyOf(stopTokens);
    }

    public static GenerationConfig greedy(int maxNewTokens) {
        return new GenerationConfig(maxNewTokens, 0f, 0, 1f, 0L, Set.of());
    }

    public GenerationConfig withStopTokens(Set<Integer> stops) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, stops);
    }

    public GenerationConfig withSampling(float temperature, int topK, float topP, long seed) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, stopTokens);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }
}

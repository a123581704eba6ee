package dev.dtp.mamba.model;

import dev.dtp.core.generate.Generation;
import dev.dtp.core.generate.GenerationConfig;
import dev.dtp.core.generate.Sampler;
import dev.dtp.core.generate.TokenListener;
import java.util.Arrays;

/** The decode loop after a prefill: sample, stream, stop. */
final class Decoder {
    private Decoder() {}

    static Generation generate(MambaSession session, GenerationConfig config, TokenListener listener) {
        Sampler sampler = new Sampler(config);
        int[] tokens = new int[config.maxNewTokens()];
        int count = 0;
        boolean stopped = false;
        float[] logits = session.logits();
        long start = System.nanoTime();
        while (count < config.maxNewTokens()) {
            int next = sampler.next(logits);
            tokens[count++] = next;
            listener.onToken(next);
            if (config.stopTokens().contains(next)) {
                stopped = true;
                break;
            }
            logits = session.decode(next);
        }
        long decodeNanos = System.nanoTime() - start;
        return new Generation(Arrays.copyOf(tokens, count), logits, session.trace(), session.prefillNanos(),
                decodeNanos, stopped);
    }
}

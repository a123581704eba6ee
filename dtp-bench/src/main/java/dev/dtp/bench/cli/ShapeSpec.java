package dev.dtp.bench.cli;

import dev.dtp.core.InputException;
import dev.dtp.mamba.MambaConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A random-weight model shape on the command line: {@code layers=64,d_model=256[,d_state=16,expand=2,vocab=50280]}
 * or a preset name ({@code mamba-130m}, {@code mamba-370m}, {@code mamba-2.8b}).
 */
final class ShapeSpec {
    private ShapeSpec() {}

    static MambaConfig parse(String spec) {
        switch (spec) {
            case "mamba-130m":
                return MambaConfig.of(768, 24, 50280);
            case "mamba-370m":
                return MambaConfig.of(1024, 48, 50280);
            case "mamba-2.8b":
                return MambaConfig.of(2560, 64, 50280).withPaddedVocab(50288);
            default:
                break;
        }
        Map<String, Integer> v = new LinkedHashMap<>();
        for (String pair : spec.split(",")) {
            String[] kv = pair.split("=", 2);
            if (kv.length != 2) {
                throw new InputException("--shape '" + spec + "': '" + pair + "' is not key=value");
            }
            try {
                v.put(kv[0].trim(), Integer.parseInt(kv[1].trim()));
            } catch (NumberFormatException e) {
                throw new InputException("--shape '" + spec + "': " + kv[0] + " is not an integer");
            }
        }
        for (String key : v.keySet()) {
            if (!Set.of("layers", "d_model", "d_state", "expand", "vocab", "d_conv").contains(key)) {
                throw new InputException("--shape '" + spec + "': unknown key '" + key
                        + "' (layers, d_model, d_state, expand, d_conv, vocab)");
            }
        }
        if (!v.containsKey("layers") || !v.containsKey("d_model")) {
            throw new InputException("--shape '" + spec + "' needs layers=… and d_model=…");
        }
        for (Map.Entry<String, Integer> e : v.entrySet()) {
            if (e.getValue() <= 0) {
                throw new InputException("--shape '" + spec + "': " + e.getKey() + " must be positive");
            }
        }
        return MambaConfig.of(v.get("d_model"), v.get("layers"), v.getOrDefault("vocab", 50280))
                .withState(v.getOrDefault("d_state", 16), v.getOrDefault("d_conv", 4), v.getOrDefault("expand", 2));
    }
}

package dev.dtp.core.policy;

import dev.dtp.core.PolicyException;
import dev.dtp.core.PruningDefaults;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.importance.ImportanceSignal;
import dev.dtp.core.importance.ImportanceSignals;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the one-line policy spec used by the command line and model cards:
 *
 * <pre>
 *   none
 *   dtp                                   the model's calibrated layers and r (as DtpPruner.wrap(model))
 *   dtp:r=0.9                             the model's layers with another r
 *   dtp:early=15,r=0.5,late=45[,signal=delta|y|b|c]
 *   fastv:k=2,r=0.7[,signal=…]
 *   vtw:k=45
 *   dart:k=2,r=0.5[,pivots=8]             DART: keep the visual tokens least like a few pivots
 *   random:layer=15,r=0.5,seed=1
 *   topk-all:layer=15,r=0.5[,signal=…]
 *   STAGE+STAGE+…                         stages composed with {@link Staged}
 * </pre>
 *
 * Errors name the spec and what is wrong.
 */
public final class PolicySpec {
    private PolicySpec() {}

    /** Parses without a layer bound and with the paper's 64-layer defaults for a bare {@code dtp}. */
    public static PruningPolicy parse(String spec) {
        return parse(spec, PruningDefaults.paperDefaults(64), Integer.MAX_VALUE);
    }

    /**
     * @param defaults the model's DTP layers and ratio, for a bare {@code dtp}
     * @param layerCount the model's depth; layers must lie in [0, layerCount)
     */
    public static PruningPolicy parse(String spec, PruningDefaults defaults, int layerCount) {
        if (spec == null || spec.isBlank()) {
            throw new PolicyException("empty policy spec (try 'none' or 'dtp')");
        }
        String trimmed = spec.trim();
        if (trimmed.contains("+")) {
            List<PruningPolicy> stages = new ArrayList<>();
            for (String part : trimmed.split("\\+", -1)) {
                if (part.isBlank()) {
                    throw new PolicyException("policy spec '" + spec + "': empty stage around '+'");
                }
                stages.add(parseOne(spec, part.trim(), defaults, layerCount));
            }
            return new Staged(stages);
        }
        return parseOne(spec, trimmed, defaults, layerCount);
    }

    private static PruningPolicy parseOne(String spec, String stage, PruningDefaults defaults, int layerCount) {
        int colon = stage.indexOf(':');
        String kind = colon < 0 ? stage : stage.substring(0, colon);
        Args a = new Args(spec, kind, colon < 0 ? "" : stage.substring(colon + 1), layerCount);
        PruningPolicy policy = switch (kind) {
            case "none" -> {
                a.allow();
                yield PruningPolicy.none();
            }
            case "dtp" -> {
                a.allow("early", "r", "late", "signal");
                int early = a.has("early") ? a.layer("early") : defaults.early();
                int late = a.has("late") ? a.layer("late") : defaults.late();
                double r = a.has("r") ? a.ratio("r") : defaults.keepRatio();
                yield new Dtp(a.checkLayer("early", early), r, a.checkLayer("late", late), a.signal());
            }
            case "fastv" -> {
                a.allow("k", "r", "signal");
                yield new FastV(a.layer("k"), a.ratio("r"), a.signal());
            }
            case "dart" -> {
                a.allow("k", "r", "pivots");
                long pivots = a.has("pivots") ? a.integer("pivots") : Dart.DEFAULT_PIVOTS;
                if (pivots < 1 || pivots > Integer.MAX_VALUE) {
                    throw a.error("pivots=" + pivots + " must be a positive integer");
                }
                yield new Dart(a.layer("k"), a.ratio("r"), (int) pivots);
            }
            case "vtw" -> {
                a.allow("k");
                yield new WithdrawVisual(a.layer("k"));
            }
            case "random" -> {
                a.allow("layer", "r", "seed");
                yield new RandomVisual(a.layer("layer"), a.ratio("r"), a.has("seed") ? a.integer("seed") : 0);
            }
            case "topk-all" -> {
                a.allow("layer", "r", "signal");
                yield new TopKAllTokens(a.layer("layer"), a.ratio("r"), a.signal());
            }
            default -> throw new PolicyException("policy spec '" + spec + "': unknown policy '" + kind
                    + "' (known: none, dtp, fastv, vtw, dart, random, topk-all)");
        };
        return policy;
    }

    /** The key=value list of one stage. */
    private static final class Args {
        private final String spec;
        private final String kind;
        private final int layerCount;
        private final Map<String, String> values = new LinkedHashMap<>();

        Args(String spec, String kind, String list, int layerCount) {
            this.spec = spec;
            this.kind = kind;
            this.layerCount = layerCount;
            if (list.isEmpty()) {
                return;
            }
            for (String pair : list.split(",", -1)) {
                int eq = pair.indexOf('=');
                if (eq <= 0 || eq == pair.length() - 1) {
                    throw error("'" + pair + "' is not key=value");
                }
                String key = pair.substring(0, eq).trim();
                if (values.put(key, pair.substring(eq + 1).trim()) != null) {
                    throw error("key '" + key + "' given twice");
                }
            }
        }

        PolicyException error(String what) {
            return new PolicyException("policy spec '" + spec + "': " + kind + ": " + what);
        }

        void allow(String... keys) {
            Set<String> allowed = Set.of(keys);
            for (String key : values.keySet()) {
                if (!allowed.contains(key)) {
                    throw error("unknown key '" + key + "'" + (keys.length == 0 ? " (takes no arguments)"
                            : " (expected " + String.join(", ", keys) + ")"));
                }
            }
        }

        boolean has(String key) {
            return values.containsKey(key);
        }

        String required(String key) {
            String v = values.get(key);
            if (v == null) {
                throw error("missing key '" + key + "'");
            }
            return v;
        }

        long integer(String key) {
            String v = required(key);
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw error(key + "=" + v + " is not an integer");
            }
        }

        int layer(String key) {
            long v = integer(key);
            if (v > Integer.MAX_VALUE) {
                throw error(key + "=" + v + " is outside [0, " + layerCount + ")");
            }
            return checkLayer(key, (int) v);
        }

        int checkLayer(String key, int v) {
            if (v < 0 || v >= layerCount) {
                throw error(key + "=" + v + " is outside the model's layers [0, "
                        + (layerCount == Integer.MAX_VALUE ? "∞" : String.valueOf(layerCount)) + ")");
            }
            return v;
        }

        double ratio(String key) {
            String v = required(key);
            double r;
            try {
                r = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw error(key + "=" + v + " is not a number");
            }
            if (!(r > 0 && r <= 1)) {
                throw error(key + "=" + v + " is outside (0, 1]");
            }
            return r;
        }

        ImportanceSignal signal() {
            if (!has("signal")) {
                return ImportanceSignals.DELTA;
            }
            String name = values.get("signal");
            try {
                return ImportanceSignals.byName(name);
            } catch (RuntimeException e) {
                throw error("unknown signal '" + name + "' (known: delta, y, b, c)");
            }
        }
    }
}

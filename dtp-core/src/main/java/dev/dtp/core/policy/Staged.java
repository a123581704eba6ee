package dev.dtp.core.policy;

import dev.dtp.core.LayerContext;
import dev.dtp.core.PolicyException;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.Selection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A multi-stage policy composed of single-stage ones: at each layer the stages are asked in order
 * and the first one that prunes decides. Spec: the stages' specs joined by {@code +}.
 */
public final class Staged implements PruningPolicy {
    private final List<PruningPolicy> stages;

    public Staged(List<PruningPolicy> stages) {
        if (stages.isEmpty()) {
            throw new PolicyException("a staged policy needs at least one stage");
        }
        this.stages = List.copyOf(stages);
    }

    public static PruningPolicy of(PruningPolicy... stages) {
        return stages.length == 1 ? stages[0] : new Staged(List.of(stages));
    }

    @Override
    public Selection select(LayerContext ctx) {
        for (PruningPolicy stage : stages) {
            Selection s = stage.select(ctx);
            if (s == null) {
                throw new PolicyException("policy '" + stage.name() + "' returned null at layer " + ctx.layer());
            }
            if (!s.keepsAll()) {
                return s;
            }
        }
        return Selection.keepAll();
    }

    public List<PruningPolicy> stages() {
        return stages;
    }

    /** Prefix-safe when every stage is. */
    @Override
    public boolean prefixSafe() {
        return stages.stream().allMatch(PruningPolicy::prefixSafe);
    }

    @Override
    public String name() {
        return stages.stream().map(PruningPolicy::name).collect(Collectors.joining("+"));
    }
}

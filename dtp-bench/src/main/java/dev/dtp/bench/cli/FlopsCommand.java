package dev.dtp.bench.cli;

import com.google.gson.GsonBuilder;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.TokenLayout;
import dev.dtp.core.card.ModelCard;
import dev.dtp.core.flops.Flops;
import dev.dtp.core.policy.PolicySpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code dtp flops}: the analytic prefill MACs of a model card under a policy (docs/FLOPS.md). */
@Command(name = "flops", mixinStandardHelpOptions = true,
        description = "Count the prefill multiply-accumulates of a model card under a pruning policy.")
public final class FlopsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--card", required = true, paramLabel = "FILE.json", description = "Model card, e.g. models/cobra-3b.json.")
    Path card;

    @Option(names = "--visual", paramLabel = "N", description = "Visual tokens (default: the card's patch count).")
    Integer visual;

    @Option(names = "--text", paramLabel = "N", description = "Text tokens after them (default: the card's text_tokens).")
    Integer text;

    @Option(names = "--policy", defaultValue = "dtp", paramLabel = "SPEC", description = "Pruning policy (default ${DEFAULT-VALUE}).")
    String policySpec;

    @Option(names = "--json", description = "Print JSON: macs, baseline_macs, ratio, per_layer.")
    boolean json;

    @Override
    public Integer call() {
        ModelCard c = ModelCard.read(card);
        int v = visual != null ? visual : c.visualTokens();
        int t = text != null ? text : c.textTokens();
        if (v < 0 || t < 0 || v + t == 0) {
            throw new ParameterException(spec.commandLine(), "--visual and --text must be >= 0 and not both 0");
        }
        PruningPolicy policy = PolicySpec.parse(policySpec, c.dtp(), c.shape().layers());
        Flops.Result r = Flops.simulate(c.shape(), TokenLayout.textWithImage(v + t, 0, v), policy);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("card", c.name());
            o.put("policy", policy.name());
            o.put("visual", v);
            o.put("text", t);
            o.put("macs", r.macs());
            o.put("baseline_macs", r.baselineMacs());
            o.put("ratio", r.ratio());
            o.put("tmacs", r.teraMacs());
            o.put("per_layer", r.perLayer());
            out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(o));
        } else {
            out.printf(Locale.ROOT, "%s, %d visual + %d text tokens, policy %s%n", c.name(), v, t, policy.name());
            out.printf(Locale.ROOT, "prefill MACs: %.3f × 10^12 (no pruning: %.3f × 10^12)%n", r.teraMacs(), r.baselineMacs() / 1e12);
            out.printf(Locale.ROOT, "FLOPs ratio: %.1f%%%n", 100 * r.ratio());
        }
        out.flush();
        return 0;
    }
}

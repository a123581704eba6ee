package dev.dtp.bench.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.stream.JsonWriter;
import dev.dtp.core.InputException;
import dev.dtp.core.ModelInput;
import dev.dtp.core.Prefill;
import dev.dtp.core.PrefillOptions;
import dev.dtp.core.PruningPolicy;
import dev.dtp.core.PruningTrace;
import dev.dtp.core.generate.Sampler;
import dev.dtp.core.policy.PolicySpec;
import dev.dtp.mamba.checkpoint.SafetensorsFile;
import dev.dtp.mamba.model.MambaModel;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code dtp logits}: one prefill (optionally pruned) and optional greedy decoding, written as JSON
 * for checking the model against other implementations.
 */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Run one prefill and write final logits, per-layer Δ importance and kept positions as JSON.")
public final class LogitsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory (config.json + safetensors).")
    Path model;

    @Option(names = "--ids", required = true, split = ",", paramLabel = "ID,ID,...", description = "Input token ids.")
    int[] ids;

    @Option(names = "--embeds", paramLabel = "FILE", description = "Safetensors file with one tensor 'embeds' (V, d_model): "
            + "visual tokens inserted before ids[POS].")
    Path embeds;

    @Option(names = "--visual-at", defaultValue = "0", paramLabel = "POS",
            description = "Where the embeddings go: before ids[POS] (0 = first, as Cobra; default ${DEFAULT-VALUE}).")
    int visualAt;

    @Option(names = "--greedy", defaultValue = "0", paramLabel = "N", description = "Greedily decode N tokens after the input.")
    int greedy;

    @Option(names = "--policy", defaultValue = "none", paramLabel = "SPEC",
            description = "Pruning policy spec, e.g. dtp:early=15,r=0.5,late=45 (default ${DEFAULT-VALUE}).")
    String policySpec;

    @picocli.CommandLine.Mixin
    CommonOptions common;

    @Option(names = "--out", required = true, paramLabel = "FILE.json", description = "Where to write the JSON.")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (greedy < 0) {
            throw new ParameterException(spec.commandLine(), "--greedy must be >= 0, got " + greedy);
        }
        if (ids.length == 0 && embeds == null) {
            throw new ParameterException(spec.commandLine(), "--ids is empty and no --embeds given: nothing to run");
        }
        if (embeds == null && visualAt != 0) {
            throw new ParameterException(spec.commandLine(), "--visual-at needs --embeds");
        }
        if (visualAt < 0 || visualAt > ids.length) {
            throw new ParameterException(spec.commandLine(),
                    "--visual-at " + visualAt + " is outside [0, " + ids.length + "] (the number of ids)");
        }
        try (MambaModel m = common.builder().load(model); NDManager manager = NDManager.newBaseManager()) {
            PruningPolicy policy = PolicySpec.parse(policySpec, m.pruningDefaults(), m.layerCount());
            ModelInput input = input(manager);
            try (Prefill prefill = m.prefill(input, policy, PrefillOptions.DEFAULT.withRecordImportance(true))) {
                float[] logits = prefill.logits();
                int[] generated = new int[greedy];
                float[] last = logits;
                for (int i = 0; i < greedy; i++) {
                    generated[i] = Sampler.argmax(last);
                    last = prefill.decode(generated[i]);
                }
                write(logits, prefill.trace(), generated, last);
            }
        }
        return 0;
    }

    private ModelInput input(NDManager manager) {
        ModelInput.Builder b = ModelInput.builder();
        if (embeds == null) {
            return b.text(ids).build();
        }
        NDArray visual;
        try (SafetensorsFile file = SafetensorsFile.open(embeds)) {
            if (!file.contains("embeds")) {
                throw new InputException(embeds + ": no tensor named 'embeds' (found " + file.tensors().keySet() + ")");
            }
            long[] shape = file.info("embeds").shape();
            if (shape.length != 2 || shape[0] == 0) {
                throw new InputException(embeds + ": tensor 'embeds' must have shape (V, d_model) with V > 0, got "
                        + Arrays.toString(shape));
            }
            visual = file.load("embeds", manager);
        }
        if (visualAt > 0) {
            b.text(Arrays.copyOfRange(ids, 0, visualAt));
        }
        b.visual(visual);
        if (visualAt < ids.length) {
            b.text(Arrays.copyOfRange(ids, visualAt, ids.length));
        }
        return b.build();
    }

    private void write(float[] logits, PruningTrace trace, int[] generated, float[] after) throws IOException {
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8); JsonWriter json = new JsonWriter(w)) {
            json.beginObject();
            json.name("vocab_size").value(logits.length);
            json.name("policy").value(policySpec);
            json.name("logits");
            floats(json, logits);
            List<PruningTrace.LayerTrace> layers = trace.layers();
            json.name("importance").beginArray();
            for (PruningTrace.LayerTrace layer : layers) {
                floats(json, layer.deltaImportance());
            }
            json.endArray();
            json.name("kept").beginArray();
            for (PruningTrace.LayerTrace layer : layers) {
                json.beginArray();
                for (int p : layer.keptPositions()) {
                    json.value(p);
                }
                json.endArray();
            }
            json.endArray();
            if (generated.length > 0) {
                json.name("greedy").beginArray();
                for (int id : generated) {
                    json.value(id);
                }
                json.endArray();
                json.name("logits_after_greedy");
                floats(json, after);
            }
            json.endObject();
        }
    }

    private static void floats(JsonWriter json, float[] values) throws IOException {
        json.beginArray();
        for (float v : values) {
            if (Float.isFinite(v)) {
                json.value(v);
            } else {
                json.value(Float.toString(v));
            }
        }
        json.endArray();
    }
}

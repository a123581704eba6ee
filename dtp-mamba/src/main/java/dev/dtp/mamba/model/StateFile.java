package dev.dtp.mamba.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dtp.core.InputException;
import dev.dtp.core.PruningTrace;
import dev.dtp.core.TokenKind;
import dev.dtp.core.TokenLayout;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.checkpoint.CheckpointException;
import dev.dtp.mamba.checkpoint.DType;
import dev.dtp.mamba.checkpoint.SafetensorsFile;
import dev.dtp.mamba.checkpoint.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MambaState} as a safetensors file. Tensors {@code layers.N.conv_state} (d_conv−1,
 * d_inner), {@code layers.N.ssm_state} (d_inner, d_state) and, when some token reached the last
 * layer, {@code logits} (vocab); the header's metadata records the format, the model's
 * fingerprint, the policy, the layout of the positions consumed and each layer's trace (positions
 * as ranges, e.g. {@code 0-728,740}). Δ importance is not stored.
 */
final class StateFile {
    private static final Logger LOG = LoggerFactory.getLogger(StateFile.class);
    static final String FORMAT = "dtp-sequence-state";
    static final String VERSION = "1";

    private StateFile() {}

    static void write(Path file, MambaState state) {
        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
        List<LayerCache> caches = state.caches();
        for (int l = 0; l < caches.size(); l++) {
            tensors.add(SafetensorsWriter.Tensor.of("layers." + l + ".conv_state", DType.F32, caches.get(l).convState()));
            tensors.add(SafetensorsWriter.Tensor.of("layers." + l + ".ssm_state", DType.F32, caches.get(l).ssmState()));
        }
        float[] logits = state.logitsOrNull();
        if (logits != null) {
            tensors.add(SafetensorsWriter.Tensor.of("logits", DType.F32, logits, logits.length));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("version", VERSION);
        meta.put("model_fingerprint", state.modelFingerprint());
        meta.put("policy", state.policy());
        meta.put("length", String.valueOf(state.length()));
        meta.put("layers", String.valueOf(caches.size()));
        meta.put("kinds", kinds(state.layout()));
        meta.put("spans", spans(state.layout()));
        for (PruningTrace.LayerTrace t : state.trace().layers()) {
            meta.put("trace." + t.layer() + ".input", ranges(t.inputPositions()));
            meta.put("trace." + t.layer() + ".kept", ranges(t.keptPositions()));
        }
        SafetensorsWriter.write(file, tensors, meta);
        LOG.debug("saved a state of {} positions ({} bytes, policy {}) to {}", state.length(), state.bytes(),
                state.policy(), file);
    }

    /** Reads a state for {@code model}; every mismatch is an error naming the file and what differs. */
    static MambaState read(Path file, MambaModel model) {
        if (!Files.isRegularFile(file)) {
            throw new InputException(file + ": state file not found");
        }
        MambaConfig config = model.config();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, String> meta = f.metadata();
            if (!FORMAT.equals(meta.get("format"))) {
                throw new InputException(file + ": not a sequence state (metadata format is '" + meta.get("format")
                        + "', expected '" + FORMAT + "')");
            }
            String fingerprint = require(meta, "model_fingerprint", file);
            if (!fingerprint.equals(model.fingerprint())) {
                throw new InputException(file + ": the state was written by model " + fingerprint
                        + ", not by this model (" + model.fingerprint() + ")");
            }
            int layers = integer(meta, "layers", file);
            if (layers != config.layers()) {
                throw new InputException(file + ": the state has " + layers + " layers, the model " + config.layers());
            }
            TokenLayout layout = layout(require(meta, "kinds", file), require(meta, "spans", file), file);
            int length = integer(meta, "length", file);
            if (length != layout.length()) {
                throw new InputException(file + ": length " + length + " disagrees with its layout (" + layout.length() + ")");
            }
            List<PruningTrace.LayerTrace> trace = new ArrayList<>(layers);
            for (int l = 0; l < layers; l++) {
                trace.add(new PruningTrace.LayerTrace(l, positions(require(meta, "trace." + l + ".input", file), file),
                        positions(require(meta, "trace." + l + ".kept", file), file), null));
            }
            NDManager manager = model.newStateManager();
            try {
                List<LayerCache> caches = new ArrayList<>(layers);
                for (int l = 0; l < layers; l++) {
                    NDArray conv = tensor(f, "layers." + l + ".conv_state", manager,
                            new long[] {config.dConv() - 1, config.dInner()});
                    NDArray ssm = tensor(f, "layers." + l + ".ssm_state", manager,
                            new long[] {config.dInner(), config.dState()});
                    caches.add(new LayerCache(conv, ssm));
                }
                float[] logits = null;
                if (f.contains("logits")) {
                    check(f, "logits", new long[] {config.vocabSize()});
                    logits = f.readFloats("logits");
                }
                return new MambaState(manager, caches, new PruningTrace(layout, trace), require(meta, "policy", file),
                        fingerprint, logits);
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
        } catch (CheckpointException e) {
            throw new InputException(file + ": cannot read the state: " + e.getMessage());
        }
    }

    private static NDArray tensor(SafetensorsFile f, String name, NDManager manager, long[] shape) {
        check(f, name, shape);
        NDArray a = f.load(name, manager);
        try (NDArray bad = a.isNaN().logicalOr(a.isInfinite()).any()) {
            if (bad.getBoolean()) {
                throw new InputException(f.path() + ": tensor '" + name + "' contains NaN or Inf");
            }
        }
        return a;
    }

    private static void check(SafetensorsFile f, String name, long[] shape) {
        if (!f.contains(name)) {
            throw new InputException(f.path() + ": tensor '" + name + "' is missing");
        }
        long[] actual = f.info(name).shape();
        if (!Arrays.equals(actual, shape)) {
            throw new InputException(f.path() + ": tensor '" + name + "' has shape " + Arrays.toString(actual)
                    + ", this model's is " + Arrays.toString(shape));
        }
    }

    private static String require(Map<String, String> meta, String key, Path file) {
        String v = meta.get(key);
        if (v == null) {
            throw new InputException(file + ": metadata '" + key + "' is missing");
        }
        return v;
    }

    private static int integer(Map<String, String> meta, String key, Path file) {
        String v = require(meta, key, file);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new InputException(file + ": metadata '" + key + "' is not an integer: '" + v + "'");
        }
    }

    /** Run-length kinds: T = text, S = special, V = visual, e.g. {@code V729T31}. */
    static String kinds(TokenLayout layout) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < layout.length()) {
            TokenKind k = layout.kind(i);
            int j = i;
            while (j < layout.length() && layout.kind(j) == k) {
                j++;
            }
            sb.append(k.name().charAt(0)).append(j - i);
            i = j;
        }
        return sb.toString();
    }

    static String spans(TokenLayout layout) {
        StringBuilder sb = new StringBuilder();
        for (TokenLayout.Span s : layout.visualSpans()) {
            sb.append(sb.length() == 0 ? "" : ",").append(s.start()).append('+').append(s.length());
        }
        return sb.toString();
    }

    private static TokenLayout layout(String kinds, String spans, Path file) {
        try {
            List<TokenKind> all = new ArrayList<>();
            int i = 0;
            while (i < kinds.length()) {
                char c = kinds.charAt(i++);
                int j = i;
                while (j < kinds.length() && Character.isDigit(kinds.charAt(j))) {
                    j++;
                }
                int n = Integer.parseInt(kinds.substring(i, j));
                TokenKind kind = switch (c) {
                    case 'T' -> TokenKind.TEXT;
                    case 'S' -> TokenKind.SPECIAL;
                    case 'V' -> TokenKind.VISUAL;
                    default -> throw new IllegalArgumentException("unknown kind '" + c + "'");
                };
                for (int k = 0; k < n; k++) {
                    all.add(kind);
                }
                i = j;
            }
            List<TokenLayout.Span> list = new ArrayList<>();
            for (String s : spans.isEmpty() ? new String[0] : spans.split(",")) {
                String[] p = s.split("\\+");
                list.add(new TokenLayout.Span(Integer.parseInt(p[0]), Integer.parseInt(p[1])));
            }
            return TokenLayout.of(all.toArray(TokenKind[]::new), list);
        } catch (RuntimeException e) {
            throw new InputException(file + ": bad layout in the metadata ('" + kinds + "', spans '" + spans + "'): "
                    + e.getMessage());
        }
    }

    /** Increasing positions as ranges: {@code 0-728,740}. */
    static String ranges(int[] positions) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < positions.length) {
            int j = i;
            while (j + 1 < positions.length && positions[j + 1] == positions[j] + 1) {
                j++;
            }
            sb.append(sb.length() == 0 ? "" : ",").append(positions[i]);
            if (j > i) {
                sb.append('-').append(positions[j]);
            }
            i = j + 1;
        }
        return sb.toString();
    }

    static int[] positions(String ranges, Path file) {
        if (ranges.isEmpty()) {
            return new int[0];
        }
        try {
            List<Integer> out = new ArrayList<>();
            for (String r : ranges.split(",")) {
                int dash = r.indexOf('-');
                int from = Integer.parseInt(dash < 0 ? r : r.substring(0, dash));
                int to = dash < 0 ? from : Integer.parseInt(r.substring(dash + 1));
                for (int p = from; p <= to; p++) {
                    out.add(p);
                }
            }
            return out.stream().mapToInt(Integer::intValue).toArray();
        } catch (NumberFormatException e) {
            throw new InputException(file + ": bad positions in the metadata: '" + ranges + "'");
        }
    }
}

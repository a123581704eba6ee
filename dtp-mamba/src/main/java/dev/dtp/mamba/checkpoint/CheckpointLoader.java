package dev.dtp.mamba.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.decode.Q8Rows;
import dev.dtp.mamba.model.LayerWeights;
import dev.dtp.mamba.model.MambaWeights;
import dev.dtp.mamba.model.Q8Weights;
import dev.dtp.mamba.model.WeightFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a Mamba checkpoint directory (config.json plus model.safetensors or a sharded
 * model.safetensors.index.json) in either {@link Layout} into a {@link MambaWeights}. Every tensor's
 * shape is checked against config.json. Loading is all-or-nothing: on any error everything
 * allocated so far is released. With {@link WeightFormat#INT8} the large matrices go from the file
 * mapping straight into int8 blocks, a row at a time, without a float32 copy; matrices stored as int8
 * ({@link Q8Tensors}, written by {@code dtp convert --weights int8}) are copied as they are. With
 * {@link WeightFormat#F32} stored int8 matrices are dequantised, with a warning.
 */
public final class CheckpointLoader {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointLoader.class);
    private CheckpointLoader() {}

    public static MambaWeights load(Path dir, NDManager manager, DataType dtype) {
        return load(dir, manager, dtype, WeightFormat.F32);
    }

    public static MambaWeights load(Path dir, NDManager manager, DataType dtype, WeightFormat format) {
        if (dtype != DataType.FLOAT32) {
            throw new ConfigException("compute dtype " + dtype + " is not supported; weights stored as F16 or BF16 are "
                    + "converted to FLOAT32 on load (F16 matmul on CPU is ~200× slower, BF16 arrays crash DJL's native code)");
        }
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(dir + ": model directory not found");
        }
        long start = System.nanoTime();
        MambaConfigs.ConfigFile configFile = MambaConfigs.read(dir.resolve("config.json"));
        try (TensorSource source = TensorSource.open(dir)) {
            MambaWeights w = load(configFile.config(), source, manager, format);
            MambaConfig c = w.config();
            LOG.debug("loaded {} ({}): {} layers, d_model {}, d_state {}, vocab {}, {} weights on {} in {} ms", dir,
                    source.describe(), c.layers(), c.dModel(), c.dState(), c.vocabSize(), format, manager.getDevice(),
                    (System.nanoTime() - start) / 1_000_000);
            return w;
        }
    }

    static MambaWeights load(MambaConfig config, TensorSource source, NDManager manager) {
        return load(config, source, manager, WeightFormat.F32);
    }

    static MambaWeights load(MambaConfig config, TensorSource source, NDManager manager, WeightFormat format) {
        boolean int8 = format == WeightFormat.INT8;
        String prefix = source.prefixFor(config);
        NDManager owner = manager.newSubManager();
        try {
            Reader r = new Reader(source, prefix, owner);
            int d = config.dModel();
            int di = config.dInner();
            int n = config.dState();
            String embeddingName = source.has(prefix + Layout.HUGGING_FACE.embeddingName())
                    ? Layout.HUGGING_FACE.embeddingName() : Layout.MAMBA_SSM.embeddingName();
            long vocabRows = r.embeddingRows(embeddingName, config);
            NDArray embedding = int8 ? null : r.matrix(embeddingName, -1, vocabRows, d);
            Q8Rows embeddingQ8 = int8 ? r.quantized(embeddingName, -1, vocabRows, d) : null;
            MambaConfig actual = config.withPaddedVocab(Math.toIntExact(vocabRows));
            List<LayerWeights> layers = new ArrayList<>();
            List<Q8Weights.Layer> q8Layers = new ArrayList<>();
            for (int i = 0; i < config.layers(); i++) {
                String p = "backbone.layers." + i + ".";
                String m = p + "mixer.";
                NDArray conv = r.tensor(m + "conv1d.weight", i, di, 1, config.dConv());
                NDArray convWeight = conv.reshape(di, config.dConv());
                convWeight.setName(conv.getName());
                conv.close();
                if (int8) {
                    q8Layers.add(new Q8Weights.Layer(r.quantized(m + "in_proj.weight", i, 2L * di, d),
                            r.quantized(m + "x_proj.weight", i, config.dtRank() + 2L * n, di),
                            r.quantized(m + "out_proj.weight", i, d, di)));
                }
                layers.add(new LayerWeights(
                        r.tensor(p + "norm.weight", i, d),
                        int8 ? null : r.matrix(m + "in_proj.weight", i, 2L * di, d),
                        config.projBias() ? r.tensor(m + "in_proj.bias", i, 2L * di) : r.absent(m + "in_proj.bias", i),
                        convWeight,
                        config.convBias() ? r.tensor(m + "conv1d.bias", i, di) : r.absent(m + "conv1d.bias", i),
                        int8 ? null : r.matrix(m + "x_proj.weight", i, config.dtRank() + 2L * n, di),
                        r.tensor(m + "dt_proj.weight", i, di, config.dtRank()),
                        r.tensor(m + "dt_proj.bias", i, di),
                        r.tensor(m + "A_log", i, di, n),
                        r.tensor(m + "D", i, di),
                        int8 ? null : r.matrix(m + "out_proj.weight", i, d, di),
                        config.projBias() ? r.tensor(m + "out_proj.bias", i, d) : r.absent(m + "out_proj.bias", i)));
            }
            NDArray normF = r.tensor("backbone.norm_f.weight", -1, d);
            NDArray lmHead = null;
            Q8Rows lmHeadQ8 = null;
            if (source.has(prefix + "lm_head.weight")) {
                if (int8) {
                    lmHeadQ8 = r.quantized("lm_head.weight", -1, actual.paddedVocabSize(), d);
                } else {
                    lmHead = r.matrix("lm_head.weight", -1, actual.paddedVocabSize(), d);
                }
            } else if (config.tieEmbeddings()) {
                lmHead = embedding;
                lmHeadQ8 = embeddingQ8;
            } else {
                throw new CheckpointException(source.describe() + ": tensor '" + prefix
                        + "lm_head.weight' missing and config.json says the embeddings are not tied");
            }
            r.checkAllUsed();
            r.reportConversions();
            Q8Weights q8 = int8 ? new Q8Weights(embeddingQ8, lmHeadQ8, q8Layers) : null;
            return new MambaWeights(actual, owner, embedding, layers, normF, lmHead, q8);
        } catch (RuntimeException | Error e) {
            owner.close();
            throw e;
        }
    }

    /** Reads named tensors with shape checks, tracking which were used. */
    private static final class Reader {
        private final TensorSource source;
        private final String prefix;
        private final NDManager owner;
        private final Set<String> used = new HashSet<>();
        private final Map<DType, Integer> dtypes = new EnumMap<>(DType.class);
        private int dequantised;

        Reader(TensorSource source, String prefix, NDManager owner) {
            this.source = source;
            this.prefix = prefix;
            this.owner = owner;
        }

        NDArray tensor(String name, int layer, long... expected) {
            String full = prefix + name;
            return checked(full, layer, expected).load(full, owner);
        }

        /**
         * A large (rows, cols) matrix in Q8_0: a stored int8 one (I8 quants plus scales, {@link Q8Tensors})
         * copied from the file mapping, or a float one quantised a row at a time from the mapping
         * (converted from F16/BF16 on the way); no float32 copy of the whole tensor is made.
         */
        Q8Rows quantized(String name, int layer, long rows, long cols) {
            String full = prefix + name;
            SafetensorsFile file = checked(full, layer, rows, cols);
            return file.info(full).dtype() == DType.I8 ? stored(full) : Q8Tensors.quantize(file, full);
        }

        /**
         * A large (rows, cols) matrix as float32: a float tensor as it is, a stored int8 one dequantised
         * (s · q, reported once by {@link #reportConversions}).
         */
        NDArray matrix(String name, int layer, long rows, long cols) {
            String full = prefix + name;
            SafetensorsFile file = checked(full, layer, rows, cols);
            if (file.info(full).dtype() != DType.I8) {
                return file.load(full, owner);
            }
            dequantised++;
            return Q8Tensors.dequantize(stored(full), full, owner);
        }

        /** The stored Q8_0 matrix {@code full} with its scales, which count as used. */
        private Q8Rows stored(String full) {
            String scales = Q8Tensors.scaleName(full);
            SafetensorsFile scaleFile = source.fileOf(scales);
            if (scaleFile == null) {
                throw new CheckpointException(source.describe() + ": tensor '" + full + "' is int8 (I8) but its scales '"
                        + scales + "' are missing");
            }
            used.add(scales);
            return Q8Tensors.read(source.fileOf(full), full, scaleFile);
        }

        private SafetensorsFile checked(String full, int layer, long... expected) {
            SafetensorsFile file = source.fileOf(full);
            if (file == null) {
                throw new CheckpointException(source.describe() + ": tensor '" + full + "' is missing"
                        + (layer >= 0 ? " (layer " + layer + ")" : ""));
            }
            long[] shape = file.info(full).shape();
            if (!Arrays.equals(shape, expected)) {
                throw new CheckpointException(file.path() + ": tensor '" + full + "' has shape " + Arrays.toString(shape)
                        + " but config.json implies " + Arrays.toString(expected));
            }
            used.add(full);
            dtypes.merge(file.info(full).dtype(), 1, Integer::sum);
            return file;
        }

        /**
         * Warns once when half-precision tensors were widened (the model computes in float32) and when
         * int8 matrices were dequantised for a float32 model.
         */
        void reportConversions() {
            if (dequantised > 0) {
                LOG.warn("{}: {} int8 (Q8_0) matrices dequantised to float32 on load: this pre-quantised model "
                        + "(dtp convert --weights int8) then takes 3.6x the memory of its int8 form and computes with "
                        + "the int8 values; load it with int8 weights (--weights int8)", source.describe(), dequantised);
            }
            dtypes.forEach((dtype, count) -> {
                if (dtype == DType.F16 || dtype == DType.BF16) {
                    LOG.warn("{}: {} {} tensors converted to float32 on load (half-precision matmul on CPU is ~200x "
                            + "slower, and BF16 arrays crash DJL's native code)", source.describe(), count, dtype);
                }
            });
            LOG.debug("{}: tensor dtypes {}", source.describe(), dtypes);
        }

        /** The embedding's row count (the padded or the plain vocabulary), after checking its shape. */
        long embeddingRows(String name, MambaConfig config) {
            String full = prefix + name;
            SafetensorsFile file = source.fileOf(full);
            if (file == null) {
                throw new CheckpointException(source.describe() + ": tensor '" + full + "' is missing");
            }
            long[] shape = file.info(full).shape();
            boolean rowsOk = shape.length == 2 && (shape[0] == config.paddedVocabSize() || shape[0] == config.vocabSize());
            if (!rowsOk || shape[1] != config.dModel()) {
                throw new CheckpointException(file.path() + ": tensor '" + full + "' has shape " + Arrays.toString(shape)
                        + " but config.json implies [" + config.paddedVocabSize() + ", " + config.dModel() + "]");
            }
            return shape[0];
        }

        /** A bias the config says is absent: must not be in the file (that would mean a config mismatch). */
        NDArray absent(String name, int layer) {
            if (source.has(prefix + name)) {
                throw new CheckpointException(source.describe() + ": tensor '" + prefix + name
                        + "' is present but config.json says this bias is not used (layer " + layer + ")");
            }
            return null;
        }

        void checkAllUsed() {
            List<String> extra = source.names().stream()
                    .filter(n -> n.startsWith(prefix))
                    .filter(n -> !used.contains(n) && !n.equals(prefix + "lm_head.weight"))
                    .filter(n -> n.startsWith(prefix + "backbone."))
                    .sorted()
                    .toList();
            if (!extra.isEmpty()) {
                throw new CheckpointException(source.describe() + ": tensors not described by config.json: "
                        + String.join(", ", extra.subList(0, Math.min(5, extra.size())))
                        + (extra.size() > 5 ? " … (" + extra.size() + " in all)" : "")
                        + " — does n_layer/num_hidden_layers match the checkpoint?");
            }
        }
    }

    /** The safetensors file(s) of a model directory, single or sharded. */
    static final class TensorSource implements AutoCloseable {
        private final Path dir;
        private final Map<String, SafetensorsFile> byTensor;
        private final List<SafetensorsFile> files;

        private TensorSource(Path dir, Map<String, SafetensorsFile> byTensor, List<SafetensorsFile> files) {
            this.dir = dir;
            this.byTensor = byTensor;
            this.files = files;
        }

        static TensorSource open(Path dir) {
            Path single = dir.resolve("model.safetensors");
            Path index = dir.resolve("model.safetensors.index.json");
            List<SafetensorsFile> files = new ArrayList<>();
            Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
            try {
                if (Files.exists(single)) {
                    SafetensorsFile f = SafetensorsFile.open(single);
                    files.add(f);
                    f.tensors().keySet().forEach(n -> byTensor.put(n, f));
                } else if (Files.exists(index)) {
                    Map<String, String> weightMap = readIndex(index);
                    Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
                    for (Map.Entry<String, String> e : weightMap.entrySet()) {
                        String shardName = e.getValue();
                        Path shardPath = dir.resolve(shardName).normalize();
                        if (!shardPath.startsWith(dir.normalize())) {
                            throw new CheckpointException(index + ": shard '" + shardName + "' is outside the model directory");
                        }
                        if (!Files.exists(shardPath)) {
                            throw new CheckpointException(index + ": names shard '" + shardName + "' (for tensor '"
                                    + e.getKey() + "'), which does not exist");
                        }
                        SafetensorsFile shard = shards.get(shardName);
                        if (shard == null) {
                            shard = SafetensorsFile.open(shardPath);
                            shards.put(shardName, shard);
                            files.add(shard);
                        }
                        if (!shard.contains(e.getKey())) {
                            throw new CheckpointException(shardPath + ": the index says it holds tensor '" + e.getKey()
                                    + "', but it does not");
                        }
                        byTensor.put(e.getKey(), shard);
                    }
                } else {
                    String present;
                    try (Stream<Path> s = Files.list(dir)) {
                        present = s.map(p -> p.getFileName().toString()).sorted().toList().toString();
                    } catch (IOException e) {
                        present = "(unreadable)";
                    }
                    throw new CheckpointException(dir + ": neither model.safetensors nor model.safetensors.index.json "
                            + "found; directory holds " + present);
                }
            } catch (RuntimeException e) {
                files.forEach(SafetensorsFile::close);
                throw e;
            }
            return new TensorSource(dir, byTensor, files);
        }

        private static Map<String, String> readIndex(Path index) {
            JsonElement root;
            try {
                root = JsonParser.parseString(Files.readString(index, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new CheckpointException(index + ": cannot read: " + e.getMessage(), e);
            } catch (JsonParseException e) {
                throw new CheckpointException(index + ": not valid JSON: " + e.getMessage());
            }
            if (!root.isJsonObject() || !root.getAsJsonObject().has("weight_map")
                    || !root.getAsJsonObject().get("weight_map").isJsonObject()) {
                throw new CheckpointException(index + ": needs an object 'weight_map' {tensor name: shard file}");
            }
            Map<String, String> map = new LinkedHashMap<>();
            JsonObject weightMap = root.getAsJsonObject().getAsJsonObject("weight_map");
            for (Map.Entry<String, JsonElement> e : weightMap.entrySet()) {
                if (!e.getValue().isJsonPrimitive() || !e.getValue().getAsJsonPrimitive().isString()) {
                    throw new CheckpointException(index + ": weight_map entry '" + e.getKey() + "' must be a file name");
                }
                map.put(e.getKey(), e.getValue().getAsString());
            }
            return map;
        }

        /** The prefix before "backbone." (e.g. "" or "llm."), found from the embedding tensor's name. */
        String prefixFor(MambaConfig config) {
            for (String name : byTensor.keySet()) {
                for (Layout layout : Layout.values()) {
                    if (name.endsWith(layout.embeddingName())) {
                        return name.substring(0, name.length() - layout.embeddingName().length());
                    }
                }
            }
            throw new CheckpointException(describe() + ": no embedding tensor ('backbone.embeddings.weight' or "
                    + "'backbone.embedding.weight') found; is this a Mamba checkpoint?");
        }

        boolean has(String name) {
            return byTensor.containsKey(name);
        }

        SafetensorsFile fileOf(String name) {
            return byTensor.get(name);
        }

        Set<String> names() {
            return byTensor.keySet();
        }

        /** The safetensors files, in the order they were opened. */
        List<Path> paths() {
            return files.stream().map(SafetensorsFile::path).toList();
        }

        String describe() {
            return files.size() == 1 ? files.get(0).path().toString() : dir + " (" + files.size() + " shards)";
        }

        @Override
        public void close() {
            files.forEach(SafetensorsFile::close);
        }
    }

    static Shape shape(long... dims) {
        return new Shape(dims);
    }
}

package dev.dtp.mamba.checkpoint;

import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.decode.Q8Rows;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code dtp convert --model DIR --weights int8}: a copy of a model directory whose large matrices —
 * the embedding, lm_head and every layer's in_proj, x_proj and out_proj — are stored as Q8_0
 * ({@link Q8Tensors}), quantised exactly as loading with int8 weights quantises them. Every other
 * tensor (norms, conv, dt_proj, A_log, D, biases, a projector) is copied byte for byte in its own
 * dtype, and every other file of the directory (config.json, tokenizer, calibration, vision tower)
 * unchanged. The output is one {@code model.safetensors}, written one matrix at a time (the heap
 * holds one matrix's int8 copy), whatever the input's sharding. A matrix that cannot be quantised
 * (NaN/Inf, rows not a multiple of 32, a shape config.json does not imply) is a
 * {@link CheckpointException} naming it, and nothing is left behind.
 */
public final class Int8Converter {
    private Int8Converter() {}

    /**
     * What was written.
     *
     * @param quantised matrices stored as Q8_0 (those already int8 in the input included)
     * @param copied other tensors
     * @param int8Weights values in the Q8_0 matrices
     * @param int8Bytes their quants and scales
     * @param fileBytes the size of the new model.safetensors
     */
    public record Result(MambaConfig config, int quantised, int copied, long int8Weights, long int8Bytes, long fileBytes) {}

    public static Result convert(Path in, Path out) {
        if (!Files.isDirectory(in)) {
            throw new CheckpointException(in + ": model directory not found");
        }
        if (absolute(in).equals(absolute(out))) {
            throw new CheckpointException(out + ": the output must be another directory than the model it converts");
        }
        MambaConfig config = MambaConfigs.read(in.resolve("config.json")).config();
        boolean created = !Files.exists(out);
        try (CheckpointLoader.TensorSource source = CheckpointLoader.TensorSource.open(in)) {
            Map<String, long[]> matrices = largeMatrices(config, source);
            List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
            int quantised = 0;
            long int8Weights = 0;
            for (String name : source.names()) {
                SafetensorsFile file = source.fileOf(name);
                SafetensorsFile.TensorInfo info = file.info(name);
                long[] shape = matrices.get(name);
                if (shape != null) {
                    quantised++;
                    int8Weights += shape[0] * shape[1];
                }
                if (shape != null && info.dtype() != DType.I8) {
                    Pending q = new Pending(file, name);
                    tensors.add(SafetensorsWriter.Tensor.raw(name, DType.I8, shape, q::quants));
                    tensors.add(new SafetensorsWriter.Tensor(Q8Tensors.scaleName(name), DType.F32,
                            Q8Tensors.scaleShape(shape[0], shape[1]), q::takeScales));
                } else {
                    tensors.add(SafetensorsWriter.Tensor.raw(name, info.dtype(), info.shape(), () -> file.bytes(name)));
                }
            }
            Files.createDirectories(out);
            Path target = out.resolve("model.safetensors");
            SafetensorsWriter.write(target, tensors, Map.of(Q8Tensors.WEIGHTS_KEY, Q8Tensors.Q8_0,
                    Q8Tensors.BLOCK_SIZE_KEY, Integer.toString(Q8Rows.BLOCK)));
            copyOtherFiles(in, out, source.paths());
            return new Result(config, quantised, tensors.size() - 2 * quantised, int8Weights,
                    int8Weights + int8Weights / Q8Rows.BLOCK * Float.BYTES, Files.size(target));
        } catch (IOException e) {
            removeIf(created, out);
            throw new CheckpointException(out + ": cannot write: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            removeIf(created, out);
            throw e;
        }
    }

    /** The full names of the matrices loading with int8 weights quantises, with the shapes config.json implies. */
    private static Map<String, long[]> largeMatrices(MambaConfig c, CheckpointLoader.TensorSource source) {
        String prefix = source.prefixFor(c);
        String embedding = prefix + (source.has(prefix + Layout.HUGGING_FACE.embeddingName())
                ? Layout.HUGGING_FACE.embeddingName() : Layout.MAMBA_SSM.embeddingName());
        long[] embeddingShape = source.fileOf(embedding).info(embedding).shape();
        long vocabRows = embeddingShape.length == 2 && embeddingShape[0] == c.vocabSize() ? c.vocabSize()
                : c.paddedVocabSize();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(embedding, new long[] {vocabRows, c.dModel()});
        if (source.has(prefix + "lm_head.weight")) {
            m.put(prefix + "lm_head.weight", new long[] {vocabRows, c.dModel()});
        }
        long di = c.dInner();
        for (int i = 0; i < c.layers(); i++) {
            String mixer = prefix + Layout.HUGGING_FACE.layerPrefix(i) + "mixer.";
            m.put(mixer + "in_proj.weight", new long[] {2 * di, c.dModel()});
            m.put(mixer + "x_proj.weight", new long[] {c.dtRank() + 2L * c.dState(), di});
            m.put(mixer + "out_proj.weight", new long[] {c.dModel(), di});
        }
        for (Map.Entry<String, long[]> e : m.entrySet()) {
            SafetensorsFile file = source.fileOf(e.getKey());
            if (file == null) {
                throw new CheckpointException(source.describe() + ": tensor '" + e.getKey() + "' is missing");
            }
            long[] shape = file.info(e.getKey()).shape();
            if (!Arrays.equals(shape, e.getValue())) {
                throw new CheckpointException(file.path() + ": tensor '" + e.getKey() + "' has shape "
                        + Arrays.toString(shape) + " but config.json implies " + Arrays.toString(e.getValue()));
            }
        }
        return m;
    }

    /** One matrix quantised when its quants are written; its scales, written next, are then dropped. */
    private static final class Pending {
        private final SafetensorsFile file;
        private final String name;
        private Q8Rows q;

        Pending(SafetensorsFile file, String name) {
            this.file = file;
            this.name = name;
        }

        ByteBuffer quants() {
            q = Q8Tensors.quantize(file, name);
            return ByteBuffer.wrap(q.quants());
        }

        float[] takeScales() {
            float[] s = q.scales();
            q = null;
            return s;
        }
    }

    /** Copies every file of {@code in} but the language model's safetensors into {@code out}, keeping subfolders. */
    private static void copyOtherFiles(Path in, Path out, List<Path> weightFiles) throws IOException {
        Set<Path> skip = weightFiles.stream().map(Int8Converter::absolute).collect(Collectors.toSet());
        skip.add(absolute(in.resolve("model.safetensors.index.json")));
        Path outside = absolute(out);
        List<Path> files;
        try (Stream<Path> s = Files.walk(in)) { // an output inside the model directory is not copied into itself
            files = s.filter(Files::isRegularFile).filter(p -> !skip.contains(absolute(p)) && !absolute(p).startsWith(outside))
                    .toList();
        }
        for (Path f : files) {
            Path target = out.resolve(in.relativize(f).toString());
            Files.createDirectories(target.getParent());
            Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static Path absolute(Path p) {
        return p.toAbsolutePath().normalize();
    }

    private static void removeIf(boolean created, Path dir) {
        if (!created || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // the original failure is what the caller needs to see
        }
    }
}

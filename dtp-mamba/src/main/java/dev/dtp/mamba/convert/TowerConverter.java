package dev.dtp.mamba.convert;

import dev.dtp.mamba.checkpoint.CheckpointException;
import dev.dtp.mamba.checkpoint.DType;
import dev.dtp.mamba.checkpoint.SafetensorsFile;
import dev.dtp.mamba.checkpoint.SafetensorsWriter;
import dev.dtp.mamba.checkpoint.torch.TorchCheckpoint;
import dev.dtp.mamba.checkpoint.torch.TorchTensor;
import dev.dtp.mamba.vision.TowerSpec;
import dev.dtp.mamba.vision.vit.ViTTensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes a vision tower's weights into a model directory: for each of its ViTs, the tensors it needs
 * (timm's names, their dtype kept) from a published file — timm's {@code model.safetensors}, or a
 * PyTorch file such as OpenCLIP's — or from the model's own checkpoint (RoboMamba's ViT under
 * {@code vision.model.}), checked against the ViT first ({@link ViTTensors#check}).
 */
final class TowerConverter {
    private TowerConverter() {}

    /** A file's tensors by name: shapes for the check, writer entries for the copy. */
    private record Source(String path, Map<String, long[]> shapes, Function<String, SafetensorsWriter.Tensor> tensor) {}

    /** Writes each ViT of {@code tower} from {@code files} (one per ViT, in the tower's order), all checked first. */
    static void fromFiles(TowerSpec tower, List<Path> files, Path out) {
        if (files.size() != tower.parts().size()) {
            throw new CheckpointException("tower '" + tower.name() + "' has " + tower.parts().size() + " ViTs ("
                    + String.join(", ", tower.parts().stream().map(p -> p.vit().name()).toList()) + "): give "
                    + tower.parts().size() + " weight files in that order, got " + files.size());
        }
        List<AutoCloseable> open = new ArrayList<>();
        try {
            List<Source> sources = new ArrayList<>();
            for (Path f : files) {
                if (f.getFileName().toString().endsWith(".safetensors")) {
                    SafetensorsFile st = SafetensorsFile.open(f);
                    open.add(st);
                    sources.add(safetensors(st));
                } else {
                    TorchCheckpoint pt = TorchCheckpoint.open(f);
                    open.add(pt);
                    sources.add(torch(f.toString(), pt.tensors()));
                }
            }
            List<String> prefixes = new ArrayList<>();
            for (int i = 0; i < sources.size(); i++) {
                prefixes.add(check(tower, tower.parts().get(i), sources.get(i)));
            }
            for (int i = 0; i < sources.size(); i++) {
                write(tower.parts().get(i), sources.get(i), prefixes.get(i), out);
            }
        } finally {
            for (AutoCloseable c : open) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // read-only files: nothing to lose
                }
            }
        }
    }

    /** Writes a one-ViT tower from the tensors under {@code prefix} in a model checkpoint. */
    static void fromCheckpoint(TowerSpec tower, TorchCheckpoint checkpoint, String prefix, Path out) {
        Source source = torch(checkpoint.file().toString(), checkpoint.tensors(prefix));
        write(tower.parts().get(0), source, check(tower, tower.parts().get(0), source), out);
    }

    /** Checks a source against its ViT; returns the prefix of its tensor names. */
    private static String check(TowerSpec tower, TowerSpec.Part part, Source source) {
        String prefix = ViTTensors.prefixOf(source.shapes().keySet());
        if (prefix == null) {
            throw new CheckpointException(source.path() + ": not the weights of tower '" + tower.name() + "' ("
                    + part.vit().name() + "): no single '" + ViTTensors.PATCH_WEIGHT + "'");
        }
        ViTTensors.check(source.shapes(), prefix, part.vit(), source.path(), tower.name());
        return prefix;
    }

    private static void write(TowerSpec.Part part, Source source, String prefix, Path out) {
        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
        for (String name : ViTTensors.expected(part.vit()).keySet()) {
            SafetensorsWriter.Tensor t = source.tensor().apply(prefix + name);
            tensors.add(new SafetensorsWriter.Tensor(name, t.dtype(), t.shape(), t.values()));
        }
        SafetensorsWriter.write(out.resolve(part.file()), tensors);
    }

    private static Source safetensors(SafetensorsFile f) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        f.tensors().forEach((n, info) -> shapes.put(n, info.shape()));
        return new Source(f.path().toString(), shapes, n -> {
            SafetensorsFile.TensorInfo info = f.info(n);
            return new SafetensorsWriter.Tensor(n, info.dtype(), info.shape(), () -> f.readFloats(n));
        });
    }

    private static Source torch(String path, Map<String, TorchTensor> tensors) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        tensors.forEach((n, t) -> shapes.put(n, t.shape()));
        return new Source(path, shapes, n -> {
            TorchTensor t = tensors.get(n);
            DType dtype = switch (t.dtype()) {
                case F16 -> DType.F16;
                case BF16 -> DType.BF16;
                default -> DType.F32;
            };
            return new SafetensorsWriter.Tensor(n, dtype, t.shape(), t::toFloatArray);
        });
    }
}

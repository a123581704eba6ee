package dev.dtp.mamba.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.model.MambaWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointLoaderTest {
    @TempDir
    Path dir;

    private static final MambaConfig TINY = MambaConfig.of(16, 2, 37).withState(4, 4, 2);

    private static CheckpointException rejected(Path model) {
        try (NDManager m = NDManager.newBaseManager()) {
            return assertThrows(CheckpointException.class, () -> CheckpointLoader.load(model, m, DataType.FLOAT32));
        }
    }

    /**
     * All or nothing: a load that fails on its last tensor (norm_f with the wrong shape, after every
     * layer has been read) leaves no array in the caller's manager and no file open.
     */
    @Test
    void aFailedLoadReleasesEverythingItAllocated() throws IOException {
        Path model = dir.resolve("bad-last");
        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
        for (SafetensorsWriter.Tensor t : RandomMambaCheckpoint.tensors(TINY, 2, Layout.HUGGING_FACE, DType.F32, false)) {
            tensors.add(t.name().equals("backbone.norm_f.weight")
                    ? SafetensorsWriter.Tensor.of(t.name(), DType.F32, new float[17], 17) : t);
        }
        Files.createDirectories(model);
        Files.writeString(model.resolve("config.json"), MambaConfigs.toHuggingFaceJson(TINY));
        SafetensorsWriter.write(model.resolve("model.safetensors"), tensors);
        long fdsBefore = openFiles();
        for (int i = 0; i < 20; i++) {
            try (NDManager m = NDManager.newBaseManager()) {
                CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointLoader.load(model, m, DataType.FLOAT32));
                assertTrue(e.getMessage().contains("backbone.norm_f.weight"), e.getMessage());
                assertEquals(0, m.getManagedArrays().size(), "arrays left behind by a failed load");
            }
        }
        assertTrue(openFiles() <= fdsBefore + 2, "file descriptors leaked: " + fdsBefore + " → " + openFiles());
    }

    private static long openFiles() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    void loadsBothLayoutsToTheSameWeights() {
        MambaConfig padded = TINY.withPaddedVocab(40);
        Path hf = dir.resolve("hf");
        Path ssm = dir.resolve("ssm");
        RandomMambaCheckpoint.write(hf, padded, 7, Layout.HUGGING_FACE, DType.F32, true);
        RandomMambaCheckpoint.write(ssm, padded, 7, Layout.MAMBA_SSM, DType.F32, true);
        try (NDManager m = NDManager.newBaseManager();
                MambaWeights a = CheckpointLoader.load(hf, m, DataType.FLOAT32);
                MambaWeights b = CheckpointLoader.load(ssm, m, DataType.FLOAT32)) {
            assertEquals(40, a.config().paddedVocabSize());
            assertEquals(40, b.config().paddedVocabSize());
            assertEquals(37, b.config().vocabSize()); // mamba_ssm keeps the unpadded size
            assertSame(b.embedding(), b.lmHead()); // tied
            assertArrayEquals(new long[] {TINY.dInner(), 4}, b.layers().get(1).convWeight().getShape().getShape());
            // the same seed gives the same values in either layout except the embedding's name
            assertArrayEquals(a.layers().get(1).aLog().toFloatArray(), b.layers().get(1).aLog().toFloatArray());
            assertArrayEquals(a.layers().get(0).inProj().toFloatArray(), b.layers().get(0).inProj().toFloatArray());
            float[] aLog = b.layers().get(0).aLog().toFloatArray();
            assertEquals(Math.log(3), aLog[2], 1e-6); // A_log = log(1..N)
        }
    }

    @Test
    void halfPrecisionCheckpointsAgreeWithFloat32ToTheirPrecision() {
        for (DType dtype : List.of(DType.F16, DType.BF16)) {
            Path full = dir.resolve("f32");
            Path half = dir.resolve(dtype.name());
            RandomMambaCheckpoint.write(full, TINY, 3, Layout.HUGGING_FACE, DType.F32, false);
            RandomMambaCheckpoint.write(half, TINY, 3, Layout.HUGGING_FACE, dtype, false);
            double tolerance = dtype == DType.F16 ? 0x1p-11 : 0x1p-8;
            try (NDManager m = NDManager.newBaseManager();
                    MambaWeights a = CheckpointLoader.load(full, m, DataType.FLOAT32);
                    MambaWeights b = CheckpointLoader.load(half, m, DataType.FLOAT32)) {
                float[] x = a.layers().get(1).xProj().toFloatArray();
                float[] y = b.layers().get(1).xProj().toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    assertEquals(x[i], y[i], Math.abs(x[i]) * tolerance + 1e-7, dtype + " x_proj[" + i + "]");
                }
                assertEquals(DataType.FLOAT32, b.layers().get(1).xProj().getDataType());
            }
        }
    }

    @Test
    void loadsShardedCheckpoints() throws IOException {
        Path model = dir.resolve("sharded");
        RandomMambaCheckpoint.write(model, TINY, 5, Layout.HUGGING_FACE, DType.F32, false);
        List<SafetensorsWriter.Tensor> all = RandomMambaCheckpoint.tensors(TINY, 5, Layout.HUGGING_FACE, DType.F32, false);
        List<SafetensorsWriter.Tensor> first = new ArrayList<>(all.subList(0, all.size() / 2));
        List<SafetensorsWriter.Tensor> second = new ArrayList<>(all.subList(all.size() / 2, all.size()));
        SafetensorsWriter.write(model.resolve("model-00001-of-00002.safetensors"), first);
        SafetensorsWriter.write(model.resolve("model-00002-of-00002.safetensors"), second);
        StringBuilder index = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
        for (int i = 0; i < all.size(); i++) {
            index.append(i == 0 ? "" : ",").append('"').append(all.get(i).name()).append("\": \"model-0000")
                    .append(i < first.size() ? 1 : 2).append("-of-00002.safetensors\"");
        }
        index.append("}}");
        Files.writeString(model.resolve("model.safetensors.index.json"), index);
        Path single = model.resolve("model.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            MambaWeights reference = CheckpointLoader.load(model, m, DataType.FLOAT32);
            Files.delete(single);
            MambaWeights sharded = CheckpointLoader.load(model, m, DataType.FLOAT32);
            assertArrayEquals(reference.normF().toFloatArray(), sharded.normF().toFloatArray());
            assertArrayEquals(reference.layers().get(1).outProj().toFloatArray(),
                    sharded.layers().get(1).outProj().toFloatArray());
        }
        Files.delete(model.resolve("model-00002-of-00002.safetensors"));
        CheckpointException e = rejected(model);
        assertTrue(e.getMessage().contains("model-00002-of-00002.safetensors"), e.getMessage());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void namesAMissingLayerTensor() {
        Path model = dir.resolve("missing");
        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>(
                RandomMambaCheckpoint.tensors(TINY, 1, Layout.HUGGING_FACE, DType.F32, false));
        tensors.removeIf(t -> t.name().equals("backbone.layers.1.mixer.A_log"));
        RandomMambaCheckpoint.write(model, TINY, 1, Layout.HUGGING_FACE, DType.F32, false);
        SafetensorsWriter.write(model.resolve("model.safetensors"), tensors);
        CheckpointException e = rejected(model);
        assertTrue(e.getMessage().contains("backbone.layers.1.mixer.A_log"), e.getMessage());
        assertTrue(e.getMessage().contains("layer 1"), e.getMessage());
    }

    @Test
    void namesATensorWhoseShapeDisagreesWithTheConfig() throws IOException {
        Path model = dir.resolve("shape");
        RandomMambaCheckpoint.write(model, TINY, 1, Layout.HUGGING_FACE, DType.F32, false);
        // config claims a larger state than the tensors have
        Files.writeString(model.resolve("config.json"), MambaConfigs.toHuggingFaceJson(TINY.withState(8, 4, 2)));
        CheckpointException e = rejected(model);
        assertTrue(e.getMessage().contains("backbone.layers.0.mixer.x_proj.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("config.json implies"), e.getMessage());
    }

    @Test
    void rejectsExtraLayersAndAMissingDirectory() throws IOException {
        Path model = dir.resolve("extra");
        RandomMambaCheckpoint.write(model, TINY, 1, Layout.HUGGING_FACE, DType.F32, false);
        Files.writeString(model.resolve("config.json"), MambaConfigs.toHuggingFaceJson(MambaConfig.of(16, 1, 37).withState(4, 4, 2)));
        assertTrue(rejected(model).getMessage().contains("backbone.layers.1."));
        assertTrue(rejected(dir.resolve("nowhere")).getMessage().contains("not found"));
    }

    @Test
    void untiedCheckpointWithoutLmHeadIsRejected() throws IOException {
        Path model = dir.resolve("untied");
        RandomMambaCheckpoint.write(model, TINY, 1, Layout.HUGGING_FACE, DType.F32, false);
        Files.writeString(model.resolve("config.json"), MambaConfigs.toHuggingFaceJson(TINY.withTiedEmbeddings(false)));
        assertTrue(rejected(model).getMessage().contains("lm_head.weight"));
    }
}

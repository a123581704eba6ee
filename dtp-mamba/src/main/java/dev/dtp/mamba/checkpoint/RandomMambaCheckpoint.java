package dev.dtp.mamba.checkpoint;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dtp.mamba.MambaConfig;
import dev.dtp.mamba.decode.Q8Quantizer;
import dev.dtp.mamba.decode.Q8Rows;
import dev.dtp.mamba.model.LayerWeights;
import dev.dtp.mamba.model.MambaWeights;
import dev.dtp.mamba.model.Q8Weights;
import dev.dtp.mamba.model.WeightFormat;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded random Mamba weights with the usual initialisation, for tests and benchmarks: A_log =
 * log(1..N) in every channel, dt_proj bias = softplus⁻¹(Δ) with Δ log-uniform in [1e-3, 1e-1],
 * D = 1, small normal projections, norms at 1 (optionally jittered so tests see them). Every tensor
 * has its own seed derived from the model seed and its name, so any tensor can be regenerated alone
 * and the same seed gives the same model on every machine.
 */
public final class RandomMambaCheckpoint {
    private RandomMambaCheckpoint() {}

    public static final double DT_MIN = 1e-3;
    public static final double DT_MAX = 1e-1;

    /** The checkpoint's tensors, named as in {@code layout}; values are generated when written. */
    public static List<SafetensorsWriter.Tensor> tensors(MambaConfig c, long seed, Layout layout, DType dtype,
            boolean jitterNorms) {
        List<SafetensorsWriter.Tensor> out = new ArrayList<>();
        Init init = new Init(c, seed, jitterNorms);
        out.add(tensor(layout.embeddingName(), dtype, init, c.paddedVocabSize(), c.dModel()));
        for (int i = 0; i < c.layers(); i++) {
            String p = layout.layerPrefix(i);
            String m = p + "mixer.";
            out.add(tensor(p + "norm.weight", dtype, init, c.dModel()));
            out.add(tensor(m + "in_proj.weight", dtype, init, 2L * c.dInner(), c.dModel()));
            if (c.projBias()) {
                out.add(tensor(m + "in_proj.bias", dtype, init, 2L * c.dInner()));
            }
            out.add(tensor(m + "conv1d.weight", dtype, init, c.dInner(), 1, c.dConv()));
            if (c.convBias()) {
                out.add(tensor(m + "conv1d.bias", dtype, init, c.dInner()));
            }
            out.add(tensor(m + "x_proj.weight", dtype, init, c.dtRank() + 2L * c.dState(), c.dInner()));
            out.add(tensor(m + "dt_proj.weight", dtype, init, c.dInner(), c.dtRank()));
            out.add(tensor(m + "dt_proj.bias", dtype, init, c.dInner()));
            out.add(tensor(m + "A_log", dtype, init, c.dInner(), c.dState()));
            out.add(tensor(m + "D", dtype, init, c.dInner()));
            out.add(tensor(m + "out_proj.weight", dtype, init, c.dModel(), c.dInner()));
            if (c.projBias()) {
                out.add(tensor(m + "out_proj.bias", dtype, init, c.dModel()));
            }
        }
        out.add(tensor("backbone.norm_f.weight", dtype, init, c.dModel()));
        if (!c.tieEmbeddings()) {
            out.add(tensor("lm_head.weight", dtype, init, c.paddedVocabSize(), c.dModel()));
        }
        return out;
    }

    /** Writes config.json and model.safetensors into {@code dir} (created if needed). */
    public static void write(Path dir, MambaConfig c, long seed, Layout layout, DType dtype, boolean jitterNorms) {
        try {
            Files.createDirectories(dir);
            String json = layout == Layout.HUGGING_FACE
                    ? MambaConfigs.toHuggingFaceJson(c)
                    : MambaConfigs.toMambaSsmJson(c, padMultiple(c));
            Files.writeString(dir.resolve("config.json"), json, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot write config.json: " + e.getMessage(), e);
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors(c, seed, layout, dtype, jitterNorms));
    }

    /** The weights directly in memory (no file): for benchmarks of large shapes. */
    public static MambaWeights create(MambaConfig c, long seed, NDManager manager) {
        return create(c, seed, manager, WeightFormat.F32);
    }

    /**
     * As {@link #create(MambaConfig, long, NDManager)}; with {@link WeightFormat#INT8} the large
     * matrices are quantised as they are drawn, so no float32 copy of them is ever resident.
     */
    public static MambaWeights create(MambaConfig c, long seed, NDManager manager, WeightFormat format) {
        NDManager owner = manager.newSubManager();
        boolean int8 = format == WeightFormat.INT8;
        try {
            Init init = new Init(c, seed, false);
            Layout l = Layout.HUGGING_FACE;
            NDArray embedding = int8 ? null : array(owner, init, l.embeddingName(), c.paddedVocabSize(), c.dModel());
            Q8Rows embeddingQ8 = int8 ? quantized(init, l.embeddingName(), c.paddedVocabSize(), c.dModel()) : null;
            List<LayerWeights> layers = new ArrayList<>();
            List<Q8Weights.Layer> q8Layers = new ArrayList<>();
            for (int i = 0; i < c.layers(); i++) {
                String p = l.layerPrefix(i);
                String m = p + "mixer.";
                if (int8) {
                    q8Layers.add(new Q8Weights.Layer(quantized(init, m + "in_proj.weight", 2 * c.dInner(), c.dModel()),
                            quantized(init, m + "x_proj.weight", c.dtRank() + 2 * c.dState(), c.dInner()),
                            quantized(init, m + "out_proj.weight", c.dModel(), c.dInner())));
                }
                layers.add(new LayerWeights(
                        array(owner, init, p + "norm.weight", c.dModel()),
                        int8 ? null : array(owner, init, m + "in_proj.weight", 2L * c.dInner(), c.dModel()),
                        c.projBias() ? array(owner, init, m + "in_proj.bias", 2L * c.dInner()) : null,
                        array(owner, init, m + "conv1d.weight", c.dInner(), c.dConv()),
                        c.convBias() ? array(owner, init, m + "conv1d.bias", c.dInner()) : null,
                        int8 ? null : array(owner, init, m + "x_proj.weight", c.dtRank() + 2L * c.dState(), c.dInner()),
                        array(owner, init, m + "dt_proj.weight", c.dInner(), c.dtRank()),
                        array(owner, init, m + "dt_proj.bias", c.dInner()),
                        array(owner, init, m + "A_log", c.dInner(), c.dState()),
                        array(owner, init, m + "D", c.dInner()),
                        int8 ? null : array(owner, init, m + "out_proj.weight", c.dModel(), c.dInner()),
                        c.projBias() ? array(owner, init, m + "out_proj.bias", c.dModel()) : null));
            }
            NDArray normF = array(owner, init, "backbone.norm_f.weight", c.dModel());
            if (int8) {
                Q8Rows lmHead = c.tieEmbeddings() ? embeddingQ8 : quantized(init, "lm_head.weight", c.paddedVocabSize(), c.dModel());
                return new MambaWeights(c, owner, null, layers, normF, null, new Q8Weights(embeddingQ8, lmHead, q8Layers));
            }
            NDArray lmHead = c.tieEmbeddings() ? embedding
                    : array(owner, init, "lm_head.weight", c.paddedVocabSize(), c.dModel());
            return new MambaWeights(c, owner, embedding, layers, normF, lmHead);
        } catch (RuntimeException | Error e) {
            owner.close();
            throw e;
        }
    }

    private static int padMultiple(MambaConfig c) {
        int extra = c.paddedVocabSize() - c.vocabSize();
        if (extra == 0) {
            return 1;
        }
        for (int m = 2; m <= c.paddedVocabSize(); m++) {
            if ((c.vocabSize() + m - 1) / m * m == c.paddedVocabSize()) {
                return m;
            }
        }
        throw new IllegalArgumentException("padded vocab " + c.paddedVocabSize() + " is no multiple-padding of " + c.vocabSize());
    }

    private static SafetensorsWriter.Tensor tensor(String name, DType dtype, Init init, long... shape) {
        return new SafetensorsWriter.Tensor(name, dtype, shape, () -> init.values(name, count(shape)));
    }

    private static NDArray array(NDManager owner, Init init, String name, long... shape) {
        NDArray a = owner.create(new Shape(shape), DataType.FLOAT32, Device.cpu());
        a.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer().put(init.values(name, count(shape)));
        a.setName(name);
        if (owner.getDevice().equals(a.getDevice())) {
            return a;
        }
        NDArray moved = a.toDevice(owner.getDevice(), true);
        a.close();
        return moved;
    }

    /** The values {@code init} draws for tensor {@code name}, quantised to Q8_0. */
    private static Q8Rows quantized(Init init, String name, int rows, int cols) {
        float[] values = init.values(name, Math.multiplyExact(rows, cols));
        return Q8Quantizer.quantize(name, rows, cols, (row, out) -> System.arraycopy(values, row * cols, out, 0, cols));
    }

    private static int count(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return Math.toIntExact(n);
    }

    /**
     * Fills a dt_proj bias so that Δ = softplus(bias) is log-uniform in [dtMin, dtMax]:
     * bias = softplus⁻¹(Δ) = Δ + log(1 − exp(−Δ)).
     */
    public static void deltaBias(float[] bias, SplittableRandom rnd, double dtMin, double dtMax) {
        for (int i = 0; i < bias.length; i++) {
            double dt = Math.exp(Math.log(dtMin) + rnd.nextDouble() * (Math.log(dtMax) - Math.log(dtMin)));
            bias[i] = (float) (dt + Math.log(-Math.expm1(-dt)));
        }
    }

    /** The initialisation rule for each tensor, chosen by the tensor's name. */
    private record Init(MambaConfig c, long seed, boolean jitterNorms) {
        float[] values(String name, int count) {
            SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
            float[] v = new float[count];
            int n = c.dState();
            if (name.endsWith("A_log")) {
                for (int i = 0; i < count; i++) {
                    v[i] = (float) Math.log(i % n + 1); // A = −(1..N) in every channel
                }
            } else if (name.endsWith("mixer.D")) {
                Arrays.fill(v, 1f);
            } else if (name.endsWith("dt_proj.bias")) {
                deltaBias(v, rnd, DT_MIN, DT_MAX);
            } else if (name.endsWith("dt_proj.weight")) {
                uniform(rnd, v, 1.0 / Math.sqrt(c.dtRank()));
            } else if (name.endsWith("conv1d.weight")) {
                uniform(rnd, v, 1.0 / Math.sqrt(c.dConv()));
            } else if (name.endsWith("conv1d.bias")) {
                uniform(rnd, v, 1.0 / Math.sqrt(c.dConv()));
            } else if (name.endsWith("norm.weight") || name.endsWith("norm_f.weight")) {
                for (int i = 0; i < count; i++) {
                    v[i] = jitterNorms ? (float) (1 + 0.2 * (rnd.nextDouble() - 0.5)) : 1f;
                }
            } else if (name.endsWith("out_proj.weight")) {
                normal(rnd, v, 0.02 / Math.sqrt(2.0 * c.layers()) * Math.sqrt(64));
            } else if (name.endsWith(".bias")) {
                normal(rnd, v, 0.02);
            } else {
                normal(rnd, v, name.contains("embedding") || name.startsWith("lm_head") ? 0.1 : 0.05);
            }
            return v;
        }

        private static void uniform(SplittableRandom rnd, float[] v, double bound) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
            }
        }

        private static void normal(SplittableRandom rnd, float[] v, double std) {
            for (int i = 0; i < v.length; i += 2) {
                // Box–Muller: two normals per pair of uniforms
                double u1 = 1 - rnd.nextDouble();
                double u2 = rnd.nextDouble();
                double r = Math.sqrt(-2 * Math.log(u1)) * std;
                v[i] = (float) (r * Math.cos(2 * Math.PI * u2));
                if (i + 1 < v.length) {
                    v[i + 1] = (float) (r * Math.sin(2 * Math.PI * u2));
                }
            }
        }
    }
}

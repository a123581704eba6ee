package dev.dtp.bench.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.dtp.core.InputException;
import dev.dtp.mamba.model.MambaModel;
import dev.dtp.mamba.model.WeightFormat;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * Flags every model-running command shares: {@code --device cpu|gpu[:N]}, {@code --threads},
 * {@code --dtype}, {@code --weights f32|int8}, {@code --seed}. ({@code -v} is handled by {@link DtpCli} for all commands.)
 */
public final class CommonOptions {
    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|gpu[:N]",
            description = "Where the model runs (default ${DEFAULT-VALUE}); gpu needs a CUDA build of libtorch.")
    String device;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads for libtorch and the Java kernels (default: all cores).")
    Integer threads;

    @Option(names = "--dtype", defaultValue = "float32", paramLabel = "float32",
            description = "Compute dtype (default ${DEFAULT-VALUE}; F16/BF16 checkpoints are converted on load).")
    String dtype;

    @Option(names = "--weights", defaultValue = "f32", paramLabel = "f32|int8",
            description = "How the large matrices are held (default ${DEFAULT-VALUE}); int8 quantises them at load "
                    + "(Q8_0, ~28%% of the memory, faster decoding; CPU only) or reads the int8 matrices of a directory "
                    + "'dtp convert --weights int8' wrote.")
    String weights;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for anything random: sampling, data, policies (default ${DEFAULT-VALUE}).")
    long seed;

    public long seed() {
        return seed;
    }

    /** --threads, or null when not given. */
    public Integer threads() {
        return threads;
    }

    /** --device as given, e.g. {@code cpu} or {@code gpu:1}. */
    public String deviceName() {
        return device;
    }

    /** The format named by --weights. */
    public WeightFormat weights() {
        try {
            return WeightFormat.parse(weights);
        } catch (IllegalArgumentException e) {
            throw new InputException("--weights: " + e.getMessage());
        }
    }

    /** Applies --threads (before the engine starts) and checks the other flags. */
    public void apply() {
        if (threads != null) {
            if (threads < 1) {
                throw new InputException("--threads must be at least 1, got " + threads);
            }
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
            System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism", Integer.toString(threads));
        }
        String d = dtype.toLowerCase(Locale.ROOT);
        if (!d.equals("float32") && !d.equals("fp32") && !d.equals("f32")) {
            throw new InputException("--dtype " + dtype + " is not supported: the model computes in float32 (F16 matmul on "
                    + "the CPU is ~200x slower and BF16 arrays crash DJL's native code); F16/BF16 checkpoints load fine");
        }
    }

    /** The device named by --device. */
    public Device device() {
        return device(device);
    }

    /** The device named by a --device value. */
    public static Device device(String device) {
        String d = device.toLowerCase(Locale.ROOT);
        if (d.equals("cpu")) {
            return Device.cpu();
        }
        if (d.equals("gpu") || d.equals("cuda") || d.startsWith("gpu:") || d.startsWith("cuda:")) {
            int id = d.contains(":") ? Integer.parseInt(d.substring(d.indexOf(':') + 1)) : 0;
            int gpus = Engine.getEngine("PyTorch").getGpuCount();
            if (id >= gpus) {
                throw new InputException("--device " + device + ": libtorch sees " + gpus + " GPU(s); a GPU run needs "
                        + "pytorch-native-cu* instead of pytorch-native-cpu on the classpath and a CUDA driver");
            }
            return Device.gpu(id);
        }
        throw new InputException("--device must be cpu or gpu[:N], got '" + device + "'");
    }

    /** A model builder on the chosen device. */
    public MambaModel.Builder builder() {
        apply();
        return MambaModel.builder().device(device()).weights(weights());
    }
}

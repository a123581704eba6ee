package dev.dtp.spark;

import dev.dtp.bench.eval.EvalJob;
import dev.dtp.core.InputException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The driver's check of a job's files before any task starts: executors read the model and the
 * calibration from the same paths, so they must exist here (on a cluster: on a file system every
 * executor mounts at the same place).
 */
final class ModelFiles {
    private ModelFiles() {
    }

    static void check(EvalJob job) {
        Path model = job.modelPath();
        boolean checkpoint = Files.isRegularFile(model) && (model.toString().endsWith(".pt") || model.toString().endsWith(".pth"));
        if (!checkpoint && !Files.isRegularFile(model.resolve("config.json"))) {
            throw new InputException("--model " + model + ": " + (Files.isDirectory(model) ? "no config.json in the model directory"
                    : "model directory not found") + " (Spark executors read the model from this path: it must be on a "
                    + "file system every executor mounts at the same place)");
        }
        if (job.calibration() != null && !Files.isRegularFile(Path.of(job.calibration()))) {
            throw new InputException("--calibration " + job.calibration() + ": file not found");
        }
    }
}

package dev.dtp.bench.analysis;

import dev.dtp.bench.data.EvalSample;
import dev.dtp.bench.data.JsonlDataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The model and calibration samples that {@code dtp analyze} and {@code dtp calibrate} survey. */
final class SurveyOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Multimodal model directory.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE.jsonl", description = "Calibration samples (eval JSONL).")
    Path data;

    @Option(names = "--limit", defaultValue = "32", description = "Samples to use (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--attention-samples", defaultValue = "8", description = "Samples whose implicit attention (all layers) "
            + "feeds the text-to-visual share (default ${DEFAULT-VALUE}; ~1 s per layer at L=800, d_inner 512).")
    int attentionSamples;

    /** The first {@code --limit} samples of {@code --data}. */
    List<EvalSample> samples() throws IOException {
        List<EvalSample> all = JsonlDataset.read(data);
        return all.subList(0, Math.min(limit, all.size()));
    }

    int attentionSamples(int samples) {
        return Math.min(attentionSamples, samples);
    }
}

package dev.dtp.bench.eval;

import dev.dtp.bench.data.EvalSample;
import dev.dtp.mamba.vision.VisionLanguageModel;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** A job's model, loaded in this JVM, and the run over it; closing it closes the model. */
public record LoadedEval(VisionLanguageModel vlm, EvalRun run) implements EvalSession {
    @Override
    public void answer(List<List<EvalSample>> images, Set<String> done, Consumer<SampleResult> sink) {
        for (List<EvalSample> image : images) {
            run.answerImage(image, done, sink);
        }
    }

    @Override
    public Map<String, String> imageCacheNotes() {
        return run.imageCacheNotes();
    }

    @Override
    public Map<String, PolicyCost> costs() {
        return run.costs();
    }

    @Override
    public void close() {
        vlm.close();
    }
}

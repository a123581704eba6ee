package dev.dtp.mamba.model;

import ai.djl.ndarray.NDArray;
import dev.dtp.mamba.model.LayerObserver.Stage;
import dev.dtp.mamba.scan.ScanOutput;

/**
 * The probe each named stage of a block reports through, one call per stage: the prefill's
 * {@link PrefillProfile} adds the stage's time to its part, and an observer that asked for stages
 * ({@link LayerObserver#observesStages}) sees its output. With neither listening a probe only
 * returns its value. Not thread-safe: one probe per prefill.
 */
final class StageProbe {
    /** Times nothing and tells no one. */
    static final StageProbe NONE = new StageProbe(PrefillProfile.NONE, null);

    private final PrefillProfile profile;
    /** Null unless the observer observes stages. */
    private final LayerObserver observer;
    private int layer;

    private StageProbe(PrefillProfile profile, LayerObserver observer) {
        this.profile = profile;
        this.observer = observer;
    }

    /** The probe of one prefill, timing into {@code profile} and telling {@code observer} (either may be idle). */
    static StageProbe of(PrefillProfile profile, LayerObserver observer) {
        LayerObserver stages = observer != null && observer.observesStages() ? observer : null;
        return stages == null && profile == PrefillProfile.NONE ? NONE : new StageProbe(profile, stages);
    }

    /** Starts a run of stages of {@code layer}; each {@link #done} closes one stage and starts the next. */
    StageProbe begin(int layer) {
        if (observer != null) {
            this.layer = layer;
        }
        profile.begin();
        return this;
    }

    /** The end of {@code stage}, whose output is {@code output}; returns it, so that a stage reads as one statement. */
    <T extends NDArray> T done(Stage stage, T output) {
        profile.done(stage.part(), output);
        if (observer != null) {
            observer.onStage(layer, stage, output);
            profile.begin(); // the observer's own time belongs to no stage
        }
        return output;
    }

    /** The end of the scan: its output y is what the stage shows. */
    ScanOutput done(Stage stage, ScanOutput scan) {
        done(stage, scan.y());
        return scan;
    }
}

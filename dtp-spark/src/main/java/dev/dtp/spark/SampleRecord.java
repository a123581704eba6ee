package dev.dtp.spark;

import dev.dtp.bench.data.EvalSample;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;

/** An {@link EvalSample} as plain strings for a Spark task (paths are absolute: executors have other working directories). */
record SampleRecord(String id, String image, String question, List<String> answers, String family, String subset,
        String features) implements Serializable {

    SampleRecord {
        answers = List.copyOf(answers);
    }

    static SampleRecord of(EvalSample s) {
        return new SampleRecord(s.id(), s.image().toAbsolutePath().toString(), s.question(), s.answers(), s.family(),
                s.subset(), s.features() == null ? null : s.features().toAbsolutePath().toString());
    }

    EvalSample toSample() {
        return new EvalSample(id, Path.of(image), question, answers, family, subset, features == null ? null : Path.of(features));
    }
}

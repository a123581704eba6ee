package dev.dtp.spark;

import dev.dtp.bench.data.EvalSample;
import dev.dtp.bench.eval.EvalRun;
import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One element of the job's data set: the questions about one image and which of their answers
 * (policy and sample, {@link EvalRun#key}) an earlier run already wrote.
 */
record ImageWork(List<SampleRecord> samples, Set<String> done) implements Serializable {

    ImageWork {
        samples = List.copyOf(samples);
        done = Set.copyOf(done);
    }

    /** The image's work, or null when every policy's answer to each of its questions is in {@code done}. */
    static ImageWork pending(List<EvalSample> image, List<String> policies, Set<String> done) {
        Set<String> mine = new HashSet<>();
        for (String policy : policies) {
            for (EvalSample s : image) {
                String key = EvalRun.key(policy, s.id());
                if (done.contains(key)) {
                    mine.add(key);
                }
            }
        }
        if (mine.size() == (long) policies.size() * image.size()) {
            return null;
        }
        return new ImageWork(image.stream().map(SampleRecord::of).toList(), mine);
    }

    List<EvalSample> toSamples() {
        return samples.stream().map(SampleRecord::toSample).toList();
    }
}

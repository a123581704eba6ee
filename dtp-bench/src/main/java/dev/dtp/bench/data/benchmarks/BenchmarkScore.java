package dev.dtp.bench.data.benchmarks;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.dtp.bench.data.EvalSample;
import dev.dtp.bench.data.VqaMetrics;
import dev.dtp.bench.data.YesNoMetrics;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Scores predictions per benchmark family and per subset. Open-ended families (GQA, VQAv2, TextVQA, VizWiz,
 * anything not listed as yes/no) get the mean {@link VqaMetrics#vqaAccuracy VQA accuracy}, which is plain
 * normalised exact match when a sample has one reference answer (GQA). Yes/no families (by default
 * {@code pope} and {@code vsr}) get {@link YesNoMetrics}: accuracy, precision, recall, F1 and yes-ratio,
 * the prediction and the reference both read with {@link YesNoMetrics#isYes}.
 *
 * <p>Not thread-safe; fill it from one thread, with {@link #add} or {@link #of}.
 */
public final class BenchmarkScore {
    /** The families scored as yes/no by default. */
    public static final Set<String> DEFAULT_YES_NO_FAMILIES = Set.of(PopeLoader.FAMILY, VsrLoader.FAMILY);

    private final Set<String> yesNoFamilies;
    private final Map<String, Group> families = new TreeMap<>();
    private final Map<String, Map<String, Group>> subsets = new TreeMap<>();

    /**
     * One group's score.
     *
     * @param count samples scored
     * @param vqaAccuracy mean VQA accuracy in [0, 1] for an open-ended family; NaN for a yes/no family
     * @param yesNo the confusion counts and derived rates for a yes/no family; null for an open-ended one
     */
    public record Score(int count, double vqaAccuracy, YesNoMetrics yesNo) {
        public boolean isYesNo() {
            return yesNo != null;
        }
    }

    private static final class Group {
        final boolean yesNo;
        int count;
        double vqaSum;
        YesNoMetrics confusion = YesNoMetrics.EMPTY;

        Group(boolean yesNo) {
            this.yesNo = yesNo;
        }

        void add(EvalSample sample, String prediction) {
            count++;
            if (yesNo) {
                confusion = confusion.plus(prediction, sample.answers().get(0));
            } else {
                vqaSum += VqaMetrics.vqaAccuracy(prediction, sample.answers());
            }
        }

        Score score() {
            return yesNo ? new Score(count, Double.NaN, confusion) : new Score(count, vqaSum / count, null);
        }
    }

    /** Scores {@code pope} and {@code vsr} as yes/no, every other family as open-ended. */
    public BenchmarkScore() {
        this(DEFAULT_YES_NO_FAMILIES);
    }

    /** Scores the given families as yes/no (e.g. also ShapesVQA's {@code existence} and {@code spatial}). */
    public BenchmarkScore(Set<String> yesNoFamilies) {
        this.yesNoFamilies = Set.copyOf(yesNoFamilies);
    }

    /**
     * Scores every sample against its prediction.
     *
     * @param predictions by sample id; each sample needs one (extra predictions are an error too)
     * @throws IllegalArgumentException naming a sample without a prediction or a prediction without a sample
     */
    public static BenchmarkScore of(List<EvalSample> samples, Map<String, String> predictions) {
        BenchmarkScore score = new BenchmarkScore();
        for (EvalSample s : samples) {
            String p = predictions.get(s.id());
            if (p == null) {
                throw new IllegalArgumentException("no prediction for sample '" + s.id() + "'");
            }
            score.add(s, p);
        }
        if (predictions.size() != samples.size()) {
            Set<String> ids = new HashSet<>();
            samples.forEach(s -> ids.add(s.id()));
            for (String id : new TreeSet<>(predictions.keySet())) {
                if (!ids.contains(id)) {
                    throw new IllegalArgumentException("prediction for unknown sample '" + id + "'");
                }
            }
        }
        return score;
    }

    /** Adds one sample and the model's free-form answer to it. */
    public BenchmarkScore add(EvalSample sample, String prediction) {
        Objects.requireNonNull(prediction, "prediction");
        boolean yesNo = yesNoFamilies.contains(sample.family());
        families.computeIfAbsent(sample.family(), f -> new Group(yesNo)).add(sample, prediction);
        if (sample.subset() != null) {
            subsets.computeIfAbsent(sample.family(), f -> new TreeMap<>())
                    .computeIfAbsent(sample.subset(), s -> new Group(yesNo)).add(sample, prediction);
        }
        return this;
    }

    /** The families seen, sorted. */
    public Set<String> families() {
        return Collections.unmodifiableSet(families.keySet());
    }

    /** The subsets seen in a family, sorted; empty if none. */
    public Set<String> subsets(String family) {
        return Collections.unmodifiableSet(subsets.getOrDefault(family, Map.of()).keySet());
    }

    /** A family's score over all its samples. */
    public Score family(String family) {
        Group g = families.get(family);
        if (g == null) {
            throw new IllegalArgumentException("no samples of family '" + family + "'");
        }
        return g.score();
    }

    /** A subset's score. */
    public Score subset(String family, String subset) {
        Group g = subsets.getOrDefault(family, Map.of()).get(subset);
        if (g == null) {
            throw new IllegalArgumentException("no samples of family '" + family + "', subset '" + subset + "'");
        }
        return g.score();
    }

    /**
     * The scores as pretty-printed JSON: {@code {"<family>": {"count": N, "vqa_accuracy": x, "subsets":
     * {...}}}}, or for yes/no families {@code accuracy}, {@code precision}, {@code recall}, {@code f1},
     * {@code yes_ratio} and the counts {@code tp}, {@code fp}, {@code tn}, {@code fn}.
     */
    public String toJson() {
        JsonObject root = new JsonObject();
        for (String family : families()) {
            JsonObject f = json(family(family));
            if (!subsets(family).isEmpty()) {
                JsonObject subs = new JsonObject();
                for (String subset : subsets(family)) {
                    subs.add(subset, json(subset(family, subset)));
                }
                f.add("subsets", subs);
            }
            root.add(family, f);
        }
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root);
    }

    private static JsonObject json(Score s) {
        JsonObject o = new JsonObject();
        o.addProperty("count", s.count());
        if (s.isYesNo()) {
            YesNoMetrics m = s.yesNo();
            o.addProperty("accuracy", m.accuracy());
            o.addProperty("precision", m.precision());
            o.addProperty("recall", m.recall());
            o.addProperty("f1", m.f1());
            o.addProperty("yes_ratio", m.yesRatio());
            o.addProperty("tp", m.tp());
            o.addProperty("fp", m.fp());
            o.addProperty("tn", m.tn());
            o.addProperty("fn", m.fn());
        } else {
            o.addProperty("vqa_accuracy", s.vqaAccuracy());
        }
        return o;
    }
}

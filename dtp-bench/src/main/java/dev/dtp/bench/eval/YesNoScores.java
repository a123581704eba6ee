package dev.dtp.bench.eval;

import com.google.gson.JsonObject;
import dev.dtp.bench.data.EvalSample;
import dev.dtp.bench.data.RankingMetrics;
import dev.dtp.bench.data.YesNoMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * POPE's figures for one policy's answers in a yes/no family, overall and per split (the {@code
 * subset}: adversarial, popular, random): accuracy, precision, recall, F1 and yes-ratio from the
 * answers, and AUCROC and AUCPR from the yes-probabilities when every answer was scored by
 * probability. VSR gets the same, of which the paper's tables use accuracy and AUCROC.
 */
final class YesNoScores {
    /** One answer and its question. */
    record Answer(EvalSample sample, SampleResult result) {}

    private YesNoScores() {}

    /** The family's figures, with {@code "subsets"} when its questions have subsets. */
    static JsonObject of(List<Answer> answers) {
        JsonObject o = figures(answers);
        Map<String, List<Answer>> bySubset = new TreeMap<>();
        for (Answer a : answers) {
            if (a.sample().subset() != null) {
                bySubset.computeIfAbsent(a.sample().subset(), s -> new ArrayList<>()).add(a);
            }
        }
        if (!bySubset.isEmpty()) {
            JsonObject subsets = new JsonObject();
            bySubset.forEach((s, list) -> subsets.add(s, figures(list)));
            o.add("subsets", subsets);
        }
        return o;
    }

    private static JsonObject figures(List<Answer> answers) {
        YesNoMetrics m = YesNoMetrics.EMPTY;
        double[] yes = new double[answers.size()];
        boolean[] truth = new boolean[answers.size()];
        boolean ranked = !answers.isEmpty();
        for (int i = 0; i < answers.size(); i++) {
            Answer a = answers.get(i);
            truth[i] = YesNoMetrics.isYes(a.sample().answers().get(0));
            m = m.plus(YesNoMetrics.isYes(a.result().prediction()), truth[i]);
            yes[i] = yesProbability(a.result());
            ranked &= !Double.isNaN(yes[i]);
        }
        JsonObject o = new JsonObject();
        o.addProperty("count", m.total());
        o.addProperty("accuracy", m.accuracy());
        o.addProperty("precision", m.precision());
        o.addProperty("recall", m.recall());
        o.addProperty("f1", m.f1());
        o.addProperty("yes_ratio", m.yesRatio());
        if (ranked) {
            o.addProperty("aucroc", RankingMetrics.aucRoc(yes, truth));
            o.addProperty("aucpr", RankingMetrics.aucPr(yes, truth));
        }
        return o;
    }

    /** The probability of "yes" (or "true", VSR's wording), NaN for a generated answer. */
    static double yesProbability(SampleResult r) {
        double p = r.probability("yes");
        return Double.isNaN(p) ? r.probability("true") : p;
    }
}

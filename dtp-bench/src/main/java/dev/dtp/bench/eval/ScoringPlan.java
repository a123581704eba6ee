package dev.dtp.bench.eval;

import dev.dtp.bench.data.DatasetException;
import dev.dtp.bench.data.EvalSample;
import dev.dtp.bench.data.JsonlDataset.Numbered;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * How each question of an eval is scored, decided before anything runs. Under {@code auto} a
 * line's {@code "scoring"} wins, else the benchmark's choice in vlm-evaluation ({@link
 * #PROBABILITY_BENCHMARKS}); {@code --scoring generate|probability} applies to every line.
 * Probability scoring needs candidates whose first tokens differ: the line's {@code
 * "candidates"}, or yes/no when every reference answer is yes or no. A question that cannot be
 * scored by probability is an error naming its line, except under {@code auto}, where it is
 * scored by generation and {@link #notes()} says so.
 */
final class ScoringPlan {
    /** The families (as {@code dtp data} names them) vlm-evaluation scores by candidate probability. */
    static final Set<String> PROBABILITY_BENCHMARKS = Set.of("pope", "vsr", "ai2d", "tallyqa");

    /**
     * @param candidates the answers to choose among (probability scoring), else empty
     * @param firstTokens each candidate's first token id
     */
    record Choice(List<String> candidates, int[] firstTokens) {
        static final Choice GENERATE = new Choice(List.of(), new int[0]);

        boolean probability() {
            return !candidates.isEmpty();
        }

        String label() {
            return probability() ? "probability" : "generate";
        }
    }

    private final ScoringMode mode;
    private final Map<String, Choice> choices;
    private final List<String> fallbacks;

    private ScoringPlan(ScoringMode mode, Map<String, Choice> choices, List<String> fallbacks) {
        this.mode = mode;
        this.choices = choices;
        this.fallbacks = fallbacks;
    }

    /** True when some question is scored by probability. */
    boolean anyProbability() {
        return choices.values().stream().anyMatch(Choice::probability);
    }

    /** Every question scored by generation. */
    static ScoringPlan generateAll() {
        return new ScoringPlan(ScoringMode.GENERATE, Map.of(), List.of());
    }

    /**
     * @param file the eval JSONL, for errors
     * @param encode the tokenizer: a candidate's token ids
     * @throws DatasetException naming the line of a question that {@code mode} cannot score
     */
    static ScoringPlan of(ScoringMode mode, Path file, List<Numbered> samples, Function<String, int[]> encode) {
        Map<String, Choice> choices = new HashMap<>();
        List<String> fallbacks = new ArrayList<>();
        for (Numbered n : samples) {
            EvalSample s = n.sample();
            if (!wantsProbability(mode, s)) {
                continue;
            }
            List<String> candidates = candidates(s);
            String problem = candidates.isEmpty()
                    ? "no candidates to score by probability (the line gives no \"candidates\" and its answers are not yes/no)"
                    : null;
            int[] first = new int[candidates.size()];
            for (int i = 0; i < candidates.size() && problem == null; i++) {
                int[] ids = encode.apply(candidates.get(i));
                if (ids.length == 0) {
                    problem = "candidate '" + candidates.get(i) + "' has no tokens";
                    break;
                }
                first[i] = ids[0];
                for (int j = 0; j < i; j++) {
                    if (first[j] == first[i]) {
                        problem = "candidates '" + candidates.get(j) + "' and '" + candidates.get(i)
                                + "' begin with the same token (id " + first[i]
                                + "), so the first answer step cannot tell them apart";
                    }
                }
            }
            if (problem == null) {
                choices.put(s.id(), new Choice(candidates, first));
            } else if (mode == ScoringMode.AUTO) {
                fallbacks.add(s.id() + " (line " + n.line() + "): " + problem);
            } else {
                throw new DatasetException(file, n.line(), "question '" + s.id() + "' cannot be scored by probability: "
                        + problem);
            }
        }
        return new ScoringPlan(mode, choices, fallbacks);
    }

    private static boolean wantsProbability(ScoringMode mode, EvalSample s) {
        return switch (mode) {
            case GENERATE -> false;
            case PROBABILITY -> true;
            case AUTO -> s.scoring() != null ? s.scoring().equals("probability")
                    : PROBABILITY_BENCHMARKS.contains(s.family());
        };
    }

    private static List<String> candidates(EvalSample s) {
        if (!s.candidates().isEmpty()) {
            return s.candidates();
        }
        boolean yesNo = s.answers().stream().allMatch(a -> a.equalsIgnoreCase("yes") || a.equalsIgnoreCase("no"));
        return yesNo ? List.of("yes", "no") : List.of();
    }

    Choice choice(String id) {
        return choices.getOrDefault(id, Choice.GENERATE);
    }

    ScoringMode mode() {
        return mode;
    }

    /** Questions {@code auto} meant to score by probability but scored by generation, and why. */
    List<String> fallbacks() {
        return fallbacks;
    }

    /** What the report says about scoring: how many questions each way and every fallback. */
    List<String> notes() {
        List<String> notes = new ArrayList<>();
        notes.add("Scoring " + mode.label() + ": " + choices.size() + " question(s) by candidate probability, the rest by "
                + "generated text.");
        if (!fallbacks.isEmpty()) {
            notes.add(fallbacks.size() + " question(s) fell back to generation: " + String.join("; ",
                    fallbacks.subList(0, Math.min(5, fallbacks.size()))) + (fallbacks.size() > 5 ? "; …" : "") + ".");
        }
        return notes;
    }
}

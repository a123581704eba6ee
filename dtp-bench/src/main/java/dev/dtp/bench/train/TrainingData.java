package dev.dtp.bench.train;

import dev.dtp.bench.data.Family;
import dev.dtp.bench.data.SceneQuestions;
import dev.dtp.bench.data.ShapesVqa;
import dev.dtp.bench.data.ShapesVqaSample;
import dev.dtp.bench.data.Split;
import dev.dtp.core.InputException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The ShapesVQA scenes a run trains and validates on, and where its follow-up questions come from.
 *
 * @param generator the seeded generator the samples came from, which also renders their images
 * @param followUps the follow-up questions: the recipe's families, location questions if asked
 * @param locationVal one location question per validation scene that has an object to ask about;
 *     empty unless the recipe asks location questions
 */
record TrainingData(ShapesVqa generator, SceneQuestions followUps, List<ShapesVqaSample> train,
        List<ShapesVqaSample> val, List<ShapesVqaSample> locationVal) {

    static TrainingData generate(TrainingRecipe.Data recipe, PrintWriter o) {
        ShapesVqa.Builder builder = ShapesVqa.builder().seed(recipe.seed());
        Set<Family> asked = EnumSet.allOf(Family.class);
        if (recipe.families() != null) {
            Map<Family, Double> mix = evenMix(recipe.families());
            builder.familyMix(mix);
            asked = mix.keySet();
        }
        ShapesVqa generator = builder.build();
        SceneQuestions followUps = new SceneQuestions(generator, asked, recipe.locationQuestions());
        o.printf(Locale.ROOT, "Generating %d training and %d validation scenes (seed %d)…%n", recipe.trainCount(),
                recipe.valCount(), recipe.seed());
        o.flush();
        List<ShapesVqaSample> train = generator.samples(Split.TRAIN, recipe.trainCount()).toList();
        List<ShapesVqaSample> val = generator.samples(Split.VALIDATION, recipe.valCount()).toList();
        List<ShapesVqaSample> locationVal = recipe.locationQuestions() ? locationValidation(followUps, val) : List.of();
        return new TrainingData(generator, followUps, train, val, locationVal);
    }

    /** The named families, equally likely. */
    private static Map<Family, Double> evenMix(List<String> families) {
        Map<Family, Double> mix = new EnumMap<>(Family.class);
        for (String f : families) {
            mix.put(Arrays.stream(Family.values()).filter(x -> x.id().equals(f)).findFirst()
                    .orElseThrow(() -> new InputException("unknown family '" + f + "'")), 1.0);
        }
        return mix;
    }

    private static List<ShapesVqaSample> locationValidation(SceneQuestions questions, List<ShapesVqaSample> val) {
        SplittableRandom rng = new SplittableRandom(0);
        List<ShapesVqaSample> out = new ArrayList<>();
        for (ShapesVqaSample s : val) {
            SceneQuestions.QuestionAnswer qa = questions.location(s.scene().objects(), rng);
            if (qa != null) {
                out.add(new ShapesVqaSample(s.id(), s.split(), s.index(), qa.family(), "location", qa.question(),
                        qa.answer(), s.scene()));
            }
        }
        return out;
    }
}

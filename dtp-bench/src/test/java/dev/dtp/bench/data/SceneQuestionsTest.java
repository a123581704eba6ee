package dev.dtp.bench.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every follow-up question is checked against the scene's objects by decoding the question back into
 * its parts (trying every shape, colour and relation) and recomputing the answer from the geometry.
 */
class SceneQuestionsTest {
    private static final ShapesVqa DATA = ShapesVqa.builder().seed(3).build();

    @Test
    void followUpAnswersAgreeWithTheScene() {
        SceneQuestions questions = new SceneQuestions(DATA);
        SplittableRandom rng = new SplittableRandom(1);
        Map<Family, Integer> seen = new EnumMap<>(Family.class);
        for (ShapesVqaSample s : DATA.samples(Split.TRAIN, 300).toList()) {
            for (SceneQuestions.QuestionAnswer qa : questions.sample(s.scene(), 6, rng)) {
                assertEquals(qa.answer(), recompute(s.scene(), qa), qa.question());
                assertTrue(ShapesVqa.vocabulary().containsAll(ShapesVqa.tokens(qa.question())), qa.question());
                seen.merge(qa.family(), 1, Integer::sum);
            }
        }
        for (Family f : Family.values()) {
            assertTrue(seen.getOrDefault(f, 0) > 50, "family " + f + " asked " + seen.get(f) + " times");
        }
    }

    @Test
    void locationQuestionsAgreeWithTheSceneAndOnlyAskedFamiliesAppear() {
        SceneQuestions questions = new SceneQuestions(DATA, Set.of(Family.COUNT), true);
        SplittableRandom rng = new SplittableRandom(2);
        int locations = 0;
        Map<String, Integer> answers = new TreeMap<>();
        for (ShapesVqaSample s : DATA.samples(Split.TRAIN, 300).toList()) {
            for (SceneQuestions.QuestionAnswer qa : questions.sample(s.scene(), 6, rng)) {
                assertTrue(ShapesVqa.vocabulary().containsAll(ShapesVqa.tokens(qa.question())), qa.question());
                if (qa.family() == Family.COUNT) {
                    assertEquals(qa.answer(), recompute(s.scene(), qa), qa.question());
                    continue;
                }
                assertEquals(Family.SPATIAL, qa.family(), qa.question());
                assertEquals(qa.answer(), recomputeLocation(s.scene(), qa.question()), qa.question());
                locations++;
                answers.merge(qa.answer(), 1, Integer::sum);
            }
        }
        assertTrue(locations > 500, "location questions asked: " + locations);
        assertEquals(Set.of("left", "right", "top", "bottom"), answers.keySet());
        answers.values().forEach(c -> assertTrue(c > 100, "answers " + answers));
    }

    /** From the pixel box: "left" means the whole box lies left of the vertical centre line, and so on. */
    private static String recomputeLocation(Scene scene, String question) {
        int half = DATA.imageSize() / 2;
        for (Shape s : Shape.values()) {
            String where = question.replace(" the " + s.word() + " ", " the X ");
            if (where.equals(question)) {
                continue;
            }
            Scene.SceneObject o = only(scene.objects().stream().filter(x -> x.shape() == s).toList());
            boolean left = o.x() + o.side() <= half;
            boolean right = o.x() >= half;
            boolean top = o.y() + o.side() <= half;
            boolean bottom = o.y() >= half;
            return switch (where) {
                case "which side is the X on?" -> half(left, right, "left", "right", question);
                case "which row is the X in?" -> half(top, bottom, "top", "bottom", question);
                default -> fail("unknown location question " + question);
            };
        }
        return fail("unknown location question " + question);
    }

    private static String half(boolean first, boolean second, String firstWord, String secondWord, String question) {
        assertTrue(first ^ second, "object straddles the centre line: " + question);
        return first ? firstWord : secondWord;
    }

    @Test
    void sceneWithoutTextGetsNoTextQuestion() {
        SceneQuestions questions = new SceneQuestions(DATA);
        Scene scene = DATA.samples(Split.TRAIN, 200).map(ShapesVqaSample::scene)
                .filter(x -> x.text() == null).findFirst().orElseThrow();
        assertEquals(null, questions.ask(scene, Family.TEXT, new SplittableRandom(0)));
    }

    private static String recompute(Scene scene, SceneQuestions.QuestionAnswer qa) {
        List<Scene.SceneObject> objects = scene.objects();
        String q = qa.question();
        for (Shape s : Shape.values()) {
            if (q.equals(ShapesVqa.colorQuestion(s))) {
                return only(objects.stream().filter(o -> o.shape() == s).toList()).color().word();
            }
            if (q.equals(ShapesVqa.countQuestion(s))) {
                return Long.toString(objects.stream().filter(o -> o.shape() == s).count());
            }
            for (ObjectColor c : ObjectColor.values()) {
                if (q.equals(ShapesVqa.sizeQuestion(c, s))) {
                    return only(objects.stream().filter(o -> o.shape() == s && o.color() == c).toList()).size().word();
                }
                if (q.equals(ShapesVqa.existenceQuestion(c, s))) {
                    return objects.stream().anyMatch(o -> o.shape() == s && o.color() == c) ? "yes" : "no";
                }
            }
            for (Shape t : Shape.values()) {
                for (ShapesVqa.Relation r : ShapesVqa.Relation.values()) {
                    if (q.equals(ShapesVqa.spatialQuestion(s, r, t))) {
                        Scene.SceneObject a = only(objects.stream().filter(o -> o.shape() == s).toList());
                        Scene.SceneObject b = only(objects.stream().filter(o -> o.shape() == t).toList());
                        int margin = DATA.spatialMargin();
                        if (r.holds(a, b, margin)) {
                            return "yes";
                        }
                        assertTrue(r.opposite().holds(a, b, margin), "neither way clearly apart: " + q);
                        return "no";
                    }
                }
            }
        }
        for (ObjectColor c : ObjectColor.values()) {
            if (q.equals(ShapesVqa.shapeQuestion(c))) {
                return only(objects.stream().filter(o -> o.color() == c).toList()).shape().word();
            }
        }
        if (q.equals(ShapesVqa.textQuestion(scene.text().number()))) {
            return scene.text().content();
        }
        return fail("unknown question " + q);
    }

    private static Scene.SceneObject only(List<Scene.SceneObject> matches) {
        assertEquals(1, matches.size(), "the described object must be unique");
        return matches.get(0);
    }
}

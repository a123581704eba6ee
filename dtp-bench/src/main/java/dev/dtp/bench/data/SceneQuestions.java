package dev.dtp.bench.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * More questions about a scene that already exists, under the same rules ShapesVQA's generator uses for
 * each family (a described object is unique, spatial pairs are clearly apart, counts are 0–4). Training
 * asks several of these after one image — one image pass then teaches several answers — while tests keep
 * ShapesVQA's one question per image.
 */
public final class SceneQuestions {
    private final int margin;

    /** @param data the dataset whose rules (spatial margin) apply */
    public SceneQuestions(ShapesVqa data) {
        this.margin = data.spatialMargin();
    }

    /** A question with its single-word answer. */
    public record QuestionAnswer(Family family, String question, String answer) {
    }

    /** {@code count} questions drawn uniformly over the families this scene supports (repeats possible). */
    public List<QuestionAnswer> sample(Scene scene, int count, SplittableRandom rng) {
        List<QuestionAnswer> out = new ArrayList<>(count);
        while (out.size() < count) {
            Family family = Family.values()[rng.nextInt(Family.values().length)];
            QuestionAnswer qa = ask(scene, family, rng);
            if (qa != null) {
                out.add(qa);
            }
        }
        return out;
    }

    /** One question of the family about the scene, or null if the scene has nothing to ask of that kind. */
    public QuestionAnswer ask(Scene scene, Family family, SplittableRandom rng) {
        List<Scene.SceneObject> objects = scene.objects();
        return switch (family) {
            case ATTRIBUTE -> attribute(objects, rng);
            case EXISTENCE -> existence(scene, rng);
            case SPATIAL -> spatial(objects, rng);
            case TEXT -> scene.text() == null ? null
                    : new QuestionAnswer(family, ShapesVqa.textQuestion(scene.text().number()), scene.text().content());
            case COUNT -> {
                Shape shape = Shape.values()[rng.nextInt(Shape.values().length)];
                yield new QuestionAnswer(family, ShapesVqa.countQuestion(shape), Long.toString(scene.count(shape)));
            }
        };
    }

    private static QuestionAnswer attribute(List<Scene.SceneObject> objects, SplittableRandom rng) {
        if (objects.isEmpty()) {
            return null;
        }
        Scene.SceneObject o = objects.get(rng.nextInt(objects.size()));
        return switch (rng.nextInt(3)) {
            case 0 -> objects.stream().filter(x -> x.shape() == o.shape()).count() == 1
                    ? new QuestionAnswer(Family.ATTRIBUTE, ShapesVqa.colorQuestion(o.shape()), o.color().word()) : null;
            case 1 -> objects.stream().filter(x -> x.color() == o.color()).count() == 1
                    ? new QuestionAnswer(Family.ATTRIBUTE, ShapesVqa.shapeQuestion(o.color()), o.shape().word()) : null;
            default -> objects.stream().filter(x -> x.shape() == o.shape() && x.color() == o.color()).count() == 1
                    ? new QuestionAnswer(Family.ATTRIBUTE, ShapesVqa.sizeQuestion(o.color(), o.shape()), o.size().word())
                    : null;
        };
    }

    private static QuestionAnswer existence(Scene scene, SplittableRandom rng) {
        if (rng.nextBoolean() && !scene.objects().isEmpty()) {
            Scene.SceneObject o = scene.objects().get(rng.nextInt(scene.objects().size()));
            return new QuestionAnswer(Family.EXISTENCE, ShapesVqa.existenceQuestion(o.color(), o.shape()), "yes");
        }
        Shape shape = Shape.values()[rng.nextInt(Shape.values().length)];
        ObjectColor color = ObjectColor.values()[rng.nextInt(ObjectColor.values().length)];
        return scene.contains(shape, color) ? null
                : new QuestionAnswer(Family.EXISTENCE, ShapesVqa.existenceQuestion(color, shape), "no");
    }

    private QuestionAnswer spatial(List<Scene.SceneObject> objects, SplittableRandom rng) {
        List<Scene.SceneObject> unique = objects.stream()
                .filter(o -> objects.stream().filter(x -> x.shape() == o.shape()).count() == 1)
                .toList();
        if (unique.size() < 2) {
            return null;
        }
        int i = rng.nextInt(unique.size());
        int j = (i + 1 + rng.nextInt(unique.size() - 1)) % unique.size();
        Scene.SceneObject a = unique.get(i);
        Scene.SceneObject b = unique.get(j);
        List<ShapesVqa.Relation> holding = Arrays.stream(ShapesVqa.Relation.values())
                .filter(r -> r.holds(a, b, margin))
                .toList();
        if (holding.isEmpty()) {
            return null;
        }
        ShapesVqa.Relation truth = holding.get(rng.nextInt(holding.size()));
        boolean yes = rng.nextBoolean();
        ShapesVqa.Relation asked = yes ? truth : truth.opposite();
        return new QuestionAnswer(Family.SPATIAL, ShapesVqa.spatialQuestion(a.shape(), asked, b.shape()), yes ? "yes" : "no");
    }
}

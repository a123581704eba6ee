package dev.dtp.bench.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * More questions about a scene that already exists, under the same rules ShapesVQA's generator uses for
 * each family (a described object is unique, spatial pairs are clearly apart, counts are 0–4). Training
 * asks several of these after one image — one image pass then teaches several answers — while tests keep
 * ShapesVQA's one question per image.
 */
public final class SceneQuestions {
    private final int margin;
    private final int imageSize;
    private final List<Family> families;
    private final boolean locations;

    /** Questions of every family; @param data the dataset whose rules (spatial margin) apply */
    public SceneQuestions(ShapesVqa data) {
        this(data, EnumSet.allOf(Family.class), false);
    }

    /**
     * @param families  the families {@link #sample} draws from
     * @param locations whether {@link #sample} also asks {@link #location location questions}, a training aid
     *                  for spatial relations: one object against the image's halves
     */
    public SceneQuestions(ShapesVqa data, Set<Family> families, boolean locations) {
        if (families.isEmpty() && !locations) {
            throw new IllegalArgumentException("no question kind to sample");
        }
        this.margin = data.spatialMargin();
        this.imageSize = data.imageSize();
        this.families = List.copyOf(new TreeSet<>(families));
        this.locations = locations;
    }

    /** A question with its single-word answer. */
    public record QuestionAnswer(Family family, String question, String answer) {
    }

    /**
     * {@code count} questions drawn uniformly over the question kinds (the families, and location questions
     * if enabled) that this scene supports (repeats possible).
     */
    public List<QuestionAnswer> sample(Scene scene, int count, SplittableRandom rng) {
        List<QuestionAnswer> out = new ArrayList<>(count);
        int kinds = families.size() + (locations ? 1 : 0);
        for (int attempt = 0; out.size() < count; attempt++) {
            if (attempt >= 1000 * count) {
                throw new IllegalArgumentException("the scene supports none of the question kinds " + families
                        + (locations ? " + location" : ""));
            }
            int kind = rng.nextInt(kinds);
            QuestionAnswer qa = kind < families.size() ? ask(scene, families.get(kind), rng) : location(scene.objects(), rng);
            if (qa != null) {
                out.add(qa);
            }
        }
        return out;
    }

    /**
     * "Which side is the circle on?" (left/right) or "which row is the circle in?" (top/bottom) about an
     * object whose shape is unique and whose box lies entirely in one half of the image along a random axis.
     * Unlike yes/no relations, the answer depends on the one object's place alone, so a model can learn to
     * fetch places from it before it learns to compare them. Labelled {@link Family#SPATIAL}. Null if the
     * scene has no such object on that axis.
     */
    public QuestionAnswer location(List<Scene.SceneObject> objects, SplittableRandom rng) {
        if (objects.isEmpty()) {
            return null;
        }
        Scene.SceneObject o = objects.get(rng.nextInt(objects.size()));
        ShapesVqa.Axis axis = ShapesVqa.Axis.values()[rng.nextInt(ShapesVqa.Axis.values().length)];
        String half = axis.half(o, imageSize);
        if (half == null || objects.stream().filter(x -> x.shape() == o.shape()).count() != 1) {
            return null;
        }
        return new QuestionAnswer(Family.SPATIAL, ShapesVqa.locationQuestion(o.shape(), axis), half);
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

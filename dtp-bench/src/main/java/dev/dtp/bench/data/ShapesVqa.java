package dev.dtp.bench.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.IntConsumer;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * ShapesVQA: a generated visual-QA dataset whose question families mirror the paper's benchmarks
 * (see {@link Family} and docs/DATA.md).
 *
 * <p>Determinism: sample {@code i} of a split is drawn from its own {@link SplittableRandom}, seeded from
 * (seed, split, i) alone, and rendered with integer geometry, a bitmap font and {@link PngEncoder}; so the
 * same seed gives byte-identical images and JSONL on every machine, and a shorter run is a prefix of a
 * longer one. Splits use different derived seeds.
 *
 * <pre>{@code
 * ShapesVqa data = ShapesVqa.builder().seed(7).imageSize(64).build();
 * ShapesVqa.Summary s = data.write(Split.TRAIN, 10_000, Path.of("data"), i -> {});
 * }</pre>
 */
public final class ShapesVqa {
    public static final int DEFAULT_IMAGE_SIZE = 64;
    public static final int MIN_IMAGE_SIZE = 32;
    public static final int MAX_NUMBER = 99;
    public static final int MAX_COUNT = 4;

    /** Words that may be rendered; none is also a colour, shape, size or yes/no answer. */
    public static final List<String> WORDS = List.of(
            "cat", "dog", "sun", "box", "car", "hat", "map", "pen", "cup", "bus", "egg", "fox", "key", "owl",
            "pig", "bed", "bee", "jar", "net", "toy", "van", "web", "zoo", "fish", "frog", "bird", "moon",
            "tree", "boat", "lamp", "kite", "duck");

    /** Subsets of {@link Family#EXISTENCE}: how the object of a "no" question was sampled (POPE). */
    public static final List<String> EXISTENCE_SUBSETS = List.of("random", "popular", "adversarial");

    /** Object kind = (shape, colour), the unit of existence questions. */
    record Kind(Shape shape, ObjectColor color) {
    }

    /**
     * The dataset's frequent kinds: drawn three times as often as the others wherever a kind is free, and
     * the source of POPE's "popular" negatives. A fixed table, so every split and seed agrees on it.
     */
    static final List<Kind> POPULAR = List.of(
            new Kind(Shape.CIRCLE, ObjectColor.RED), new Kind(Shape.TRIANGLE, ObjectColor.GREEN),
            new Kind(Shape.SQUARE, ObjectColor.BLUE), new Kind(Shape.DIAMOND, ObjectColor.YELLOW),
            new Kind(Shape.CROSS, ObjectColor.PURPLE), new Kind(Shape.SQUARE, ObjectColor.ORANGE),
            new Kind(Shape.CIRCLE, ObjectColor.WHITE));
    private static final int POPULAR_WEIGHT = 3;

    enum Relation {
        LEFT("left", "left of"), RIGHT("right", "right of"), ABOVE("above", "above"), BELOW("below", "below");

        final String id;
        final String phrase;

        Relation(String id, String phrase) {
            this.id = id;
            this.phrase = phrase;
        }

        Relation opposite() {
            return values()[ordinal() ^ 1];
        }

        /** a is clearly {@code this} b: the boxes are at least {@code margin} pixels apart along the axis. */
        boolean holds(Scene.SceneObject a, Scene.SceneObject b, int margin) {
            return switch (this) {
                case LEFT -> a.right() + margin <= b.x();
                case RIGHT -> b.right() + margin <= a.x();
                case ABOVE -> a.bottom() + margin <= b.y();
                case BELOW -> b.bottom() + margin <= a.y();
            };
        }
    }

    /**
     * The two halves of the image along one axis, for the training-only location questions ("which side is
     * the circle on?" left, "which row is the circle in?" top): an object is in a half when its box lies
     * entirely in it. The shape word stands two tokens before the answer, as in the attribute questions.
     */
    public enum Axis {
        HORIZONTAL("which side is the %s on?", "left", "right"), VERTICAL("which row is the %s in?", "top", "bottom");

        final String template;
        final String first;
        final String second;

        Axis(String template, String first, String second) {
            this.template = template;
            this.first = first;
            this.second = second;
        }

        /** "left"/"top" or "right"/"bottom" when the box lies entirely in that half, else null. */
        String half(Scene.SceneObject o, int imageSize) {
            int middle = imageSize / 2;
            int from = this == HORIZONTAL ? o.x() : o.y();
            return from + o.side() <= middle ? first : from >= middle ? second : null;
        }
    }

    private record Spec(Shape shape, ObjectColor color, ObjectSize size) {
    }

    private static final List<Kind> ALL_KINDS = Arrays.stream(Shape.values())
            .flatMap(s -> Arrays.stream(ObjectColor.values()).map(c -> new Kind(s, c)))
            .toList();
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final int GAP = 2;
    private static final int ATTEMPTS_PER_STAGE = 200;

    private final long seed;
    private final int imageSize;
    private final double[] mix;
    private final double textProbability;

    private ShapesVqa(Builder b) {
        this.seed = b.seed;
        this.imageSize = b.imageSize;
        this.textProbability = b.textProbability;
        double total = b.mix.values().stream().mapToDouble(Double::doubleValue).sum();
        this.mix = new double[Family.values().length];
        for (Family f : Family.values()) {
            mix[f.ordinal()] = b.mix.getOrDefault(f, 0.0) / total;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public long seed() {
        return seed;
    }

    public int imageSize() {
        return imageSize;
    }

    /** Name of a split's JSONL file inside the output directory. */
    public static String jsonlName(Split split) {
        return "shapesvqa-" + split.id() + ".jsonl";
    }

    /**
     * The first {@code count} samples of a split. Families follow the configured mix exactly (each prefix
     * is as close to it as whole numbers allow), interleaved in a fixed order.
     */
    public Stream<ShapesVqaSample> samples(Split split, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0: " + count);
        }
        long splitSeed = mix64(seed ^ mix64(GOLDEN * (split.ordinal() + 1)));
        Family[] families = schedule(count);
        return IntStream.range(0, count).mapToObj(i -> generate(split, splitSeed, i, families[i]));
    }

    public BufferedImage render(ShapesVqaSample sample) {
        return SceneRenderer.render(sample.scene());
    }

    /** What {@link #write} produced. */
    public record Summary(Path jsonl, int count, Map<Family, Integer> perFamily) {
    }

    /**
     * Writes {@code count} samples of {@code split}: images to {@code dir/images/<split>-NNNNNN.png} and
     * the JSONL to {@code dir/}{@link #jsonlName}. {@code progress} receives the number of samples done.
     */
    public Summary write(Split split, int count, Path dir, IntConsumer progress) throws IOException {
        return write(split, count, 1, dir, progress);
    }

    /**
     * As {@link #write(Split, int, Path, IntConsumer)} with {@code questionsPerImage} questions about each
     * scene: the scene's own question (families in the configured mix), then follow-ups drawn uniformly over
     * the families the scene supports ({@link SceneQuestions}), with ids {@code <id>-q1}, {@code <id>-q2}, …
     * {@code count} is the number of questions; the last scene may have fewer.
     */
    public Summary write(Split split, int count, int questionsPerImage, Path dir, IntConsumer progress)
            throws IOException {
        if (questionsPerImage < 1) {
            throw new IllegalArgumentException("questions per image must be >= 1: " + questionsPerImage);
        }
        int perImage = questionsPerImage;
        Path images = dir.resolve("images");
        Files.createDirectories(images);
        List<EvalSample> rows = new ArrayList<>(count);
        Map<Family, Integer> perFamily = new EnumMap<>(Family.class);
        SceneQuestions followUps = new SceneQuestions(this);
        int scenes = (count + perImage - 1) / perImage;
        for (Iterator<ShapesVqaSample> it = samples(split, scenes).iterator(); it.hasNext(); ) {
            ShapesVqaSample s = it.next();
            Path image = images.resolve(s.imageName());
            Files.write(image, PngEncoder.encode(render(s)));
            rows.add(s.toEvalSample(image));
            perFamily.merge(s.family(), 1, Integer::sum);
            int more = Math.min(perImage - 1, count - rows.size());
            SplittableRandom rng = new SplittableRandom(mix64(seed ^ s.id().hashCode() ^ GOLDEN));
            List<SceneQuestions.QuestionAnswer> qas = followUps.sample(s.scene(), more, rng);
            for (int q = 0; q < qas.size(); q++) {
                SceneQuestions.QuestionAnswer qa = qas.get(q);
                rows.add(new EvalSample(s.id() + "-q" + (q + 1), image, qa.question(), List.of(qa.answer()),
                        qa.family().id(), null, null));
                perFamily.merge(qa.family(), 1, Integer::sum);
            }
            progress.accept(rows.size());
        }
        Path jsonl = dir.resolve(jsonlName(split));
        JsonlDataset.write(jsonl, rows);
        return new Summary(jsonl, rows.size(), Collections.unmodifiableMap(perFamily));
    }

    // ---------------------------------------------------------------- vocabulary

    /** Splits text into word-level tokens: whitespace-separated words, with a trailing '?' a token of its own. */
    public static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        for (String word : text.trim().split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            if (word.length() > 1 && word.endsWith("?")) {
                out.add(word.substring(0, word.length() - 1));
                out.add("?");
            } else {
                out.add(word);
            }
        }
        return out;
    }

    /** Every {@link #tokens token} of every question and answer ShapesVQA can produce, sorted. */
    public static SortedSet<String> vocabulary() {
        List<String> texts = new ArrayList<>();
        for (Shape s : Shape.values()) {
            texts.add(colorQuestion(s));
            texts.add(countQuestion(s));
            texts.add(s.word());
            for (Shape other : Shape.values()) {
                for (Relation r : Relation.values()) {
                    texts.add(spatialQuestion(s, r, other));
                }
            }
            for (Axis axis : Axis.values()) {
                texts.add(locationQuestion(s, axis));
                texts.add(axis.first + " " + axis.second);
            }
            for (ObjectColor c : ObjectColor.values()) {
                texts.add(sizeQuestion(c, s));
                texts.add(existenceQuestion(c, s));
            }
        }
        for (ObjectColor c : ObjectColor.values()) {
            texts.add(shapeQuestion(c));
            texts.add(c.word());
        }
        for (ObjectSize z : ObjectSize.values()) {
            texts.add(z.word());
        }
        texts.add(textQuestion(false));
        texts.add(textQuestion(true));
        texts.add("yes");
        texts.add("no");
        texts.addAll(WORDS);
        for (int n = 0; n <= MAX_NUMBER; n++) {
            texts.add(Integer.toString(n));
        }
        SortedSet<String> vocabulary = new TreeSet<>();
        texts.forEach(t -> vocabulary.addAll(tokens(t)));
        return Collections.unmodifiableSortedSet(vocabulary);
    }

    static String colorQuestion(Shape s) {
        return "what color is the " + s.word() + "?";
    }

    static String shapeQuestion(ObjectColor c) {
        return "what shape is the " + c.word() + " object?";
    }

    static String sizeQuestion(ObjectColor c, Shape s) {
        return "what size is the " + c.word() + " " + s.word() + "?";
    }

    static String existenceQuestion(ObjectColor c, Shape s) {
        return "is there " + c.article() + " " + c.word() + " " + s.word() + "?";
    }

    static String spatialQuestion(Shape a, Relation r, Shape b) {
        return "is the " + a.word() + " " + r.phrase + " the " + b.word() + "?";
    }

    static String locationQuestion(Shape s, Axis axis) {
        return String.format(Locale.ROOT, axis.template, s.word());
    }

    static String textQuestion(boolean number) {
        return number ? "what number is written?" : "what word is written?";
    }

    static String countQuestion(Shape s) {
        return "how many " + s.plural() + " are there?";
    }

    // ---------------------------------------------------------------- generation

    /** Largest-deficit apportionment: sample i goes to the family furthest below its share of i + 1. */
    private Family[] schedule(int count) {
        Family[] out = new Family[count];
        int[] done = new int[mix.length];
        for (int i = 0; i < count; i++) {
            int best = 0;
            double bestDeficit = Double.NEGATIVE_INFINITY;
            for (int f = 0; f < mix.length; f++) {
                double deficit = mix[f] * (i + 1) - done[f];
                if (mix[f] > 0 && deficit > bestDeficit) {
                    best = f;
                    bestDeficit = deficit;
                }
            }
            done[best]++;
            out[i] = Family.values()[best];
        }
        return out;
    }

    private ShapesVqaSample generate(Split split, long splitSeed, int index, Family family) {
        SplittableRandom rng = new SplittableRandom(mix64(splitSeed + GOLDEN * (index + 1L)));
        String id = String.format(Locale.ROOT, "shapesvqa-%s-%06d", split.id(), index);
        return switch (family) {
            case ATTRIBUTE -> attribute(rng, id, split, index);
            case EXISTENCE -> existence(rng, id, split, index);
            case SPATIAL -> spatial(rng, id, split, index);
            case TEXT -> text(rng, id, split, index);
            case COUNT -> count(rng, id, split, index);
        };
    }

    /** GQA-like; the described object is the only one matching its description. */
    private ShapesVqaSample attribute(SplittableRandom rng, String id, Split split, int index) {
        Shape shape = pick(rng, Shape.values());
        ObjectColor color = pick(rng, ObjectColor.values());
        ObjectSize size = pick(rng, ObjectSize.values());
        List<Spec> specs = new ArrayList<>();
        specs.add(new Spec(shape, color, size));
        int distractors = rng.nextInt(MAX_COUNT);
        String subset;
        String question;
        String answer;
        Predicate<Kind> allowed;
        switch (rng.nextInt(3)) {
            case 0 -> {
                subset = "color";
                question = colorQuestion(shape);
                answer = color.word();
                allowed = k -> k.shape() != shape;
            }
            case 1 -> {
                subset = "shape";
                question = shapeQuestion(color);
                answer = shape.word();
                allowed = k -> k.color() != color;
            }
            default -> {
                subset = "size";
                question = sizeQuestion(color, shape);
                answer = size.word();
                allowed = k -> !(k.shape() == shape && k.color() == color);
            }
        }
        for (int k = 0; k < distractors; k++) {
            specs.add(freeSpec(rng, allowed));
        }
        Scene scene = layout(rng, specs, 1, maybeText(rng), false, objects -> true);
        return new ShapesVqaSample(id, split, index, Family.ATTRIBUTE, subset, question, answer, scene);
    }

    /** POPE-like; half the answers are "yes", and the subset decides how "no" objects are chosen. */
    private ShapesVqaSample existence(SplittableRandom rng, String id, Split split, int index) {
        String subset = EXISTENCE_SUBSETS.get(rng.nextInt(EXISTENCE_SUBSETS.size()));
        boolean yes = rng.nextBoolean();
        int wanted = 1 + rng.nextInt(MAX_COUNT);
        List<Spec> specs = new ArrayList<>();
        for (int k = 0; k < wanted; k++) {
            specs.add(freeSpec(rng, kind -> true));
        }
        Scene scene = layout(rng, specs, 1, maybeText(rng), false, objects -> true);
        int n = scene.objects().size();
        Kind asked;
        if (yes) {
            Scene.SceneObject o = scene.objects().get(rng.nextInt(n));
            asked = new Kind(o.shape(), o.color());
        } else {
            List<Kind> absent = ALL_KINDS.stream().filter(k -> !scene.contains(k.shape(), k.color())).toList();
            List<Kind> candidates = switch (subset) {
                case "popular" -> absent.stream().filter(POPULAR::contains).toList();
                case "adversarial" -> absent.stream()
                        .filter(k -> scene.objects().stream()
                                .anyMatch(o -> o.shape() == k.shape() || o.color() == k.color()))
                        .toList();
                default -> absent;
            };
            asked = candidates.get(rng.nextInt(candidates.size()));
        }
        return new ShapesVqaSample(id, split, index, Family.EXISTENCE, subset,
                existenceQuestion(asked.color(), asked.shape()), yes ? "yes" : "no", scene);
    }

    /** VSR-like; the two shapes are unique in the scene and clearly apart along the asked axis. */
    private ShapesVqaSample spatial(SplittableRandom rng, String id, Split split, int index) {
        Relation relation = pick(rng, Relation.values());
        boolean yes = rng.nextBoolean();
        Shape a = pick(rng, Shape.values());
        Shape b = Shape.values()[(a.ordinal() + 1 + rng.nextInt(Shape.values().length - 1)) % Shape.values().length];
        List<Spec> specs = new ArrayList<>();
        specs.add(freeSpec(rng, k -> k.shape() == a));
        specs.add(freeSpec(rng, k -> k.shape() == b));
        int distractors = rng.nextInt(MAX_COUNT - 1);
        for (int k = 0; k < distractors; k++) {
            specs.add(freeSpec(rng, kind -> kind.shape() != a && kind.shape() != b));
        }
        Relation truth = yes ? relation : relation.opposite();
        int margin = spatialMargin();
        Scene scene = layout(rng, specs, 2, maybeText(rng), false,
                objects -> truth.holds(objects.get(0), objects.get(1), margin));
        return new ShapesVqaSample(id, split, index, Family.SPATIAL, relation.id,
                spatialQuestion(a, relation, b), yes ? "yes" : "no", scene);
    }

    /** TextVQA-like; a word from {@link #WORDS} or a number 0–99, next to one to three objects. */
    private ShapesVqaSample text(SplittableRandom rng, String id, Split split, int index) {
        Scene.SceneText text = randomText(rng);
        int n = 1 + rng.nextInt(MAX_COUNT - 1);
        List<Spec> specs = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            specs.add(freeSpec(rng, kind -> true));
        }
        Scene scene = layout(rng, specs, 1, text, true, objects -> true);
        return new ShapesVqaSample(id, split, index, Family.TEXT, text.number() ? "number" : "word",
                textQuestion(text.number()), text.content(), scene);
    }

    /** Counting; the answer 0–4 is drawn uniformly, as digits. */
    private ShapesVqaSample count(SplittableRandom rng, String id, Split split, int index) {
        Shape shape = pick(rng, Shape.values());
        int count = rng.nextInt(MAX_COUNT + 1);
        int others = count == 0 ? 1 + rng.nextInt(MAX_COUNT) : rng.nextInt(MAX_COUNT - count + 1);
        List<Spec> specs = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            specs.add(freeSpec(rng, kind -> kind.shape() == shape));
        }
        for (int k = 0; k < others; k++) {
            specs.add(freeSpec(rng, kind -> kind.shape() != shape));
        }
        Scene scene = layout(rng, specs, Math.max(count, 1), maybeText(rng), false, objects -> true);
        return new ShapesVqaSample(id, split, index, Family.COUNT, null,
                countQuestion(shape), Integer.toString(count), scene);
    }

    /** A kind drawn from the dataset's prior (popular kinds weigh more) among those allowed, any size. */
    private static Spec freeSpec(SplittableRandom rng, Predicate<Kind> allowed) {
        List<Kind> kinds = ALL_KINDS.stream().filter(allowed).toList();
        int total = kinds.stream().mapToInt(ShapesVqa::weight).sum();
        int r = rng.nextInt(total);
        for (Kind k : kinds) {
            r -= weight(k);
            if (r < 0) {
                return new Spec(k.shape(), k.color(), pick(rng, ObjectSize.values()));
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private static int weight(Kind k) {
        return POPULAR.contains(k) ? POPULAR_WEIGHT : 1;
    }

    private Scene.SceneText maybeText(SplittableRandom rng) {
        return rng.nextDouble() < textProbability ? randomText(rng) : null;
    }

    private Scene.SceneText randomText(SplittableRandom rng) {
        boolean number = rng.nextBoolean();
        String content = number ? Integer.toString(rng.nextInt(MAX_NUMBER + 1)) : WORDS.get(rng.nextInt(WORDS.size()));
        return new Scene.SceneText(content, number, 0, 0, textScale());
    }

    int textScale() {
        return Math.max(1, imageSize / 32);
    }

    int spatialMargin() {
        return Math.max(2, imageSize / 16);
    }

    /**
     * Places the text (if any) and then the objects, in order, at random positions with at least
     * {@link #GAP} pixels between boxes, until {@code accept} holds. If a crowded scene (small images) will
     * not fit, optional parts are dropped stage by stage: first optional text, then trailing specs beyond the
     * first {@code required}, which are the ones every question depends on.
     */
    private Scene layout(SplittableRandom rng, List<Spec> specs, int required, Scene.SceneText text,
                         boolean textRequired, Predicate<List<Scene.SceneObject>> accept) {
        int stages = 2 + specs.size() - required;
        for (int stage = 0; stage < stages; stage++) {
            Scene.SceneText wantedText = stage > 0 && !textRequired ? null : text;
            List<Spec> wanted = specs.subList(0, specs.size() - Math.max(0, stage - 1));
            for (int attempt = 0; attempt < ATTEMPTS_PER_STAGE; attempt++) {
                Scene scene = tryLayout(rng, wanted, wantedText, accept);
                if (scene != null) {
                    return scene;
                }
            }
        }
        throw new IllegalStateException("no layout found for " + required + " objects in "
                + imageSize + "x" + imageSize);
    }

    private Scene tryLayout(SplittableRandom rng, List<Spec> specs, Scene.SceneText text,
                            Predicate<List<Scene.SceneObject>> accept) {
        List<int[]> boxes = new ArrayList<>();
        Scene.SceneText placedText = null;
        if (text != null) {
            int[] at = place(rng, boxes, text.width(), text.height());
            if (at == null) {
                return null;
            }
            placedText = new Scene.SceneText(text.content(), text.number(), at[0], at[1], text.scale());
        }
        List<Scene.SceneObject> objects = new ArrayList<>();
        for (Spec s : specs) {
            int side = s.size().side(imageSize);
            int[] at = place(rng, boxes, side, side);
            if (at == null) {
                return null;
            }
            objects.add(new Scene.SceneObject(s.shape(), s.color(), s.size(), at[0], at[1], side));
        }
        return accept.test(objects) ? new Scene(imageSize, background(rng), objects, placedText) : null;
    }

    private int[] place(SplittableRandom rng, List<int[]> boxes, int w, int h) {
        for (int tries = 0; tries < 50; tries++) {
            int x = 1 + rng.nextInt(imageSize - w - 1);
            int y = 1 + rng.nextInt(imageSize - h - 1);
            boolean free = true;
            for (int[] b : boxes) {
                if (x < b[0] + b[2] + GAP && b[0] < x + w + GAP && y < b[1] + b[3] + GAP && b[1] < y + h + GAP) {
                    free = false;
                    break;
                }
            }
            if (free) {
                int[] box = {x, y, w, h};
                boxes.add(box);
                return box;
            }
        }
        return null;
    }

    /** Muted, low-saturation colours around mid grey, so every object colour and black text stand out. */
    private static Scene.Background background(SplittableRandom rng) {
        Scene.Background.Kind kind = pick(rng, Scene.Background.Kind.values());
        // channels stay within [65, 180]: dark enough for white objects, light enough for black text
        int grey = 100 + rng.nextInt(46);
        int r = grey + rng.nextInt(21) - 10;
        int g = grey + rng.nextInt(21) - 10;
        int b = grey + rng.nextInt(21) - 10;
        int delta = (15 + rng.nextInt(11)) * (rng.nextBoolean() ? 1 : -1);
        int a = (r << 16) | (g << 8) | b;
        int other = ((r + delta) << 16) | ((g + delta) << 8) | (b + delta);
        int period = 4 + 2 * rng.nextInt(3);
        return new Scene.Background(kind, a, other, period, rng.nextLong());
    }

    private static <T> T pick(SplittableRandom rng, T[] values) {
        return values[rng.nextInt(values.length)];
    }

    /** SplitMix64's finaliser: spreads nearby seeds (split ordinals, sample indices) over all 64 bits. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public static final class Builder {
        private long seed;
        private int imageSize = DEFAULT_IMAGE_SIZE;
        private final Map<Family, Double> mix = new EnumMap<>(Family.class);
        private double textProbability = 0.25;

        private Builder() {
            for (Family f : Family.values()) {
                mix.put(f, 1.0);
            }
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder imageSize(int imageSize) {
            if (imageSize < MIN_IMAGE_SIZE) {
                throw new IllegalArgumentException("image size " + imageSize + " < " + MIN_IMAGE_SIZE);
            }
            this.imageSize = imageSize;
            return this;
        }

        /** Relative weights of the families (missing ones get 0); the default is all equal. */
        public Builder familyMix(Map<Family, Double> weights) {
            double total = 0;
            for (Map.Entry<Family, Double> e : weights.entrySet()) {
                if (!(e.getValue() >= 0) || Double.isInfinite(e.getValue())) {
                    throw new IllegalArgumentException("weight of " + e.getKey().id() + " must be >= 0: " + e.getValue());
                }
                total += e.getValue();
            }
            if (total <= 0) {
                throw new IllegalArgumentException("family mix has no positive weight: " + weights);
            }
            mix.clear();
            mix.putAll(weights);
            return this;
        }

        /** Chance that a scene of a non-text family also shows a (distracting) word or number. */
        public Builder textProbability(double p) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("text probability must be in [0, 1]: " + p);
            }
            this.textProbability = p;
            return this;
        }

        public ShapesVqa build() {
            return new ShapesVqa(this);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "ShapesVqa[seed=%d, imageSize=%d]", seed, imageSize);
    }
}

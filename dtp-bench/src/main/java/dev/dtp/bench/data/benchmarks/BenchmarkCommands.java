package dev.dtp.bench.data.benchmarks;

import dev.dtp.bench.data.JsonlDataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code dtp data gqa|vqav2|textvqa|pope|vsr|vizwiz}: turn a real benchmark's published files into eval
 * JSONL. Every command takes {@code --images DIR --out FILE.jsonl [--limit N] [--allow-missing-images]}
 * besides its source files, and prints one line: {@code wrote N <benchmark> samples (subset=count, …) to
 * FILE}, followed by {@code ; skipped M with missing images} when some were skipped.
 */
public final class BenchmarkCommands {
    private BenchmarkCommands() {
    }

    /** The options every benchmark command shares, and the writing of the result. */
    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--images", required = true, paramLabel = "DIR",
                description = "Directory holding the benchmark's image files.")
        Path images;

        @Option(names = "--out", required = true, paramLabel = "FILE.jsonl",
                description = "Eval JSONL to write; image paths in it are relative to its directory.")
        Path out;

        @Option(names = "--limit", paramLabel = "N",
                description = "At most N samples from each question file (default: all).")
        Integer limit;

        @Option(names = "--allow-missing-images",
                description = "Skip, and count, entries whose image file is absent instead of failing.")
        boolean allowMissingImages;

        abstract String benchmark();

        abstract LoadResult load(LoadOptions options) throws IOException;

        @Override
        public Integer call() throws IOException {
            if (limit != null && limit < 1) {
                throw new ParameterException(spec.commandLine(), "--limit must be >= 1: " + limit);
            }
            LoadOptions options = new LoadOptions(limit == null ? Integer.MAX_VALUE : limit, allowMissingImages);
            LoadResult result = load(options);
            JsonlDataset.write(out, result.samples());
            Map<String, Integer> subsets = result.perSubset();
            String perSubset = subsets.isEmpty() ? "" : subsets.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(", ", " (", ")"));
            String skipped = result.missingImages() == 0 ? ""
                    : "; skipped " + result.missingImages() + " with missing images";
            spec.commandLine().getOut().printf(Locale.ROOT, "wrote %d %s samples%s to %s%s%n",
                    result.samples().size(), benchmark(), perSubset, out, skipped);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "gqa", mixinStandardHelpOptions = true,
            description = "GQA: testdev_balanced_questions.json and the images directory (<imageId>.jpg).")
    public static final class Gqa extends Base {
        @Option(names = "--questions", required = true, paramLabel = "FILE",
                description = "Questions file, e.g. testdev_balanced_questions.json.")
        Path questions;

        @Override
        String benchmark() {
            return GqaLoader.FAMILY;
        }

        @Override
        LoadResult load(LoadOptions options) throws IOException {
            return GqaLoader.load(questions, images, options);
        }
    }

    @Command(name = "vqav2", mixinStandardHelpOptions = true,
            description = "VQAv2: questions and annotations files and the COCO images directory (COCO_val2014_<id>.jpg).")
    public static final class Vqav2 extends Base {
        @Option(names = "--questions", required = true, paramLabel = "FILE",
                description = "Questions file, e.g. v2_OpenEnded_mscoco_val2014_questions.json.")
        Path questions;

        @Option(names = "--annotations", required = true, paramLabel = "FILE",
                description = "Annotations file, e.g. v2_mscoco_val2014_annotations.json.")
        Path annotations;

        @Override
        String benchmark() {
            return Vqav2Loader.FAMILY;
        }

        @Override
        LoadResult load(LoadOptions options) throws IOException {
            return Vqav2Loader.load(questions, annotations, images, options);
        }
    }

    @Command(name = "textvqa", mixinStandardHelpOptions = true,
            description = "TextVQA: TextVQA_0.5.1_val.json and the images directory (<image_id>.jpg).")
    public static final class TextVqa extends Base {
        @Option(names = "--questions", required = true, paramLabel = "FILE",
                description = "Questions-and-answers file, e.g. TextVQA_0.5.1_val.json.")
        Path questions;

        @Override
        String benchmark() {
            return TextVqaLoader.FAMILY;
        }

        @Override
        LoadResult load(LoadOptions options) throws IOException {
            return TextVqaLoader.load(questions, images, options);
        }
    }

    @Command(name = "pope", mixinStandardHelpOptions = true,
            description = "POPE: one or more coco_pope_<subset>.json files and the COCO val2014 images directory.")
    public static final class Pope extends Base {
        @Option(names = "--questions", required = true, arity = "1..*", paramLabel = "FILE",
                description = "POPE files, e.g. coco_pope_random.json coco_pope_popular.json coco_pope_adversarial.json; "
                        + "the subset is the file name's last '_' part.")
        List<Path> questions;

        @Override
        String benchmark() {
            return PopeLoader.FAMILY;
        }

        @Override
        LoadResult load(LoadOptions options) throws IOException {
            return PopeLoader.load(questions, images, options);
        }
    }

    @Command(name = "vsr", mixinStandardHelpOptions = true,
            description = "VSR: a split's .jsonl (image, caption, label, relation) and the images directory.")
    public static final class Vsr extends Base {
        @Option(names = "--questions", required = true, paramLabel = "FILE",
                description = "A VSR split, e.g. splits/random/test.jsonl.")
        Path questions;

        @Override
        String benchmark() {
            return VsrLoader.FAMILY;
        }

        @Override
        LoadResult load(LoadOptions options) throws IOException {
            return VsrLoader.load(questions, images, options);
        }
    }

    @Command(name = "vizwiz", mixinStandardHelpOptions = true,
            description = "VizWiz-VQA: val.json (or train.json) and the images directory.")
    public static final class VizWiz extends Base {
        @Option(names = "--questions", required = true, paramLabel = "FILE",
                description = "Annotations file, e.g. Annotations/val.json.")
        Path questions;

        @Override
        String benchmark() {
            return VizWizLoader.FAMILY;
        }

        @Override
        LoadResult load(LoadOptions options) throws IOException {
            return VizWizLoader.load(questions, images, options);
        }
    }
}

package dev.dtp.bench.data;

import dev.dtp.bench.data.benchmarks.BenchmarkCommands;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code dtp data}: the ShapesVQA generator and the real benchmarks' converters to eval JSONL. */
@Command(name = "data", description = "Generate datasets, or convert real benchmarks to eval JSONL.",
        mixinStandardHelpOptions = true,
        subcommands = {DataCommand.ShapesVqaCommand.class, BenchmarkCommands.Gqa.class, BenchmarkCommands.Vqav2.class,
                BenchmarkCommands.TextVqa.class, BenchmarkCommands.Pope.class, BenchmarkCommands.Vsr.class,
                BenchmarkCommands.VizWiz.class})
public final class DataCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand (shapesvqa, gqa, vqav2, textvqa, pope, vsr, vizwiz)");
    }

    /** {@code dtp data shapesvqa --split S --seed N --count N --out DIR [--image-size 64]}. */
    @Command(name = "shapesvqa", mixinStandardHelpOptions = true,
            description = "Write a ShapesVQA split: DIR/shapesvqa-<split>.jsonl and DIR/images/<split>-NNNNNN.png.")
    public static final class ShapesVqaCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--split", required = true, paramLabel = "train|validation|test",
                converter = SplitConverter.class, description = "Which split; each has its own derived seed.")
        Split split;

        @Option(names = "--seed", required = true, paramLabel = "S", description = "Dataset seed.")
        long seed;

        @Option(names = "--count", required = true, paramLabel = "N",
                description = "Number of samples (questions; images = count / questions-per-image, rounded up).")
        int count;

        @Option(names = "--questions-per-image", defaultValue = "1", paramLabel = "N",
                description = "Questions about each scene: its own, then N-1 follow-ups (default ${DEFAULT-VALUE}).")
        int questionsPerImage;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
        Path out;

        @Option(names = "--image-size", defaultValue = "64", paramLabel = "PX",
                description = "Image width and height in pixels, at least " + ShapesVqa.MIN_IMAGE_SIZE + " (default: ${DEFAULT-VALUE}).")
        int imageSize;

        @Override
        public Integer call() throws Exception {
            if (count < 0) {
                throw new ParameterException(spec.commandLine(), "--count must be >= 0: " + count);
            }
            if (imageSize < ShapesVqa.MIN_IMAGE_SIZE) {
                throw new ParameterException(spec.commandLine(),
                        "--image-size must be >= " + ShapesVqa.MIN_IMAGE_SIZE + ": " + imageSize);
            }
            ShapesVqa data = ShapesVqa.builder().seed(seed).imageSize(imageSize).build();
            if (questionsPerImage < 1) {
                throw new ParameterException(spec.commandLine(), "--questions-per-image must be >= 1: " + questionsPerImage);
            }
            ShapesVqa.Summary summary = data.write(split, count, questionsPerImage, out, done -> { });
            String families = summary.perFamily().entrySet().stream()
                    .map(e -> e.getKey().id() + "=" + e.getValue())
                    .collect(Collectors.joining(", "));
            spec.commandLine().getOut().printf(Locale.ROOT, "wrote %d %s samples (%s) to %s%n",
                    summary.count(), split.id(), families, summary.jsonl());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    static final class SplitConverter implements ITypeConverter<Split> {
        @Override
        public Split convert(String value) {
            try {
                return Split.fromId(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}

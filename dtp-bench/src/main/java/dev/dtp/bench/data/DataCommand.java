package dev.dtp.bench.data;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code dtp data}: dataset generators. */
@Command(name = "data", description = "Generate datasets.", mixinStandardHelpOptions = true,
        subcommands = DataCommand.ShapesVqaCommand.class)
public final class DataCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand (shapesvqa)");
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

        @Option(names = "--count", required = true, paramLabel = "N", description = "Number of samples (one question per image).")
        int count;

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
            ShapesVqa.Summary summary = data.write(split, count, out, done -> { });
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

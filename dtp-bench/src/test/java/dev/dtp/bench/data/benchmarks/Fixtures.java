package dev.dtp.bench.data.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The hand-written benchmark samples under src/test/resources/benchmarks/, copied where a test can change them. */
final class Fixtures {
    private Fixtures() {
    }

    /** Copies benchmarks/{@code name}/ to {@code into}/{@code name}/ and returns the copy. */
    static Path copy(String name, Path into) {
        try {
            Path source = Path.of(Fixtures.class.getResource("/benchmarks/" + name).toURI());
            Path target = into.resolve(name);
            List<Path> files;
            try (Stream<Path> walk = Files.walk(source)) {
                files = walk.sorted().toList();
            }
            for (Path p : files) {
                Path to = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.dtp.bench.data.benchmarks;

import dev.dtp.bench.data.DatasetException;
import dev.dtp.bench.data.EvalSample;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Collects a loader's samples: finds image files, counts skipped ones, applies the limit, rejects duplicate ids. */
final class SampleSink {
    private final Path images;
    private final LoadOptions options;
    private final List<EvalSample> samples = new ArrayList<>();
    private final Map<String, Entry> entryOfId = new HashMap<>();
    private int missingImages;
    private int fromCurrentFile;

    SampleSink(Path images, LoadOptions options) {
        this.images = images.toAbsolutePath().normalize();
        this.options = options;
        if (!Files.isDirectory(this.images)) {
            throw new DatasetException(images, "images directory not found");
        }
    }

    /** Starts counting the limit afresh for the next question file. */
    void nextFile() {
        fromCurrentFile = 0;
    }

    /** True once the current question file has given {@link LoadOptions#limit()} samples. */
    boolean full() {
        return fromCurrentFile >= options.limit();
    }

    /**
     * The image file {@code name} (relative to the images directory), or null when it does not exist and
     * missing images are allowed; then the entry is counted as skipped.
     *
     * @throws DatasetException naming the entry when the name is not a plain relative path inside the images
     *     directory, or the file is missing and missing images are not allowed
     */
    Path image(Entry at, String name) {
        Path p;
        try {
            Path rel = Path.of(name);
            if (name.isEmpty() || rel.isAbsolute()) {
                throw at.error("image name must be a relative file name, found '" + name + "'");
            }
            p = images.resolve(rel).normalize();
        } catch (InvalidPathException e) {
            throw at.error("image name is not a valid path: '" + name + "'");
        }
        if (!p.startsWith(images) || p.equals(images)) {
            throw at.error("image name leaves the images directory: '" + name + "'");
        }
        if (Files.isRegularFile(p)) {
            return p;
        }
        if (options.allowMissingImages()) {
            missingImages++;
            return null;
        }
        throw at.error("image file not found: " + p + " (use --allow-missing-images to skip such entries)");
    }

    void add(Entry at, EvalSample sample) {
        Entry previous = entryOfId.putIfAbsent(sample.id(), at);
        if (previous != null) {
            throw at.error("duplicate sample id '" + sample.id() + "'");
        }
        samples.add(sample);
        fromCurrentFile++;
    }

    LoadResult result() {
        return new LoadResult(samples, missingImages);
    }
}

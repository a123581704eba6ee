package dev.dtp.bench.eval;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a set of saved predictions depends on, as one SHA-256: the model's files (config and
 * calibration JSON in full; weights by size and their first and last MiB, so a multi-GB checkpoint is
 * not read whole), an explicit calibration file, the data file and the answer settings. {@code dtp eval}
 * only resumes from predictions.jsonl made under the same fingerprint — default policy specs like
 * {@code dtp} mean whatever the model's calibration says, so a new model or calibration must not reuse
 * old answers.
 */
final class RunFingerprint {
    private static final int EDGE = 1 << 20;

    private RunFingerprint() {
    }

    static String of(Path model, Path calibration, Path data, String settings) throws IOException {
        MessageDigest sha = sha256();
        for (Path file : files(model)) {
            add(sha, file);
        }
        if (calibration != null) {
            add(sha, calibration);
        }
        add(sha, data);
        sha.update(settings.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha.digest());
    }

    private static List<Path> files(Path model) throws IOException {
        if (!Files.isDirectory(model)) {
            return List.of(model);
        }
        try (Stream<Path> s = Files.list(model)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> {
                        String n = p.getFileName().toString();
                        return n.endsWith(".json") || n.endsWith(".safetensors") || n.endsWith(".pt") || n.endsWith(".pth");
                    })
                    .sorted()
                    .toList();
        }
    }

    private static void add(MessageDigest sha, Path file) throws IOException {
        sha.update(file.getFileName().toString().getBytes(StandardCharsets.UTF_8));
        long size = Files.size(file);
        sha.update(Long.toString(size).getBytes(StandardCharsets.UTF_8));
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            if (size <= 2L * EDGE) {
                sha.update(read(f, 0, (int) size));
            } else {
                sha.update(read(f, 0, EDGE));
                sha.update(read(f, size - EDGE, EDGE));
            }
        }
    }

    private static byte[] read(RandomAccessFile f, long at, int n) throws IOException {
        byte[] b = new byte[n];
        f.seek(at);
        f.readFully(b);
        return b;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.dtp.mamba.checkpoint.torch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A PyTorch {@code torch.save} file ({@code .pt}/{@code .pth}, zip format) read as a flat map from dotted names
 * to tensors: {@code {"model": {"projector": {"0.weight": t}}}} becomes {@code model.projector.0.weight}.
 *
 * <p>Layout: {@code <archive>/data.pkl} is a pickle of the object; each tensor in it points, through a persistent
 * id, at a storage entry {@code <archive>/data/<key>}. Storages are memory-mapped lazily, so opening a 10 GB file
 * reads only its pickle. The pickle is decoded by a restricted unpickler that resolves only the handful of globals
 * a state dict needs and refuses everything else ({@link UnsafePickleException}) without running anything.
 * Non-tensor leaves (step counters, hyper-parameters) are skipped. Only little-endian files are supported.
 */
public final class TorchCheckpoint implements AutoCloseable {

    private static final long MAX_PICKLE_BYTES = 1L << 30;
    private static final int MAX_NESTING = 64;

    private final Path file;
    private final FileChannel channel;
    private final String archive;
    private final Map<String, TorchTensor> tensors;

    private TorchCheckpoint(Path file, FileChannel channel) throws IOException {
        this.file = file;
        this.channel = channel;
        Map<String, ZipDirectory.Entry> entries = ZipDirectory.read(file, channel).entries();
        this.archive = archiveName(entries);
        checkByteOrder(entries);
        ZipDirectory.Entry pickleEntry = entries.get(archive + "/data.pkl");
        if (pickleEntry.size() > MAX_PICKLE_BYTES) {
            throw new TorchCheckpointException("Entry '" + pickleEntry.name() + "' of " + file + " is "
                    + pickleEntry.size() + " bytes, too large for a state-dict pickle");
        }
        byte[] pickle = readFully(pickleEntry);
        Map<String, TorchStorage> storages = new HashMap<>();
        StateDictUnpickler unpickler = new StateDictUnpickler("'" + pickleEntry.name() + "' of " + file,
                (key, dtype, numel) -> storage(entries, storages, key, dtype, numel));
        Map<String, TorchTensor> flat = new LinkedHashMap<>();
        flatten("", unpickler.unpickle(pickle), flat, 0);
        this.tensors = Collections.unmodifiableMap(flat);
    }

    /** Opens {@code file} and decodes its pickle; storages are mapped when first read. */
    public static TorchCheckpoint open(Path file) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new TorchCheckpointException("Cannot open checkpoint " + file + ": " + e, e);
        }
        try {
            return new TorchCheckpoint(file, channel);
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof TorchCheckpointException t) {
                throw t;
            }
            throw new TorchCheckpointException("Cannot read checkpoint " + file + ": " + e, e);
        }
    }

    public Path file() {
        return file;
    }

    /** The directory every entry lives under, e.g. {@code latest-checkpoint} or {@code archive}. */
    public String archiveName() {
        return archive;
    }

    /** Every tensor by dotted name, in pickle order. */
    public Map<String, TorchTensor> tensors() {
        return tensors;
    }

    /** The tensors under {@code prefix} (e.g. {@code model.llm_backbone}), with {@code prefix.} removed. */
    public Map<String, TorchTensor> tensors(String prefix) {
        String p = prefix.endsWith(".") ? prefix : prefix + ".";
        Map<String, TorchTensor> out = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            if (name.startsWith(p)) {
                out.put(name.substring(p.length()), t);
            }
        });
        return Collections.unmodifiableMap(out);
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public TorchTensor tensor(String name) {
        TorchTensor t = tensors.get(name);
        if (t == null) {
            throw new TorchCheckpointException("No tensor '" + name + "' in " + file + " (it has " + tensors.size()
                    + " tensors" + (tensors.isEmpty() ? "" : ", e.g. '" + tensors.keySet().iterator().next() + "'")
                    + ")");
        }
        return t;
    }

    /** Releases the file; tensors already read (mapped) stay readable, others fail with a clear message. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new TorchCheckpointException("Cannot close " + file + ": " + e, e);
        }
    }

    private String archiveName(Map<String, ZipDirectory.Entry> entries) {
        List<String> pickles = entries.keySet().stream()
                .filter(n -> n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - "/data.pkl".length())
                .collect(Collectors.toList());
        if (pickles.size() != 1) {
            String listing = entries.keySet().stream().limit(8).collect(Collectors.joining(", "));
            throw new TorchCheckpointException((pickles.isEmpty()
                    ? "Missing entry '<archive>/data.pkl' in " + file
                    : "Several '<archive>/data.pkl' entries in " + file + ": " + pickles)
                    + " (entries: " + listing + (entries.size() > 8 ? ", ..." : "") + ")");
        }
        String name = pickles.get(0);
        return name.substring(0, name.length() - "/data.pkl".length());
    }

    private void checkByteOrder(Map<String, ZipDirectory.Entry> entries) {
        ZipDirectory.Entry order = entries.get(archive + "/byteorder");
        if (order != null) {
            String value = new String(readFully(order), StandardCharsets.US_ASCII).trim();
            if (!value.equals("little")) {
                throw new TorchCheckpointException("Checkpoint " + file + " was written with byte order '" + value
                        + "'; only little-endian checkpoints are supported");
            }
        }
    }

    private TorchStorage storage(Map<String, ZipDirectory.Entry> entries, Map<String, TorchStorage> cache,
            String key, TorchDType dtype, long numel) {
        TorchStorage known = cache.get(key);
        if (known != null) {
            if (known.dtype() != dtype) {
                throw new TorchCheckpointException("Storage '" + key + "' of " + file + " is declared both "
                        + known.dtype().torchName() + " and " + dtype.torchName());
            }
            return known;
        }
        String name = archive + "/data/" + key;
        ZipDirectory.Entry entry = entries.get(name);
        if (entry == null) {
            throw new TorchCheckpointException("Missing storage entry '" + name + "' in " + file
                    + " (referenced by its data.pkl)");
        }
        TorchStorage storage = new TorchStorage(file, channel, entry, dtype, numel);
        cache.put(key, storage);
        return storage;
    }

    private byte[] readFully(ZipDirectory.Entry entry) {
        ByteBuffer bytes = new TorchStorage(file, channel, entry, TorchDType.U8, entry.size()).bytes();
        byte[] out = new byte[bytes.remaining()];
        bytes.duplicate().get(out);
        return out;
    }

    private void flatten(String prefix, Object node, Map<String, TorchTensor> out, int depth) {
        if (depth > MAX_NESTING) { // also stops self-referencing containers, which pickle can express
            throw new TorchCheckpointException("Checkpoint " + file + " nests containers more than " + MAX_NESTING
                    + " deep at '" + prefix + "'");
        }
        if (node instanceof TorchTensor t) {
            if (out.putIfAbsent(prefix, t) != null) {
                throw new TorchCheckpointException("Checkpoint " + file + " has two tensors named '" + prefix + "'");
            }
        } else if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> flatten(join(prefix, String.valueOf(k)), v, out, depth + 1));
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                flatten(join(prefix, Integer.toString(i)), list.get(i), out, depth + 1);
            }
        } else if (node instanceof Object[] tuple) {
            for (int i = 0; i < tuple.length; i++) {
                flatten(join(prefix, Integer.toString(i)), tuple[i], out, depth + 1);
            }
        }
    }

    private static String join(String prefix, String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }
}

package dev.dtp.mamba.checkpoint.torch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * One {@code <archive>/data/<key>} entry: a flat run of {@code numel} elements of {@code dtype} that several
 * tensors may view. STORED entries are memory-mapped on first use; DEFLATED ones are inflated onto the heap.
 */
final class TorchStorage {

    private final Path file;
    private final FileChannel channel;
    private final ZipDirectory.Entry entry;
    private final TorchDType dtype;
    private final long numel;
    private ByteBuffer bytes;

    TorchStorage(Path file, FileChannel channel, ZipDirectory.Entry entry, TorchDType dtype, long numel) {
        this.file = file;
        this.channel = channel;
        this.entry = entry;
        this.dtype = dtype;
        this.numel = numel;
        if (entry.method() != ZipDirectory.STORED && entry.method() != ZipDirectory.DEFLATED) {
            throw new TorchCheckpointException("Entry '" + entry.name() + "' of " + file
                    + " uses zip compression method " + entry.method() + "; only STORED and DEFLATED are supported");
        }
        long needed = Math.multiplyExact(numel, (long) dtype.byteSize());
        if (entry.size() < needed) {
            throw new TorchCheckpointException("Entry '" + entry.name() + "' of " + file + " holds "
                    + entry.size() + " bytes but the pickle declares " + numel + " " + dtype.torchName()
                    + " elements (" + needed + " bytes)");
        }
        if (needed > Integer.MAX_VALUE) {
            throw new TorchCheckpointException("Entry '" + entry.name() + "' of " + file + " is " + needed
                    + " bytes; storages over 2 GiB are not supported");
        }
    }

    String entryName() {
        return entry.name();
    }

    /** For messages: {@code entry 'x/data/3' of /path/model.pt}. */
    String where() {
        return "entry '" + entry.name() + "' of " + file;
    }

    TorchDType dtype() {
        return dtype;
    }

    long numel() {
        return numel;
    }

    /** The storage's bytes, little-endian, position 0; callers must not move the shared buffer's position. */
    synchronized ByteBuffer bytes() {
        if (bytes == null) {
            if (!channel.isOpen()) {
                throw new TorchCheckpointException("Cannot read " + where() + ": the checkpoint was closed");
            }
            int length = Math.toIntExact(numel * dtype.byteSize());
            try {
                bytes = entry.method() == ZipDirectory.STORED
                        ? channel.map(FileChannel.MapMode.READ_ONLY, entry.dataOffset(), length)
                        : inflate(length);
            } catch (IOException e) {
                throw new TorchCheckpointException("Cannot read entry '" + entry.name() + "' of " + file
                        + ": " + e.getMessage(), e);
            }
            bytes = bytes.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        return bytes;
    }

    private ByteBuffer inflate(int length) throws IOException {
        if (entry.compressedSize() > Integer.MAX_VALUE) {
            throw new TorchCheckpointException("Compressed entry '" + entry.name() + "' of " + file
                    + " is over 2 GiB; re-save the checkpoint uncompressed");
        }
        ByteBuffer packed = ByteBuffer.allocate((int) entry.compressedSize());
        long pos = entry.dataOffset();
        while (packed.hasRemaining()) {
            int n = channel.read(packed, pos);
            if (n < 0) {
                throw new TorchCheckpointException("Entry '" + entry.name() + "' of " + file
                        + " ends early: the file is truncated");
            }
            pos += n;
        }
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(packed.array());
            byte[] out = new byte[length];
            int filled = 0;
            while (filled < length && !inflater.finished()) {
                int n = inflater.inflate(out, filled, length - filled);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                filled += n;
            }
            if (filled < length) {
                throw new TorchCheckpointException("Compressed entry '" + entry.name() + "' of " + file
                        + " inflates to " + filled + " bytes, expected " + length);
            }
            return ByteBuffer.wrap(out);
        } catch (DataFormatException e) {
            throw new TorchCheckpointException("Compressed entry '" + entry.name() + "' of " + file
                    + " is damaged: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }
}

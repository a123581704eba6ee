package dev.dtp.mamba.checkpoint.torch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The central directory of a zip archive, with each entry's data offset resolved from its local header so
 * STORED entries can be memory-mapped in place. java.util.zip hides those offsets, hence this small reader
 * (PKWARE APPNOTE 4.3: end record, zip64 end record and locator, central headers, local headers, zip64 extra).
 */
final class ZipDirectory {

    static final int STORED = 0;
    static final int DEFLATED = 8;

    private static final int LOCAL_HEADER = 0x04034b50;
    private static final int CENTRAL_HEADER = 0x02014b50;
    private static final int END_RECORD = 0x06054b50;
    private static final int ZIP64_END_RECORD = 0x06064b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EXTRA = 0x0001;
    private static final int END_RECORD_SIZE = 22;
    private static final int MAX_COMMENT = 0xFFFF;
    private static final long U32_MAX = 0xFFFFFFFFL;

    /** One archive member; {@code dataOffset} is where its (possibly compressed) bytes start in the file. */
    record Entry(String name, int method, long compressedSize, long size, long dataOffset) {}

    private final Path file;
    private final FileChannel channel;
    private final long fileSize;
    private final Map<String, Entry> entries;

    private ZipDirectory(Path file, FileChannel channel) throws IOException {
        this.file = file;
        this.channel = channel;
        this.fileSize = channel.size();
        this.entries = Collections.unmodifiableMap(readEntries());
    }

    static ZipDirectory read(Path file, FileChannel channel) throws IOException {
        return new ZipDirectory(file, channel);
    }

    Map<String, Entry> entries() {
        return entries;
    }

    private Map<String, Entry> readEntries() throws IOException {
        long end = findEndRecord();
        ByteBuffer eocd = readAt(end, END_RECORD_SIZE);
        long count = u16(eocd, 10);
        long cdSize = u32(eocd, 12);
        long cdOffset = u32(eocd, 16);
        if (end >= 20 && readAt(end - 20, 4).getInt(0) == ZIP64_LOCATOR) {
            long zip64End = readAt(end - 20, 20).getLong(8);
            ByteBuffer z = readAt(zip64End, 56);
            if (z.getInt(0) != ZIP64_END_RECORD) {
                throw corrupt("the zip64 locator points at offset " + zip64End + ", which holds no zip64 end record");
            }
            count = z.getLong(32);
            cdSize = z.getLong(40);
            cdOffset = z.getLong(48);
        } else if (count == 0xFFFF || cdSize == U32_MAX || cdOffset == U32_MAX) {
            throw corrupt("the end record defers to zip64 fields but there is no zip64 locator");
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset + cdSize > end) {
            throw corrupt("central directory (offset " + cdOffset + ", " + cdSize + " bytes) lies outside the file");
        }
        if (cdSize > Integer.MAX_VALUE) {
            throw corrupt("central directory of " + cdSize + " bytes is implausibly large");
        }
        ByteBuffer cd = readAt(cdOffset, (int) cdSize);
        Map<String, Entry> result = new LinkedHashMap<>();
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (p + 46 > cd.limit() || cd.getInt(p) != CENTRAL_HEADER) {
                throw corrupt("central directory entry " + i + " of " + count + " is missing or damaged");
            }
            int flags = u16(cd, p + 8);
            int method = u16(cd, p + 10);
            long compressed = u32(cd, p + 20);
            long size = u32(cd, p + 24);
            int nameLen = u16(cd, p + 28);
            int extraLen = u16(cd, p + 30);
            int commentLen = u16(cd, p + 32);
            long localOffset = u32(cd, p + 42);
            if (p + 46 + nameLen + extraLen > cd.limit()) {
                throw corrupt("central directory entry " + i + " runs past the directory");
            }
            String name = utf8(cd, p + 46, nameLen);
            // zip64 extra: only the fields whose 32-bit slot is saturated are present, in this order.
            int x = p + 46 + nameLen;
            int xEnd = x + extraLen;
            while (x + 4 <= xEnd) {
                int id = u16(cd, x);
                int len = u16(cd, x + 2);
                if (id == ZIP64_EXTRA) {
                    int q = x + 4;
                    if (size == U32_MAX && q + 8 <= x + 4 + len) {
                        size = cd.getLong(q);
                        q += 8;
                    }
                    if (compressed == U32_MAX && q + 8 <= x + 4 + len) {
                        compressed = cd.getLong(q);
                        q += 8;
                    }
                    if (localOffset == U32_MAX && q + 8 <= x + 4 + len) {
                        localOffset = cd.getLong(q);
                    }
                }
                x += 4 + len;
            }
            if ((flags & 1) != 0) {
                throw new TorchCheckpointException("Entry '" + name + "' of " + file + " is encrypted");
            }
            long dataOffset = dataOffset(name, localOffset);
            if (compressed < 0 || dataOffset + compressed > fileSize) {
                throw new TorchCheckpointException("Entry '" + name + "' of " + file + " claims " + compressed
                        + " bytes at offset " + dataOffset + " but the file has only " + fileSize
                        + " bytes: the file is truncated");
            }
            result.put(name, new Entry(name, method, compressed, size, dataOffset));
            p += 46 + nameLen + extraLen + commentLen;
        }
        return result;
    }

    private long dataOffset(String name, long localOffset) throws IOException {
        if (localOffset < 0 || localOffset + 30 > fileSize) {
            throw new TorchCheckpointException("Entry '" + name + "' of " + file + " has its local header at offset "
                    + localOffset + ", past the end of the file (" + fileSize + " bytes): the file is truncated");
        }
        ByteBuffer local = readAt(localOffset, 30);
        if (local.getInt(0) != LOCAL_HEADER) {
            throw corrupt("entry '" + name + "' has no local header at offset " + localOffset);
        }
        return localOffset + 30 + u16(local, 26) + u16(local, 28);
    }

    private long findEndRecord() throws IOException {
        if (fileSize < END_RECORD_SIZE) {
            throw notZip();
        }
        int tail = (int) Math.min(fileSize, END_RECORD_SIZE + MAX_COMMENT);
        long base = fileSize - tail;
        ByteBuffer buf = readAt(base, tail);
        for (int p = tail - END_RECORD_SIZE; p >= 0; p--) {
            if (buf.getInt(p) == END_RECORD && p + END_RECORD_SIZE + u16(buf, p + 20) == tail) {
                return base + p;
            }
        }
        throw notZip();
    }

    private TorchCheckpointException notZip() throws IOException {
        ByteBuffer head = readAt(0, (int) Math.min(fileSize, 4));
        if (head.limit() >= 2 && (head.get(0) & 0xFF) == 0x80 && head.get(1) == 0x02) {
            return new TorchCheckpointException(file + " is a legacy (torch < 1.6) pickle checkpoint, which is not "
                    + "supported: re-save it with a current torch.save (zip format)");
        }
        if (head.limit() == 4 && head.getInt(0) == LOCAL_HEADER) {
            return new TorchCheckpointException(file + " starts like a zip archive but has no end-of-central-"
                    + "directory record: the file is truncated");
        }
        return new TorchCheckpointException(file + " is not a PyTorch zip checkpoint (no zip end record)");
    }

    private TorchCheckpointException corrupt(String what) {
        return new TorchCheckpointException("Damaged zip archive " + file + ": " + what);
    }

    private ByteBuffer readAt(long offset, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        long pos = offset;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                throw new TorchCheckpointException("Unexpected end of " + file + " at offset " + pos
                        + ": the file is truncated");
            }
            pos += n;
        }
        return buf.flip();
    }

    private static int u16(ByteBuffer b, int at) {
        return b.getShort(at) & 0xFFFF;
    }

    private static long u32(ByteBuffer b, int at) {
        return b.getInt(at) & U32_MAX;
    }

    private static String utf8(ByteBuffer b, int at, int len) {
        byte[] bytes = new byte[len];
        b.get(at, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

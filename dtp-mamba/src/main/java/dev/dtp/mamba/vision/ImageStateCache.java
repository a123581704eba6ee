package dev.dtp.mamba.vision;

import dev.dtp.core.PruningPolicy;
import dev.dtp.core.SequenceState;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded cache of image states for services: the state after an image's visual prefill, kept
 * by key (an image's hash with the policy's name) and evicted least recently used first once the
 * states' native bytes exceed the limit. Thread-safe. A state handed out is leased: it stays open
 * until its lease is closed even if it is evicted meanwhile.
 *
 * <pre>{@code
 * try (ImageStateCache cache = ImageStateCache.ofMegabytes(512)) {
 *     try (ImageStateCache.Lease image = cache.prefix(vlm, picture, policy)) {
 *         Generation g = vlm.answer(image.state(), "what color is the circle?", policy, 8);
 *     }
 * }
 * }</pre>
 */
public final class ImageStateCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ImageStateCache.class);
    private final long maxBytes;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private long hits;
    private long misses;
    private long evictions;
    private boolean closed;

    /** Counters since the cache was made. */
    public record Stats(long hits, long misses, long evictions, int entries, long bytes) {}

    private static final class Entry {
        final SequenceState state;
        int leases;
        boolean evicted;

        Entry(SequenceState state) {
            this.state = state;
        }
    }

    /** A state in use; close it when done (the cache closes the state once it is evicted and released). */
    public final class Lease implements AutoCloseable {
        private final Entry entry;
        private final boolean hit;
        private boolean released;

        private Lease(Entry entry, boolean hit) {
            this.entry = entry;
            this.hit = hit;
        }

        public SequenceState state() {
            return entry.state;
        }

        /** True when the state was already in the cache (no visual prefill ran). */
        public boolean hit() {
            return hit;
        }

        @Override
        public void close() {
            synchronized (ImageStateCache.this) {
                if (released) {
                    return;
                }
                released = true;
                entry.leases--;
                if (entry.evicted && entry.leases == 0) {
                    entry.state.close();
                }
            }
        }
    }

    public ImageStateCache(long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("cache size must be positive, got " + maxBytes + " bytes");
        }
        this.maxBytes = maxBytes;
    }

    public static ImageStateCache ofMegabytes(long megabytes) {
        return new ImageStateCache(megabytes << 20);
    }

    /** The leased state for {@code key}, computed by {@code compute} on a miss. */
    public Lease get(String key, Supplier<SequenceState> compute) {
        synchronized (this) {
            checkOpen();
            Entry e = entries.get(key);
            if (e != null) {
                hits++;
                e.leases++;
                LOG.debug("image state cache hit: {}", key);
                return new Lease(e, true);
            }
            misses++;
        }
        SequenceState state = compute.get(); // outside the lock: a prefill takes long
        synchronized (this) {
            if (closed) {
                state.close();
                checkOpen();
            }
            Entry e = new Entry(state);
            e.leases = 1;
            Entry previous = entries.put(key, e);
            if (previous != null) { // two threads computed the same key: keep the newer
                retire(previous);
            }
            bytes += state.bytes();
            Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
            while (bytes > maxBytes && it.hasNext()) {
                Map.Entry<String, Entry> eldest = it.next();
                if (eldest.getValue() == e) {
                    continue; // the newest stays, even alone over the limit
                }
                it.remove();
                evictions++;
                LOG.debug("image state cache evicts {} ({} bytes over the limit)", eldest.getKey(), bytes - maxBytes);
                retire(eldest.getValue());
            }
            LOG.debug("image state cache miss: {} ({} bytes; {} states, {} bytes held)", key, state.bytes(),
                    entries.size(), bytes);
            return new Lease(e, false);
        }
    }

    /** The state after {@code image} under {@code policy}, from the cache or a visual prefill. */
    public Lease prefix(VisionLanguageModel vlm, BufferedImage image, PruningPolicy policy) {
        return get(key(image) + "|" + policy.name() + "|" + vlm.model().fingerprint(), () -> vlm.prefix(image, policy));
    }

    private void retire(Entry e) {
        bytes -= e.state.bytes();
        e.evicted = true;
        if (e.leases == 0) {
            e.state.close();
        }
    }

    public synchronized Stats stats() {
        return new Stats(hits, misses, evictions, entries.size(), bytes);
    }

    /** A hash of an image's size and pixels. */
    public static String key(BufferedImage image) {
        MessageDigest sha = sha256();
        int w = image.getWidth();
        int h = image.getHeight();
        int[] row = new int[w];
        ByteBuffer buffer = ByteBuffer.allocate(4 * w);
        sha.update(ByteBuffer.allocate(8).putInt(w).putInt(h).array());
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            buffer.clear();
            buffer.asIntBuffer().put(row);
            sha.update(buffer.array());
        }
        return "image:" + HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the image state cache is closed");
        }
    }

    /** Closes every state not leased now; leased ones close when their lease does. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Entry e : entries.values()) {
            retire(e);
        }
        entries.clear();
    }
}

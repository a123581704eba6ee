package dev.dtp.bench.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Adler32;
import java.util.zip.CRC32;

/**
 * Writes 8-bit RGB PNGs whose bytes depend only on the pixels. ImageIO compresses with the platform's zlib
 * ({@link java.util.zip.Deflater}), whose output may differ between zlib builds; here filtering and deflate
 * (greedy LZ77 with the fixed Huffman code of RFC 1951 §3.2.6) are plain Java, so a seed gives the same
 * files on every machine. Any PNG reader decodes them.
 */
public final class PngEncoder {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private PngEncoder() {
    }

    public static byte[] encode(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(SIGNATURE);
        byte[] ihdr = new byte[13];
        putInt(ihdr, 0, w);
        putInt(ihdr, 4, h);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type: truecolour RGB
        chunk(out, "IHDR", ihdr);
        chunk(out, "IDAT", zlib(filter(argb, w, h)));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /** Per row, the filter (None, Sub, Up, Average, Paeth) with the smallest sum of absolute residuals. */
    static byte[] filter(int[] argb, int w, int h) {
        int stride = 3 * w;
        byte[] raw = new byte[h * stride];
        for (int i = 0; i < w * h; i++) {
            raw[3 * i] = (byte) (argb[i] >> 16);
            raw[3 * i + 1] = (byte) (argb[i] >> 8);
            raw[3 * i + 2] = (byte) argb[i];
        }
        byte[] out = new byte[h * (stride + 1)];
        byte[] best = new byte[stride];
        byte[] candidate = new byte[stride];
        for (int y = 0; y < h; y++) {
            long bestScore = Long.MAX_VALUE;
            int bestType = 0;
            for (int type = 0; type <= 4; type++) {
                long score = 0;
                for (int i = 0; i < stride; i++) {
                    int x = raw[y * stride + i] & 0xFF;
                    int a = i >= 3 ? raw[y * stride + i - 3] & 0xFF : 0;
                    int b = y > 0 ? raw[(y - 1) * stride + i] & 0xFF : 0;
                    int c = i >= 3 && y > 0 ? raw[(y - 1) * stride + i - 3] & 0xFF : 0;
                    int predicted = switch (type) {
                        case 0 -> 0;
                        case 1 -> a;
                        case 2 -> b;
                        case 3 -> (a + b) >>> 1;
                        default -> paeth(a, b, c);
                    };
                    byte residual = (byte) (x - predicted);
                    candidate[i] = residual;
                    score += Math.abs((int) residual);
                }
                if (score < bestScore) {
                    bestScore = score;
                    bestType = type;
                    System.arraycopy(candidate, 0, best, 0, stride);
                }
            }
            out[y * (stride + 1)] = (byte) bestType;
            System.arraycopy(best, 0, out, y * (stride + 1) + 1, stride);
        }
        return out;
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        if (pa <= pb && pa <= pc) {
            return a;
        }
        return pb <= pc ? b : c;
    }

    /** A zlib stream (RFC 1950) holding one fixed-Huffman deflate block. */
    static byte[] zlib(byte[] data) {
        BitWriter bits = new BitWriter(data.length / 2 + 64);
        bits.write(0x78, 8); // CMF: deflate, 32 KiB window
        bits.write(0x01, 8); // FLG: no dictionary, (CMF*256 + FLG) % 31 == 0
        bits.write(1, 1); // BFINAL
        bits.write(1, 2); // BTYPE = fixed Huffman
        deflate(data, bits);
        writeSymbol(bits, 256); // end of block
        bits.flushByte();
        Adler32 adler = new Adler32();
        adler.update(data);
        long sum = adler.getValue();
        for (int shift = 24; shift >= 0; shift -= 8) {
            bits.write((int) (sum >>> shift) & 0xFF, 8);
        }
        return bits.toByteArray();
    }

    private static final int MIN_MATCH = 3;
    private static final int MAX_MATCH = 258;
    private static final int WINDOW = 32768;
    private static final int MAX_CHAIN = 32;
    private static final int HASH_BITS = 15;

    private static final int[] LENGTH_BASE = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51,
        59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
    private static final int[] LENGTH_EXTRA = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4,
        4, 5, 5, 5, 5, 0};
    private static final int[] DIST_BASE = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513,
        769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    private static final int[] DIST_EXTRA = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10,
        11, 11, 12, 12, 13, 13};

    /** Greedy LZ77 over hash chains of 3-byte prefixes; deterministic by construction. */
    private static void deflate(byte[] data, BitWriter bits) {
        int[] head = new int[1 << HASH_BITS];
        Arrays.fill(head, -1);
        int[] prev = new int[data.length];
        int i = 0;
        while (i < data.length) {
            int bestLength = 0;
            int bestDistance = 0;
            if (i + MIN_MATCH <= data.length) {
                int h = hash(data, i);
                int candidate = head[h];
                int limit = Math.min(MAX_MATCH, data.length - i);
                for (int chain = 0; chain < MAX_CHAIN && candidate >= 0 && i - candidate <= WINDOW; chain++) {
                    int length = 0;
                    while (length < limit && data[candidate + length] == data[i + length]) {
                        length++;
                    }
                    if (length > bestLength) {
                        bestLength = length;
                        bestDistance = i - candidate;
                        if (length == limit) {
                            break;
                        }
                    }
                    candidate = prev[candidate];
                }
            }
            int advance = bestLength >= MIN_MATCH ? bestLength : 1;
            if (bestLength >= MIN_MATCH) {
                writeMatch(bits, bestLength, bestDistance);
            } else {
                writeSymbol(bits, data[i] & 0xFF);
            }
            for (int k = 0; k < advance; k++, i++) {
                if (i + MIN_MATCH <= data.length) {
                    int h = hash(data, i);
                    prev[i] = head[h];
                    head[h] = i;
                }
            }
        }
    }

    private static int hash(byte[] data, int i) {
        int v = ((data[i] & 0xFF) << 16) | ((data[i + 1] & 0xFF) << 8) | (data[i + 2] & 0xFF);
        return (v * 0x9E3779B1) >>> (32 - HASH_BITS);
    }

    private static void writeMatch(BitWriter bits, int length, int distance) {
        int code = LENGTH_BASE.length - 1;
        while (LENGTH_BASE[code] > length) {
            code--;
        }
        writeSymbol(bits, 257 + code);
        bits.write(length - LENGTH_BASE[code], LENGTH_EXTRA[code]);
        int d = DIST_BASE.length - 1;
        while (DIST_BASE[d] > distance) {
            d--;
        }
        bits.writeHuffman(d, 5);
        bits.write(distance - DIST_BASE[d], DIST_EXTRA[d]);
    }

    /** Literal/length symbol in the fixed Huffman code (RFC 1951 §3.2.6). */
    private static void writeSymbol(BitWriter bits, int symbol) {
        if (symbol < 144) {
            bits.writeHuffman(0x30 + symbol, 8);
        } else if (symbol < 256) {
            bits.writeHuffman(0x190 + symbol - 144, 9);
        } else if (symbol < 280) {
            bits.writeHuffman(symbol - 256, 7);
        } else {
            bits.writeHuffman(0xC0 + symbol - 280, 8);
        }
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] header = new byte[8];
        putInt(header, 0, data.length);
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(typeBytes, 0, header, 4, 4);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        byte[] trailer = new byte[4];
        putInt(trailer, 0, (int) crc.getValue());
        out.writeBytes(header);
        out.writeBytes(data);
        out.writeBytes(trailer);
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    /** Deflate's bit order: values least-significant bit first, Huffman codes most-significant bit first. */
    private static final class BitWriter {
        private final ByteArrayOutputStream out;
        private int buffer;
        private int count;

        BitWriter(int capacity) {
            out = new ByteArrayOutputStream(capacity);
        }

        void write(int value, int n) {
            for (int k = 0; k < n; k++) {
                buffer |= ((value >>> k) & 1) << count;
                if (++count == 8) {
                    out.write(buffer);
                    buffer = 0;
                    count = 0;
                }
            }
        }

        void writeHuffman(int code, int n) {
            write(Integer.reverse(code) >>> (32 - n), n);
        }

        void flushByte() {
            if (count > 0) {
                out.write(buffer);
                buffer = 0;
                count = 0;
            }
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}

package dev.dtp.bench.data;

/** Two absolute object sizes; the side in pixels scales with the image, see {@link #side(int)}. */
public enum ObjectSize {
    SMALL("small", 3),
    LARGE("large", 5);

    private final String word;
    private final int sixteenths;

    ObjectSize(String word, int sixteenths) {
        this.word = word;
        this.sixteenths = sixteenths;
    }

    public String word() {
        return word;
    }

    /** Side of the object's square bounding box: odd, so shapes have a centre pixel (13 and 21 at 64 px). */
    public int side(int imageSize) {
        return (imageSize * sixteenths / 16) | 1;
    }
}

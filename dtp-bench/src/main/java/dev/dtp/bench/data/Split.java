package dev.dtp.bench.data;

/** Dataset splits; each draws its scenes from its own seed derived from the dataset seed. */
public enum Split {
    TRAIN("train"),
    VALIDATION("validation"),
    TEST("test");

    private final String id;

    Split(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Split fromId(String id) {
        for (Split s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown split '" + id + "' (expected train, validation or test)");
    }
}

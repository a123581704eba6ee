package dev.dtp.mamba.decode;

/** Runs a test body with {@code -Ddtp.decode.panels=off} set, restoring the property's value after. */
final class PanelsOff {
    private PanelsOff() {}

    static void run(Runnable body) {
        String before = System.getProperty(F32Rows.PANELS_PROPERTY);
        System.setProperty(F32Rows.PANELS_PROPERTY, "off");
        try {
            body.run();
        } finally {
            if (before == null) {
                System.clearProperty(F32Rows.PANELS_PROPERTY);
            } else {
                System.setProperty(F32Rows.PANELS_PROPERTY, before);
            }
        }
    }
}

package dev.sightline.kv;

/**
 * Switches of the decode-step attention path, so that a benchmark can A/B them in one process (on this kind of
 * machine two processes can land in different memory-bandwidth modes). Everything else should leave them as they are.
 */
public final class DecodeAttentionSwitches {

    private static volatile boolean f16InPlace =
            Boolean.parseBoolean(System.getProperty("sightline.kv.f16InPlace", "true"));

    private DecodeAttentionSwitches() {
    }

    /**
     * Whether decode steps over F16 pages read the rows where they lie ({@link F16DecodeAttention}), rather than
     * converting them into a float array first ({@link DecodeAttention}). On by default.
     */
    public static void setF16InPlace(boolean on) {
        f16InPlace = on;
    }

    static boolean f16InPlace() {
        return f16InPlace;
    }
}

package dev.sightline.protocol;

/** How a {@link VideoFrame}'s bytes encode its pixels. */
public enum PixelFormat {
    /** A baseline JPEG image (starts with the SOI marker FF D8). The default: small enough for Kafka. */
    JPEG(1),
    /** Packed 8-bit R, G, B per pixel, row-major, no padding: exactly width * height * 3 bytes. */
    RGB24(2);

    private final int code;

    PixelFormat(int code) {
        this.code = code;
    }

    /** The byte written on the wire; stable across releases (never the ordinal). */
    public int code() {
        return code;
    }

    public static PixelFormat fromCode(int code) {
        for (PixelFormat f : values()) {
            if (f.code == code) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown pixel format code " + code);
    }
}

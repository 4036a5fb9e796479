package dev.sightline.tokenizer;

/**
 * A decoded frame: row-major, interleaved R, G, B floats in [0, 1]. This is what the vision tower and the pixel
 * gate read; the tokenizer resizes every frame to the tower's input size first.
 */
public record RgbImage(int width, int height, float[] rgb) {

    public RgbImage {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("image size " + width + "x" + height + " must be positive");
        }
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("image " + width + "x" + height + " needs " + (width * height * 3)
                    + " floats, got " + rgb.length);
        }
    }

    public float get(int x, int y, int channel) {
        return rgb[(y * width + x) * 3 + channel];
    }

    /** Bilinear resize (aspect ratio is not kept: the towers take a square and we do not pad). */
    public RgbImage resize(int newWidth, int newHeight) {
        if (newWidth == width && newHeight == height) {
            return this;
        }
        float[] out = new float[newWidth * newHeight * 3];
        float sx = (float) width / newWidth;
        float sy = (float) height / newHeight;
        for (int y = 0; y < newHeight; y++) {
            float fy = Math.max(0, (y + 0.5f) * sy - 0.5f);
            int y0 = Math.min((int) fy, height - 1);
            int y1 = Math.min(y0 + 1, height - 1);
            float wy = fy - y0;
            for (int x = 0; x < newWidth; x++) {
                float fx = Math.max(0, (x + 0.5f) * sx - 0.5f);
                int x0 = Math.min((int) fx, width - 1);
                int x1 = Math.min(x0 + 1, width - 1);
                float wx = fx - x0;
                for (int c = 0; c < 3; c++) {
                    float top = get(x0, y0, c) * (1 - wx) + get(x1, y0, c) * wx;
                    float bottom = get(x0, y1, c) * (1 - wx) + get(x1, y1, c) * wx;
                    out[(y * newWidth + x) * 3 + c] = top * (1 - wy) + bottom * wy;
                }
            }
        }
        return new RgbImage(newWidth, newHeight, out);
    }
}

package dev.sightline.tokenizer;

/** Deterministic test pictures: a textured static background and an 8x8-pixel-aligned bright square. */
final class Scenes {
    private Scenes() {
    }

    /** A size x size background (a fixed smooth gradient texture) with a white square of side {@code sq} at (x, y). */
    static RgbImage squareAt(int size, int x, int y, int sq) {
        float[] rgb = new float[size * size * 3];
        for (int py = 0; py < size; py++) {
            for (int px = 0; px < size; px++) {
                int p = (py * size + px) * 3;
                boolean in = x >= 0 && px >= x && px < x + sq && py >= y && py < y + sq;
                rgb[p] = in ? 1f : 0.2f + 0.3f * px / size;
                rgb[p + 1] = in ? 1f : 0.3f + 0.2f * py / size;
                rgb[p + 2] = in ? 1f : 0.25f + 0.1f * ((px * 7 + py * 3) % 5) / 5f;
            }
        }
        return new RgbImage(size, size, rgb);
    }

    static RgbImage background(int size) {
        return squareAt(size, -1, -1, 0);
    }
}

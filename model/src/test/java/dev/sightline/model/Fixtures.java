package dev.sightline.model;

import java.nio.file.Path;

/** Paths to the reference checkpoints made by training/make_fixtures.py, and comparison helpers. */
final class Fixtures {

    static final float TOLERANCE = 1e-3f;

    private Fixtures() {
    }

    static Path dir(String name) {
        return Path.of("src/test/resources/fixtures", name).toAbsolutePath();
    }

    static Npy.Array npy(String model, String file) {
        return Npy.read(dir(model).resolve(file));
    }

    static int[] ints(long[] l) {
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = Math.toIntExact(l[i]);
        }
        return out;
    }

    /** Largest absolute difference; fails on length mismatch. */
    static float maxAbsDiff(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new AssertionError("length " + actual.length + " != expected " + expected.length);
        }
        float max = 0;
        for (int i = 0; i < expected.length; i++) {
            float d = Math.abs(expected[i] - actual[i]);
            if (Float.isNaN(d)) {
                return Float.NaN;
            }
            max = Math.max(max, d);
        }
        return max;
    }
}

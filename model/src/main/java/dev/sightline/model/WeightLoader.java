package dev.sightline.model;

import java.lang.foreign.Arena;

/** Fetches named weights from a checkpoint with their expected shapes, as matrices or small float vectors. */
final class WeightLoader {

    private final Checkpoint cp;
    private final Arena arena;
    private final boolean quantizeQ8;

    WeightLoader(Checkpoint cp, Arena arena, boolean quantizeQ8) {
        this.cp = cp;
        this.arena = arena;
        this.quantizeQ8 = quantizeQ8;
    }

    Matrix matrix(String name, int rows, int cols) {
        Tensor t = cp.tensor(name).expectShape(rows, cols);
        Matrix m = Matrix.of(t, arena);
        if (quantizeQ8 && Q8Matrix.fits(cols)) {
            return Q8Matrix.quantize(m, t, arena);
        }
        return m;
    }

    float[] vector(String name, int n) {
        return cp.tensor(name).expectShape(n).toFloats();
    }

    float[] optionalVector(String name, int n) {
        return cp.has(name) ? vector(name, n) : null;
    }

    /** A weight of any rank with the given shape, flattened onto the heap (small tower weights). */
    float[] floats(String name, long... shape) {
        return cp.tensor(name).expectShape(shape).toFloats();
    }
}

package dev.sightline.tokenizer;

import java.util.SplittableRandom;

/**
 * THE TEST ENCODER, not a model: a fixed random linear projection of each cell's pixels plus a per-cell position
 * vector, through tanh. It is a genuine (tiny) encoder, so tests exercise real arithmetic: identical pixels give
 * identical embeddings, a changed cell gives a different one, and encoding fewer cells costs proportionally less.
 * Deterministic for a given seed.
 */
public final class ProjectionFrameEncoder implements FrameEncoder {

    private final int inputSize;
    private final int grid;
    private final int cell;
    private final int dim;
    private final float[] weights;   // dim x (cell*cell*3)
    private final float[] positions; // (grid*grid) x dim

    public ProjectionFrameEncoder(int inputSize, int grid, int dim, long seed) {
        if (grid < 1 || inputSize % grid != 0) {
            throw new IllegalArgumentException("input size " + inputSize + " must be a multiple of the grid " + grid);
        }
        this.inputSize = inputSize;
        this.grid = grid;
        this.cell = inputSize / grid;
        this.dim = dim;
        int fanIn = cell * cell * 3;
        SplittableRandom rnd = new SplittableRandom(seed);
        weights = new float[dim * fanIn];
        // Scale so a cell of pixels in [-0.5, 0.5] lands in tanh's responsive range.
        float scale = (float) (2.0 / Math.sqrt(fanIn));
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) (rnd.nextDouble(-1, 1) * scale);
        }
        positions = new float[grid * grid * dim];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = (float) rnd.nextDouble(-0.1, 0.1);
        }
    }

    @Override
    public int inputSize() {
        return inputSize;
    }

    @Override
    public int gridRows() {
        return grid;
    }

    @Override
    public int gridCols() {
        return grid;
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public boolean encodesSubsets() {
        return true;
    }

    @Override
    public float[][] encode(RgbImage image, boolean[] cells) {
        if (image.width() != inputSize || image.height() != inputSize) {
            throw new IllegalArgumentException("encoder takes " + inputSize + "x" + inputSize + ", got "
                    + image.width() + "x" + image.height());
        }
        float[][] out = new float[grid * grid][];
        float[] x = new float[cell * cell * 3];
        for (int r = 0; r < grid; r++) {
            for (int c = 0; c < grid; c++) {
                int idx = r * grid + c;
                if (!cells[idx]) {
                    continue;
                }
                int k = 0;
                for (int y = r * cell; y < (r + 1) * cell; y++) {
                    int base = (y * inputSize + c * cell) * 3;
                    for (int i = 0; i < cell * 3; i++) {
                        x[k++] = image.rgb()[base + i] - 0.5f;
                    }
                }
                float[] e = new float[dim];
                for (int d = 0; d < dim; d++) {
                    float acc = positions[idx * dim + d];
                    int w = d * x.length;
                    for (int i = 0; i < x.length; i++) {
                        acc += weights[w + i] * x[i];
                    }
                    e[d] = (float) Math.tanh(acc);
                }
                out[idx] = e;
            }
        }
        return out;
    }
}

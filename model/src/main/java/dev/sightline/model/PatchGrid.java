package dev.sightline.model;

/**
 * Features laid out on a frame's token grid: {@code rows x cols} tokens of {@code dim} floats each, row-major
 * ({@code data[(row * cols + col) * dim + i]}). Before the connector a token is one patch; after it, one
 * pixel-shuffled group of {@code scale x scale} patches, projected to the text model's width.
 */
public record PatchGrid(int rows, int cols, int dim, float[] data) {

    public PatchGrid {
        if ((long) rows * cols * dim != data.length) {
            throw new IllegalArgumentException("grid " + rows + "x" + cols + "x" + dim + " needs "
                    + (long) rows * cols * dim + " floats, got " + data.length);
        }
    }

    public int tokens() {
        return rows * cols;
    }

    /** The feature vector of the token at ({@code row}, {@code col}). */
    public float[] token(int row, int col) {
        float[] out = new float[dim];
        System.arraycopy(data, (row * cols + col) * dim, out, 0, dim);
        return out;
    }
}

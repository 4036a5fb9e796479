package dev.sightline.tokenizer;

/**
 * The seam to a vision tower plus connector: a square RGB frame of {@link #inputSize()} pixels becomes a
 * {@link #gridRows()} x {@link #gridCols()} grid of token embeddings (after the connector's pixel shuffle, one per
 * cell of {@code inputSize/gridRows} pixels).
 *
 * <p>The pixel gate asks for a subset of cells. An encoder that can run its tower on the subset only (as RLT runs a
 * ViT on the changed tubelets) says so with {@link #encodesSubsets()}. One whose tower always sees the whole frame
 * (a ViT with global attention) still returns only the asked cells; for it, work is saved only on frames with no
 * cell to encode, where the tokenizer does not call it at all.
 *
 * <p>Implementations are shared by all stream threads and must be safe for concurrent use.
 */
public interface FrameEncoder {

    /** Side of the square input image in pixels. */
    int inputSize();

    int gridRows();

    int gridCols();

    /** Width of each token embedding. */
    int dim();

    /**
     * Encodes the cells flagged in {@code cells} (row-major, {@code gridRows*gridCols} long).
     *
     * @return one embedding per cell, {@code null} where the cell was not asked for
     */
    float[][] encode(RgbImage image, boolean[] cells);

    /** True when encoding fewer cells costs proportionally less. */
    boolean encodesSubsets();

    default int cellCount() {
        return gridRows() * gridCols();
    }
}

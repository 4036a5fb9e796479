package dev.sightline.tokenizer;

/**
 * The seam to a vision tower plus connector: a square RGB frame of {@link #inputSize()} pixels becomes a
 * {@link #gridRows()} x {@link #gridCols()} grid of token embeddings (after the connector's pixel shuffle, one per
 * cell of {@code inputSize/gridRows} pixels).
 *
 * <p>The pixel gate asks for a subset of cells. An encoder that can run its tower on the subset only (as RLT runs a
 * ViT on the changed tubelets) says so with {@link #encodesSubsets()}; one that cannot still returns only the asked
 * cells but saves no work, and the tokenizer then reports no encoder time saved.
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

    /** True when encoding fewer cells costs less. */
    boolean encodesSubsets();

    default int cellCount() {
        return gridRows() * gridCols();
    }
}

package dev.sightline.tokenizer;

/**
 * The seam to a vision tower plus connector: a square RGB frame of {@link #inputSize()} pixels becomes a
 * {@link #gridRows()} x {@link #gridCols()} grid of token embeddings (after the connector's pixel shuffle, one per
 * cell of {@code inputSize/gridRows} pixels).
 *
 * <p>The pixel gate decides per patch of the tower ({@link #patchesPerCellSide()} per cell side; 1 when a cell is one
 * patch) and calls {@link #encodePatches}: the tower runs on the changed patches only (as RLT runs its ViT on the
 * changed tubelets), and the cells that hold a changed patch are rebuilt from the new outputs plus the stream's
 * remembered outputs of their unchanged patches. {@link #encode(RgbImage, boolean[])} is the stateless form.
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
     * Encodes the cells flagged in {@code cells} (row-major, {@code gridRows*gridCols} long), with nothing
     * remembered from earlier frames (a tower with global attention sees the whole frame here).
     *
     * @return one embedding per cell, {@code null} where the cell was not asked for
     */
    float[][] encode(RgbImage image, boolean[] cells);

    /** True when {@link #encodePatches} with fewer patches costs less. */
    boolean encodesSubsets();

    /**
     * Tower patches per cell side: the connector folds {@code k x k} patches into one cell (SmolVLM's pixel
     * shuffle). 1 (the default) when a cell is one patch.
     */
    default int patchesPerCellSide() {
        return 1;
    }

    /**
     * Estimated floating-point operations of the tower on {@code patches} patches in one call, for the metrics of
     * encoder work saved; 0 when unknown.
     */
    default long encoderFlops(int patches) {
        return 0;
    }

    /**
     * The gated form: runs the tower on the flagged patches only and returns the asked cells, each connected from
     * its patches' outputs: new ones for the flagged patches, {@code memory}'s for the others. The default, for an
     * encoder whose cell is one patch, is {@code encode(image, cells)}.
     *
     * @param patches row-major over the patch grid ({@code gridRows*k x gridCols*k}), the patches to encode
     * @param cells   the cells to return; each of their patches must be flagged or in {@code memory}
     * @param memory  per patch, its last output (null where there is none, or null altogether when {@code k == 1});
     *                the flagged patches' new outputs are written into it
     * @return one embedding per cell, {@code null} where the cell was not asked for
     */
    default float[][] encodePatches(RgbImage image, boolean[] patches, boolean[] cells, float[][] memory) {
        return encode(image, cells);
    }

    default int cellCount() {
        return gridRows() * gridCols();
    }
}

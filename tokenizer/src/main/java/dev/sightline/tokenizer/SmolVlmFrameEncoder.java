package dev.sightline.tokenizer;

import dev.sightline.model.Checkpoint;
import dev.sightline.model.ImagePreprocessor;
import dev.sightline.model.PatchGrid;
import dev.sightline.model.VisionTower;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The model's SmolVLM/Idefics3 vision tower (SigLIP) and pixel-shuffle connector behind the {@link FrameEncoder}
 * seam: one token per connector cell, in the text model's width.
 *
 * <p>Gated ({@link #encodePatches}), the tower runs on the changed patches only, each with its own learned position,
 * attending among themselves (RLT's approximation of the whole-frame tower: unchanged patches are not there to attend
 * to); a cell with any changed patch is re-connected from the new outputs and the remembered outputs of its other
 * patches, so the encoder's cost follows the changed patches. With every patch flagged it is the whole-frame
 * encoding, the same computation (equal up to the last bits that the JIT's lane-sum order may change).
 */
public final class SmolVlmFrameEncoder implements FrameEncoder, AutoCloseable {

    private final VisionTower tower;
    private final ImagePreprocessor preprocessor;
    private final AutoCloseable owned;
    private final int grid;
    private final int dim;

    public SmolVlmFrameEncoder(VisionTower tower, ImagePreprocessor preprocessor) {
        this(tower, preprocessor, null);
    }

    private SmolVlmFrameEncoder(VisionTower tower, ImagePreprocessor preprocessor, AutoCloseable owned) {
        if (preprocessor.size() != tower.imageSize()) {
            throw new IllegalArgumentException("preprocessor makes " + preprocessor.size() + " px images, the tower takes "
                    + tower.imageSize());
        }
        this.tower = tower;
        this.preprocessor = preprocessor;
        this.owned = owned;
        this.grid = tower.gridSide() / tower.scaleFactor();
        // The connector's output width is the text model's; one blank frame tells it without reaching into config.
        this.dim = tower.connect(tower.encode(new float[3 * tower.imageSize() * tower.imageSize()])).dim();
    }

    /**
     * Opens a SmolVLM checkpoint folder (config.json, model.safetensors, optional preprocessor_config.json); only
     * the vision tower and connector are loaded. Closing the encoder unmaps the weights.
     */
    public static SmolVlmFrameEncoder open(Path modelDir) {
        Checkpoint cp = Checkpoint.open(modelDir);
        try {
            VisionTower tower = VisionTower.load(cp);
            return new SmolVlmFrameEncoder(tower, ImagePreprocessor.forTower(tower, modelDir), cp);
        } catch (RuntimeException e) {
            cp.close();
            throw e;
        }
    }

    @Override
    public int inputSize() {
        return tower.imageSize();
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
    public int patchesPerCellSide() {
        return tower.scaleFactor();
    }

    @Override
    public long encoderFlops(int patches) {
        return tower.encoderFlops(patches);
    }

    @Override
    public float[][] encodePatches(RgbImage image, boolean[] patches, boolean[] cells, float[][] memory) {
        int side = tower.gridSide();
        int k = tower.scaleFactor();
        int h = tower.hiddenSize();
        if (patches.length != side * side || memory == null || memory.length != side * side
                || cells.length != grid * grid) {
            throw new IllegalArgumentException("expected " + side * side + " patch flags and memory slots and "
                    + grid * grid + " cell flags, got " + patches.length + ", "
                    + (memory == null ? "no memory" : memory.length) + " and " + cells.length);
        }
        // A remembered output of another width (a checkpoint swapped under the same grid) cannot be used: such a
        // patch of an asked cell is encoded again rather than failing this cell on every frame.
        boolean[] run = patches.clone();
        for (int cell : indicesOf(cells)) {
            for (int dr = 0; dr < k; dr++) {
                for (int dc = 0; dc < k; dc++) {
                    int p = ((cell / grid) * k + dr) * side + (cell % grid) * k + dc;
                    if (memory[p] != null && memory[p].length != h) {
                        memory[p] = null;
                        run[p] = true;
                    }
                }
            }
        }
        int[] positions = indicesOf(run);
        float[] fresh = positions.length == 0 ? new float[0] : tower.encodePatches(pixels(image), positions);
        for (int i = 0; i < positions.length; i++) {
            memory[positions[i]] = Arrays.copyOfRange(fresh, i * h, (i + 1) * h);
        }
        int[] tokens = indicesOf(cells);
        float[] patchGrid = new float[side * side * h];
        for (int cell : tokens) {
            for (int dr = 0; dr < k; dr++) {
                for (int dc = 0; dc < k; dc++) {
                    int p = ((cell / grid) * k + dr) * side + (cell % grid) * k + dc;
                    if (memory[p] == null) {
                        throw new IllegalArgumentException("patch " + p + " of cell " + cell
                                + " is neither flagged for encoding nor remembered");
                    }
                    System.arraycopy(memory[p], 0, patchGrid, p * h, h);
                }
            }
        }
        float[] connected = tower.connect(new PatchGrid(side, side, h, patchGrid), tokens);
        float[][] out = new float[grid * grid][];
        for (int i = 0; i < tokens.length; i++) {
            out[tokens[i]] = Arrays.copyOfRange(connected, i * dim, (i + 1) * dim);
        }
        return out;
    }

    private static int[] indicesOf(boolean[] flags) {
        int n = 0;
        for (boolean f : flags) {
            if (f) {
                n++;
            }
        }
        int[] idx = new int[n];
        n = 0;
        for (int i = 0; i < flags.length; i++) {
            if (flags[i]) {
                idx[n++] = i;
            }
        }
        return idx;
    }

    private float[] pixels(RgbImage image) {
        byte[] rgb = new byte[image.rgb().length];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) Math.round(Math.clamp(image.rgb()[i], 0f, 1f) * 255);
        }
        return preprocessor.process(rgb, image.width(), image.height());
    }

    @Override
    public float[][] encode(RgbImage image, boolean[] cells) {
        PatchGrid tokens = tower.connect(tower.encode(pixels(image)));
        float[][] out = new float[grid * grid][];
        for (int c = 0; c < out.length; c++) {
            if (cells[c]) {
                out[c] = tokens.token(c / grid, c % grid);
            }
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        if (owned != null) {
            owned.close();
        }
    }
}

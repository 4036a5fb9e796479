package dev.sightline.tokenizer;

import dev.sightline.model.Checkpoint;
import dev.sightline.model.ImagePreprocessor;
import dev.sightline.model.PatchGrid;
import dev.sightline.model.VisionTower;

import java.nio.file.Path;

/**
 * The model's SmolVLM/Idefics3 vision tower (SigLIP) and pixel-shuffle connector behind the {@link FrameEncoder}
 * seam: one token per connector cell, in the text model's width. The tower attends globally, so it always encodes
 * the whole frame ({@link #encodesSubsets()} is false); the pixel gate still saves its whole cost on frames where
 * nothing changed, and REUSE/DROP still apply per cell.
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
        return false;
    }

    @Override
    public float[][] encode(RgbImage image, boolean[] cells) {
        byte[] rgb = new byte[image.rgb().length];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) Math.round(Math.clamp(image.rgb()[i], 0f, 1f) * 255);
        }
        PatchGrid tokens = tower.connect(tower.encode(preprocessor.process(rgb, image.width(), image.height())));
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

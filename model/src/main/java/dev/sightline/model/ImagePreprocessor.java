package dev.sightline.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns a video frame into the tower's input as SmolVLM's processor does for video frames (no tiling): resize to
 * the tower's square size, rescale to [0, 1], normalise per channel with the processor's mean and std, channels first.
 *
 * <p>The resize is Pillow's, bit for bit ({@link PilResize}), with the filter the processor names ({@code resample}
 * in {@code preprocessor_config.json}; LANCZOS, SmolVLM's default, when absent), because the Python processor
 * resizes uint8 frames through Pillow. It stretches straight to the square, as SmolVLM does for video frames
 * without image splitting; a processor that first resizes to a longest edge and then to the square rounds twice
 * and can differ by a grey level.
 */
public final class ImagePreprocessor {

    private final int size;
    private final float[] mean;
    private final float[] std;
    private final float rescale;
    private final PilResize.Filter filter;

    public ImagePreprocessor(int size, float[] mean, float[] std, float rescale) {
        this(size, mean, std, rescale, PilResize.Filter.LANCZOS);
    }

    private ImagePreprocessor(int size, float[] mean, float[] std, float rescale, PilResize.Filter filter) {
        if (size <= 0 || mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("need a positive size and 3 means and stds");
        }
        this.size = size;
        this.mean = mean.clone();
        this.std = std.clone();
        this.rescale = rescale;
        this.filter = filter;
    }

    /** Settings for {@code tower} from the folder's {@code preprocessor_config.json} (SmolVLM defaults otherwise). */
    public static ImagePreprocessor forTower(VisionTower tower, Path modelDir) {
        float[] mean = {0.5f, 0.5f, 0.5f};
        float[] std = {0.5f, 0.5f, 0.5f};
        float rescale = 1f / 255f;
        PilResize.Filter filter = PilResize.Filter.LANCZOS;
        Path pre = modelDir.resolve("preprocessor_config.json");
        if (Files.isRegularFile(pre)) {
            try {
                JsonNode c = new ObjectMapper().readTree(pre.toFile());
                mean = triple(c.path("image_mean"), mean);
                std = triple(c.path("image_std"), std);
                rescale = (float) c.path("rescale_factor").asDouble(rescale);
                if (c.has("resample")) {
                    filter = PilResize.Filter.fromPilCode(c.get("resample").asInt());
                }
            } catch (IOException e) {
                throw new ModelFormatException("cannot parse " + pre + ": " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(pre + ": " + e.getMessage(), e);
            }
        }
        return new ImagePreprocessor(tower.imageSize(), mean, std, rescale, filter);
    }

    private static float[] triple(JsonNode n, float[] dflt) {
        if (!n.isArray() || n.size() != 3) {
            return dflt;
        }
        return new float[]{(float) n.get(0).asDouble(), (float) n.get(1).asDouble(), (float) n.get(2).asDouble()};
    }

    public int size() {
        return size;
    }

    /** {@code [3][size][size]} floats from interleaved RGB bytes {@code [height][width][3]}. */
    public float[] process(byte[] rgb, int width, int height) {
        if (width <= 0 || height <= 0 || rgb.length != width * height * 3) {
            throw new IllegalArgumentException("RGB frame of " + width + "x" + height + " needs " + width * height * 3
                    + " bytes, got " + rgb.length);
        }
        byte[] pixels = (width == size && height == size) ? rgb
                : PilResize.resize(rgb, width, height, size, size, filter);
        float[] resized = new float[3 * size * size];
        for (int i = 0; i < size * size; i++) {
            for (int c = 0; c < 3; c++) {
                resized[c * size * size + i] = pixels[i * 3 + c] & 0xFF;
            }
        }
        for (int c = 0; c < 3; c++) {
            int off = c * size * size;
            for (int i = 0; i < size * size; i++) {
                resized[off + i] = (resized[off + i] * rescale - mean[c]) / std[c];
            }
        }
        return resized;
    }

    public float[] process(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = image.getRGB(x, y);
                int o = (y * w + x) * 3;
                rgb[o] = (byte) (p >> 16);
                rgb[o + 1] = (byte) (p >> 8);
                rgb[o + 2] = (byte) p;
            }
        }
        return process(rgb, w, h);
    }
}

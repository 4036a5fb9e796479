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
 * <p>The resize is a separable triangle filter widened when shrinking (like PIL's BILINEAR with antialiasing); the
 * Python processor defaults to LANCZOS, so resized pixels differ slightly from transformers'. For a frame already at
 * the tower's size the output is exact.
 */
public final class ImagePreprocessor {

    private final int size;
    private final float[] mean;
    private final float[] std;
    private final float rescale;

    public ImagePreprocessor(int size, float[] mean, float[] std, float rescale) {
        if (size <= 0 || mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("need a positive size and 3 means and stds");
        }
        this.size = size;
        this.mean = mean.clone();
        this.std = std.clone();
        this.rescale = rescale;
    }

    /** Settings for {@code tower} from the folder's {@code preprocessor_config.json} (SmolVLM defaults otherwise). */
    public static ImagePreprocessor forTower(VisionTower tower, Path modelDir) {
        float[] mean = {0.5f, 0.5f, 0.5f};
        float[] std = {0.5f, 0.5f, 0.5f};
        float rescale = 1f / 255f;
        Path pre = modelDir.resolve("preprocessor_config.json");
        if (Files.isRegularFile(pre)) {
            try {
                JsonNode c = new ObjectMapper().readTree(pre.toFile());
                mean = triple(c.path("image_mean"), mean);
                std = triple(c.path("image_std"), std);
                rescale = (float) c.path("rescale_factor").asDouble(rescale);
            } catch (IOException e) {
                throw new ModelFormatException("cannot parse " + pre + ": " + e.getMessage(), e);
            }
        }
        return new ImagePreprocessor(tower.imageSize(), mean, std, rescale);
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
        float[] src = new float[3 * width * height];
        for (int i = 0; i < width * height; i++) {
            for (int c = 0; c < 3; c++) {
                src[c * width * height + i] = rgb[i * 3 + c] & 0xFF;
            }
        }
        float[] resized = (width == size && height == size) ? src : resize(src, width, height);
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

    private float[] resize(float[] src, int w, int h) {
        float[] horizontal = new float[3 * h * size];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                resample1d(src, c * w * h + y * w, 1, w, horizontal, c * h * size + y * size, 1, size);
            }
        }
        float[] out = new float[3 * size * size];
        for (int c = 0; c < 3; c++) {
            for (int x = 0; x < size; x++) {
                resample1d(horizontal, c * h * size + x, size, h, out, c * size * size + x, size, size);
            }
        }
        return out;
    }

    /** Triangle-filter resampling of one line, with the filter widened by the shrink factor (area-aware). */
    private static void resample1d(float[] in, int inOff, int inStride, int inLen, float[] out, int outOff,
                                   int outStride, int outLen) {
        double scale = (double) inLen / outLen;
        double support = Math.max(1.0, scale);
        for (int o = 0; o < outLen; o++) {
            double centre = (o + 0.5) * scale;
            int from = (int) Math.max(0, Math.floor(centre - support));
            int to = (int) Math.min(inLen, Math.ceil(centre + support));
            double sum = 0;
            double weights = 0;
            for (int i = from; i < to; i++) {
                double wgt = Math.max(0, 1 - Math.abs((i + 0.5 - centre) / support));
                sum += wgt * in[inOff + i * inStride];
                weights += wgt;
            }
            out[outOff + o * outStride] = (float) (weights == 0 ? in[inOff + Math.min(inLen - 1, (int) centre) * inStride]
                    : sum / weights);
        }
    }
}

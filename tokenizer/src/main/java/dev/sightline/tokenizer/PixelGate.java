package dev.sightline.tokenizer;

/**
 * Stage 1, before the vision tower (as RLT does): a cell whose mean absolute pixel difference from the same cell
 * of the reference is below {@code tau} is not encoded again.
 *
 * <p>The reference of a cell is the pixels it had when it was last encoded, not the previous frame: comparing to
 * the previous frame would let a slow drift (a sunrise) creep past the gate forever, 1/255 at a time.
 *
 * <p>The comparison runs on a thumbnail of {@code samplesPerCell x samplesPerCell} area-averaged samples per cell,
 * stored as bytes, so the per-stream state stays small enough for a Kafka changelog record (64 cells x 8 x 8 x 3
 * = 12 KiB for SmolVLM's 8x8 grid).
 */
public final class PixelGate {

    /** What happens to a cell the gate holds back. */
    public enum StaticCell {
        /** Its last encoded embedding is reused, so the frame still has every position (the default). */
        REUSE,
        /** No token for it at all. */
        DROP
    }

    /**
     * @param enabled        off: every cell is encoded
     * @param tau            threshold on the mean |delta| of [0,1] pixels; default 0.02 (RLT's 0.1 on normalised
     *                       pixels is about 0.02 on raw ones, with a pixel std of about 0.225)
     * @param onStatic       reuse or drop a held-back cell; default REUSE
     * @param samplesPerCell thumbnail resolution per cell side; default 8
     */
    public record Config(boolean enabled, double tau, StaticCell onStatic, int samplesPerCell) {
        public static final Config DEFAULT = new Config(true, 0.02, StaticCell.REUSE, 8);
        public static final Config OFF = new Config(false, 0.02, StaticCell.REUSE, 8);

        public Config {
            if (tau < 0 || samplesPerCell < 1) {
                throw new IllegalArgumentException("pixel gate tau must be >= 0 and samplesPerCell >= 1");
            }
        }
    }

    private PixelGate() {
    }

    /**
     * Area-averaged samples, {@code (gridRows*s) x (gridCols*s) x 3}, row-major. The image side must be a
     * multiple of grid*s or the last pixels of each block are folded into the nearest sample.
     */
    public static float[] thumbnail(RgbImage img, int gridRows, int gridCols, int s) {
        int tw = gridCols * s;
        int th = gridRows * s;
        float[] sum = new float[tw * th * 3];
        int[] count = new int[tw * th];
        for (int y = 0; y < img.height(); y++) {
            int ty = Math.min(th - 1, (int) ((long) y * th / img.height()));
            for (int x = 0; x < img.width(); x++) {
                int tx = Math.min(tw - 1, (int) ((long) x * tw / img.width()));
                int t = ty * tw + tx;
                int p = (y * img.width() + x) * 3;
                sum[t * 3] += img.rgb()[p];
                sum[t * 3 + 1] += img.rgb()[p + 1];
                sum[t * 3 + 2] += img.rgb()[p + 2];
                count[t]++;
            }
        }
        for (int t = 0; t < count.length; t++) {
            int n = Math.max(1, count[t]);
            sum[t * 3] /= n;
            sum[t * 3 + 1] /= n;
            sum[t * 3 + 2] /= n;
        }
        return sum;
    }

    /**
     * Decides which cells to encode and refreshes the reference of those cells in place.
     *
     * @param thumb     this frame's {@link #thumbnail}
     * @param reference the per-cell reference thumbnail as bytes (0..255), or null on a stream's first frame
     * @return the cells to encode; with a null reference, all of them
     */
    public static Decision decide(Config config, float[] thumb, byte[] reference, int gridRows, int gridCols) {
        return decide(config, thumb, reference, gridRows, gridCols, config.samplesPerCell());
    }

    /**
     * As {@link #decide(Config, float[], byte[], int, int)} on a grid finer than the config's cells (the tower's
     * patches), with {@code s} thumbnail samples per side of each of its cells.
     */
    public static Decision decide(Config config, float[] thumb, byte[] reference, int gridRows, int gridCols, int s) {
        int cells = gridRows * gridCols;
        boolean[] encode = new boolean[cells];
        double[] diff = new double[cells];
        int tw = gridCols * s;
        for (int r = 0; r < gridRows; r++) {
            for (int c = 0; c < gridCols; c++) {
                int cell = r * gridCols + c;
                double total = 0;
                if (reference != null) {
                    for (int y = r * s; y < (r + 1) * s; y++) {
                        for (int x = c * s; x < (c + 1) * s; x++) {
                            int p = (y * tw + x) * 3;
                            for (int ch = 0; ch < 3; ch++) {
                                total += Math.abs(thumb[p + ch] - (reference[p + ch] & 0xFF) / 255f);
                            }
                        }
                    }
                }
                diff[cell] = reference == null ? Double.POSITIVE_INFINITY : total / (s * s * 3);
                encode[cell] = !config.enabled() || diff[cell] >= config.tau();
            }
        }
        return new Decision(encode, diff);
    }

    /** Copies the encoded cells' thumbnail samples into the reference (quantised to bytes). */
    public static byte[] refresh(byte[] reference, float[] thumb, boolean[] encoded, int gridRows, int gridCols,
                                 int s) {
        byte[] ref = reference == null ? new byte[thumb.length] : reference;
        int tw = gridCols * s;
        for (int r = 0; r < gridRows; r++) {
            for (int c = 0; c < gridCols; c++) {
                if (!encoded[r * gridCols + c]) {
                    continue;
                }
                for (int y = r * s; y < (r + 1) * s; y++) {
                    for (int x = c * s; x < (c + 1) * s; x++) {
                        int p = (y * tw + x) * 3;
                        for (int ch = 0; ch < 3; ch++) {
                            ref[p + ch] = (byte) Math.round(Math.clamp(thumb[p + ch], 0f, 1f) * 255);
                        }
                    }
                }
            }
        }
        return ref;
    }

    /** Which cells to encode, and each cell's mean |delta| (infinite when there was no reference). */
    public record Decision(boolean[] encode, double[] meanAbsDiff) {
        public int encodedCount() {
            int n = 0;
            for (boolean b : encode) {
                if (b) {
                    n++;
                }
            }
            return n;
        }
    }
}

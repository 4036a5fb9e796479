package dev.sightline.model;

/**
 * Resizes 8-bit RGB frames the way Pillow's {@code Image.resize} does, pixel for pixel, because that is what the
 * Hugging Face image processors call on uint8 frames: a separable convolution (horizontal pass, then vertical),
 * the filter widened by the shrink factor so downscaling averages instead of aliasing, weights normalised per output
 * pixel and turned into 22-bit fixed point, and each pass rounded and clamped back to bytes.
 *
 * <p>Matching the integer arithmetic (not only the filter) matters: a float implementation of the same filter
 * differs from Pillow by one grey level on many pixels, and the vision tower sees that.
 */
final class PilResize {

    /** The resampling filters that processors name by Pillow's numbering in {@code preprocessor_config.json}. */
    enum Filter {
        NEAREST(0, 0),
        LANCZOS(1, 3),
        BILINEAR(2, 1),
        BICUBIC(3, 2);

        final int pilCode;
        final double support;

        Filter(int pilCode, double support) {
            this.pilCode = pilCode;
            this.support = support;
        }

        static Filter fromPilCode(int code) {
            for (Filter f : values()) {
                if (f.pilCode == code) {
                    return f;
                }
            }
            throw new IllegalArgumentException("resample " + code + " is not supported (0 nearest, 1 lanczos, "
                    + "2 bilinear, 3 bicubic)");
        }

        double weight(double x) {
            return switch (this) {
                case NEAREST -> x >= -0.5 && x < 0.5 ? 1 : 0;
                case BILINEAR -> Math.max(0, 1 - Math.abs(x));
                case BICUBIC -> cubic(Math.abs(x));
                case LANCZOS -> x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0;
            };
        }

        private static double cubic(double x) {
            final double a = -0.5; // Pillow's bicubic uses a = -0.5
            if (x < 1) {
                return ((a + 2) * x - (a + 3)) * x * x + 1;
            }
            if (x < 2) {
                return (((x - 5) * x + 8) * x - 4) * a;
            }
            return 0;
        }

        private static double sinc(double x) {
            if (x == 0) {
                return 1;
            }
            double px = Math.PI * x;
            return Math.sin(px) / px;
        }
    }

    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PilResize() {
    }

    /**
     * Resizes interleaved RGB bytes {@code [height][width][3]} to {@code outW x outH}, returning interleaved RGB
     * bytes. Nearest-neighbour is Pillow's point sampling; the others are its convolution filters.
     */
    static byte[] resize(byte[] rgb, int width, int height, int outW, int outH, Filter filter) {
        if (filter == Filter.NEAREST) {
            return nearest(rgb, width, height, outW, outH);
        }
        byte[] rows = rgb;
        int rowsW = width;
        if (outW != width) {
            rows = pass(rgb, width, height, outW, filter, true);
            rowsW = outW;
        }
        return outH != height ? pass(rows, rowsW, height, outH, filter, false) : rows;
    }

    /**
     * One convolution pass, along x ({@code horizontal}) or along y. Each output sample starts at half a unit of
     * fixed point so the final shift rounds to nearest, as Pillow does.
     */
    private static byte[] pass(byte[] in, int w, int h, int outLen, Filter filter, boolean horizontal) {
        int inLen = horizontal ? w : h;
        Coefficients k = Coefficients.of(inLen, outLen, filter);
        int outW = horizontal ? outLen : w;
        int outH = horizontal ? h : outLen;
        byte[] out = new byte[outW * outH * 3];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                int o = horizontal ? x : y;
                int first = k.first[o];
                int base = o * k.width;
                for (int c = 0; c < 3; c++) {
                    long sum = 1L << (PRECISION_BITS - 1);
                    for (int i = 0; i < k.count[o]; i++) {
                        int src = horizontal ? (y * w + first + i) : ((first + i) * w + x);
                        sum += (long) (in[src * 3 + c] & 0xFF) * k.fixed[base + i];
                    }
                    out[(y * outW + x) * 3 + c] = (byte) clamp8(sum >> PRECISION_BITS);
                }
            }
        }
        return out;
    }

    private static int clamp8(long v) {
        return (int) Math.max(0, Math.min(255, v));
    }

    /** Pillow's nearest: the source pixel under each output pixel's centre. */
    private static byte[] nearest(byte[] rgb, int width, int height, int outW, int outH) {
        byte[] out = new byte[outW * outH * 3];
        double sx = (double) width / outW;
        double sy = (double) height / outH;
        for (int y = 0; y < outH; y++) {
            int srcY = Math.min(height - 1, (int) ((y + 0.5) * sy));
            for (int x = 0; x < outW; x++) {
                int srcX = Math.min(width - 1, (int) ((x + 0.5) * sx));
                System.arraycopy(rgb, (srcY * width + srcX) * 3, out, (y * outW + x) * 3, 3);
            }
        }
        return out;
    }

    /** Per output sample: the first input sample it reads, how many, and their fixed-point weights. */
    private record Coefficients(int[] first, int[] count, int[] fixed, int width) {

        static Coefficients of(int inLen, int outLen, Filter filter) {
            double scale = (double) inLen / outLen;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support * filterScale;
            int width = (int) Math.ceil(support) * 2 + 1;
            int[] first = new int[outLen];
            int[] count = new int[outLen];
            int[] fixed = new int[outLen * width];
            double[] w = new double[width];
            for (int o = 0; o < outLen; o++) {
                double centre = (o + 0.5) * scale;
                // (int) truncates toward zero, as the C cast in Pillow does, before the clamp to the image.
                int lo = Math.max(0, (int) (centre - support + 0.5));
                int hi = Math.min(inLen, (int) (centre + support + 0.5));
                int n = hi - lo;
                double total = 0;
                double inverse = 1.0 / filterScale; // multiply, as Pillow does: dividing can differ in the last bit
                for (int i = 0; i < n; i++) {
                    w[i] = filter.weight((i + lo - centre + 0.5) * inverse);
                    total += w[i];
                }
                for (int i = 0; i < n; i++) {
                    double v = total != 0 ? w[i] / total : w[i];
                    fixed[o * width + i] = (int) (v * (1 << PRECISION_BITS) + (v < 0 ? -0.5 : 0.5));
                }
                first[o] = lo;
                count[o] = n;
            }
            return new Coefficients(first, count, fixed, width);
        }
    }
}

package dev.sightline.ingest;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * Brings a decoded image to the output size by {@link FitMode}. The result is always a new image, so it stays
 * valid after the grabber reuses its buffers. The grabber usually has scaled the image already ({@link #scaledSize});
 * then this only places it on the canvas.
 */
final class FrameShaper {
    private final int width;
    private final int height;
    private final FitMode fit;

    FrameShaper(int width, int height, FitMode fit) {
        this.width = width;
        this.height = height;
        this.fit = fit;
    }

    /** The size to scale a {@code srcW x srcH} image to before placing it on the output canvas. */
    int[] scaledSize(int srcW, int srcH) {
        return switch (fit) {
            case STRETCH -> new int[]{width, height};
            case PAD -> {
                double s = Math.min((double) width / srcW, (double) height / srcH);
                yield new int[]{even(Math.min(width, Math.round(srcW * s))), even(Math.min(height, Math.round(srcH * s)))};
            }
            case CROP -> {
                double s = Math.max((double) width / srcW, (double) height / srcH);
                yield new int[]{Math.max(width, even(Math.round(srcW * s))), Math.max(height, even(Math.round(srcH * s)))};
            }
        };
    }

    private static int even(long v) {
        return (int) Math.max(2, v & ~1L);
    }

    BufferedImage shape(BufferedImage src) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        int[] size = scaledSize(src.getWidth(), src.getHeight());
        int x = (width - size[0]) / 2; // negative for CROP: the overhang is cut off evenly
        int y = (height - size[1]) / 2;
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            // the canvas starts black: PAD's bars need no drawing
            if (size[0] == src.getWidth() && size[1] == src.getHeight()) {
                g.drawImage(src, x, y, null);
            } else {
                g.drawImage(src, x, y, size[0], size[1], null);
            }
        } finally {
            g.dispose();
        }
        return out;
    }
}

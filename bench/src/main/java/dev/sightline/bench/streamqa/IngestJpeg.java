package dev.sightline.bench.streamqa;

import dev.sightline.ingest.FrameEncoder;
import dev.sightline.protocol.PixelFormat;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;

/**
 * Encodes a generated RGB frame as JPEG through ingest's own {@link FrameEncoder} (the quality ingest is configured
 * with, 85 by default), so the evaluation's frames carry the compression loss a deployed stream's frames carry.
 * One per thread (ImageIO writers are not thread-safe).
 */
final class IngestJpeg implements AutoCloseable {
    private final FrameEncoder encoder;

    IngestJpeg(int quality) {
        encoder = new FrameEncoder(PixelFormat.JPEG, quality);
    }

    /** {@code rgb}: packed R, G, B bytes, {@code width x height}. */
    byte[] encode(byte[] rgb, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < bgr.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        return encoder.encode(img);
    }

    @Override
    public void close() {
        encoder.close();
    }
}

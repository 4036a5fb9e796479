package dev.sightline.bench.streamqa;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Encodes an RGB frame as JPEG exactly as ingest publishes frames: ImageIO's JPEG writer with an explicit quality
 * (ingest's default 85) over a {@code TYPE_3BYTE_BGR} image. ingest's own encoder is package-private there, so this
 * is its same few calls; the evaluation's frames then carry the compression loss a deployed stream's frames carry.
 * One per thread (ImageIO writers are not thread-safe).
 */
final class IngestJpeg implements AutoCloseable {
    private final ImageWriter writer;
    private final ImageWriteParam param;

    IngestJpeg(int quality) {
        writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality / 100f);
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
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(width * height / 4);
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(img, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG encoding failed", e);
        }
        return bytes.toByteArray();
    }

    @Override
    public void close() {
        writer.dispose();
    }
}

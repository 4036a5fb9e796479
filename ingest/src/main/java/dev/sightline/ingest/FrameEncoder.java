package dev.sightline.ingest;

import dev.sightline.protocol.PixelFormat;

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
 * Encodes a BGR image as JPEG or packed RGB24, as ingest publishes frames. Public so that the StreamQA evaluation
 * (bench) gives its frames exactly the compression loss a deployed stream's frames carry. One per thread (ImageIO
 * writers are not thread-safe).
 */
public final class FrameEncoder implements AutoCloseable {
    private final PixelFormat format;
    private final ImageWriter jpegWriter;
    private final ImageWriteParam jpegParam;

    public FrameEncoder(PixelFormat format, int jpegQuality) {
        this.format = format;
        if (format == PixelFormat.JPEG) {
            jpegWriter = ImageIO.getImageWritersByFormatName("jpeg").next();
            jpegParam = jpegWriter.getDefaultWriteParam();
            jpegParam.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            jpegParam.setCompressionQuality(jpegQuality / 100f);
        } else {
            jpegWriter = null;
            jpegParam = null;
        }
    }

    /** {@code bgr}: a {@code TYPE_3BYTE_BGR} image; returns JPEG bytes or packed R, G, B bytes. */
    public byte[] encode(BufferedImage bgr) {
        if (bgr.getType() != BufferedImage.TYPE_3BYTE_BGR) {
            throw new IllegalArgumentException("expected a TYPE_3BYTE_BGR image");
        }
        return format == PixelFormat.JPEG ? jpeg(bgr) : rgb(bgr);
    }

    private byte[] jpeg(BufferedImage img) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(img.getWidth() * img.getHeight() / 4);
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            jpegWriter.setOutput(out);
            jpegWriter.write(null, new IIOImage(img, null, null), jpegParam);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG encoding failed", e);
        }
        return bytes.toByteArray();
    }

    private static byte[] rgb(BufferedImage img) {
        byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        byte[] rgb = new byte[bgr.length];
        for (int i = 0; i < bgr.length; i += 3) {
            rgb[i] = bgr[i + 2];
            rgb[i + 1] = bgr[i + 1];
            rgb[i + 2] = bgr[i];
        }
        return rgb;
    }

    @Override
    public void close() {
        if (jpegWriter != null) {
            jpegWriter.dispose();
        }
    }
}

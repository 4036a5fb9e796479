package dev.sightline.tokenizer;

import dev.sightline.protocol.VideoFrame;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/** A {@link VideoFrame}'s bytes to an {@link RgbImage} of the tower's input size (JPEG through javax.imageio). */
final class FrameDecoder {
    private FrameDecoder() {
    }

    static RgbImage decode(VideoFrame frame, int inputSize) throws BadInputException {
        RgbImage full = switch (frame.format()) {
            case RGB24 -> fromRgb24(frame.width(), frame.height(), frame.data());
            case JPEG -> fromJpeg(frame);
        };
        return full.resize(inputSize, inputSize);
    }

    private static RgbImage fromRgb24(int w, int h, byte[] data) {
        float[] rgb = new float[w * h * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (data[i] & 0xFF) / 255f;
        }
        return new RgbImage(w, h, rgb);
    }

    private static RgbImage fromJpeg(VideoFrame frame) throws BadInputException {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(frame.data()));
        } catch (IOException | RuntimeException e) {
            throw new BadInputException("frame #" + frame.sequence() + ": undecodable JPEG (" + e.getMessage() + ")", e);
        }
        if (img == null) {
            throw new BadInputException("frame #" + frame.sequence() + ": undecodable JPEG (no image reader accepted "
                    + frame.data().length + " bytes)");
        }
        if (img.getWidth() != frame.width() || img.getHeight() != frame.height()) {
            throw new BadInputException("frame #" + frame.sequence() + ": wrong dimensions: the record says "
                    + frame.width() + "x" + frame.height() + " but the JPEG is " + img.getWidth() + "x" + img.getHeight());
        }
        int w = img.getWidth();
        int h = img.getHeight();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        float[] rgb = new float[w * h * 3];
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            rgb[i * 3] = ((p >> 16) & 0xFF) / 255f;
            rgb[i * 3 + 1] = ((p >> 8) & 0xFF) / 255f;
            rgb[i * 3 + 2] = (p & 0xFF) / 255f;
        }
        return new RgbImage(w, h, rgb);
    }
}

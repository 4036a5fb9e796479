package dev.sightline.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The file contract of {@code sightline logits}, with transformers' semantics: {@code input_ids} int64
 * {@code [1, T]}, optional {@code pixel_values} float32 {@code [1, N, 3, H, W]} (already preprocessed, one entry per
 * image, filling the image-token positions in order), output float32 {@code [1, T, vocab]}.
 */
public final class LogitsFiles {

    private LogitsFiles() {
    }

    /** Computes and writes the logits; returns the output shape. */
    public static long[] run(Path modelDir, Path inputIds, Path pixelValues, Path out, Model.Options options) {
        Npy.Array ids = Npy.read(inputIds);
        if (ids.shape().length != 2 || ids.shape()[0] != 1 || ids.shape()[1] < 1) {
            throw new ModelFormatException(inputIds + ": input ids must have shape [1, T], got "
                    + Arrays.toString(ids.shape()));
        }
        long[] raw = ids.asLongs();
        int[] tokens = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            tokens[i] = Math.toIntExact(raw[i]);
        }
        try (Model model = Model.load(modelDir, options)) {
            List<float[]> images = new ArrayList<>();
            if (pixelValues != null) {
                if (model.vision().isEmpty()) {
                    throw new ModelFormatException(model.architecture() + " in " + modelDir
                            + " is text-only and takes no pixel values");
                }
                images = images(Npy.read(pixelValues), pixelValues, model.vision().get());
            }
            float[] logits;
            try {
                logits = model.logits(tokens, images);
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(e.getMessage(), e);
            }
            long[] shape = {1, tokens.length, model.decoder().vocabSize()};
            Npy.writeFloats(out, logits, shape);
            return shape;
        }
    }

    static List<float[]> images(Npy.Array pv, Path file, VisionTower tower) {
        long[] s = pv.shape();
        int size = tower.imageSize();
        if (s.length != 5 || s[0] != 1 || s[2] != 3 || s[3] != size || s[4] != size) {
            throw new ModelFormatException(file + ": pixel values must have shape [1, N, 3, " + size + ", " + size
                    + "] for this model, got " + Arrays.toString(s));
        }
        if (pv.floats() == null) {
            throw new ModelFormatException(file + ": pixel values must be float32");
        }
        int per = 3 * size * size;
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < s[1]; i++) {
            out.add(Arrays.copyOfRange(pv.floats(), i * per, (i + 1) * per));
        }
        return out;
    }
}

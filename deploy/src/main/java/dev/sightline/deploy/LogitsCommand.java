package dev.sightline.deploy;

import dev.sightline.model.LogitsFiles;
import dev.sightline.model.Model;
import dev.sightline.model.ModelFormatException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * {@code sightline logits}: the model's logits for given token ids (and images), with transformers' semantics, so a
 * checkpoint can be compared against Python.
 */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Compute logits for input ids (and preprocessed images) as transformers does, to a .npy file.")
public final class LogitsCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face model folder (config.json, *.safetensors).")
    Path model;

    @Option(names = "--input-ids", required = true, paramLabel = "FILE",
            description = "int64 .npy of shape [1, T].")
    Path inputIds;

    @Option(names = "--pixel-values", paramLabel = "FILE",
            description = "float32 .npy of shape [1, N, 3, H, W], one preprocessed image per entry; their features "
                    + "fill the image-token positions in order.")
    Path pixelValues;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "float32 .npy [1, T, vocab] to write.")
    Path out;

    @Option(names = "--q8", description = "Quantize the decoder's matrices to Q8_0 at load (faster, approximate).")
    boolean q8;

    @Override
    public Integer call() {
        try {
            long start = System.nanoTime();
            long[] shape = LogitsFiles.run(model, inputIds, pixelValues, out, new Model.Options(q8));
            System.out.printf("wrote %s %s (%.2f s)%n", out, Arrays.toString(shape), (System.nanoTime() - start) / 1e9);
            return 0;
        } catch (ModelFormatException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
    }
}

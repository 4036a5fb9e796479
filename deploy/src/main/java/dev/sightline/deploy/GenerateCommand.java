package dev.sightline.deploy;

import dev.sightline.kv.KvSequence;
import dev.sightline.model.FramePrompt;
import dev.sightline.model.Generator;
import dev.sightline.model.ImagePreprocessor;
import dev.sightline.model.Model;
import dev.sightline.model.ModelFormatException;
import dev.sightline.model.TextTokenizer;
import dev.sightline.model.VisionTower;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code sightline generate}: a prompt (and images) in, generated text streamed out as each token is chosen.
 *
 * <p>Without images the prompt is tokenized as given. With images (SmolVLM-family models), the prompt is put in
 * SmolVLM's chat layout: {@code <|im_start|>User:}, each image's tokens, the prompt,
 * {@code <end_of_utterance>\nAssistant:}.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate text from a prompt and optional images, streaming tokens as they come (greedy by default).")
public final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model folder.")
    Path model;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The prompt.")
    String prompt;

    @Option(names = "--image", paramLabel = "FILE", description = "An image (PNG, JPEG); repeat for several.")
    List<Path> images = new ArrayList<>();

    @Option(names = "--max-tokens", defaultValue = "64", description = "Most tokens to generate (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0",
            description = "Sampling temperature; 0 is greedy (default ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-p", defaultValue = "1", description = "Nucleus sampling mass (default ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--q8", description = "Quantize the decoder's matrices to Q8_0 at load.")
    boolean q8;

    @Override
    public Integer call() {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (Model m = Model.load(model, new Model.Options(q8))) {
            TextTokenizer tok = m.tokenizer().orElseThrow(() ->
                    new ModelFormatException(model + " has no tokenizer.json"));
            List<float[]> pixels = new ArrayList<>();
            String text = prompt;
            if (!images.isEmpty()) {
                VisionTower tower = m.vision().orElseThrow(() ->
                        new ModelFormatException(m.architecture() + " in " + model + " takes no images"));
                ImagePreprocessor pre = ImagePreprocessor.forTower(tower, model);
                StringBuilder sb = new StringBuilder("<|im_start|>User:");
                for (Path p : images) {
                    pixels.add(pre.process(readImage(p)));
                    sb.append(FramePrompt.imageTokens(tower.tokensPerImage()));
                }
                text = sb.append(prompt).append(FramePrompt.END_OF_UTTERANCE).append("\nAssistant:").toString();
            }
            int[] ids = tok.encode(text);
            Generator gen = new Generator(m.decoder());
            Generator.Options opts = new Generator.Options(maxTokens, temperature, topP, seed, gen.defaultStopTokens());
            List<Integer> generated = new ArrayList<>();
            StringBuilder shown = new StringBuilder();
            long start = System.nanoTime();
            try (KvSequence kv = m.newDenseSequence()) {
                gen.generate(kv, m.embedWithImages(ids, pixels), Model.textTokens(0, ids.length), opts, id -> {
                    generated.add(id);
                    String all = tok.decode(generated.stream().mapToInt(Integer::intValue).toArray(), true);
                    // print only the new, complete text (a partial UTF-8 sequence decodes to U+FFFD until finished)
                    if (all.length() > shown.length() && !all.endsWith("\uFFFD")) {
                        out.print(all.substring(shown.length()));
                        shown.setLength(0);
                        shown.append(all);
                    }
                });
            }
            out.println();
            System.err.printf("%d prompt tokens, %d generated in %.2f s%n", ids.length, generated.size(),
                    (System.nanoTime() - start) / 1e9);
            return 0;
        } catch (ModelFormatException | IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
    }

    private static BufferedImage readImage(Path p) {
        try {
            BufferedImage img = ImageIO.read(p.toFile());
            if (img == null) {
                throw new ModelFormatException(p + " is not an image ImageIO can read (PNG, JPEG, BMP, GIF)");
            }
            return img;
        } catch (IOException e) {
            throw new ModelFormatException("cannot read image " + p + ": " + e.getMessage(), e);
        }
    }
}

package dev.sightline.kv;

import java.util.List;
import java.util.Locale;

/**
 * Compression policies by name, as the runtime and the evaluation pick them.
 *
 * <p>Base policies: {@code full}, {@code random}, {@code recent-frames}, {@code streaming-llm}, {@code uniform-frames},
 * {@code knorm}, {@code infinipot-v}, {@code streammem}, {@code h2o}, {@code tova}, {@code snapkv}. Wrappers are
 * prefixes separated by colons: {@code adakv:snapkv}, {@code pyramidkv:h2o}, {@code chunkkv:knorm},
 * {@code adakv:pyramidkv:infinipot-v}.
 */
public final class Policies {

    /** Every base policy name. */
    public static final List<String> NAMES = List.of("full", "random", "recent-frames", "streaming-llm",
            "uniform-frames", "knorm", "infinipot-v", "streammem", "h2o", "tova", "snapkv");

    /** Every wrapper prefix. */
    public static final List<String> WRAPPERS = List.of("adakv", "pyramidkv", "chunkkv");

    private Policies() {
    }

    public static CompressionPolicy byName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a KV policy name is required; known: " + NAMES);
        }
        String n = name.strip().toLowerCase(Locale.ROOT);
        int colon = n.indexOf(':');
        if (colon >= 0) {
            String wrapper = n.substring(0, colon);
            CompressionPolicy inner = byName(n.substring(colon + 1));
            return switch (wrapper) {
                case "adakv" -> adaKv(inner, 0.2);
                case "pyramidkv" -> pyramidKv(inner, 20);
                case "chunkkv" -> chunkKv(inner, 20);
                default -> throw new IllegalArgumentException("unknown KV policy wrapper '" + wrapper + "' in '"
                        + name + "'; known: " + WRAPPERS);
            };
        }
        return switch (n) {
            case "full" -> fullCache();
            case "random" -> new RandomEviction();
            case "recent-frames" -> new RecentFrames();
            case "streaming-llm" -> streamingLlm(4);
            case "uniform-frames" -> new UniformFrames();
            case "knorm" -> new KeyNorm();
            case "infinipot-v" -> infiniPotV(0.5, 0.25);
            case "streammem" -> new StreamMem();
            case "h2o" -> new HeavyHitters();
            case "tova" -> new Tova();
            case "snapkv" -> new SnapKv();
            default -> throw new IllegalArgumentException("unknown KV policy '" + name + "'; known: " + NAMES
                    + ", optionally wrapped as <wrapper>:<policy> with wrappers " + WRAPPERS);
        };
    }

    public static CompressionPolicy fullCache() {
        return new FullCache();
    }

    /** StreamingLLM with {@code sinks} attention-sink tokens kept at the start of each head. */
    public static CompressionPolicy streamingLlm(int sinks) {
        return new StreamingLlm(sinks);
    }

    /** InfiniPot-V with TaR share {@code alpha} and the last {@code recentFraction} of frames kept. */
    public static CompressionPolicy infiniPotV(double alpha, double recentFraction) {
        return new InfiniPotV(alpha, recentFraction);
    }

    /** AdaKV around {@code inner}, each head keeping at least {@code alpha} of its own budget. */
    public static CompressionPolicy adaKv(CompressionPolicy inner, double alpha) {
        return new AdaKv(inner, alpha);
    }

    /** PyramidKV around {@code inner}: the last layer keeps {@code 1/beta} of the first's budget. */
    public static CompressionPolicy pyramidKv(CompressionPolicy inner, double beta) {
        return new PyramidKv(inner, beta);
    }

    /** ChunkKV around {@code inner}: frames and audio chunks whole, text in runs of {@code textChunk}. */
    public static CompressionPolicy chunkKv(CompressionPolicy inner, int textChunk) {
        return new ChunkKv(inner, textChunk);
    }
}

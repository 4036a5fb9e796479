package dev.sightline.runtime;

import dev.sightline.protocol.tokens.Token;
import dev.sightline.protocol.tokens.TokenBatch;
import dev.sightline.protocol.tokens.TokenModality;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Test inputs: the model module's tiny real SmolVLM checkpoint, and token batches shaped like the tokenizer's. */
final class Fixtures {
    private Fixtures() {
    }

    /** A tiny SmolVLM (Llama text model, hidden 64, 2 layers, 1 KV head of 16) in Hugging Face layout. */
    static Path smolvlm() {
        Path p = Path.of("../model/src/test/resources/fixtures/smolvlm").toAbsolutePath().normalize();
        if (!Files.isRegularFile(p.resolve("config.json"))) {
            throw new IllegalStateException("model fixture missing: " + p);
        }
        return p;
    }

    /** Audio chunk {@code seq} (1 s) with {@code tokens} tokens spread over it. */
    static TokenBatch audioBatch(String streamId, long seq, int tokens, int dim) {
        SplittableRandom r = new SplittableRandom(streamId.hashCode() * 17L + seq);
        List<Token> list = new ArrayList<>(tokens);
        for (int i = 0; i < tokens; i++) {
            float[] e = new float[dim];
            for (int d = 0; d < dim; d++) {
                e[d] = (float) (r.nextGaussian() * 0.5);
            }
            list.add(new Token(e, -1, -1, seq, seq * 1_000_000 + i * 1_000_000L / tokens, 1));
        }
        return new TokenBatch(streamId, seq, seq * 1_000_000, (seq + 1) * 1_000_000, TokenModality.AUDIO, 0, 0,
                tokens, dim, list);
    }

    /**
     * Frame {@code seq} of a synthetic stream at {@code fps}: {@code tokens} kept tokens of a 4x4 grid, random
     * embeddings of width {@code dim} (deterministic per stream and frame).
     */
    static TokenBatch videoBatch(String streamId, long seq, int tokens, int dim, double fps) {
        SplittableRandom r = new SplittableRandom(streamId.hashCode() * 31L + seq);
        long pts = (long) (seq * 1_000_000 / fps);
        List<Token> list = new ArrayList<>(tokens);
        for (int i = 0; i < tokens; i++) {
            float[] e = new float[dim];
            for (int d = 0; d < dim; d++) {
                e[d] = (float) (r.nextGaussian() * 0.5);
            }
            list.add(new Token(e, (i / 4) % 4, i % 4, seq, pts, 1 + (i % 3)));
        }
        return new TokenBatch(streamId, seq, pts, pts + (long) (1_000_000 / fps), TokenModality.VIDEO, 4, 4, 16, dim,
                list);
    }
}

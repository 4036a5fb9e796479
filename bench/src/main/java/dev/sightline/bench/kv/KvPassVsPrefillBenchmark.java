package dev.sightline.bench.kv;

import dev.sightline.kv.KvMemoryConfig;
import dev.sightline.kv.KvPool;
import dev.sightline.kv.PageFormat;
import dev.sightline.kv.PagedKvSequence;
import dev.sightline.model.DType;
import dev.sightline.model.Model;
import dev.sightline.model.SafetensorsWriter;
import dev.sightline.model.TextDecoder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The yardstick, side by side in one run: one compression pass against the model's real prefill of one
 * frame (64 tokens through the whole decoder: norms, projections, RoPE, attention over the memory, KV writes, MLPs).
 *
 * <p>The decoder is a random BF16 checkpoint with SmolVLM2-256M's text shapes (hidden 576, 30 layers, 9 heads, 3 KV
 * heads of 64, MLP 1536); the vocabulary is cut to 512 since no logits are computed (it only sizes the embedding
 * table). {@code prefillFrame} runs {@link TextDecoder#forward} with {@code Logits.NONE} over a paged F16 memory
 * holding |C| = 1024 tokens per head; {@code compress} runs one pass from |M| = 1536 down to |C|, per policy. Each
 * invocation starts from a restored snapshot, so neither sees the other's leftovers. The decoder uses the engine's
 * default threads (one per core); a compression pass runs on the calling thread.
 *
 * <p>The policy parameter lives on the pass's state only, so the prefill runs once rather than once per policy.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xmx3g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class KvPassVsPrefillBenchmark {

    static final int FRAME_TOKENS = 64;
    static final int HIGH = 1536;
    static final int LOW = 1024;
    static final int VOCAB = 512;

    /** A memory at |M| for one pass of one policy. */
    @State(Scope.Benchmark)
    public static class Pass {
        @Param({"infinipot-v", "recent-frames", "streammem", "knorm", "adakv:snapkv"})
        public String policy;

        KvPool pool;
        byte[] atHigh;
        PagedKvSequence memory;

        @Setup(Level.Trial)
        public void fill() throws IOException {
            pool = KvPool.allocate(256L << 20);
            atHigh = filled(pool, policy, HIGH);
        }

        @Setup(Level.Invocation)
        public void restore() throws IOException {
            memory = PagedKvSequence.restore(pool, new ByteArrayInputStream(atHigh));
        }

        @TearDown(Level.Invocation)
        public void close() {
            memory.close();
        }

        @TearDown(Level.Trial)
        public void free() {
            pool.close();
        }
    }

    /** The decoder and a memory at |C| for one frame's prefill. */
    @State(Scope.Benchmark)
    public static class Frame {
        Model model;
        TextDecoder decoder;
        float[] embeddings;
        KvPool pool;
        byte[] atLow;
        PagedKvSequence memory;

        @Setup(Level.Trial)
        public void load() throws IOException {
            model = Model.load(smolVlm2TextDecoder(Path.of(System.getProperty("java.io.tmpdir"),
                    "sightline-bench-kv", "smolvlm2-256m-text-v512")));
            decoder = model.decoder();
            if (!decoder.geometry().equals(KvBenchSupport.SMOLVLM2_256M)) {
                throw new IllegalStateException("decoder geometry " + decoder.geometry());
            }
            embeddings = decoder.embed(new SplittableRandom(7).ints(FRAME_TOKENS, 0, VOCAB).toArray());
            pool = KvPool.allocate(256L << 20);
            atLow = filled(pool, "infinipot-v", LOW);
        }

        @Setup(Level.Invocation)
        public void restore() throws IOException {
            memory = PagedKvSequence.restore(pool, new ByteArrayInputStream(atLow));
        }

        @TearDown(Level.Invocation)
        public void close() {
            memory.close();
        }

        @TearDown(Level.Trial)
        public void free() {
            pool.close();
            model.close();
        }
    }

    @Benchmark
    public int compress(Pass state) {
        state.memory.compressTo(LOW);
        return state.memory.size();
    }

    @Benchmark
    public long prefillFrame(Frame state) {
        PagedKvSequence seq = state.memory;
        state.decoder.forward(state.embeddings, KvBenchSupport.frame(seq.nextPosition(), 9999, FRAME_TOKENS), seq,
                TextDecoder.Logits.NONE);
        return seq.nextPosition();
    }

    /** A snapshot of a memory filled with random 64-token frames until it holds {@code tokens} tokens per head. */
    static byte[] filled(KvPool pool, String policy, int tokens) throws IOException {
        KvMemoryConfig config = KvMemoryConfig.builder(96L << 20).policy(policy).format(PageFormat.F16)
                .watermarkTokens(HIGH + FRAME_TOKENS, LOW).recentWindow(FRAME_TOKENS).build();
        try (PagedKvSequence seq = PagedKvSequence.open(pool, KvBenchSupport.SMOLVLM2_256M, config)) {
            int frames = 0;
            while (seq.stats().meanTokensPerHead() < tokens) {
                KvBenchSupport.Block.random(seq.geometry(), FRAME_TOKENS, frames)
                        .store(seq, KvBenchSupport.frame(seq.nextPosition(), frames, FRAME_TOKENS));
                frames++;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            seq.writeSnapshot(out);
            return out.toByteArray();
        }
    }

    /** Writes (once) a random BF16 Llama checkpoint with SmolVLM2-256M's text-decoder shapes and a small vocabulary. */
    static Path smolVlm2TextDecoder(Path dir) {
        Path config = dir.resolve("config.json");
        if (Files.exists(config)) {
            return dir;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int h = 576, inter = 1536, layers = 30, heads = 9, kv = 3, hd = 64;
        SafetensorsWriter w = new SafetensorsWriter();
        w.add("model.embed_tokens.weight", DType.BF16, new long[]{VOCAB, h}, random(1, 0.05f));
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            w.add(p + "input_layernorm.weight", DType.BF16, new long[]{h}, i -> 1f);
            w.add(p + "post_attention_layernorm.weight", DType.BF16, new long[]{h}, i -> 1f);
            w.add(p + "self_attn.q_proj.weight", DType.BF16, new long[]{heads * hd, h}, random(l * 10 + 2, 0.04f));
            w.add(p + "self_attn.k_proj.weight", DType.BF16, new long[]{kv * hd, h}, random(l * 10 + 3, 0.04f));
            w.add(p + "self_attn.v_proj.weight", DType.BF16, new long[]{kv * hd, h}, random(l * 10 + 4, 0.04f));
            w.add(p + "self_attn.o_proj.weight", DType.BF16, new long[]{h, heads * hd}, random(l * 10 + 5, 0.04f));
            w.add(p + "mlp.gate_proj.weight", DType.BF16, new long[]{inter, h}, random(l * 10 + 6, 0.04f));
            w.add(p + "mlp.up_proj.weight", DType.BF16, new long[]{inter, h}, random(l * 10 + 7, 0.04f));
            w.add(p + "mlp.down_proj.weight", DType.BF16, new long[]{h, inter}, random(l * 10 + 8, 0.03f));
        }
        w.add("model.norm.weight", DType.BF16, new long[]{h}, i -> 1f);
        w.write(dir.resolve("model.safetensors"));
        SafetensorsWriter.writeConfig(config, """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 576,
                 "intermediate_size": 1536, "num_hidden_layers": 30, "num_attention_heads": 9,
                 "num_key_value_heads": 3, "head_dim": 64, "vocab_size": %d, "rms_norm_eps": 1e-5,
                 "max_position_embeddings": 8192, "rope_theta": 100000.0, "tie_word_embeddings": true,
                 "hidden_act": "silu", "bos_token_id": 1, "eos_token_id": 2}
                """.formatted(VOCAB));
        return dir;
    }

    private static SafetensorsWriter.Source random(long seed, float scale) {
        SplittableRandom r = new SplittableRandom(seed);
        return i -> (r.nextFloat() * 2 - 1) * scale;
    }
}

package dev.sightline.model;

import dev.sightline.kv.KvMemoryConfig;
import dev.sightline.kv.KvPool;
import dev.sightline.kv.PageFormat;
import dev.sightline.kv.PagedKvSequence;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The decoder on kv-memory's paged store (F16 pages, nothing evicted) agrees with transformers too. */
class PagedKvDecoderTest {

    @Test
    void pagedStoreGivesTheReferenceLogitsAndGreedyIds() {
        try (Model model = Model.load(Fixtures.dir("qwen2"));
             KvPool pool = KvPool.allocate(16L << 20)) {
            KvMemoryConfig config = KvMemoryConfig.builder(8L << 20).format(PageFormat.F16).policy("full").build();
            int[] ids = Fixtures.ints(Fixtures.npy("qwen2", "input_ids.npy").asLongs());
            TextDecoder d = model.decoder();
            try (PagedKvSequence kv = PagedKvSequence.open(pool, d.geometry(), config)) {
                float[] logits = d.forward(d.embed(ids), Model.textTokens(0, ids.length), kv, TextDecoder.Logits.ALL);
                // F16 keys and values round to about 1e-3 relative: looser than the dense store's 1e-3 absolute
                assertThat(Fixtures.maxAbsDiff(Fixtures.npy("qwen2", "logits.npy").asFloats(), logits))
                        .isLessThan(1e-2f);
            }
            int[] prompt = Fixtures.ints(Fixtures.npy("qwen2", "greedy_prompt.npy").asLongs());
            int[] full = Fixtures.ints(Fixtures.npy("qwen2", "greedy.npy").asLongs());
            Generator gen = new Generator(d);
            try (PagedKvSequence kv = PagedKvSequence.open(pool, d.geometry(), config)) {
                int[] got = gen.generate(kv, prompt, Generator.Options.greedy(full.length - prompt.length,
                        gen.defaultStopTokens()), null);
                assertThat(got).containsExactly(Arrays.copyOfRange(full, prompt.length, full.length));
            }
        }
    }
}

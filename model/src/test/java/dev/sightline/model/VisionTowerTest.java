package dev.sightline.model;

import dev.sightline.kv.KvSequence;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SmolVLM (scale 2, untied) and Idefics3 (scale 3, tied) against transformers. */
class VisionTowerTest {

    static List<float[]> images(String name) {
        Npy.Array pv = Fixtures.npy(name, "pixel_values.npy");
        int n = pv.dim(1);
        int per = pv.dim(2) * pv.dim(3) * pv.dim(4);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Arrays.copyOfRange(pv.floats(), i * per, (i + 1) * per));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"smolvlm", "idefics3"})
    void towerAndConnectorMatchTransformers(String name) {
        try (Model model = Model.load(Fixtures.dir(name))) {
            VisionTower tower = model.vision().orElseThrow();
            List<float[]> imgs = images(name);
            float[] vis = Fixtures.npy(name, "vision_out.npy").asFloats();
            float[] conn = Fixtures.npy(name, "connector_out.npy").asFloats();
            int visPer = vis.length / imgs.size();
            int connPer = conn.length / imgs.size();
            for (int i = 0; i < imgs.size(); i++) {
                PatchGrid patches = tower.encode(imgs.get(i));
                assertThat(patches.rows()).isEqualTo(tower.gridSide());
                assertThat(Fixtures.maxAbsDiff(Arrays.copyOfRange(vis, i * visPer, (i + 1) * visPer), patches.data()))
                        .isLessThan(Fixtures.TOLERANCE);
                PatchGrid tokens = tower.connect(patches);
                assertThat(tokens.tokens()).isEqualTo(tower.tokensPerImage());
                assertThat(Fixtures.maxAbsDiff(Arrays.copyOfRange(conn, i * connPer, (i + 1) * connPer),
                        tokens.data())).isLessThan(Fixtures.TOLERANCE);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"smolvlm", "idefics3"})
    void logitsWithImagesMatchTransformers(String name) {
        try (Model model = Model.load(Fixtures.dir(name))) {
            int[] ids = Fixtures.ints(Fixtures.npy(name, "input_ids.npy").asLongs());
            float[] merged = model.embedWithImages(ids, images(name));
            assertThat(Fixtures.maxAbsDiff(Fixtures.npy(name, "hidden_0.npy").asFloats(), merged))
                    .isLessThan(Fixtures.TOLERANCE);
            assertThat(Fixtures.maxAbsDiff(Fixtures.npy(name, "logits.npy").asFloats(), model.logits(ids, images(name))))
                    .isLessThan(Fixtures.TOLERANCE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"smolvlm", "idefics3"})
    void greedyWithImagesIsIdentical(String name) {
        try (Model model = Model.load(Fixtures.dir(name))) {
            int[] ids = Fixtures.ints(Fixtures.npy(name, "input_ids.npy").asLongs());
            int[] full = Fixtures.ints(Fixtures.npy(name, "greedy.npy").asLongs());
            int[] expected = Arrays.copyOfRange(full, ids.length, full.length);
            Generator gen = new Generator(model.decoder());
            try (KvSequence kv = model.newDenseSequence()) {
                int[] got = gen.generate(kv, model.embedWithImages(ids, images(name)), Model.textTokens(0, ids.length),
                        Generator.Options.greedy(expected.length, gen.defaultStopTokens()), null);
                assertThat(got).containsExactly(expected);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"smolvlm"})
    void imageCountThatDoesNotMatchTheImageTokensIsRejected(String name) {
        try (Model model = Model.load(Fixtures.dir(name))) {
            int[] ids = Fixtures.ints(Fixtures.npy(name, "input_ids.npy").asLongs());
            List<float[]> one = images(name).subList(0, 1);
            assertThatThrownBy(() -> model.logits(ids, one)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("image tokens");
            assertThatThrownBy(() -> model.logits(ids, List.of())).hasMessageContaining("no pixel values");
            assertThatThrownBy(() -> model.logits(ids, List.of(new float[5], new float[5]))).hasMessageContaining("floats");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"smolvlm", "idefics3"})
    void encodingEveryPatchIsExactlyTheWholeImageEncoding(String name) {
        try (Model model = Model.load(Fixtures.dir(name))) {
            VisionTower tower = model.vision().orElseThrow();
            float[] image = images(name).get(0);
            int n = tower.gridSide() * tower.gridSide();
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            float[] subset = tower.encodePatches(image, all);
            // Not bit for bit: the Vector API may sum a vector's lanes in another order once the JIT compiles a kernel
            // (its float reduceLanes order is unspecified), so two calls can differ in the last bits.
            assertThat(Fixtures.maxAbsDiff(tower.encode(image).data(), subset)).isLessThan(1e-5f);
            float[] vis = Fixtures.npy(name, "vision_out.npy").asFloats();
            assertThat(Fixtures.maxAbsDiff(Arrays.copyOf(vis, subset.length), subset)).isLessThan(Fixtures.TOLERANCE);
            int tokens = tower.tokensPerImage();
            int[] allTokens = new int[tokens];
            for (int i = 0; i < tokens; i++) {
                allTokens[i] = i;
            }
            PatchGrid grid = new PatchGrid(tower.gridSide(), tower.gridSide(), tower.hiddenSize(), subset);
            assertThat(Fixtures.maxAbsDiff(tower.connect(grid).data(), tower.connect(grid, allTokens)))
                    .isLessThan(1e-5f);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"smolvlm"})
    void aSubsetAttendsOnlyAmongItsPatches(String name) {
        try (Model model = Model.load(Fixtures.dir(name))) {
            VisionTower tower = model.vision().orElseThrow();
            float[] image = images(name).get(0);
            int[] corner = {0, 1, 4, 5}; // the top-left 2x2 patches of the 4x4 grid (one connector token)
            float[] subset = tower.encodePatches(image, corner);
            assertThat(subset).hasSize(4 * tower.hiddenSize());
            // pixels outside the selected patches do not reach their outputs ...
            float[] elsewhere = image.clone();
            int size = tower.imageSize();
            for (int ch = 0; ch < 3; ch++) {
                for (int y = 16; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        elsewhere[(ch * size + y) * size + x] = 0.5f;
                    }
                }
            }
            assertThat(tower.encodePatches(elsewhere, corner)).containsExactly(subset);
            // ... while in the whole-image encoding they do (global attention)
            float[] whole = tower.encode(image).data();
            assertThat(Fixtures.maxAbsDiff(Arrays.copyOf(whole, tower.hiddenSize()), Arrays.copyOf(subset,
                    tower.hiddenSize()))).isGreaterThan(1e-4f);
            // one connector token from the subset's patches equals connecting a grid that holds them
            float[] grid = new float[whole.length];
            int h = tower.hiddenSize();
            for (int i = 0; i < corner.length; i++) {
                System.arraycopy(subset, i * h, grid, corner[i] * h, h);
            }
            PatchGrid g = new PatchGrid(tower.gridSide(), tower.gridSide(), h, grid);
            assertThat(tower.connect(g, new int[]{0})).hasSize(tower.connect(g).dim());
            assertThat(tower.encoderFlops(4)).isLessThan(tower.encoderFlops(16) / 4);
            assertThatThrownBy(() -> tower.encodePatches(image, new int[]{3, 3})).hasMessageContaining("twice");
            assertThatThrownBy(() -> tower.encodePatches(image, new int[]{16})).hasMessageContaining("outside");
        }
    }
}

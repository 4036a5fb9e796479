package dev.sightline.tokenizer;

import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.tokens.Token;
import dev.sightline.protocol.tokens.TokenBatch;
import dev.sightline.protocol.tokens.TokenBatchSerde;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pixel gate on the real SigLIP tower (the model module's tiny SmolVLM fixture: 32 px images, a 4x4 grid of 8 px
 * patches, a 2x2 pixel shuffle into 2x2 tokens): the tower runs on the changed patches only, and a token cell with a
 * changed patch is re-connected from the new outputs and the remembered outputs of its other patches.
 */
class PatchGateTest {
    static SmolVlmFrameEncoder vision;

    /**
     * The same encoding of a cell, computed twice: equal within four F16 steps per value. The tower's matrix products
     * sum vector lanes with {@code reduceLanes}, whose order the JIT's tiers choose differently, so the same patches
     * encoded at two moments can differ in a float's last bit, and after rounding to F16 by a step (a CI run saw
     * 0.010383606 against 0.010391235); a remembered patch output that moved by a step can move the cell's token by
     * a step or two more. A wrong patch set moves values by far more: encoding cell 0's four patches afresh instead
     * of remembering three of them changes its token by up to 37 times its size. (Reused tokens are compared
     * exactly: they are the same bits, not a second computation.)
     */
    static void assertSameEncoding(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            float larger = Math.max(Math.abs(actual[i]), Math.abs(expected[i]));
            float f16Step = Math.scalb(1f, Math.max(Math.getExponent(larger), -14) - 10);
            assertThat(Math.abs(actual[i] - expected[i])).as("value %d: %s against %s", i, actual[i], expected[i])
                    .isLessThanOrEqualTo(4 * f16Step);
        }
    }

    @BeforeAll
    static void open() {
        vision = SmolVlmFrameEncoder.open(ModelTowersTest.FIXTURES.resolve("smolvlm"));
    }

    @AfterAll
    static void close() throws Exception {
        vision.close();
    }

    /** A driver with only the gate on (other stages off, so the gate's tokens reach the tokens topic as they are). */
    private static final class Rig implements AutoCloseable {
        final TokenizerMetrics metrics = new TokenizerMetrics();
        final TopologyTestDriver driver;
        final TestInputTopic<String, byte[]> frames;
        final TestInputTopic<String, byte[]> events;
        final TestOutputTopic<String, TokenBatch> tokens;
        long seq;

        Rig(PixelGate.Config gate) {
            TopicNames topics = TopicNames.defaults();
            Properties p = new Properties();
            p.put("application.id", "patch-gate");
            p.put("bootstrap.servers", "unused:9092");
            TokenizerConfig cfg = TokenizerConfig.standard().withDefaults(StageSettings.ALL_OFF.withGate(gate));
            driver = new TopologyTestDriver(TokenizerTopology.build(cfg, vision, new EnergyAudioEncoder(40, 8, 1),
                    metrics), p);
            frames = driver.createInputTopic(topics.frames(), new StringSerializer(), new ByteArraySerializer());
            events = driver.createInputTopic(topics.events(), new StringSerializer(), new ByteArraySerializer());
            tokens = driver.createOutputTopic(topics.tokens(), new StringDeserializer(),
                    new TokenBatchSerde().deserializer());
        }

        List<Token> frame(RgbImage image) {
            frames.pipeInput("cam", Clips.bytes(Clips.rgbFrame("cam", seq, 500_000 * seq, image)));
            seq++;
            List<TokenBatch> out = tokens.readValuesToList();
            assertThat(out).hasSize(1);
            return out.get(0).tokens();
        }

        @Override
        public void close() {
            driver.close();
        }
    }

    private static boolean[] flags(int n, int... set) {
        boolean[] b = new boolean[n];
        for (int i : set) {
            b[i] = true;
        }
        return b;
    }

    private static boolean[] all(int n) {
        boolean[] b = new boolean[n];
        Arrays.fill(b, true);
        return b;
    }

    /** What the tokens topic carries of an embedding (F16). */
    private static float[] f16(float[] v) {
        float[] r = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = Float.float16ToFloat(Float.floatToFloat16(v[i]));
        }
        return r;
    }

    @Test
    void everyPatchFlaggedIsTheWholeFrameEncoding() {
        RgbImage img = Scenes.squareAt(32, 8, 0, 16);
        float[][] memory = new float[16][];
        float[][] gated = vision.encodePatches(img, all(16), all(4), memory);
        float[][] whole = vision.encode(img, all(4));
        for (int c = 0; c < 4; c++) {
            assertThat(gated[c]).containsExactly(whole[c], org.assertj.core.data.Offset.offset(1e-5f));
        }
        assertThat(Arrays.stream(memory).filter(m -> m != null && m.length == 48)).hasSize(16);
        assertThat(vision.patchesPerCellSide()).isEqualTo(2);
        assertThat(vision.encodesSubsets()).isTrue();
    }

    @Test
    void aChangedRegionIsTheOnlyPartEncodedAndStaticCellsKeepTheirTokens() {
        RgbImage before = Scenes.background(32);
        RgbImage after = Scenes.squareAt(32, 8, 8, 8); // one patch, (1,1), in token cell 0
        try (Rig rig = new Rig(PixelGate.Config.DEFAULT)) {
            List<Token> first = rig.frame(before);
            assertThat(first).hasSize(4);
            assertThat(rig.metrics.patchesEncoded()).isEqualTo(16);
            // the first frame goes through the gate whole: the whole-frame encoding
            float[][] whole = vision.encode(before, all(4));
            for (int c = 0; c < 4; c++) {
                assertSameEncoding(first.get(c).embedding(), f16(whole[c]));
            }

            List<Token> second = rig.frame(after);
            assertThat(second).hasSize(4);
            assertThat(rig.metrics.patchesEncoded()).isEqualTo(16 + 1);
            assertThat(rig.metrics.patchesSkipped()).isEqualTo(15);
            assertThat(rig.metrics.cellsEncoded()).isEqualTo(4 + 1);
            assertThat(rig.metrics.encoderFlopsSaved()).isEqualTo(vision.encoderFlops(16) - vision.encoderFlops(1));
            for (int c = 1; c < 4; c++) { // static cells: the previous frame's tokens, bit for bit
                assertThat(second.get(c).embedding()).containsExactly(first.get(c).embedding());
                assertThat(second.get(c).frameIndex()).isEqualTo(1);
            }
            // cell 0: patch (1,1) through the tower alone, its other three patches remembered from the first frame
            float[][] memory = new float[16][];
            vision.encodePatches(before, all(16), flags(4), memory);
            for (int p = 0; p < 16; p++) {
                memory[p] = f16(memory[p]);
            }
            float[][] expected = vision.encodePatches(after, flags(16, 5), flags(4, 0), memory);
            assertSameEncoding(second.get(0).embedding(), f16(expected[0]));
            assertThat(second.get(0).embedding()).isNotEqualTo(first.get(0).embedding());

            // nothing changed since: the tower is not called, every token reused
            long calls = rig.metrics.framesEncoded();
            List<Token> third = rig.frame(after);
            assertThat(rig.metrics.framesEncoded()).isEqualTo(calls);
            assertThat(rig.metrics.patchesEncoded()).isEqualTo(17);
            for (int c = 0; c < 4; c++) {
                assertThat(third.get(c).embedding()).containsExactly(second.get(c).embedding());
            }
        }
    }

    @Test
    void aRegionAcrossTwoCellsEncodesItsFourPatchesAndRebuildsBothCells() {
        try (Rig rig = new Rig(PixelGate.Config.DEFAULT)) {
            List<Token> first = rig.frame(Scenes.background(32));
            List<Token> second = rig.frame(Scenes.squareAt(32, 8, 0, 16)); // patches (0,1) (0,2) (1,1) (1,2)
            assertThat(rig.metrics.patchesEncoded()).isEqualTo(16 + 4);
            assertThat(rig.metrics.cellsEncoded()).isEqualTo(4 + 2);
            assertThat(second.get(0).embedding()).isNotEqualTo(first.get(0).embedding());
            assertThat(second.get(1).embedding()).isNotEqualTo(first.get(1).embedding());
            assertThat(second.get(2).embedding()).containsExactly(first.get(2).embedding());
            assertThat(second.get(3).embedding()).containsExactly(first.get(3).embedding());
        }
    }

    @Test
    void dropModeEmitsOnlyTheCellsWithAChangedPatch() {
        try (Rig rig = new Rig(new PixelGate.Config(true, 0.02, PixelGate.StaticCell.DROP, 8))) {
            assertThat(rig.frame(Scenes.background(32))).hasSize(4);
            List<Token> second = rig.frame(Scenes.squareAt(32, 16, 16, 8)); // patch (2,2): cell 3
            assertThat(second).extracting(t -> t.patchRow() * 2 + t.patchCol()).containsExactly(3);
            assertThat(rig.metrics.patchesEncoded()).isEqualTo(16 + 1);
            assertThat(rig.frame(Scenes.squareAt(32, 16, 16, 8))).isEmpty();
        }
    }

    @Test
    void withTheGateOffEveryFrameIsTheWholeFrameEncoding() {
        RgbImage img = Scenes.squareAt(32, 0, 8, 8);
        try (Rig rig = new Rig(PixelGate.Config.OFF)) {
            rig.frame(Scenes.background(32));
            List<Token> second = rig.frame(img);
            float[][] whole = vision.encode(img, all(4));
            for (int c = 0; c < 4; c++) {
                assertSameEncoding(second.get(c).embedding(), f16(whole[c]));
            }
            assertThat(rig.metrics.patchesEncoded()).isEqualTo(32);
            assertThat(rig.metrics.encoderFlopsSaved()).isZero();
        }
    }

    @Test
    void patchOutputsLiveInTheStateStorePerCellAndGoWhenTheStreamEnds() {
        try (Rig rig = new Rig(PixelGate.Config.DEFAULT)) {
            rig.frame(Scenes.background(32));
            var store = rig.driver.<String, PatchMemory>getKeyValueStore(PatchMemory.STORE);
            assertThat(store.approximateNumEntries()).isEqualTo(4);
            PatchMemory cell3 = store.get(PatchMemory.key("cam", 3));
            assertThat(cell3.patches).hasNumberOfRows(4);
            assertThat(cell3.patches[0]).hasSize(48);
            // what a restart restores from the changelog: the same values (F16, as stored)
            PatchMemory restored = PatchMemory.fromBytes(cell3.toBytes());
            for (int i = 0; i < 4; i++) {
                assertThat(restored.patches[i]).containsExactly(cell3.patches[i]);
            }
            rig.events.pipeInput("cam", dev.sightline.protocol.SightlineSerdes.streamEvent().serializer().serialize(
                    "events", new dev.sightline.protocol.StreamEvent("cam", dev.sightline.protocol.StreamState.ENDED,
                            2, 1, 0, 0, 0, 1_000_000, "", 0)));
            rig.tokens.readValuesToList();
            assertThat(store.approximateNumEntries()).isZero();
        }
    }
}

package dev.sightline.tokenizer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PixelGateTest {

    private static final PixelGate.Config GATE = PixelGate.Config.DEFAULT;

    private static boolean[] onlyCells(int total, int... cells) {
        boolean[] b = new boolean[total];
        for (int c : cells) {
            b[c] = true;
        }
        return b;
    }

    @Test
    void firstFrameEncodesEverythingThenOnlyTheCellsTheSquareLeftAndEntered() {
        RgbImage f0 = Scenes.squareAt(32, 8, 8, 8);   // square in cell (1,1) = 5
        RgbImage f1 = Scenes.squareAt(32, 16, 8, 8);  // moved to cell (1,2) = 6
        float[] t0 = PixelGate.thumbnail(f0, 4, 4, 8);
        PixelGate.Decision d0 = PixelGate.decide(GATE, t0, null, 4, 4);
        assertThat(d0.encodedCount()).isEqualTo(16);
        byte[] ref = PixelGate.refresh(null, t0, d0.encode(), 4, 4, 8);

        float[] t1 = PixelGate.thumbnail(f1, 4, 4, 8);
        PixelGate.Decision d1 = PixelGate.decide(GATE, t1, ref, 4, 4);
        assertThat(d1.encode()).isEqualTo(onlyCells(16, 5, 6));
        assertThat(d1.meanAbsDiff()[0]).isLessThan(0.5 / 255 + 1e-6); // only the byte quantisation of the reference
    }

    @Test
    void slowDriftIsComparedWithTheLastEncodedPixelsSoItCannotCreepPast() {
        RgbImage base = Scenes.background(32);
        float[] t = PixelGate.thumbnail(base, 4, 4, 8);
        byte[] ref = PixelGate.refresh(null, t, onlyCells(16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), 4, 4, 8);
        int encodedAt = -1;
        for (int step = 1; step <= 5 && encodedAt < 0; step++) {
            float[] drifted = t.clone();
            for (int i = 0; i < drifted.length; i++) {
                drifted[i] += 0.008f * step; // under tau per step, over it after three steps
            }
            PixelGate.Decision d = PixelGate.decide(GATE, drifted, ref, 4, 4);
            if (d.encode()[0]) {
                encodedAt = step;
            }
        }
        assertThat(encodedAt).isEqualTo(3);
    }

    @Test
    void disabledGateEncodesEveryCell() {
        float[] t = PixelGate.thumbnail(Scenes.background(32), 4, 4, 8);
        byte[] ref = PixelGate.refresh(null, t, onlyCells(16, 0), 4, 4, 8);
        PixelGate.Decision d = PixelGate.decide(PixelGate.Config.OFF, t, PixelGate.refresh(null, t, d(16), 4, 4, 8), 4, 4);
        assertThat(d.encodedCount()).isEqualTo(16);
        assertThat(ref).isNotNull();
    }

    private static boolean[] d(int n) {
        boolean[] b = new boolean[n];
        java.util.Arrays.fill(b, true);
        return b;
    }

    @Test
    void thumbnailAveragesBlocksOfALargerImage() {
        RgbImage img = Scenes.squareAt(64, 16, 16, 16);
        float[] t = PixelGate.thumbnail(img, 4, 4, 2); // 8x8 samples, each the mean of an 8x8 block
        int sample = (2 * 8 + 2) * 3;                   // sample (2,2) lies inside the square
        assertThat(t[sample]).isEqualTo(1f);
        assertThat(t.length).isEqualTo(8 * 8 * 3);
    }
}

package dev.sightline.kv;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HalfFloatsTest {

    @Test
    void everyHalfFloatConvertsExactlyLikeTheJdk() {
        short[] all = new short[65536];
        for (int i = 0; i < all.length; i++) {
            all[i] = (short) i;
        }
        float[] out = new float[all.length];
        HalfFloats.toFloats(all, 0, out, 0, all.length);
        for (int i = 0; i < all.length; i++) {
            float expected = Float.float16ToFloat((short) i);
            assertThat(Float.floatToRawIntBits(out[i]))
                    .as("half 0x%04x", i)
                    .isEqualTo(Float.floatToRawIntBits(expected));
        }
    }
}

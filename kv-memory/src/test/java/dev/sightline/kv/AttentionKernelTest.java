package dev.sightline.kv;

import static org.assertj.core.api.Assertions.assertThat;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class AttentionKernelTest {

    @Test
    void expIsAccurateAndTheVectorAndScalarFormsAgreeBitForBit() {
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        float[] x = new float[lanes];
        float[] y = new float[lanes];
        for (float base = -100f; base <= 0f; base += lanes * 0.0137f) {
            for (int i = 0; i < lanes; i++) {
                x[i] = Math.min(0f, base + i * 0.0137f);
            }
            AttentionKernel.exp(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, x, 0)).intoArray(y, 0);
            for (int i = 0; i < lanes; i++) {
                float scalar = AttentionKernel.exp(x[i]);
                assertThat(Float.floatToRawIntBits(y[i])).as("exp(%s)", x[i])
                        .isEqualTo(Float.floatToRawIntBits(scalar));
                double exact = Math.exp(x[i]);
                if (x[i] >= -87f) {
                    assertThat(Math.abs(scalar - exact)).as("exp(%s)", x[i]).isLessThanOrEqualTo(3 * Math.ulp((float) exact));
                } else {
                    assertThat(scalar).isZero();
                }
            }
        }
    }
}

package dev.sightline.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
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
            StableExp.exp(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, x, 0)).intoArray(y, 0);
            for (int i = 0; i < lanes; i++) {
                float scalar = StableExp.exp(x[i]);
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

    /**
     * A tile of a block's queries (each seeing one more key than the one before) gives, bit for bit, the
     * probabilities and outputs that the queries give one at a time: the tile only shares the value loads.
     */
    @Test
    void aTileOfQueriesGivesTheBitsOfOneQueryAtATime() {
        Random random = new Random(11);
        for (int dim : new int[] {8, 16, 24, 64, 72}) {
            for (int count = 1; count <= AttentionKernel.TILE; count++) {
                int firstSeen = 1 + random.nextInt(90);
                int keys = firstSeen + count;
                float[] v = new float[keys * dim];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) random.nextGaussian();
                }
                float[][] tile = new float[AttentionKernel.TILE][keys];
                float[][] alone = new float[AttentionKernel.TILE][keys];
                for (int j = 0; j < count; j++) {
                    for (int t = 0; t < firstSeen + j; t++) {
                        tile[j][t] = 4 * (float) random.nextGaussian();
                        alone[j][t] = tile[j][t];
                    }
                    // leftovers past a query's own keys (a longer query's logits) must not leak into its sum
                    for (int t = firstSeen + j; t < keys; t++) {
                        tile[j][t] = 1e3f;
                    }
                }
                int[] qo = new int[AttentionKernel.TILE];
                for (int j = 0; j < AttentionKernel.TILE; j++) {
                    qo[j] = Math.min(j, count - 1) * dim;
                }
                float[] tiled = new float[count * dim];
                float[] single = new float[count * dim];

                AttentionKernel.softmaxTileInto(tile, count, firstSeen, v, dim, tiled, qo);
                for (int j = 0; j < count; j++) {   // one query at a time: softmax, then add the values in order
                    AttentionKernel.softmax(alone[j], firstSeen + j);
                    for (int t = 0; t < firstSeen + j; t++) {
                        AttentionKernel.axpy(alone[j][t], v, t * dim, single, j * dim, dim);
                    }
                }

                for (int i = 0; i < tiled.length; i++) {
                    assertThat(Float.floatToRawIntBits(tiled[i])).as("dim %d, %d queries, output %d", dim, count, i)
                            .isEqualTo(Float.floatToRawIntBits(single[i]));
                }
                for (int j = 0; j < count; j++) {
                    for (int t = 0; t < firstSeen + j; t++) {
                        assertThat(tile[j][t]).isEqualTo(alone[j][t]);
                    }
                }
            }
        }
    }
}

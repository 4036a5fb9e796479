package dev.sightline.kv;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * e^x for x <= 0, built from basic IEEE operations only (Cephes-style: 2^n times a polynomial on the remainder), so
 * that compiled and interpreted code, vector and scalar alike, give the same bits. The Vector API's own {@code EXP}
 * may differ between JIT tiers: the same input could then give different attention, and a restored session or a
 * re-encoded frame would not reproduce bit for bit. About 2 ulp; inputs below -87 give 0. Shared by the attention
 * kernels here and the model's softmax and GELU.
 */
public final class StableExp {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float MIN_X = -87.0f;

    /** e^x in every lane of {@code x} (the preferred species), x <= 0. */
    public static FloatVector exp(FloatVector x) {
        VectorMask<Float> tiny = x.compare(VectorOperators.LT, MIN_X);
        x = x.max(MIN_X);
        FloatVector y = x.mul(LOG2E).add(0.5f);
        IntVector ni = (IntVector) y.convert(VectorOperators.F2I, 0);
        FloatVector nf = (FloatVector) ni.convert(VectorOperators.I2F, 0);
        VectorMask<Float> over = nf.compare(VectorOperators.GT, y);          // truncation went up: floor it
        nf = nf.sub(FloatVector.broadcast(S, 1f), over);
        ni = (IntVector) nf.convert(VectorOperators.F2I, 0);
        FloatVector r = x.sub(nf.mul(LN2_HI)).sub(nf.mul(LN2_LO));
        FloatVector p = FloatVector.broadcast(S, 1.9875691500e-4f);
        p = p.mul(r).add(1.3981999507e-3f);
        p = p.mul(r).add(8.3334519073e-3f);
        p = p.mul(r).add(4.1665795894e-2f);
        p = p.mul(r).add(1.6666665459e-1f);
        p = p.mul(r).add(5.0000001201e-1f);
        p = p.mul(r).mul(r).add(r).add(1f);
        FloatVector scale = ni.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(scale).blend(0f, tiny);
    }

    /** e^x for x <= 0, the same bits as a lane of the vector form. */
    public static float exp(float x) {
        if (x < MIN_X) {
            return 0f;
        }
        float y = x * LOG2E + 0.5f;
        float nf = (float) (int) y;
        if (nf > y) {
            nf -= 1f;
        }
        float r = x - nf * LN2_HI - nf * LN2_LO;
        float p = 1.9875691500e-4f;
        p = p * r + 1.3981999507e-3f;
        p = p * r + 8.3334519073e-3f;
        p = p * r + 4.1665795894e-2f;
        p = p * r + 1.6666665459e-1f;
        p = p * r + 5.0000001201e-1f;
        p = p * r * r + r + 1f;
        return p * Float.intBitsToFloat(((int) nf + 127) << 23);
    }

    private StableExp() {
    }
}

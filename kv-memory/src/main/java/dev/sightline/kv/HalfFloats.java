package dev.sightline.kv;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Half-float to float conversion with the Vector API (it has no half-float lane conversion, so the IEEE bit layout
 * is rebuilt with integer lanes: normal numbers rebias the exponent, zeros and subnormals are scaled from the
 * mantissa, infinities and NaNs keep their payload, NaNs made quiet as the JDK does). Exactly {@link Float#float16ToFloat} for every input.
 */
final class HalfFloats {

    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> S =
            VectorSpecies.of(short.class, VectorShape.forBitSize(I.vectorBitSize() / 2));

    private HalfFloats() {
    }

    static void toFloats(short[] src, int so, float[] dst, int doff, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            IntVector h = ((IntVector) ShortVector.fromArray(S, src, so + i)
                    .convertShape(VectorOperators.S2I, I, 0)).and(0xFFFF);
            IntVector exp = h.and(0x7C00);
            IntVector mant = h.and(0x03FF);
            IntVector bits = h.and(0x7FFF).add(0x1C000).lanewise(VectorOperators.LSHL, 13);
            VectorMask<Integer> special = exp.compare(VectorOperators.EQ, 0x7C00);
            IntVector infNan = mant.lanewise(VectorOperators.LSHL, 13).or(0x7F800000);
            infNan = infNan.blend(infNan.or(0x00400000), mant.compare(VectorOperators.NE, 0));   // NaNs quiet
            bits = bits.blend(infNan, special);
            VectorMask<Integer> small = exp.compare(VectorOperators.EQ, 0);
            IntVector subnormal = ((FloatVector) mant.convert(VectorOperators.I2F, 0)).mul(0x1p-24f)
                    .reinterpretAsInts();
            bits = bits.blend(subnormal, small).or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16));
            bits.reinterpretAsFloats().intoArray(dst, doff + i);
        }
        for (; i < n; i++) {
            dst[doff + i] = Float.float16ToFloat(src[so + i]);
        }
    }
}

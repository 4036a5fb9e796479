package dev.sightline.kv;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * A decode step's attention (one query per head) for the query heads that share one KV head, reading the keys and
 * values as half floats straight from the F16 pages ({@link F16Rows}) and converting them in registers.
 *
 * <p>Why: {@link DecodeAttention} needs every row copied out of the pages and converted into a float array first,
 * which took as long as the attention itself (a copy, a conversion and a float array twice the pages' size written
 * and read back, per layer and KV head). Here each key chunk is converted once and used by up to four query heads of
 * the group, and each value chunk likewise.
 */
final class F16DecodeAttention {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> H =
            VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** Query heads computed in one pass over the rows (sharing each conversion); a group of more takes more passes. */
    private static final int HEADS = 4;

    private F16DecodeAttention() {
    }

    /**
     * Softmax attention of the {@code group} query heads at {@code q[qo + g*dim ..]} over every row of {@code rows},
     * with {@code bias[t]} (log merged size) added to each scaled logit. Leaves query head {@code g}'s probabilities
     * in {@code probs[g][0..rows.tokens)} and writes its output to {@code out[qo + g*dim ..]}.
     */
    static void attend(float[] q, int qo, int group, F16Rows rows, float[] bias, int dim, float scale,
                       float[][] probs, float[] out) {
        int seen = rows.tokens;
        touch(rows, dim);
        for (int g0 = 0; g0 < group; g0 += HEADS) {
            // a pass of fewer than four heads repeats its last head in the unused places: same inputs, same writes
            int last = Math.min(HEADS, group - g0) - 1;
            int qa = qo + g0 * dim;
            int qb = qo + (g0 + Math.min(1, last)) * dim;
            int qc = qo + (g0 + Math.min(2, last)) * dim;
            int qd = qo + (g0 + Math.min(3, last)) * dim;
            float[] pa = probs[g0];
            float[] pb = probs[g0 + Math.min(1, last)];
            float[] pc = probs[g0 + Math.min(2, last)];
            float[] pd = probs[g0 + Math.min(3, last)];
            int t = 0;
            for (int r = 0; r < rows.runs; r++) {
                logits(q, qa, qb, qc, qd, rows.segments[r], rows.offsets[r], rows.counts[r], t, dim, scale, bias,
                        pa, pb, pc, pd);
                t += rows.counts[r];
            }
            for (int j = 0; j <= last; j++) {
                AttentionKernel.softmax(probs[g0 + j], seen);
            }
            int c = 0;
            for (int bound = F.loopBound(dim); c < bound; c += F.length()) {
                values(rows, dim, c, pa, pb, pc, pd, out, qa, qb, qc, qd);
            }
            for (; c < dim; c++) {   // a head size that is not a multiple of the vector length
                valueColumn(rows, dim, c, pa, pb, pc, pd, out, qa, qb, qc, qd);
            }
        }
    }

    /**
     * The scaled, biased logits of four queries against the keys of {@code count} rows from byte {@code at} of
     * {@code seg} (tokens {@code t..}), into {@code p*[t..]}.
     */
    private static void logits(float[] q, int qa, int qb, int qc, int qd, MemorySegment seg, long at, int count,
                               int t, int dim, float scale, float[] bias, float[] pa, float[] pb, float[] pc,
                               float[] pd) {
        long rowBytes = 4L * dim;
        int bound = dim >= F.length() ? F.loopBound(dim) : 0;
        for (int end = t + count; t < end; t++, at += rowBytes) {
            float sa = 0;
            float sb = 0;
            float sc = 0;
            float sd = 0;
            int i = 0;
            if (bound > 0) {
                FloatVector a = FloatVector.zero(F);
                FloatVector b = FloatVector.zero(F);
                FloatVector c = FloatVector.zero(F);
                FloatVector d = FloatVector.zero(F);
                for (; i < bound; i += F.length()) {
                    FloatVector k = halves(seg, at + 2L * i);
                    a = k.fma(FloatVector.fromArray(F, q, qa + i), a);
                    b = k.fma(FloatVector.fromArray(F, q, qb + i), b);
                    c = k.fma(FloatVector.fromArray(F, q, qc + i), c);
                    d = k.fma(FloatVector.fromArray(F, q, qd + i), d);
                }
                FloatVector sums = sumLanes4(a, b, c, d);
                sa = sums.lane(0);
                sb = sums.lane(F.length() / 2);
                sc = sums.lane(F.length() / 4);
                sd = sums.lane(3 * F.length() / 4);
            }
            for (; i < dim; i++) {
                float k = half(seg, at + 2L * i);
                sa += q[qa + i] * k;
                sb += q[qb + i] * k;
                sc += q[qc + i] * k;
                sd += q[qd + i] * k;
            }
            pa[t] = Math.fma(sa, scale, bias[t]);
            pb[t] = Math.fma(sb, scale, bias[t]);
            pc[t] = Math.fma(sc, scale, bias[t]);
            pd[t] = Math.fma(sd, scale, bias[t]);
        }
    }

    // lane i's partner one level down the sum tree (i ^ half, i ^ quarter, ...), and the lanes that take the second
    // vector's partial sums at the first two levels
    private static final VectorShuffle<Float> X_HALF = VectorShuffle.fromOp(F, i -> i ^ (F.length() / 2));
    private static final VectorShuffle<Float> X_QUARTER = VectorShuffle.fromOp(F, i -> i ^ (F.length() / 4));
    @SuppressWarnings("unchecked")
    private static final VectorShuffle<Float>[] X_REST = java.util.stream.IntStream
            .iterate(F.length() / 8, s -> s >= 1, s -> s / 2)
            .mapToObj(s -> VectorShuffle.fromOp(F, i -> i ^ s)).toArray(VectorShuffle[]::new);
    private static final VectorMask<Float> HIGH_HALF = VectorMask.fromLong(F, lanesWith(F.length() / 2));
    private static final VectorMask<Float> HIGH_QUARTER = VectorMask.fromLong(F, lanesWith(F.length() / 4));

    private static long lanesWith(int bit) {
        long m = 0;
        for (int i = 0; i < F.length(); i++) {
            m |= (i & bit) != 0 ? 1L << i : 0;
        }
        return m;
    }

    /**
     * The lane sums of four vectors in one tree, in a fixed order (so compiled and interpreted code agree): lane 0
     * holds a's sum, lane n/2 b's, lane n/4 c's, lane 3n/4 d's. Each level halves every vector's partial sums and
     * packs two vectors into one, so four sums cost about as much as two separate ones.
     */
    private static FloatVector sumLanes4(FloatVector a, FloatVector b, FloatVector c, FloatVector d) {
        FloatVector ab = a.blend(b, HIGH_HALF).add(b.blend(a, HIGH_HALF).rearrange(X_HALF));
        FloatVector cd = c.blend(d, HIGH_HALF).add(d.blend(c, HIGH_HALF).rearrange(X_HALF));
        FloatVector s = ab.blend(cd, HIGH_QUARTER).add(cd.blend(ab, HIGH_QUARTER).rearrange(X_QUARTER));
        for (VectorShuffle<Float> x : X_REST) {
            s = s.add(s.rearrange(x));
        }
        return s;
    }

    /**
     * Columns {@code [c, c + lanes)} of four outputs: each query's probability-weighted sum of the value rows,
     * accumulated in registers over all rows.
     */
    private static void values(F16Rows rows, int dim, int c, float[] pa, float[] pb, float[] pc, float[] pd,
                               float[] out, int oa, int ob, int oc, int od) {
        FloatVector a = FloatVector.zero(F);
        FloatVector b = FloatVector.zero(F);
        FloatVector cc = FloatVector.zero(F);
        FloatVector d = FloatVector.zero(F);
        long rowBytes = 4L * dim;
        int t = 0;
        for (int r = 0; r < rows.runs; r++) {
            MemorySegment seg = rows.segments[r];
            long at = rows.offsets[r] + 2L * (dim + c);
            for (int n = rows.counts[r]; n > 0; n--, t++, at += rowBytes) {
                FloatVector v = halves(seg, at);
                a = v.fma(FloatVector.broadcast(F, pa[t]), a);
                b = v.fma(FloatVector.broadcast(F, pb[t]), b);
                cc = v.fma(FloatVector.broadcast(F, pc[t]), cc);
                d = v.fma(FloatVector.broadcast(F, pd[t]), d);
            }
        }
        a.intoArray(out, oa + c);
        b.intoArray(out, ob + c);
        cc.intoArray(out, oc + c);
        d.intoArray(out, od + c);
    }

    /** Column {@code c} of four outputs, one value at a time: head sizes that are not a multiple of the lanes. */
    private static void valueColumn(F16Rows rows, int dim, int c, float[] pa, float[] pb, float[] pc, float[] pd,
                                    float[] out, int oa, int ob, int oc, int od) {
        float a = 0;
        float b = 0;
        float cc = 0;
        float d = 0;
        long rowBytes = 4L * dim;
        int t = 0;
        for (int r = 0; r < rows.runs; r++) {
            MemorySegment seg = rows.segments[r];
            long at = rows.offsets[r] + 2L * (dim + c);
            for (int n = rows.counts[r]; n > 0; n--, t++, at += rowBytes) {
                float v = half(seg, at);
                a = Math.fma(v, pa[t], a);
                b = Math.fma(v, pb[t], b);
                cc = Math.fma(v, pc[t], cc);
                d = Math.fma(v, pd[t], d);
            }
        }
        out[oa + c] = a;
        out[ob + c] = b;
        out[oc + c] = cc;
        out[od + c] = d;
    }

    /**
     * Reads one long of every cache line the rows span, in one sweep, so that the kernels below find them in cache.
     * Why: the rows come from memory (a decode step streams all the weights between two visits of a layer), and the
     * kernels do so much work per row that the CPU has only a few rows' loads in flight at a time: reading straight
     * from memory made them five times slower than from cache. A sweep's loads are independent, so the memory system
     * serves them many at a time. (Java has no prefetch instruction; this is one.)
     */
    private static void touch(F16Rows rows, int dim) {
        long s0 = 0;
        long s1 = 0;
        long s2 = 0;
        long s3 = 0;
        for (int r = 0; r < rows.runs; r++) {
            MemorySegment seg = rows.segments[r];
            long at = rows.offsets[r];
            long end = at + 4L * dim * rows.counts[r];
            for (; at + 256 <= end; at += 256) {   // four lines per pass: fewer instructions per line in flight
                s0 += seg.get(ValueLayout.JAVA_LONG_UNALIGNED, at);
                s1 += seg.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 64);
                s2 += seg.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 128);
                s3 += seg.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 192);
            }
            for (; at < end; at += 64) {
                s0 += seg.get(ValueLayout.JAVA_BYTE, at);
            }
        }
        touched = s0 + s1 + s2 + s3;
    }

    // the sum of the touch reads, kept so that the JIT cannot drop them as unused
    @SuppressWarnings("unused")
    private static long touched;

    private static float half(MemorySegment seg, long at) {
        return Float.float16ToFloat(seg.get(HALF, at));
    }

    /**
     * The half floats at {@code at} as floats, exactly as {@link Float#float16ToFloat} gives them, infinities
     * included (the Vector API has no half-float conversion). The half's sign, exponent and mantissa shifted into a
     * float's places give the value times 2^-112 (the exponent biases differ by 112; half subnormals land on float
     * subnormals, so they come out right too), and a multiplication by 2^112 rebiases. Half infinities then sit at
     * 2^16..2^17, above every finite half (at most 65504): one more multiplication by 2^112 overflows exactly those
     * to infinity, and 2^-112 brings the rest back unchanged (all three are exact powers of two). NaNs cannot be
     * stored (keys and values must be finite).
     */
    static FloatVector halves(MemorySegment seg, long at) {
        // sign-extended, so after the shift bits 28-30 hold copies of the sign: the mask keeps bit 31 and 13-27
        IntVector h = (IntVector) ShortVector.fromMemorySegment(H, seg, at, ORDER)
                .convertShape(VectorOperators.S2I, I, 0);
        return h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000).reinterpretAsFloats()
                .mul(0x1p112f).mul(0x1p112f).mul(0x1p-112f);
    }
}

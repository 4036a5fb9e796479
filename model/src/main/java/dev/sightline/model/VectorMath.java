package dev.sightline.model;

import dev.sightline.kv.StableExp;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Row-wise kernels over float arrays: norms, activations, softmax, residual adds. */
final class VectorMath {

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;

    private VectorMath() {
    }

    static float sumOfSquares(float[] x, int off, int n) {
        FloatVector acc = FloatVector.zero(FS);
        int i = 0;
        for (int bound = FS.loopBound(n); i < bound; i += FS.length()) {
            FloatVector v = FloatVector.fromArray(FS, x, off + i);
            acc = v.fma(v, acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += x[off + i] * x[off + i];
        }
        return s;
    }

    /** RMSNorm as Llama computes it: {@code w * x / sqrt(mean(x^2) + eps)}, each of {@code rows} rows. */
    static void rmsNorm(float[] x, float[] out, float[] weight, int rows, int dim, float eps) {
        for (int r = 0; r < rows; r++) {
            int off = r * dim;
            float inv = (float) (1.0 / Math.sqrt(sumOfSquares(x, off, dim) / dim + eps));
            for (int i = 0; i < dim; i++) {
                out[off + i] = weight[i] * (x[off + i] * inv);
            }
        }
    }

    /** LayerNorm with biased variance, as torch.nn.LayerNorm. */
    static void layerNorm(float[] x, float[] out, float[] weight, float[] bias, int rows, int dim, float eps) {
        for (int r = 0; r < rows; r++) {
            int off = r * dim;
            double mean = 0;
            for (int i = 0; i < dim; i++) {
                mean += x[off + i];
            }
            mean /= dim;
            double var = 0;
            for (int i = 0; i < dim; i++) {
                double d = x[off + i] - mean;
                var += d * d;
            }
            var /= dim;
            float inv = (float) (1.0 / Math.sqrt(var + eps));
            float m = (float) mean;
            for (int i = 0; i < dim; i++) {
                out[off + i] = (x[off + i] - m) * inv * weight[i] + bias[i];
            }
        }
    }

    static void addInPlace(float[] acc, float[] x, int n) {
        int i = 0;
        for (int bound = FS.loopBound(n); i < bound; i += FS.length()) {
            FloatVector.fromArray(FS, acc, i).add(FloatVector.fromArray(FS, x, i)).intoArray(acc, i);
        }
        for (; i < n; i++) {
            acc[i] += x[i];
        }
    }

    /** Adds {@code bias[dim]} to every row. */
    static void addBias(float[] x, float[] bias, int rows, int dim) {
        for (int r = 0; r < rows; r++) {
            int off = r * dim;
            for (int i = 0; i < dim; i++) {
                x[off + i] += bias[i];
            }
        }
    }

    /** SwiGLU's gate: {@code gate = silu(gate) * up}. */
    static void siluTimes(float[] gate, float[] up, int n) {
        int i = 0;
        FloatVector one = FloatVector.broadcast(FS, 1f);
        for (int bound = FS.loopBound(n); i < bound; i += FS.length()) {
            FloatVector g = FloatVector.fromArray(FS, gate, i);
            g.div(g.neg().lanewise(VectorOperators.EXP).add(one)).mul(FloatVector.fromArray(FS, up, i))
                    .intoArray(gate, i);
        }
        for (; i < n; i++) {
            float g = gate[i];
            gate[i] = (float) (g / (1.0 + Math.exp(-g))) * up[i];
        }
    }

    /**
     * gelu_pytorch_tanh (SigLIP), in float as PyTorch computes it, 16 lanes at a time: a scalar loop through
     * {@code Math.tanh} in double took about a sixth of a frame's time in the vision tower. tanh comes from
     * {@link StableExp} ({@code tanh|y| = (1 - e^-2|y|) / (1 + e^-2|y|)}), not the Vector API's own TANH, so that an
     * encoding gives the same bits whichever JIT tier runs it.
     */
    static void geluTanh(float[] x, int n) {
        final float k = (float) Math.sqrt(2.0 / Math.PI);
        int i = 0;
        for (int bound = FS.loopBound(n); i < bound; i += FS.length()) {
            FloatVector v = FloatVector.fromArray(FS, x, i);
            FloatVector y = v.mul(v).mul(v).mul(0.044715f).add(v).mul(k);
            FloatVector t = StableExp.exp(y.abs().mul(-2f));
            FloatVector tanh = FloatVector.broadcast(FS, 1f).sub(t).div(t.add(1f));
            tanh = tanh.blend(tanh.neg(), y.compare(VectorOperators.LT, 0f));
            v.mul(0.5f).mul(tanh.add(1f)).intoArray(x, i);
        }
        for (; i < n; i++) {
            float v = x[i];
            float y = (v * v * v * 0.044715f + v) * k;   // the vector lanes' order of operations
            float t = StableExp.exp(-2f * Math.abs(y));
            float tanh = (1f - t) / (1f + t);
            x[i] = 0.5f * v * (1f + (y < 0f ? -tanh : tanh));
        }
    }

    /** Exact GELU, {@code x * Phi(x)} (Whisper's "gelu"). */
    static void geluErf(float[] x, int n) {
        for (int i = 0; i < n; i++) {
            double v = x[i];
            x[i] = (float) (0.5 * v * (1.0 + erf(v / Math.sqrt(2.0))));
        }
    }

    /** erf within 1.5e-7 (Abramowitz and Stegun 7.1.26): far below float32 GELU's own rounding at these scales. */
    static double erf(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.3275911 * z);
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027
                + t * 1.061405429))));
        double y = 1.0 - poly * Math.exp(-z * z);
        return x >= 0 ? y : -y;
    }

    /**
     * In-place softmax over {@code x[off, off+n)}, 16 lanes at a time: the encoders' attention runs one over every
     * row of an n x n score matrix, where a scalar {@code Math.exp} loop took about a fifth of a frame's time. exp
     * comes from {@link StableExp} and the sum adds the lanes in a fixed order, so a row gives the same bits whichever
     * JIT tier runs it (the Vector API's own EXP and lane sums may differ between tiers).
     */
    static void softmax(float[] x, int off, int n) {
        int bound = FS.loopBound(n);
        FloatVector vmax = FloatVector.broadcast(FS, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i < bound; i += FS.length()) {
            vmax = vmax.max(FloatVector.fromArray(FS, x, off + i));
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);   // a maximum is exact in any order
        for (; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        FloatVector vsum = FloatVector.zero(FS);
        i = 0;
        for (; i < bound; i += FS.length()) {
            FloatVector e = StableExp.exp(FloatVector.fromArray(FS, x, off + i).sub(max));
            e.intoArray(x, off + i);
            vsum = vsum.add(e);
        }
        float[] lanes = vsum.toArray();
        double sum = 0;
        for (float lane : lanes) {
            sum += lane;
        }
        for (; i < n; i++) {
            float e = StableExp.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        i = 0;
        for (; i < bound; i += FS.length()) {
            FloatVector.fromArray(FS, x, off + i).mul(inv).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] *= inv;
        }
    }

    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(FS);
        int i = 0;
        for (int bound = FS.loopBound(n); i < bound; i += FS.length()) {
            acc = FloatVector.fromArray(FS, a, ao + i).fma(FloatVector.fromArray(FS, b, bo + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    /** {@code out[oo..] += a * x[xo..]} for n elements. */
    static void axpy(float a, float[] x, int xo, float[] out, int oo, int n) {
        FloatVector av = FloatVector.broadcast(FS, a);
        int i = 0;
        for (int bound = FS.loopBound(n); i < bound; i += FS.length()) {
            FloatVector.fromArray(FS, x, xo + i).fma(av, FloatVector.fromArray(FS, out, oo + i)).intoArray(out, oo + i);
        }
        for (; i < n; i++) {
            out[oo + i] += a * x[xo + i];
        }
    }
}

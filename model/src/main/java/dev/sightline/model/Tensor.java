package dev.sightline.model;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * One tensor of a checkpoint: its name, element type, shape, and its bytes as a slice of the memory-mapped file
 * (nothing copied onto the heap until {@link #toFloats()} is asked for).
 */
public record Tensor(String name, DType dtype, long[] shape, MemorySegment data) {

    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    public long elements() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return Math.toIntExact(shape[i]);
    }

    /** Element {@code i} (flat, row-major) as a float. */
    public float get(long i) {
        return switch (dtype) {
            case F32 -> data.getAtIndex(F32, i);
            case BF16 -> Float.intBitsToFloat((data.getAtIndex(I16, i) & 0xFFFF) << 16);
            case F16 -> Float.float16ToFloat(data.getAtIndex(I16, i));
        };
    }

    /** All elements as floats on the heap: for the small tensors (norms, biases, positions, towers' weights). */
    public float[] toFloats() {
        long n = elements();
        if (n > Integer.MAX_VALUE - 8) {
            throw new ModelFormatException("tensor '" + name + "' is too large to copy onto the heap (" + n + ")");
        }
        float[] out = new float[(int) n];
        for (int i = 0; i < out.length; i++) {
            out[i] = get(i);
        }
        return out;
    }

    /** Checks the shape, naming the tensor and both shapes if it differs. */
    public Tensor expectShape(long... expected) {
        if (!Arrays.equals(shape, expected)) {
            throw new ModelFormatException("tensor '" + name + "' has shape " + Arrays.toString(shape)
                    + " but the config implies " + Arrays.toString(expected));
        }
        return this;
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}

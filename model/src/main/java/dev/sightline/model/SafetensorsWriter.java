package dev.sightline.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a {@code .safetensors} file from float data, stored as F32, F16 or BF16 (round to nearest even). Used to
 * make checkpoints in Java: test cases and benchmark models with published models' shapes. Tensors are streamed to
 * disk one at a time; a {@link Source} can produce values lazily so large random models never sit on the heap whole.
 */
public final class SafetensorsWriter {

    /** Produces element {@code i} of a tensor. */
    public interface Source {
        float value(long i);
    }

    private record Entry(String name, DType dtype, long[] shape, Source source) {
    }

    private final List<Entry> entries = new ArrayList<>();

    public SafetensorsWriter add(String name, DType dtype, long[] shape, float[] data) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "' shape needs " + n + " values, got " + data.length);
        }
        return add(name, dtype, shape, i -> data[(int) i]);
    }

    public SafetensorsWriter add(String name, DType dtype, long[] shape, Source source) {
        entries.add(new Entry(name, dtype, shape.clone(), source));
        return this;
    }

    public void write(Path file) {
        ObjectNode header = new ObjectMapper().createObjectNode();
        long offset = 0;
        for (Entry e : entries) {
            ObjectNode t = header.putObject(e.name);
            t.put("dtype", e.dtype.name());
            var shape = t.putArray("shape");
            long n = 1;
            for (long d : e.shape) {
                shape.add(d);
                n *= d;
            }
            var offs = t.putArray("data_offsets");
            offs.add(offset);
            offset += n * e.dtype.bytes();
            offs.add(offset);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
             OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(json);
            out.write(" ".repeat(padded - json.length).getBytes(StandardCharsets.US_ASCII));
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry e : entries) {
                long n = 1;
                for (long d : e.shape) {
                    n *= d;
                }
                for (long i = 0; i < n; i++) {
                    if (buf.remaining() < 4) {
                        out.write(buf.array(), 0, buf.position());
                        buf.clear();
                    }
                    float v = e.source.value(i);
                    switch (e.dtype) {
                        case F32 -> buf.putFloat(v);
                        case F16 -> buf.putShort(Float.floatToFloat16(v));
                        case BF16 -> buf.putShort(toBf16(v));
                    }
                }
            }
            out.write(buf.array(), 0, buf.position());
        } catch (IOException e) {
            throw new ModelFormatException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** float32 to bfloat16 bits, rounding to nearest even (NaN kept as a quiet NaN). */
    public static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** Writes a JSON config file beside weights. */
    public static void writeConfig(Path file, String json) {
        try {
            Files.writeString(file, json);
        } catch (IOException e) {
            throw new ModelFormatException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}

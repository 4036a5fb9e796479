package dev.sightline.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} arrays (format 1.0 to 3.0, C order, little-endian): float32/float64 read as floats,
 * int32/int64 as longs; written as float32 or int64.
 */
public final class Npy {

    /** An array read from a file: its shape and its values, as floats or as longs depending on the stored type. */
    public record Array(long[] shape, float[] floats, long[] longs) {
        public long size() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        public int dim(int i) {
            return Math.toIntExact(shape[i]);
        }

        /** Values as floats, converting integers. */
        public float[] asFloats() {
            if (floats != null) {
                return floats;
            }
            float[] f = new float[longs.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = longs[i];
            }
            return f;
        }

        /** Values as longs; fails for floating-point data. */
        public long[] asLongs() {
            if (longs == null) {
                throw new ModelFormatException("expected an integer array, got floating point with shape "
                        + Arrays.toString(shape));
            }
            return longs;
        }
    }

    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    public static Array read(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read " + path + ": " + e.getMessage(), e);
        }
        if (bytes.length < 10 || bytes[0] != (byte) 0x93 || !new String(bytes, 1, 5, StandardCharsets.US_ASCII)
                .equals("NUMPY")) {
            throw new ModelFormatException(path + " is not a .npy file");
        }
        int major = bytes[6];
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen;
        int start;
        if (major == 1) {
            headerLen = bb.getShort(8) & 0xFFFF;
            start = 10;
        } else {
            headerLen = bb.getInt(8);
            start = 12;
        }
        if (start + headerLen > bytes.length) {
            throw new ModelFormatException(path + " is truncated inside its header");
        }
        String header = new String(bytes, start, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher o = ORDER.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !o.find() || !s.find()) {
            throw new ModelFormatException(path + " has an unreadable .npy header: " + header.trim());
        }
        if (o.group(1).equals("True")) {
            throw new ModelFormatException(path + " is in Fortran order; save it in C order");
        }
        long[] shape = Arrays.stream(s.group(1).split(",")).map(String::trim).filter(x -> !x.isEmpty())
                .mapToLong(Long::parseLong).toArray();
        long n = 1;
        for (long dim : shape) {
            n *= dim;
        }
        String descr = d.group(1);
        int itemSize = switch (descr) {
            case "<f4", "<i4" -> 4;
            case "<f8", "<i8" -> 8;
            case "|u1" -> 1;
            default -> throw new ModelFormatException(path + " has dtype " + descr
                    + "; supported: <f4, <f8, <i4, <i8, |u1");
        };
        int data = start + headerLen;
        if ((long) data + n * itemSize > bytes.length) {
            throw new ModelFormatException(path + " is truncated: shape " + Arrays.toString(shape) + " needs "
                    + n * itemSize + " bytes of data, file has " + (bytes.length - data));
        }
        bb.position(data);
        int count = Math.toIntExact(n);
        switch (descr) {
            case "<f4" -> {
                float[] f = new float[count];
                bb.asFloatBuffer().get(f);
                return new Array(shape, f, null);
            }
            case "<f8" -> {
                float[] f = new float[count];
                for (int i = 0; i < count; i++) {
                    f[i] = (float) bb.getDouble(data + 8 * i);
                }
                return new Array(shape, f, null);
            }
            case "<i4" -> {
                long[] l = new long[count];
                for (int i = 0; i < count; i++) {
                    l[i] = bb.getInt(data + 4 * i);
                }
                return new Array(shape, null, l);
            }
            case "|u1" -> { // 8-bit pixels
                long[] l = new long[count];
                for (int i = 0; i < count; i++) {
                    l[i] = bb.get(data + i) & 0xFF;
                }
                return new Array(shape, null, l);
            }
            default -> {
                long[] l = new long[count];
                bb.asLongBuffer().get(l);
                return new Array(shape, null, l);
            }
        }
    }

    public static void writeFloats(Path path, float[] data, long... shape) {
        write(path, "<f4", shape, data.length * 4L, bb -> bb.asFloatBuffer().put(data));
    }

    public static void writeLongs(Path path, long[] data, long... shape) {
        write(path, "<i8", shape, data.length * 8L, bb -> bb.asLongBuffer().put(data));
    }

    private static void write(Path path, String descr, long[] shape, long dataBytes,
                              java.util.function.Consumer<ByteBuffer> fill) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n * (descr.equals("<f4") ? 4 : 8) != dataBytes) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not match the data");
        }
        StringBuilder shapeText = new StringBuilder("(");
        for (long d : shape) {
            shapeText.append(d).append(", ");
        }
        if (shape.length > 1) {
            shapeText.setLength(shapeText.length() - 1);
        } else if (shape.length == 0) {
            shapeText.append("");
        }
        shapeText.append(")");
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeText + ", }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer bb = ByteBuffer.allocate(Math.toIntExact(10 + header.length() + dataBytes))
                .order(ByteOrder.LITTLE_ENDIAN);
        bb.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        bb.putShort((short) header.length());
        bb.put(header.getBytes(StandardCharsets.US_ASCII));
        fill.accept(bb.slice().order(ByteOrder.LITTLE_ENDIAN));
        try {
            Files.write(path, bb.array());
        } catch (IOException e) {
            throw new ModelFormatException("cannot write " + path + ": " + e.getMessage(), e);
        }
    }
}

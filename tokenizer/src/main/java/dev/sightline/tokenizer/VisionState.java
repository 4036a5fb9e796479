package dev.sightline.tokenizer;

import dev.sightline.protocol.BadRecordException;
import dev.sightline.protocol.BinaryHeader;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * What the temporal stages remember about one stream between frames, kept in a Kafka Streams state store (with a
 * changelog) so a restart or rebalance resumes with the same references instead of treating the next frame as a
 * first frame. Embeddings are stored as F16, the precision the tokens topic carries anyway.
 */
final class VisionState {
    static final int MAGIC = BinaryHeader.magic("SLVS");
    static final int VERSION = 1;

    /** Frames of this stream processed so far (the next frame's ordinal). */
    long framesSeen;
    final int gridRows;
    final int gridCols;
    final int dim;
    final int samplesPerCell;
    /** Pixel gate: the thumbnail each cell had when last encoded; null until the first frame. */
    byte[] gateReference;
    /** Per cell, the tower's last output there (what REUSE reuses). */
    final float[][] lastEncoded;
    /** Per cell, the embedding last kept there by the temporal drop. */
    final float[][] lastKept;

    VisionState(int gridRows, int gridCols, int dim, int samplesPerCell) {
        this.gridRows = gridRows;
        this.gridCols = gridCols;
        this.dim = dim;
        this.samplesPerCell = samplesPerCell;
        this.lastEncoded = new float[gridRows * gridCols][];
        this.lastKept = new float[gridRows * gridCols][];
    }

    boolean matches(int rows, int cols, int d, int s) {
        return gridRows == rows && gridCols == cols && dim == d && samplesPerCell == s;
    }

    byte[] toBytes() {
        int cells = gridRows * gridCols;
        int size = BinaryHeader.SIZE + 8 + 4 * 4 + 4 + (gateReference == null ? 0 : gateReference.length)
                + 2 * cells * (1 + 2 * dim);
        ByteBuffer out = ByteBuffer.allocate(size);
        BinaryHeader.write(out, MAGIC, VERSION);
        out.putLong(framesSeen).putInt(gridRows).putInt(gridCols).putInt(dim).putInt(samplesPerCell);
        out.putInt(gateReference == null ? -1 : gateReference.length);
        if (gateReference != null) {
            out.put(gateReference);
        }
        for (float[][] table : new float[][][]{lastEncoded, lastKept}) {
            for (float[] e : table) {
                out.put((byte) (e == null ? 0 : 1));
                if (e != null) {
                    for (float v : e) {
                        out.putShort(Float.floatToFloat16(v));
                    }
                }
            }
        }
        byte[] all = out.array();
        return out.position() == all.length ? all : java.util.Arrays.copyOf(all, out.position());
    }

    static VisionState fromBytes(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            BinaryHeader.read(in, MAGIC, VERSION, VERSION, "VisionState");
            long seen = in.getLong();
            VisionState s = new VisionState(in.getInt(), in.getInt(), in.getInt(), in.getInt());
            s.framesSeen = seen;
            int refLen = in.getInt();
            if (refLen >= 0) {
                s.gateReference = new byte[refLen];
                in.get(s.gateReference);
            }
            for (float[][] table : new float[][][]{s.lastEncoded, s.lastKept}) {
                for (int c = 0; c < table.length; c++) {
                    if (in.get() != 0) {
                        float[] e = new float[s.dim];
                        for (int d = 0; d < s.dim; d++) {
                            e[d] = Float.float16ToFloat(in.getShort());
                        }
                        table[c] = e;
                    }
                }
            }
            return s;
        } catch (BufferUnderflowException | IllegalArgumentException | NegativeArraySizeException e) {
            throw new BadRecordException("VisionState", "truncated or corrupt state: " + e);
        }
    }

    static Serde<VisionState> serde() {
        return Serdes.serdeFrom((topic, s) -> s == null ? null : s.toBytes(),
                (topic, b) -> b == null ? null : fromBytes(b));
    }
}

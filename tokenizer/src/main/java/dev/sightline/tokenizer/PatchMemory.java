package dev.sightline.tokenizer;

import dev.sightline.protocol.BadRecordException;
import dev.sightline.protocol.BinaryHeader;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * The tower's last per-patch outputs of one token cell of one stream (the {@code k x k} patches the connector folds
 * into that cell), kept in the {@value #STORE} state store so the pixel gate can re-run the connector for a cell of
 * which only some patches changed. One record per cell rather than per stream: a frame rewrites only the cells it
 * touched, so the changelog carries what changed, not the whole grid (1.5 MB for SmolVLM2-256M's 32x32 patches).
 * Stored as F16, the precision the tokens topic carries anyway.
 */
final class PatchMemory {
    static final String STORE = "tokenizer-patch-memory";
    static final int MAGIC = BinaryHeader.magic("SLPM");
    static final int VERSION = 1;

    /** Per patch of the cell (row-major within the cell), its last output. */
    final float[][] patches;
    final int dim;

    PatchMemory(float[][] patches, int dim) {
        this.patches = patches;
        this.dim = dim;
    }

    /** The store key of one cell of a stream (the cell number last, so any stream id stays unambiguous). */
    static String key(String streamId, int cell) {
        return streamId + "#" + cell;
    }

    byte[] toBytes() {
        ByteBuffer out = ByteBuffer.allocate(BinaryHeader.SIZE + 8 + 2 * patches.length * dim);
        BinaryHeader.write(out, MAGIC, VERSION);
        out.putInt(patches.length).putInt(dim);
        for (float[] p : patches) {
            for (float v : p) {
                out.putShort(Float.floatToFloat16(v));
            }
        }
        return out.array();
    }

    static PatchMemory fromBytes(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            BinaryHeader.read(in, MAGIC, VERSION, VERSION, "PatchMemory");
            int n = in.getInt();
            int dim = in.getInt();
            float[][] patches = new float[n][dim];
            for (float[] p : patches) {
                for (int d = 0; d < dim; d++) {
                    p[d] = Float.float16ToFloat(in.getShort());
                }
            }
            return new PatchMemory(patches, dim);
        } catch (BufferUnderflowException | IllegalArgumentException | NegativeArraySizeException e) {
            throw new BadRecordException("PatchMemory", "truncated or corrupt state: " + e);
        }
    }

    static Serde<PatchMemory> serde() {
        return Serdes.serdeFrom((topic, m) -> m == null ? null : m.toBytes(),
                (topic, b) -> b == null ? null : fromBytes(b));
    }
}

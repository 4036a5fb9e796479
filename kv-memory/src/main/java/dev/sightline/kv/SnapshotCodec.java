package dev.sightline.kv;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The snapshot format of a session's memory (version 2): magic {@code SLKV}, version, geometry, configuration
 * (policy by name), positions and counters (not timings), then the memory and the dialogue region (token
 * descriptions, and per layer and head: slot references, merged sizes, attention statistics and key/value norms as
 * raw float bits, and the used groups of each page tier byte for byte), then a CRC32 of everything before it. Pages
 * are copied as bytes, so a restored session is bit-identical whatever the pool's page size. Version 1 (before
 * norms) is refused as an unsupported version.
 */
final class SnapshotCodec {

    static final int MAGIC = 0x534C4B56;   // "SLKV"
    static final int VERSION = 2;   // 2: per-slot key/value norms after the attention statistics
    private static final int MAX_DIMENSION = 1 << 14;

    private SnapshotCodec() {
    }

    static void write(PagedKvSequence seq, OutputStream stream) throws IOException {
        CheckedOutputStream checked = new CheckedOutputStream(stream, new CRC32());
        DataOutputStream out = new DataOutputStream(checked);
        KvGeometry g = seq.geometry();
        KvMemoryConfig c = seq.config();
        SessionAccount a = seq.account();
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(g.layers());
        out.writeInt(g.kvHeads());
        out.writeInt(g.headDim());
        out.writeInt(g.queryHeads());
        out.writeLong(c.budgetBytes());
        out.writeUTF(c.format().name());
        out.writeLong(c.highWatermark());
        out.writeLong(c.lowWatermark());
        out.writeBoolean(c.watermarksInBytes());
        out.writeInt(c.recentWindow());
        out.writeInt(c.observationWindow());
        out.writeInt(c.dialogueTokens());
        out.writeUTF(c.policy().name());
        out.writeLong(c.seed());
        out.writeLong(seq.nextPosition());
        out.writeLong(seq.lastPosition());
        out.writeLong(a.blocks);
        out.writeLong(a.compressions);
        out.writeLong(a.evictedSlots);
        out.writeLong(a.droppedTokens);
        out.writeLong(a.refusals);
        writeRegion(seq.region(), out);
        writeRegion(seq.dialogueRegion(), out);
        out.flush();
        long crc = checked.getChecksum().getValue();
        out.writeLong(crc);
        out.flush();
    }

    private static void writeRegion(Region r, DataOutputStream out) throws IOException {
        out.writeInt(r.table.size());
        for (int i = 0; i < r.table.size(); i++) {
            TokenInfo t = r.table.get(i);
            out.writeLong(t.position());
            out.writeByte(t.modality().ordinal());
            out.writeLong(t.ptsMicros());
            out.writeInt(t.frameIndex());
            out.writeInt(t.patchRow());
            out.writeInt(t.patchCol());
            out.writeInt(t.mergedSize());
            out.writeBoolean(t.pinned());
            out.writeLong(t.ropeT());
            out.writeLong(t.ropeH());
            out.writeLong(t.ropeW());
        }
        out.writeBoolean(r.tracksStats());
        out.writeBoolean(r.tracksNorms());
        for (HeadMemory[] layer : r.heads) {
            for (HeadMemory h : layer) {
                out.writeInt(h.size);
                for (int i = 0; i < h.size; i++) {
                    out.writeInt(h.refs[i]);
                    out.writeInt(h.merged[i]);
                }
                if (h.tracksStats()) {
                    writeFloats(out, h.accumulated, h.size);
                    writeFloats(out, h.last, h.size);
                    writeFloats(out, h.window, h.size);
                }
                if (h.tracksNorms()) {
                    writeFloats(out, h.keyNorm, h.size);
                    writeFloats(out, h.valueNorm, h.size);
                }
                h.main.writeRaw(out);
                if (h.residual != null) {
                    h.residual.writeRaw(out);
                }
            }
        }
    }

    private static void writeFloats(DataOutputStream out, float[] a, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            out.writeInt(Float.floatToRawIntBits(a[i]));
        }
    }

    static PagedKvSequence read(KvPool pool, InputStream stream, CompressionPolicy given) throws IOException {
        CheckedInputStream checked = new CheckedInputStream(stream, new CRC32());
        DataInputStream in = new DataInputStream(checked);
        PagedKvSequence seq = null;
        try {
            if (in.readInt() != MAGIC) {
                throw new KvSnapshotException("not a Sightline KV snapshot (bad magic)");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new KvSnapshotException("unsupported version " + version + " (this build reads " + VERSION + ")");
            }
            KvGeometry g;
            try {
                g = new KvGeometry(in.readInt(), in.readInt(), in.readInt(), in.readInt());
            } catch (IllegalArgumentException e) {
                throw new KvSnapshotException("bad geometry: " + e.getMessage(), e);
            }
            // bound what a corrupted header could make us allocate before the checksum is reached
            if (g.layers() > MAX_DIMENSION || g.kvHeads() > MAX_DIMENSION || g.headDim() > MAX_DIMENSION
                    || g.queryHeads() > MAX_DIMENSION) {
                throw new KvSnapshotException("implausible geometry " + g);
            }
            long budget = in.readLong();
            PageFormat format;
            try {
                format = PageFormat.byName(in.readUTF());
            } catch (IllegalArgumentException e) {
                throw new KvSnapshotException(e.getMessage(), e);
            }
            long high = in.readLong();
            long low = in.readLong();
            boolean inBytes = in.readBoolean();
            int recent = in.readInt();
            int observation = in.readInt();
            int dialogueTokens = in.readInt();
            String policyName = in.readUTF();
            long seed = in.readLong();
            CompressionPolicy policy = given;
            if (policy == null) {
                try {
                    policy = Policies.byName(policyName);
                } catch (IllegalArgumentException e) {
                    throw new KvSnapshotException("policy '" + policyName + "' is not known by name; restore with "
                            + "the policy object", e);
                }
            } else if (!policy.name().equals(policyName)) {
                throw new KvSnapshotException("snapshot was written with policy '" + policyName + "', not '"
                        + policy.name() + "'");
            }
            KvMemoryConfig config;
            try {
                config = new KvMemoryConfig(budget, format, high, low, inBytes, recent, observation, dialogueTokens,
                        policy, seed);
            } catch (IllegalArgumentException e) {
                throw new KvSnapshotException("bad configuration: " + e.getMessage(), e);
            }
            seq = PagedKvSequence.emptyFor(pool, g, config);
            seq.restorePositions(in.readLong(), in.readLong());
            SessionAccount a = seq.account();
            a.blocks = in.readLong();
            a.compressions = in.readLong();
            a.evictedSlots = in.readLong();
            a.droppedTokens = in.readLong();
            a.refusals = in.readLong();
            int maxTokens = (int) Math.min(Integer.MAX_VALUE / 2, budget / Region.TOKEN_BYTES);
            readRegion(seq.region(), in, maxTokens);
            readRegion(seq.dialogueRegion(), in, maxTokens);
            long expected = checked.getChecksum().getValue();
            long stored = in.readLong();
            if (stored != expected) {
                throw new KvSnapshotException("checksum mismatch (stored " + Long.toHexString(stored) + ", computed "
                        + Long.toHexString(expected) + ")");
            }
            return seq;
        } catch (EOFException e) {
            closeQuietly(seq);
            throw new KvSnapshotException("truncated input", e);
        } catch (RuntimeException | IOException e) {
            closeQuietly(seq);
            throw e;
        }
    }

    private static void readRegion(Region r, DataInputStream in, int maxTokens) throws IOException {
        int tokens = in.readInt();
        if (tokens < 0 || tokens > maxTokens) {
            throw new KvSnapshotException("token count " + tokens + " out of range 0.." + maxTokens);
        }
        Modality[] modalities = Modality.values();
        for (int i = 0; i < tokens; i++) {
            long position = in.readLong();
            int modality = in.readByte();
            if (modality < 0 || modality >= modalities.length) {
                throw new KvSnapshotException("token " + i + " has unknown modality " + modality);
            }
            try {
                r.addToken(new TokenInfo(position, modalities[modality], in.readLong(), in.readInt(), in.readInt(),
                        in.readInt(), in.readInt(), in.readBoolean(), in.readLong(), in.readLong(), in.readLong()));
            } catch (IllegalArgumentException e) {
                throw new KvSnapshotException("token " + i + ": " + e.getMessage(), e);
            }
        }
        boolean stats = in.readBoolean();
        if (stats != r.tracksStats()) {
            throw new KvSnapshotException("attention statistics " + (stats ? "present" : "absent")
                    + " but the policy " + (r.tracksStats() ? "needs" : "does not use") + " them");
        }
        boolean norms = in.readBoolean();
        if (norms != r.tracksNorms()) {
            throw new KvSnapshotException("token norms " + (norms ? "present" : "absent")
                    + " but the policy " + (r.tracksNorms() ? "needs" : "does not use") + " them");
        }
        for (int l = 0; l < r.heads.length; l++) {
            for (int hd = 0; hd < r.heads[l].length; hd++) {
                HeadMemory h = r.heads[l][hd];
                int size = in.readInt();
                if (size < 0 || size > tokens) {
                    throw new KvSnapshotException("layer " + l + " head " + hd + " has " + size + " slots for "
                            + tokens + " tokens");
                }
                h.grow(size);
                int previous = -1;
                for (int i = 0; i < size; i++) {
                    int ref = in.readInt();
                    int merged = in.readInt();
                    if (ref <= previous || ref >= tokens || merged < 1) {
                        throw new KvSnapshotException("layer " + l + " head " + hd + " slot " + i + ": reference "
                                + ref + " / merged size " + merged + " out of order or range");
                    }
                    previous = ref;
                    h.refs[i] = ref;
                    h.merged[i] = merged;
                }
                h.size = size;
                r.slotsAdded(size);
                if (stats) {
                    readFloats(in, h.accumulated, size);
                    readFloats(in, h.last, size);
                    readFloats(in, h.window, size);
                }
                if (norms) {
                    readFloats(in, h.keyNorm, size);
                    readFloats(in, h.valueNorm, size);
                }
                h.main.readRaw(in, size);
                if (h.residual != null) {
                    h.residual.readRaw(in, size);
                }
                int held = h.main.count() + (h.residual == null ? 0 : h.residual.count());
                if (held != size) {
                    throw new KvSnapshotException("layer " + l + " head " + hd + " pages hold " + held
                            + " tokens for " + size + " slots");
                }
            }
        }
    }

    private static void readFloats(DataInputStream in, float[] a, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            a[i] = Float.intBitsToFloat(in.readInt());
        }
    }

    private static void closeQuietly(PagedKvSequence seq) {
        if (seq != null) {
            seq.close();
        }
    }
}

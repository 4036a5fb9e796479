package dev.sightline.tokenizer;

import dev.sightline.protocol.BadRecordException;
import dev.sightline.protocol.BinaryHeader;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;

/**
 * One stream's audio as the allocation stage knows it: how far audio has arrived and, per time window, how many
 * audio tokens there were and how many the pruner kept (the window's salience is kept/total). Kept in a state
 * store; only the most recent {@link #MAX_WINDOWS} windows are remembered.
 */
final class AudioTimeline {
    static final int MAGIC = BinaryHeader.magic("SLAT");
    static final int VERSION = 1;
    static final int MAX_WINDOWS = 64;

    /** End of the latest audio chunk seen, or -1 before any. */
    long coveredUntilMicros = -1;
    /** Arrival counter of this stream's frames waiting for audio (keys of the pending store). */
    long nextPending;
    /** Last window reported missing on the errors topic, so a gap is reported once, not once per frame. */
    long lastMissingReported = Long.MIN_VALUE;
    /** window index -> {kept, total} */
    final TreeMap<Long, int[]> windows = new TreeMap<>();

    boolean hadAudio() {
        return coveredUntilMicros >= 0;
    }

    void count(long window, boolean kept) {
        int[] kt = windows.computeIfAbsent(window, w -> new int[2]);
        if (kept) {
            kt[0]++;
        }
        kt[1]++;
        while (windows.size() > MAX_WINDOWS) {
            windows.pollFirstEntry();
        }
    }

    /** The window's salience S = kept/total, or NaN when no audio token fell in it. */
    double salience(long window) {
        int[] kt = windows.get(window);
        return kt == null || kt[1] == 0 ? Double.NaN : (double) kt[0] / kt[1];
    }

    byte[] toBytes() {
        ByteBuffer out = ByteBuffer.allocate(BinaryHeader.SIZE + 8 + 8 + 8 + 4 + windows.size() * 16);
        BinaryHeader.write(out, MAGIC, VERSION);
        out.putLong(coveredUntilMicros).putLong(nextPending).putLong(lastMissingReported).putInt(windows.size());
        for (Map.Entry<Long, int[]> e : windows.entrySet()) {
            out.putLong(e.getKey()).putInt(e.getValue()[0]).putInt(e.getValue()[1]);
        }
        return out.array();
    }

    static AudioTimeline fromBytes(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            BinaryHeader.read(in, MAGIC, VERSION, VERSION, "AudioTimeline");
            AudioTimeline t = new AudioTimeline();
            t.coveredUntilMicros = in.getLong();
            t.nextPending = in.getLong();
            t.lastMissingReported = in.getLong();
            int n = in.getInt();
            for (int i = 0; i < n; i++) {
                t.windows.put(in.getLong(), new int[]{in.getInt(), in.getInt()});
            }
            return t;
        } catch (BufferUnderflowException e) {
            throw new BadRecordException("AudioTimeline", "truncated state");
        }
    }

    static Serde<AudioTimeline> serde() {
        return Serdes.serdeFrom((topic, s) -> s == null ? null : s.toBytes(),
                (topic, b) -> b == null ? null : fromBytes(b));
    }
}

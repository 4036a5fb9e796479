package dev.sightline.bench.streamqa;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The spoken words, made once with espeak-ng (training/streamqa/make_clip_bank.sh) and committed as 16 kHz mono
 * 16-bit WAV files under {@code dev/sightline/bench/streamqa/clips/}. Clips are read once and kept.
 */
public final class ClipBank {

    private static final String FOLDER = "/dev/sightline/bench/streamqa/clips/";
    private final Map<String, short[]> clips = new ConcurrentHashMap<>();

    private ClipBank() {
    }

    public static ClipBank bundled() {
        return new ClipBank();
    }

    /** The samples of {@code word}; a word outside {@link StreamQaSpec#WORDS} is an error naming it. */
    public short[] clip(String word) {
        if (!StreamQaSpec.WORDS.contains(word)) {
            throw new IllegalArgumentException("'" + word + "' is not in the clip bank " + StreamQaSpec.WORDS);
        }
        return clips.computeIfAbsent(word, ClipBank::read);
    }

    private static short[] read(String word) {
        String path = FOLDER + word + ".wav";
        try (InputStream in = ClipBank.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("clip bank file " + path + " is missing from the class path");
            }
            return pcm16(in.readAllBytes(), path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read clip " + path, e);
        }
    }

    /** The samples of a RIFF/WAVE file that must be PCM, mono, 16-bit, 16 kHz. */
    static short[] pcm16(byte[] wav, String name) {
        ByteBuffer b = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
        if (wav.length < 12 || b.getInt(0) != 0x46464952 || b.getInt(8) != 0x45564157) {
            throw new IllegalArgumentException(name + " is not a RIFF/WAVE file");
        }
        int pos = 12;
        boolean formatOk = false;
        while (pos + 8 <= wav.length) {
            int id = b.getInt(pos);
            int size = b.getInt(pos + 4);
            int body = pos + 8;
            if (size < 0 || body + size > wav.length) {
                throw new IllegalArgumentException(name + " has a truncated chunk at byte " + pos);
            }
            if (id == 0x20746d66) { // "fmt "
                int format = b.getShort(body) & 0xFFFF;
                int channels = b.getShort(body + 2);
                int rate = b.getInt(body + 4);
                int bits = b.getShort(body + 14);
                if (format != 1 || channels != 1 || rate != StreamQaSpec.SAMPLE_RATE || bits != 16) {
                    throw new IllegalArgumentException(name + " must be PCM mono 16-bit 16 kHz, got format " + format
                            + ", " + channels + " channels, " + rate + " Hz, " + bits + " bits");
                }
                formatOk = true;
            } else if (id == 0x61746164) { // "data"
                if (!formatOk) {
                    throw new IllegalArgumentException(name + " has its data before its fmt chunk");
                }
                short[] out = new short[size / 2];
                b.position(body);
                b.asShortBuffer().get(out);
                return out;
            }
            pos = body + size + (size & 1);
        }
        throw new IllegalArgumentException(name + " has no data chunk");
    }
}

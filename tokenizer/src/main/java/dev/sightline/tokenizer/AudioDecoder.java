package dev.sightline.tokenizer;

import dev.sightline.protocol.AudioChunk;

/** An {@link AudioChunk} to mono float PCM at the audio tower's rate (channels averaged, linear resampling). */
final class AudioDecoder {
    private AudioDecoder() {
    }

    static float[] decode(AudioChunk chunk, int targetRate) {
        int ch = chunk.channels();
        int n = chunk.frameCount();
        float[] mono = new float[n];
        short[] s = chunk.samples();
        for (int i = 0; i < n; i++) {
            float acc = 0;
            for (int c = 0; c < ch; c++) {
                acc += s[i * ch + c];
            }
            mono[i] = acc / (ch * 32768f);
        }
        if (chunk.sampleRate() == targetRate) {
            return mono;
        }
        int outLen = (int) ((long) n * targetRate / chunk.sampleRate());
        float[] out = new float[outLen];
        double step = (double) chunk.sampleRate() / targetRate;
        for (int i = 0; i < outLen; i++) {
            double x = i * step;
            int i0 = (int) x;
            int i1 = Math.min(i0 + 1, n - 1);
            double f = x - i0;
            out[i] = (float) (mono[i0] * (1 - f) + mono[i1] * f);
        }
        return out;
    }
}

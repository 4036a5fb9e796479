package dev.sightline.tokenizer;

/**
 * The seam to an audio tower plus projection: mono PCM at {@link #sampleRate()} becomes a sequence of token
 * embeddings, each with its own time and a salience in [0, 1] (how much that token matters; OmniZip takes it from
 * the attention the audio encoder's last layer gives the token, an energy-based encoder from loudness).
 */
public interface AudioEncoder {

    int sampleRate();

    int dim();

    /** Encodes one chunk. {@code pcm} is mono in [-1, 1]; {@code startPtsMicros} is the time of sample 0. */
    AudioEncoding encode(float[] pcm, long startPtsMicros);

    /** Token embeddings with the time each starts at and its salience; all three arrays have the same length. */
    record AudioEncoding(float[][] embeddings, long[] ptsMicros, float[] salience) {
        public AudioEncoding {
            if (embeddings.length != ptsMicros.length || embeddings.length != salience.length) {
                throw new IllegalArgumentException("audio encoding arrays differ in length: " + embeddings.length
                        + " embeddings, " + ptsMicros.length + " times, " + salience.length + " saliences");
            }
        }

        public int size() {
            return embeddings.length;
        }
    }
}

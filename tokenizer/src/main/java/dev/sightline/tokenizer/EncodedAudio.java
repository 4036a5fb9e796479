package dev.sightline.tokenizer;

import dev.sightline.protocol.tokens.TokenBatch;

/** An audio chunk's tokens with each token's salience, on its way from the audio tower to the allocation stage. */
record EncodedAudio(TokenBatch batch, float[] salience) {
}

package dev.sightline.tokenizer;

/** A stream reached a terminal state (ingest reported ENDED or FAILED): flush what waits and forget its state. */
record StreamEnded(String streamId, String state) {
}

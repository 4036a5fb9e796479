package dev.sightline.kv;

/** Where a stored token came from. */
public enum Modality {
    TEXT, VIDEO, AUDIO
}

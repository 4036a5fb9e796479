package dev.sightline.ingest;

/** How a frame is brought to the configured output size when the aspect ratios differ. */
public enum FitMode {
    /**
     * Letterbox (the default): scale the whole frame to fit inside the output, centred, and fill the rest with
     * black. Nothing of the scene is lost, which matters when a question is about something at the edge.
     */
    PAD,
    /** Scale to cover the output and cut off the overhang at both sides (centre crop). No black bars. */
    CROP,
    /** Scale each axis independently to the output size (distorts shapes). */
    STRETCH
}

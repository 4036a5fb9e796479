package dev.sightline.tokenizer;

/**
 * The four reduction stages' settings for one stream; each stage has its own {@code enabled} switch.
 * {@link #DEFAULTS} has all four on with the defaults documented on each stage's {@code Config}.
 */
public record StageSettings(PixelGate.Config gate, TemporalDrop.Config temporal, SpatialMerge.Config spatial,
                            AudioGuidedAllocation.Config allocation) {

    public static final StageSettings DEFAULTS = new StageSettings(PixelGate.Config.DEFAULT,
            TemporalDrop.Config.DEFAULT, SpatialMerge.Config.DEFAULT, AudioGuidedAllocation.Config.DEFAULT);

    /** Every stage off: the tower's tokens pass unchanged (the baseline of the benchmark). */
    public static final StageSettings ALL_OFF = new StageSettings(PixelGate.Config.OFF, TemporalDrop.Config.OFF,
            SpatialMerge.Config.OFF, AudioGuidedAllocation.Config.OFF);

    public StageSettings withGate(PixelGate.Config c) {
        return new StageSettings(c, temporal, spatial, allocation);
    }

    public StageSettings withTemporal(TemporalDrop.Config c) {
        return new StageSettings(gate, c, spatial, allocation);
    }

    public StageSettings withSpatial(SpatialMerge.Config c) {
        return new StageSettings(gate, temporal, c, allocation);
    }

    public StageSettings withAllocation(AudioGuidedAllocation.Config c) {
        return new StageSettings(gate, temporal, spatial, c);
    }
}

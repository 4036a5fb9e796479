package dev.sightline.deploy;

import java.util.Map;

/**
 * One stream to ingest: its id (the Kafka key of all its records), its source URL or file, and the settings it
 * overrides for itself. Values it does not override come from the global {@link SightlineConfig}.
 *
 * @param overrides per-stream values, already parsed (only settings with {@link Setting#perStream()})
 * @param origin    where it was defined, for error messages (e.g. {@code sightline.yaml streams[2]})
 */
public record StreamConfig(String id, String url, Map<Setting<?>, Object> overrides, String origin) {

    public StreamConfig {
        overrides = Map.copyOf(overrides);
    }

    /** This stream's value of {@code setting}: its own override, else the global value. */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting, SightlineConfig global) {
        Object own = overrides.get(setting);
        return own != null ? (T) own : global.get(setting);
    }
}

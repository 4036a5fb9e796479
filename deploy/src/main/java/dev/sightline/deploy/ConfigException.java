package dev.sightline.deploy;

/** A configuration problem, with a message that names the setting, its value and where the value came from. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}

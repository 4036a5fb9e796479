package dev.sightline.model;

/** A checkpoint, config or input that cannot be used, with a message naming what is wrong and where. */
public class ModelFormatException extends RuntimeException {

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.sightline.tokenizer;

/** A frame or audio chunk that decoded as a record but whose content cannot be used; the message says why. */
final class BadInputException extends Exception {
    BadInputException(String message) {
        super(message);
    }

    BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}

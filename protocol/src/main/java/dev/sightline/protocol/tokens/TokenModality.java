package dev.sightline.protocol.tokens;

/** Which tower a token batch came out of. The wire code is stable; never renumber. */
public enum TokenModality {
    VIDEO(1), AUDIO(2);

    private final int code;

    TokenModality(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static TokenModality fromCode(int code) {
        for (TokenModality m : values()) {
            if (m.code == code) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown token modality code " + code + " (known: 1 video, 2 audio)");
    }
}

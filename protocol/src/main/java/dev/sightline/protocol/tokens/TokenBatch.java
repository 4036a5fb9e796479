package dev.sightline.protocol.tokens;

import java.util.List;
import java.util.Objects;

/**
 * The compact tokens of one video frame or one audio chunk, as the tokenizer publishes them on the tokens topic.
 *
 * @param streamId        the camera/stream this came from (also the Kafka key)
 * @param sequence        the source frame's or audio chunk's sequence number in its stream
 * @param ptsStartMicros  stream time where the source frame/chunk starts
 * @param ptsEndMicros    stream time where it ends (for a frame, its pts plus its frame interval or the same pts)
 * @param modality        video or audio
 * @param gridRows        rows of the frame's full token grid before reduction (0 for audio)
 * @param gridCols        columns of that grid (0 for audio)
 * @param sourceTokens    how many tokens the tower produced before the reduction stages
 * @param dim             embedding width, shared by every token
 * @param tokens          the kept tokens, in grid (or time) order; may be empty when everything was redundant
 */
public record TokenBatch(String streamId, long sequence, long ptsStartMicros, long ptsEndMicros,
                         TokenModality modality, int gridRows, int gridCols, int sourceTokens, int dim,
                         List<Token> tokens) {

    public TokenBatch {
        Objects.requireNonNull(modality, "modality");
        if (streamId == null || streamId.isEmpty()) {
            throw new IllegalArgumentException("token batch needs a non-empty stream id");
        }
        if (ptsEndMicros < ptsStartMicros) {
            throw new IllegalArgumentException("token batch pts range is backwards: " + ptsStartMicros + ".." + ptsEndMicros);
        }
        if (gridRows < 0 || gridCols < 0 || sourceTokens < 0 || dim < 1) {
            throw new IllegalArgumentException("token batch grid " + gridRows + "x" + gridCols + ", sourceTokens "
                    + sourceTokens + ", dim " + dim + ": grid/sourceTokens must be >= 0 and dim >= 1");
        }
        tokens = List.copyOf(tokens);
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.embedding().length != dim) {
                throw new IllegalArgumentException("token " + i + " has dim " + t.embedding().length + ", batch dim is " + dim);
            }
            if (modality == TokenModality.VIDEO
                    && (t.patchRow() < 0 || t.patchRow() >= gridRows || t.patchCol() < 0 || t.patchCol() >= gridCols)) {
                throw new IllegalArgumentException("video token " + i + " at row " + t.patchRow() + " col "
                        + t.patchCol() + " is outside the " + gridRows + "x" + gridCols + " grid");
            }
        }
    }

    /** Original tokens these kept tokens stand for (sum of merged sizes). */
    public int representedTokens() {
        int n = 0;
        for (Token t : tokens) {
            n += t.mergedSize();
        }
        return n;
    }
}

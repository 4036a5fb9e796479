package dev.sightline.runtime;

import dev.sightline.kv.Modality;
import dev.sightline.kv.TokenInfo;
import dev.sightline.protocol.tokens.Token;
import dev.sightline.protocol.tokens.TokenBatch;
import dev.sightline.protocol.tokens.TokenModality;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One token batch laid out for prefill as a session lays it out: the prompt's text before it (for a frame, its
 * "Frame from mm:ss:" line and opening image tokens), the batch's own embeddings, the text after it, at consecutive
 * positions from {@code firstPosition}. The text is tied to the batch's time and index, so frame-granular policies
 * keep it with its frame. Public so that the StreamQA evaluation prefills exactly what a live session does.
 *
 * @param embeddings row-major {@code [tokens][hidden]}
 * @param tokens     what kv-memory stores about each row
 */
public record BatchPrompt(float[] embeddings, List<TokenInfo> tokens) {

    /**
     * Lays out {@code batch} between the text ids {@code before} and {@code after} (either may be empty), embedding
     * the text with {@code embed} ({@code ids -> [ids][hidden]}).
     */
    public static BatchPrompt of(TokenBatch batch, int[] before, int[] after, int hidden,
                                 Function<int[], float[]> embed, long firstPosition) {
        int n = before.length + batch.tokens().size() + after.length;
        float[] embeddings = new float[n * hidden];
        List<TokenInfo> infos = new ArrayList<>(n);
        int frameIndex = (int) Math.min(Integer.MAX_VALUE, batch.sequence());
        long position = text(before, 0, embeddings, infos, firstPosition, batch, frameIndex, hidden, embed);
        int at = before.length;
        for (Token t : batch.tokens()) {
            System.arraycopy(t.embedding(), 0, embeddings, at * hidden, hidden);
            int index = (int) Math.min(Integer.MAX_VALUE, t.frameIndex());
            infos.add(batch.modality() == TokenModality.VIDEO
                    ? TokenInfo.video(position++, t.ptsMicros(), index, t.patchRow(), t.patchCol(), t.mergedSize())
                    : TokenInfo.audio(position++, t.ptsMicros(), index, t.mergedSize()));
            at++;
        }
        text(after, at, embeddings, infos, position, batch, frameIndex, hidden, embed);
        return new BatchPrompt(embeddings, infos);
    }

    /** Puts text {@code ids} at row {@code at}; returns the next position. */
    private static long text(int[] ids, int at, float[] embeddings, List<TokenInfo> infos, long position,
                             TokenBatch batch, int frameIndex, int hidden, Function<int[], float[]> embed) {
        if (ids.length == 0) {
            return position;
        }
        System.arraycopy(embed.apply(ids), 0, embeddings, at * hidden, ids.length * hidden);
        for (int i = 0; i < ids.length; i++) {
            infos.add(new TokenInfo(position++, Modality.TEXT, batch.ptsStartMicros(), frameIndex, -1, -1, 1, false));
        }
        return position;
    }
}

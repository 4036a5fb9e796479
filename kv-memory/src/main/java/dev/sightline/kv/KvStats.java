package dev.sightline.kv;

/**
 * A snapshot of one session's memory for metrics: bytes against the budget, tokens per layer and head, and what
 * compression has done so far.
 *
 * @param budgetBytes        the session's hard limit
 * @param usedBytes          pages plus metadata in use now (never above the budget)
 * @param pageBytes          bytes of pages held (keys, values, quantization scales, page slack)
 * @param metadataBytes      bytes counted for token descriptions, slot references and attention statistics
 * @param peakBytes          the most ever used
 * @param pages              pages held
 * @param tokens             distinct tokens still held by at least one head of the memory
 * @param meanTokensPerHead  slots per (layer, KV head), averaged: what the watermarks compare against
 * @param minTokensPerHead   the shortest head
 * @param maxTokensPerHead   the longest head
 * @param tokensPerLayerHead slots per layer and KV head
 * @param dialogueTokens     tokens in the multi-turn dialogue region
 * @param blocks             blocks stored in the memory (not counting overlays)
 * @param compressions       compression passes run
 * @param evictedSlots       (layer, head, token) slots evicted
 * @param droppedTokens      tokens evicted from every head
 * @param refusals           allocations refused for the budget
 * @param compressionNanos   time spent compressing
 */
public record KvStats(long budgetBytes, long usedBytes, long pageBytes, long metadataBytes, long peakBytes, int pages,
                      int tokens, double meanTokensPerHead, int minTokensPerHead, int maxTokensPerHead,
                      int[][] tokensPerLayerHead, int dialogueTokens, long blocks, long compressions,
                      long evictedSlots, long droppedTokens, long refusals, long compressionNanos) {
}

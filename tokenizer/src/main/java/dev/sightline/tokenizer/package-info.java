/**
 * The tokenizer: a Kafka Streams application that turns frames and audio chunks (keyed by stream id) into compact
 * token batches on the tokens topic, removing redundancy before it costs anything downstream.
 *
 * <p>Start with {@link dev.sightline.tokenizer.Tokenizer} (the running application) or
 * {@link dev.sightline.tokenizer.TokenizerTopology#build} (the topology alone). Per frame, in order:
 * <ol>
 *   <li>{@link dev.sightline.tokenizer.PixelGate} (RLT): tower patches whose pixels barely changed skip the vision
 *       tower; a token cell with no changed patch reuses its last embedding or is dropped. Default tau 0.02,
 *       REUSE.</li>
 *   <li>the vision tower behind {@link dev.sightline.tokenizer.FrameEncoder}
 *       ({@link dev.sightline.tokenizer.SmolVlmFrameEncoder} for the model's SigLIP + connector): it runs on the
 *       changed patches only, and the connector re-runs for the cells that hold one, with the stream's remembered
 *       outputs of their unchanged patches (the {@code tokenizer-patch-memory} store).</li>
 *   <li>{@link dev.sightline.tokenizer.TemporalDrop} (DyCoke TTM / TimeChat DTD): drop tokens with cosine above theta
 *       to the last kept token at the same cell. Default theta 0.9, floor 10%, keyframe every 16.</li>
 *   <li>{@link dev.sightline.tokenizer.SpatialMerge} (ToMe bipartite soft matching): merge up to 25% of a frame's
 *       tokens into look-alikes (cosine at least 0.8), sizes carried.</li>
 *   <li>{@link dev.sightline.tokenizer.AudioGuidedAllocation} (OmniZip): audio tokens pruned by salience; each 2 s
 *       window's audio salience sets how many video tokens its frames keep.</li>
 * </ol>
 * Ingest's events topic is followed too: when a stream ENDED or FAILED, its waiting frames go out at once and its
 * per-stream state is deleted. Every stage has its own switch per stream ({@link dev.sightline.tokenizer.StageSettings},
 * {@link dev.sightline.tokenizer.TokenizerConfig#withStream}); counters are in
 * {@link dev.sightline.tokenizer.TokenizerMetrics} and in Kafka Streams' metrics.
 */
package dev.sightline.tokenizer;

/**
 * The KV memory of a streaming multimodal decoder under a fixed budget in bytes.
 *
 * <h2>Pieces</h2>
 * <ul>
 *   <li>{@link dev.sightline.kv.KvSequence}: the only interface the model engine uses to store keys and values and
 *       attend over them, block by block. {@link dev.sightline.kv.DenseKvSequence} is the exact, unbounded
 *       reference; {@link dev.sightline.kv.PagedKvSequence} is the session memory.</li>
 *   <li>{@link dev.sightline.kv.KvPool}: one off-heap slab (FFM {@code Arena}) allocated at start-up and split into
 *       fixed-size pages; sessions reserve their budget in it when they open.</li>
 *   <li>{@link dev.sightline.kv.KvMemoryConfig}: budget, {@link dev.sightline.kv.PageFormat} (F16, Q8, KIVI 4/2-bit),
 *       watermarks, recent window, {@link dev.sightline.kv.CompressionPolicy}.</li>
 *   <li>{@link dev.sightline.kv.Policies}: policies by name ({@code infinipot-v}, {@code streammem},
 *       {@code recent-frames}, ... and wrappers {@code adakv:}, {@code pyramidkv:}, {@code chunkkv:}).</li>
 *   <li>{@link dev.sightline.kv.KvStats}: bytes, tokens per layer and head, compressions, evictions.</li>
 *   <li>Snapshots: {@link dev.sightline.kv.PagedKvSequence#writeSnapshot} and
 *       {@link dev.sightline.kv.PagedKvSequence#restore}, versioned and checksummed.</li>
 * </ul>
 *
 * <h2>Positions</h2>
 * Keys are stored after RoPE, rotated at their original positions. Eviction leaves gaps in the positions; nothing is
 * re-indexed or re-rotated, and new tokens continue from {@link dev.sightline.kv.KvSequence#nextPosition()}.
 *
 * <h2>Memory contract</h2>
 * A session never uses more than its budget: pages (keys, values, quantization scales and page slack) and a fixed
 * count of heap bytes per token description and per head slot are charged, and an allocation that would pass the
 * budget is refused with {@link dev.sightline.kv.KvBudgetExceededException} before anything changes. The pool never
 * admits more session budgets than its capacity. Attention scratch buffers (decoded keys and values of one head while
 * attending) live on the heap, outside the budget, and are sized by the longest head.
 */
package dev.sightline.kv;

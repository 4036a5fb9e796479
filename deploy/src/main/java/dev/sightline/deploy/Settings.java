package dev.sightline.deploy;

import static dev.sightline.deploy.ValueParsers.attemptsOrForever;
import static dev.sightline.deploy.ValueParsers.bool;
import static dev.sightline.deploy.ValueParsers.byteSize;
import static dev.sightline.deploy.ValueParsers.byteSizeOrUnlimited;
import static dev.sightline.deploy.ValueParsers.intIn;
import static dev.sightline.deploy.ValueParsers.oneOf;
import static dev.sightline.deploy.ValueParsers.path;
import static dev.sightline.deploy.ValueParsers.positiveDouble;
import static dev.sightline.deploy.ValueParsers.positiveDuration;
import static dev.sightline.deploy.ValueParsers.text;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every setting Sightline reads, in one catalogue: the YAML file, the environment variables, the command-line flags
 * and the README's table all come from this list, so they cannot drift apart.
 *
 * <p>Precedence: default &lt; YAML file &lt; environment variable &lt; flag. A {@code streams:} entry's own values win
 * over all of them for that stream, because they are the most specific.
 */
public final class Settings {

    private Settings() {
    }

    // Kafka connection and the embedded broker.
    public static final Setting<String> BOOTSTRAP_SERVERS = global("kafka.bootstrap-servers", "--bootstrap-servers", "",
            "Kafka cluster to use (host:port,...). Empty: start the embedded single-node broker.", text());
    public static final Setting<Path> BROKER_DATA_DIR = global("broker.data-dir", "--data-dir", "",
            "Embedded broker's data folder. Empty: `./sightline-data/kafka`, or for `demo` its temporary working folder.",
            path());
    public static final Setting<Integer> BROKER_PORT = global("broker.port", "--broker-port", "9092",
            "Embedded broker's client port on 127.0.0.1 (0: any free port; `demo` always picks a free one unless set).",
            intIn(0, 65535));
    public static final Setting<Duration> BROKER_RETENTION = global("broker.retention", "--retention", "24h",
            "How long the embedded broker keeps records (`log.retention.ms`), so an edge box's disk does not fill.",
            positiveDuration());
    public static final Setting<Long> BROKER_RETENTION_BYTES = global("broker.retention-bytes", "--retention-bytes",
            "unlimited", "Most bytes the embedded broker keeps per partition (`log.retention.bytes`); the oldest "
                    + "records go first.", byteSizeOrUnlimited());

    // Topics.
    public static final Setting<String> TOPICS_PREFIX = global("topics.prefix", "--topic-prefix", "sightline.",
            "Common prefix of all topic names.", text());
    public static final Setting<Integer> TOPICS_PARTITIONS = global("topics.partitions", "--partitions", "1",
            "Partitions of each topic created at start-up (streams spread over them by stream id).", intIn(1, 10_000));
    public static final Setting<Integer> TOPICS_REPLICATION = global("topics.replication-factor",
            "--replication-factor", "1", "Replicas of each topic created at start-up.", intIn(1, 32));
    public static final Setting<Integer> MAX_MESSAGE_BYTES = global("topics.max-message-bytes", "--max-message-bytes",
            "8MiB", "Largest record: topics' `max.message.bytes`, broker `message.max.bytes`, producer and consumer "
                    + "limits. At least 64KiB.", byteSize(64 * 1024, Integer.MAX_VALUE));
    public static final Setting<String> TOPIC_FRAMES = topicName("frames");
    public static final Setting<String> TOPIC_AUDIO = topicName("audio");
    public static final Setting<String> TOPIC_TOKENS = topicName("tokens");
    public static final Setting<String> TOPIC_QUERIES = topicName("queries");
    public static final Setting<String> TOPIC_ANSWERS = topicName("answers");
    public static final Setting<String> TOPIC_EVENTS = topicName("events");
    public static final Setting<String> TOPIC_ERRORS = topicName("errors");

    // Ingest defaults; each may also be set per stream.
    public static final Setting<Double> INGEST_FPS = perStream("ingest.fps", "--fps", "1",
            "Video frames sampled per second of presentation time.", positiveDouble(240));
    public static final Setting<Integer> INGEST_WIDTH = perStream("ingest.width", "--width", "640",
            "Width of the frames sent to Kafka, in pixels.", intIn(16, 8192));
    public static final Setting<Integer> INGEST_HEIGHT = perStream("ingest.height", "--height", "360",
            "Height of the frames sent to Kafka, in pixels.", intIn(16, 8192));
    public static final Setting<String> INGEST_FIT = perStream("ingest.fit", "--fit", "pad",
            "How frames reach width x height when aspect ratios differ: `pad` (letterbox, nothing lost), `crop` "
                    + "(centre crop) or `stretch`.", oneOf("pad", "crop", "stretch"));
    public static final Setting<String> INGEST_ENCODING = perStream("ingest.encoding", "--encoding", "jpeg",
            "Frame encoding: `jpeg` or `rgb` (raw RGB24).", oneOf("jpeg", "rgb"));
    public static final Setting<Integer> INGEST_JPEG_QUALITY = perStream("ingest.jpeg-quality", "--jpeg-quality", "85",
            "JPEG quality, 1 (smallest) to 100 (best).", intIn(1, 100));
    public static final Setting<Boolean> INGEST_AUDIO = perStream("ingest.audio", "--audio", "true",
            "Whether to send the audio track (resampled to 16 kHz mono s16).", bool());
    public static final Setting<Duration> INGEST_AUDIO_CHUNK = perStream("ingest.audio-chunk", "--audio-chunk", "1s",
            "Length of each audio chunk, 10ms to 60s.", positiveDuration());
    public static final Setting<Duration> INGEST_RECONNECT_BASE = perStream("ingest.reconnect.base",
            "--reconnect-base", "5s", "First wait before reconnecting a live source; doubles per failed attempt.",
            positiveDuration());
    public static final Setting<Duration> INGEST_RECONNECT_CAP = perStream("ingest.reconnect.cap", "--reconnect-cap",
            "60s", "Longest wait between reconnect attempts.", positiveDuration());
    public static final Setting<Integer> INGEST_RECONNECT_ATTEMPTS = perStream("ingest.reconnect.attempts",
            "--reconnect-attempts", "forever", "Reconnect attempts before a live stream is declared FAILED.",
            attemptsOrForever());
    public static final Setting<Duration> INGEST_WATCHDOG = perStream("ingest.watchdog", "--watchdog", "20s",
            "A live source that delivers no data for this long is reconnected.", positiveDuration());
    public static final Setting<String> INGEST_LIVE = perStream("ingest.live", "--live", "auto",
            "`auto`: network URLs and /dev/video* are live (reconnect, drop oldest when behind), files are not "
                    + "(no drops); `true`/`false` force it.", oneOf("auto", "true", "false"));
    public static final Setting<Boolean> INGEST_PACE = perStream("ingest.pace", "--pace", "false",
            "Read files at their own speed, as if live, instead of as fast as possible.", bool());
    public static final Setting<Integer> INGEST_QUEUE = perStream("ingest.queue-capacity", "--queue-capacity", "8",
            "Frames waiting to be encoded and sent; a live source drops the oldest beyond this (counted).",
            intIn(1, 10_000));

    // The model, the tokenizer and the runtime (tokenize, runtime, demo).
    public static final Setting<Path> MODEL_DIR = global("model.dir", "--model",
            ModelFolders.DEFAULT_MODEL, "Hugging Face folder of the vision tower and decoder (SmolVLM family). A "
                    + "relative path is looked up from the working folder, then from the repository root. The default "
                    + "is the small model trained on StreamQA scenes (issue 8; shapes, colours, digits, tones, spoken "
                    + "words), with its own audio tower.", path());
    public static final Setting<Path> AUDIO_MODEL_DIR = global("model.audio-dir", "--audio-model",
            ModelFolders.AUTO_AUDIO, "Whisper-encoder folder (with its projector) of the audio tower; its output width "
                    + "must be the decoder's. `auto`: the model's own audio tower, or the model module's tiny random "
                    + "test encoder for a model without one.", path());
    public static final Setting<String> TOKENIZER_STAGES = global("tokenizer.stages", "--stages", "auto",
            "The tokenizer's reduction stages (pixel gate, temporal drop, spatial merge, audio-guided allocation): "
                    + "`on`, `off`, or `auto`: off for a model trained on StreamQA (it was trained on whole frames and "
                    + "loses most of its accuracy on reduced ones), on for any other.", oneOf("auto", "on", "off"));
    public static final Setting<Path> STATE_DIR = global("state.dir", "--state-dir", "sightline-data",
            "Local state of `tokenize` and `runtime` (Kafka Streams stores, memory checkpoints); `demo` uses its "
                    + "temporary working folder.", path());
    public static final Setting<Integer> RUNTIME_BUDGET = global("runtime.budget", "--budget", "64MiB",
            "Each stream's fixed KV-memory budget, reserved whole from the pool when the stream arrives. `demo` "
                    + "uses 512KiB (about a third of the default clip's full cache) unless set.", byteSize(1024, Integer.MAX_VALUE));
    public static final Setting<Long> RUNTIME_POOL = global("runtime.pool", "--pool", "512MiB",
            "The one off-heap KV pool all sessions share; a stream whose budget no longer fits is refused with an "
                    + "event.", ValueParsers.byteSizeOrUnlimited().andThen(ValueParsers::positive));
    public static final Setting<String> RUNTIME_POLICY = global("runtime.policy", "--policy", "infinipot-v",
            "kv-memory compression policy by name, e.g. `infinipot-v`, `streammem`, `snapkv`, `recent-frames`, "
                    + "or wrapped as `adakv:snapkv`; an unknown name gets the list of known ones.",
            ValueParsers.policy());
    public static final Setting<String> RUNTIME_PAGE_FORMAT = global("runtime.page-format", "--page-format", "f16",
            "How KV pages store keys and values: `f16`, `q8`, `kivi4` or `kivi2`.", oneOf("f16", "q8", "kivi4", "kivi2"));
    public static final Setting<Integer> RUNTIME_PAGE_BYTES = global("runtime.page-bytes", "--page-bytes", "16KiB",
            "KV page size. `demo` uses 1KiB unless set.", byteSize(256, 64 * 1024 * 1024));
    public static final Setting<Integer> RUNTIME_HTTP_PORT = global("runtime.http-port", "--http-port", "8080",
            "Port of the runtime's HTTP API on all interfaces (0: any free port; -1: no HTTP). `demo` picks a free "
                    + "one unless set.", intIn(-1, 65535));
    public static final Setting<String> RUNTIME_SYSTEM_PROMPT = global("runtime.system-prompt", "--system-prompt",
            "", "Text pinned at the start of every session's memory. Unset: none for a model trained on StreamQA (it "
                    + "was trained without one), a short camera-watching instruction for any other.", text());
    public static final Setting<Integer> RUNTIME_MAX_TOKENS = global("runtime.max-tokens", "--max-tokens", "64",
            "Answer length when a question names none (a question may ask for up to 8x this).", intIn(1, 4096));
    public static final Setting<String> RUNTIME_BACKPRESSURE = global("runtime.backpressure", "--backpressure",
            "drop_oldest", "When inference falls 30 s behind the stream: `drop_oldest` (skip the oldest batches, "
                    + "reported as gaps), `lower_frame_rate` or `none`.", oneOf("drop_oldest", "lower_frame_rate", "none"));

    /** All settings, in README order. */
    public static final List<Setting<?>> ALL = List.of(
            BOOTSTRAP_SERVERS, BROKER_DATA_DIR, BROKER_PORT, BROKER_RETENTION, BROKER_RETENTION_BYTES,
            TOPICS_PREFIX, TOPICS_PARTITIONS, TOPICS_REPLICATION, MAX_MESSAGE_BYTES,
            TOPIC_FRAMES, TOPIC_AUDIO, TOPIC_TOKENS, TOPIC_QUERIES, TOPIC_ANSWERS, TOPIC_EVENTS, TOPIC_ERRORS,
            INGEST_FPS, INGEST_WIDTH, INGEST_HEIGHT, INGEST_FIT, INGEST_ENCODING, INGEST_JPEG_QUALITY,
            INGEST_AUDIO, INGEST_AUDIO_CHUNK, INGEST_RECONNECT_BASE, INGEST_RECONNECT_CAP, INGEST_RECONNECT_ATTEMPTS,
            INGEST_WATCHDOG, INGEST_LIVE, INGEST_PACE, INGEST_QUEUE,
            MODEL_DIR, AUDIO_MODEL_DIR, TOKENIZER_STAGES, STATE_DIR, RUNTIME_BUDGET, RUNTIME_POOL, RUNTIME_POLICY,
            RUNTIME_PAGE_FORMAT,
            RUNTIME_PAGE_BYTES, RUNTIME_HTTP_PORT, RUNTIME_SYSTEM_PROMPT, RUNTIME_MAX_TOKENS, RUNTIME_BACKPRESSURE);

    private static final Map<String, Setting<?>> BY_KEY =
            ALL.stream().collect(Collectors.toUnmodifiableMap(Setting::key, s -> s));

    public static Optional<Setting<?>> byKey(String key) {
        return Optional.ofNullable(BY_KEY.get(key));
    }

    /** The settings a {@code streams:} entry may override, by their key inside the entry (e.g. {@code fps}). */
    public static Optional<Setting<?>> byStreamKey(String streamKey) {
        return ALL.stream().filter(Setting::perStream).filter(s -> s.streamKey().equals(streamKey)).findFirst();
    }

    private static <T> Setting<T> global(String key, String flag, String def, String description,
                                         Function<String, T> parser) {
        return new Setting<>(key, flag, def, description, parser, false);
    }

    private static <T> Setting<T> perStream(String key, String flag, String def, String description,
                                            Function<String, T> parser) {
        return new Setting<>(key, flag, def, description, parser, true);
    }

    private static Setting<String> topicName(String topic) {
        return global("topics." + topic, "--topic-" + topic, "",
                "Name of the " + topic + " topic. Empty: prefix + `" + topic + "`.", text());
    }
}

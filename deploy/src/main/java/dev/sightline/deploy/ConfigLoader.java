package dev.sightline.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * Builds a {@link SightlineConfig} from, in rising precedence: each setting's default, one YAML file, environment
 * variables ({@link Setting#envVar()}) and command-line flags. Every value is parsed and checked here, so a
 * mistake stops the command at start-up with a message naming the key, the value and where it came from.
 *
 * <p>The YAML file mirrors the dotted keys ({@code topics: {prefix: cams.}} is {@code topics.prefix}) and has a
 * {@code streams:} list of {@code {id, url, ...per-stream ingest settings}}.
 */
public final class ConfigLoader {

    /** Environment variable naming the YAML file when no {@code --config} flag is given. */
    public static final String CONFIG_ENV = "SIGHTLINE_CONFIG";
    /** The file read when neither {@code --config} nor {@value #CONFIG_ENV} names one, if it exists. */
    public static final Path DEFAULT_FILE = Path.of("sightline.yaml");

    private static final Pattern STREAM_ID = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    private ConfigLoader() {
    }

    /**
     * @param file        the YAML file, or null for none
     * @param env         the environment (normally {@link System#getenv()})
     * @param flags       setting key to the text given on the command line
     * @param streamFlags {@code id=url} pairs from {@code --stream}
     */
    public static SightlineConfig load(Path file, Map<String, String> env, Map<String, String> flags,
                                       List<String> streamFlags) {
        Map<Setting<?>, String> texts = new LinkedHashMap<>();
        Map<Setting<?>, String> origins = new HashMap<>();
        for (Setting<?> s : Settings.ALL) {
            texts.put(s, s.defaultValue());
            origins.put(s, "default");
        }
        List<StreamConfig> streams = new ArrayList<>();
        if (file != null) {
            readFile(file, texts, origins, streams);
        }
        List<String> warnings = new ArrayList<>();
        readEnv(env, texts, origins, warnings);
        for (var flag : flags.entrySet()) {
            Setting<?> s = Settings.byKey(flag.getKey()).orElseThrow(
                    () -> new IllegalArgumentException("no setting with key " + flag.getKey()));
            texts.put(s, flag.getValue());
            origins.put(s, "flag " + s.flag());
        }
        for (String pair : streamFlags) {
            streams.add(streamFromFlag(pair));
        }
        requireUniqueIds(streams);

        Map<Setting<?>, Object> values = new HashMap<>();
        for (var e : texts.entrySet()) {
            Setting<?> s = e.getKey();
            String text = e.getValue() == null ? "" : e.getValue();
            Object v = s.parse(text, origins.get(s));
            if (v != null) {
                values.put(s, v);
            }
        }
        SightlineConfig config = new SightlineConfig(values, origins, streams, warnings);
        config.topicNames(); // validates renamed topics now rather than at first use
        return config;
    }

    /** The YAML file to read: {@code --config}, else {@value #CONFIG_ENV}, else {@code ./sightline.yaml} if present. */
    public static Optional<Path> chooseFile(Path flag, Map<String, String> env) {
        if (flag != null) {
            return Optional.of(flag);
        }
        String fromEnv = env.get(CONFIG_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(Path.of(fromEnv));
        }
        return Files.isRegularFile(DEFAULT_FILE) ? Optional.of(DEFAULT_FILE) : Optional.empty();
    }

    private static void readFile(Path file, Map<Setting<?>, String> texts, Map<Setting<?>, String> origins,
                                 List<StreamConfig> streams) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("configuration file " + file + " does not exist or is not a file");
        }
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new ConfigException("configuration file " + file + " is not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""));
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return; // an empty file is a valid, empty configuration
        }
        if (!root.isObject()) {
            throw new ConfigException("configuration file " + file + " must be a YAML mapping of settings");
        }
        String origin = "file " + file;
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            var field = fields.next();
            if (field.getKey().equals("streams")) {
                readStreams(field.getValue(), file, streams);
            } else {
                readSettings(field.getKey(), field.getValue(), origin, (key, text) -> {
                    Setting<?> s = Settings.byKey(key).orElseThrow(() -> unknownKey(key, origin, allKeys()));
                    texts.put(s, text);
                    origins.put(s, origin);
                });
            }
        }
    }

    private interface LeafSink {
        void accept(String key, String text);
    }

    /** Walks nested mappings down to scalar leaves, handing each leaf's dotted key and text to {@code sink}. */
    private static void readSettings(String key, JsonNode node, String origin, LeafSink sink) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                var f = fields.next();
                readSettings(key + "." + f.getKey(), f.getValue(), origin, sink);
            }
        } else if (node.isNull()) {
            // "key:" with no value: keep the default
        } else if (node.isValueNode()) {
            sink.accept(key, node.asText());
        } else {
            throw new ConfigException("setting '" + key + "' (" + origin + ") must be a single value, not a list");
        }
    }

    private static void readStreams(JsonNode node, Path file, List<StreamConfig> streams) {
        if (node.isNull()) {
            return;
        }
        if (!node.isArray()) {
            throw new ConfigException("'streams' in " + file + " must be a list of {id, url, ...} entries");
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode entry = node.get(i);
            String origin = "file " + file + " streams[" + i + "]";
            if (!entry.isObject()) {
                throw new ConfigException(origin + " must be a mapping with at least 'id' and 'url'");
            }
            String id = requiredText(entry, "id", origin);
            String url = requiredText(entry, "url", origin);
            String streamOrigin = origin + " (" + id + ")";
            Map<Setting<?>, Object> overrides = new HashMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields = entry.fields();
            while (fields.hasNext()) {
                var f = fields.next();
                if (f.getKey().equals("id") || f.getKey().equals("url")) {
                    continue;
                }
                readSettings(f.getKey(), f.getValue(), streamOrigin, (key, text) -> {
                    Setting<?> s = Settings.byStreamKey(key).orElseThrow(
                            () -> unknownKey(key, streamOrigin, streamKeys()));
                    Object v = s.parse(text, streamOrigin);
                    if (v != null) {
                        overrides.put(s, v);
                    }
                });
            }
            streams.add(new StreamConfig(checkedId(id, streamOrigin), url, overrides, streamOrigin));
        }
    }

    private static String requiredText(JsonNode entry, String field, String origin) {
        JsonNode v = entry.get(field);
        if (v == null || !v.isValueNode() || v.isNull() || v.asText().isBlank()) {
            throw new ConfigException(origin + " needs a non-empty '" + field + "'");
        }
        return v.asText().trim();
    }

    static StreamConfig streamFromFlag(String pair) {
        int eq = pair.indexOf('=');
        String origin = "flag --stream " + pair;
        if (eq <= 0 || eq == pair.length() - 1) {
            throw new ConfigException("invalid " + origin + ": expected id=url, e.g. --stream lobby=rtsp://cam/1");
        }
        return new StreamConfig(checkedId(pair.substring(0, eq).trim(), origin), pair.substring(eq + 1).trim(),
                Map.of(), origin);
    }

    private static String checkedId(String id, String origin) {
        if (!STREAM_ID.matcher(id).matches()) {
            throw new ConfigException("invalid stream id '" + id + "' (" + origin
                    + "): use 1-200 of a-z A-Z 0-9 . _ -");
        }
        return id;
    }

    private static void requireUniqueIds(List<StreamConfig> streams) {
        Map<String, StreamConfig> seen = new HashMap<>();
        for (StreamConfig s : streams) {
            StreamConfig before = seen.putIfAbsent(s.id(), s);
            if (before != null) {
                throw new ConfigException("stream id '" + s.id() + "' is defined twice: " + before.origin()
                        + " and " + s.origin());
            }
        }
    }

    private static void readEnv(Map<String, String> env, Map<Setting<?>, String> texts,
                                Map<Setting<?>, String> origins, List<String> warnings) {
        Set<String> known = new HashSet<>();
        for (Setting<?> s : Settings.ALL) {
            known.add(s.envVar());
            String v = env.get(s.envVar());
            if (v != null) {
                texts.put(s, v);
                origins.put(s, "env " + s.envVar());
            }
        }
        known.add(CONFIG_ENV);
        for (String name : new TreeSet<>(env.keySet())) {
            // Other tools may own SIGHTLINE_ names (the launcher, later modules), so an unknown one only warns.
            if (name.startsWith("SIGHTLINE_") && !known.contains(name)) {
                String hint = closest(name, known).map(k -> "; did you mean " + k + "?").orElse("");
                warnings.add("environment variable " + name + " is not a Sightline setting" + hint);
            }
        }
    }

    private static ConfigException unknownKey(String key, String origin, Set<String> known) {
        String hint = closest(key, known).map(k -> " Did you mean '" + k + "'?").orElse("");
        return new ConfigException("unknown setting '" + key + "' (" + origin + ")." + hint
                + " Known settings: " + String.join(", ", known));
    }

    private static Set<String> allKeys() {
        Set<String> keys = new TreeSet<>();
        Settings.ALL.forEach(s -> keys.add(s.key()));
        keys.add("streams");
        return keys;
    }

    private static Set<String> streamKeys() {
        Set<String> keys = new TreeSet<>(List.of("id", "url"));
        Settings.ALL.stream().filter(Setting::perStream).forEach(s -> keys.add(s.streamKey()));
        return keys;
    }

    /** The known name nearest to a misspelt one, if it is close enough to be a likely typo. */
    private static Optional<String> closest(String name, Set<String> known) {
        return known.stream()
                .map(k -> Map.entry(k, editDistance(name.toLowerCase(), k.toLowerCase())))
                .filter(e -> e.getValue() <= Math.max(2, name.length() / 4))
                .min(Comparator.comparingInt(Map.Entry::getValue))
                .map(Map.Entry::getKey);
    }

    /** Edits (insert, delete, replace, swap of neighbours) that turn {@code a} into {@code b}. */
    private static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}

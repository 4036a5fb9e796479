package dev.sightline.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A Hugging Face checkpoint folder: {@code config.json} plus its weights, mapped from {@code model.safetensors}, from
 * the shards listed in {@code model.safetensors.index.json}, or from every {@code *.safetensors} file in the folder
 * when there is no index (so extra parts such as an audio projector can sit beside the main file).
 *
 * <p>The mappings live as long as this object; close it to unmap.
 */
public final class Checkpoint implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Arena arena;
    private final JsonNode config;
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    private Checkpoint(Path dir, Arena arena, JsonNode config) {
        this.dir = dir;
        this.arena = arena;
        this.config = config;
    }

    public static Checkpoint open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ModelFormatException("model folder " + dir + " does not exist or is not a directory");
        }
        Path configPath = dir.resolve("config.json");
        if (!Files.isRegularFile(configPath)) {
            throw new ModelFormatException("model folder " + dir + " has no config.json");
        }
        JsonNode config;
        try {
            config = JSON.readTree(configPath.toFile());
        } catch (IOException e) {
            throw new ModelFormatException("cannot parse " + configPath + ": " + e.getMessage(), e);
        }
        Arena arena = Arena.ofShared();
        Checkpoint cp = new Checkpoint(dir, arena, config);
        try {
            for (Path file : weightFiles(dir)) {
                SafetensorsFile f = SafetensorsFile.open(file, arena);
                for (Map.Entry<String, Tensor> e : f.tensors.entrySet()) {
                    if (cp.tensors.put(e.getKey(), e.getValue()) != null) {
                        throw new ModelFormatException("tensor '" + e.getKey() + "' appears in more than one file of "
                                + dir);
                    }
                }
            }
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
        return cp;
    }

    private static List<Path> weightFiles(Path dir) {
        Path index = dir.resolve("model.safetensors.index.json");
        Set<Path> files = new LinkedHashSet<>();
        if (Files.isRegularFile(index)) {
            try {
                JsonNode map = JSON.readTree(index.toFile()).path("weight_map");
                for (Iterator<JsonNode> it = map.elements(); it.hasNext(); ) {
                    Path p = dir.resolve(it.next().asText());
                    if (!Files.isRegularFile(p)) {
                        throw new ModelFormatException(index + " names shard " + p.getFileName()
                                + " which is missing");
                    }
                    files.add(p);
                }
            } catch (IOException e) {
                throw new ModelFormatException("cannot parse " + index + ": " + e.getMessage(), e);
            }
            // Extra files beside the index that it does not name (e.g. an added audio projector).
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> all = new ArrayList<>(s.filter(p -> p.getFileName().toString().endsWith(".safetensors"))
                    .sorted().toList());
            if (!files.isEmpty()) {
                all.removeIf(p -> p.getFileName().toString().matches("model-\\d+-of-\\d+\\.safetensors"));
            }
            files.addAll(all);
        } catch (IOException e) {
            throw new ModelFormatException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new ModelFormatException("model folder " + dir + " has no .safetensors weights");
        }
        return new ArrayList<>(files);
    }

    public Path dir() {
        return dir;
    }

    /** The parsed {@code config.json}. */
    public JsonNode config() {
        return config;
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /** The named tensor, or a clear error naming it and the folder. */
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new ModelFormatException("checkpoint " + dir + " is missing tensor '" + name + "'");
        }
        return t;
    }

    /**
     * The prefix in front of the first tensor whose name ends with {@code suffix}, trying each candidate prefix in
     * order (checkpoints name the same model differently: {@code model.}, {@code model.text_model.}, ...).
     */
    public String prefixOf(String suffix, String... candidates) {
        for (String c : candidates) {
            if (tensors.containsKey(c + suffix)) {
                return c;
            }
        }
        for (String name : tensors.keySet()) {
            if (name.endsWith(suffix)) {
                return name.substring(0, name.length() - suffix.length());
            }
        }
        return null;
    }

    @Override
    public void close() {
        arena.close();
    }
}

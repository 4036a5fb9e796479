package dev.sightline.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@code .safetensors} file mapped read-only into memory: an 8-byte little-endian header length, a JSON header
 * naming each tensor's dtype, shape and byte range, then the data. Every tensor is a slice of the mapping, so weights
 * stay in the page cache rather than on the Java heap.
 */
final class SafetensorsFile {

    private static final long MAX_HEADER = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path path;
    final Map<String, Tensor> tensors = new LinkedHashMap<>();

    private SafetensorsFile(Path path) {
        this.path = path;
    }

    static SafetensorsFile open(Path path, Arena arena) {
        SafetensorsFile file = new SafetensorsFile(path);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new ModelFormatException(path + " is truncated: " + size + " bytes, not even a header length");
            }
            MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerLen = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
                throw new ModelFormatException(path + " is truncated or not safetensors: header length " + headerLen
                        + " with file size " + size);
            }
            byte[] header = all.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
            JsonNode root;
            try {
                root = JSON.readTree(new String(header, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new ModelFormatException(path + " has an unreadable safetensors header: " + e.getMessage(), e);
            }
            long dataStart = 8 + headerLen;
            long dataSize = size - dataStart;
            for (Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                if (name.equals("__metadata__")) {
                    continue;
                }
                JsonNode t = e.getValue();
                DType dtype = DType.fromHeader(t.path("dtype").asText("?"), name, path.toString());
                JsonNode shapeNode = t.path("shape");
                long[] shape = new long[shapeNode.size()];
                long count = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shapeNode.get(i).asLong();
                    count *= shape[i];
                }
                JsonNode offs = t.path("data_offsets");
                long begin = offs.path(0).asLong(-1);
                long end = offs.path(1).asLong(-1);
                if (begin < 0 || end < begin || end - begin != count * dtype.bytes()) {
                    throw new ModelFormatException("tensor '" + name + "' in " + path + " has data_offsets [" + begin
                            + ", " + end + "] that do not fit its shape and dtype");
                }
                if (end > dataSize) {
                    throw new ModelFormatException(path + " is truncated: tensor '" + name + "' ends at byte "
                            + (dataStart + end) + " but the file has " + size);
                }
                file.tensors.put(name, new Tensor(name, dtype, shape, all.asSlice(dataStart + begin, end - begin)));
            }
        } catch (IOException e) {
            throw new ModelFormatException("cannot read " + path + ": " + e.getMessage(), e);
        }
        return file;
    }
}

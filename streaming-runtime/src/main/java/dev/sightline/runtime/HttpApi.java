package dev.sightline.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sightline.kv.KvBudgetExceededException;
import dev.sightline.protocol.Answer;
import dev.sightline.protocol.JsonSerde;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * The runtime's HTTP endpoints (JDK HTTP server, one virtual thread per request):
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: OpenAI-compatible; the stream is chosen by {@code stream_id} or else by
 *       {@code model}; the last user message is the question; {@code "stream": true} answers with server-sent events
 *       token by token, ending with {@code data: [DONE]}. The memory is the context: earlier messages are not
 *       replayed. The answer's memory figures, evidence and latencies come back in a {@code sightline} field.</li>
 *   <li>{@code GET /v1/streams}: the sessions on this instance with their memory figures, and refused streams.</li>
 *   <li>{@code GET /health/live}, {@code GET /health/ready} (model loaded, application running, broker reachable).</li>
 *   <li>{@code GET /metrics}: Prometheus text format.</li>
 * </ul>
 * At most {@link #CONCURRENT_ANSWERS} answers run at once; more get 429. An answer over HTTP holds its session's
 * lock, so it briefly pauses that stream's prefill.
 */
final class HttpApi {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    static final int CONCURRENT_ANSWERS = 4;
    private static final ObjectMapper JSON = JsonSerde.MAPPER;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final StreamingRuntime runtime;
    private final Semaphore answering = new Semaphore(CONCURRENT_ANSWERS);

    private HttpApi(HttpServer server, StreamingRuntime runtime) {
        this.server = server;
        this.runtime = runtime;
    }

    static HttpApi start(int port, StreamingRuntime runtime) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(port), 64);
            HttpApi api = new HttpApi(server, runtime);
            server.setExecutor(api.executor);
            server.createContext("/v1/chat/completions", api::chat);
            server.createContext("/v1/streams", ex -> api.guard(ex, () -> api.streams(ex)));
            server.createContext("/health/live", ex -> api.guard(ex, () -> api.text(ex, 200, "live\n")));
            server.createContext("/health/ready", ex -> api.guard(ex, () -> {
                boolean ready = runtime.ready();
                api.text(ex, ready ? 200 : 503, ready ? "ready\n" : "not ready: " + runtime.state() + "\n");
            }));
            server.createContext("/metrics", ex -> api.guard(ex, () -> {
                byte[] body = runtime.scrapeMetrics().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }));
            server.start();
            return api;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the HTTP server on port " + port + ": " + e.getMessage(), e);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    void stop() {
        server.stop(1);
        executor.shutdownNow();
    }

    private interface Body {
        void run() throws IOException;
    }

    private void guard(HttpExchange ex, Body body) {
        try (ex) {
            body.run();
        } catch (IOException | RuntimeException e) {
            LOG.warn("HTTP {} {} failed: {}", ex.getRequestMethod(), ex.getRequestURI(), e.toString());
            if (ex.getResponseCode() == -1) {       // nothing sent yet: say so rather than drop the connection
                try {
                    error(ex, 500, "internal error: " + e, null);
                } catch (IOException | RuntimeException ignored) {
                    // the client is gone
                }
            }
        }
    }

    private void streams(HttpExchange ex) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("object", "list");
        root.set("data", JSON.valueToTree(runtime.sessions()));
        root.set("refused", JSON.valueToTree(runtime.refusedStreams()));
        json(ex, 200, root);
    }

    private void chat(HttpExchange ex) {
        guard(ex, () -> {
            if (!"POST".equals(ex.getRequestMethod())) {
                error(ex, 405, "use POST for /v1/chat/completions", null);
                return;
            }
            JsonNode req;
            try {
                req = JSON.readTree(ex.getRequestBody());
            } catch (IOException e) {
                error(ex, 400, "request body is not valid JSON: " + e.getMessage(), null);
                return;
            }
            if (req == null || !req.isObject()) {
                error(ex, 400, "request body must be a JSON object", null);
                return;
            }
            String streamId = text(req, "stream_id", text(req, "model", null));
            if (streamId == null || streamId.isBlank()) {
                error(ex, 400, "name the stream in 'stream_id' or 'model'", "model");
                return;
            }
            String question = lastUserMessage(req.get("messages"));
            if (question == null || question.isBlank()) {
                error(ex, 400, "'messages' needs a user message with text (the question)", "messages");
                return;
            }
            RuntimeConfig cfg = runtime.config();
            int maxTokens = req.has("max_completion_tokens") ? req.get("max_completion_tokens").asInt()
                    : req.has("max_tokens") ? req.get("max_tokens").asInt() : cfg.defaultMaxTokens();
            if (maxTokens < 1 || maxTokens > cfg.maxTokensLimit()) {
                error(ex, 400, "max_tokens " + maxTokens + " is outside 1.." + cfg.maxTokensLimit()
                        + " (this runtime's limit)", "max_tokens");
                return;
            }
            double temperature = req.path("temperature").asDouble(0);
            double topP = req.path("top_p").asDouble(1);
            if (temperature < 0 || !(topP > 0 && topP <= 1)) {
                error(ex, 400, "temperature must be >= 0 and top_p in (0, 1]", "temperature");
                return;
            }
            var decoding = new SessionModel.Decoding(maxTokens, (float) temperature, (float) topP,
                    req.path("seed").asLong(0));
            StreamSession session = runtime.registry().find(streamId).orElse(null);
            if (session == null) {
                String reason = runtime.registry().refusal(streamId).orElse(null);
                if (reason != null) {
                    error(ex, 503, "stream '" + streamId + "' has no session: " + reason, "model");
                } else {
                    error(ex, 404, "unknown stream '" + streamId + "': no session on this instance", "model");
                }
                return;
            }
            if (!answering.tryAcquire()) {
                error(ex, 429, "too many answers in progress (" + CONCURRENT_ANSWERS + "); retry shortly", null);
                return;
            }
            try {
                answer(ex, session, question, decoding, req.path("stream").asBoolean(false));
            } finally {
                answering.release();
            }
        });
    }

    private void answer(HttpExchange ex, StreamSession session, String question, SessionModel.Decoding decoding,
                        boolean sse) throws IOException {
        String id = "chatcmpl-" + UUID.randomUUID();
        long created = System.currentTimeMillis() / 1000;
        String modelId = session.streamId();
        long start = System.nanoTime();
        OutputStream out = null;
        if (sse) {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            ex.sendResponseHeaders(200, 0);
            out = ex.getResponseBody();
            sendChunk(out, chunk(id, created, modelId, JSON.createObjectNode().put("role", "assistant"), null));
        }
        final OutputStream stream = out;
        StreamSession.Reply reply;
        Answer.Memory memory;
        session.lock().lock();
        try {
            reply = session.answer(question, decoding, stream == null ? null : piece -> {
                try {
                    sendChunk(stream, chunk(id, created, modelId, JSON.createObjectNode().put("content", piece), null));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            memory = session.memoryFigures();
        } catch (KvBudgetExceededException e) {
            failAnswer(ex, stream, "the question does not fit in the session's free memory: " + e.getMessage());
            return;
        } catch (java.io.UncheckedIOException e) {
            return;                      // the client went away
        } finally {
            session.lock().unlock();
        }
        double total = (System.nanoTime() - start) / 1e6;
        ObjectNode extra = JSON.createObjectNode();
        extra.put("policy", session.policy());
        extra.put("model_id", runtime.model().modelId());
        extra.set("memory", JSON.valueToTree(memory));
        extra.set("evidence", JSON.valueToTree(reply.evidence()));
        extra.set("latency", JSON.valueToTree(new Answer.Latency(0, reply.prefillNanos() / 1e6,
                reply.decodeNanos() / 1e6, total)));
        String finish = reply.hitLimit() ? "length" : "stop";
        ObjectNode usage = JSON.createObjectNode();
        usage.put("prompt_tokens", reply.promptTokens());
        usage.put("completion_tokens", reply.generatedTokens());
        usage.put("total_tokens", reply.promptTokens() + reply.generatedTokens());
        runtime.metrics().answer(session.streamId(), false, 0, total);
        if (stream != null) {
            ObjectNode last = chunk(id, created, modelId, JSON.createObjectNode(), finish);
            last.set("usage", usage);
            last.set("sightline", extra);
            sendChunk(stream, last);
            stream.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            stream.close();
            return;
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("id", id);
        root.put("object", "chat.completion");
        root.put("created", created);
        root.put("model", modelId);
        ArrayNode choices = root.putArray("choices");
        ObjectNode choice = choices.addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", reply.text());
        choice.put("finish_reason", finish);
        root.set("usage", usage);
        root.set("sightline", extra);
        json(ex, 200, root);
    }

    private void failAnswer(HttpExchange ex, OutputStream sse, String message) throws IOException {
        if (sse == null) {
            error(ex, 400, message, "max_tokens");
            return;
        }
        ObjectNode err = JSON.createObjectNode();
        err.putObject("error").put("message", message).put("type", "invalid_request_error");
        sendChunk(sse, err);
        sse.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        sse.close();
    }

    private static ObjectNode chunk(String id, long created, String model, ObjectNode delta, String finish) {
        ObjectNode c = JSON.createObjectNode();
        c.put("id", id);
        c.put("object", "chat.completion.chunk");
        c.put("created", created);
        c.put("model", model);
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        return c;
    }

    private static void sendChunk(OutputStream out, JsonNode node) throws IOException {
        out.write(("data: " + JSON.writeValueAsString(node) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String text(JsonNode req, String field, String fallback) {
        JsonNode n = req.get(field);
        return n != null && n.isTextual() ? n.asText() : fallback;
    }

    /** The text of the last user message; content may be a string or a list of parts with type "text". */
    static String lastUserMessage(JsonNode messages) {
        if (messages == null || !messages.isArray()) {
            return null;
        }
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode m = messages.get(i);
            if (!"user".equals(m.path("role").asText())) {
                continue;
            }
            JsonNode content = m.get("content");
            if (content == null) {
                return null;
            }
            if (content.isTextual()) {
                return content.asText();
            }
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : content) {
                if ("text".equals(part.path("type").asText())) {
                    sb.append(part.path("text").asText());
                }
            }
            return sb.toString();
        }
        return null;
    }

    private void error(HttpExchange ex, int status, String message, String param) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode err = root.putObject("error");
        err.put("message", message);
        err.put("type", status == 404 ? "not_found_error" : status >= 500 ? "server_error" : "invalid_request_error");
        if (param != null) {
            err.put("param", param);
        }
        json(ex, status, root);
    }

    private void json(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void text(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}

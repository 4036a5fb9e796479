package dev.sightline.protocol;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates Sightline's topics at start-up when missing, with the configured partitions and
 * {@code max.message.bytes}. A topic that exists keeps its partitions; if its {@code max.message.bytes} is
 * below the configured limit it is raised, because producers are sized to that limit and would otherwise be
 * refused by the broker.
 */
public final class TopicSetup {
    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);
    private static final long TIMEOUT_SECONDS = 60;

    private TopicSetup() {
    }

    /** What {@link #ensureTopics} did. */
    public record Result(List<String> created, List<String> existing, List<String> raisedLimit) {
    }

    /** Ensures all seven topics of {@code names}. */
    public static Result ensureTopics(Admin admin, TopicNames names, TopicSettings settings) {
        return ensureTopics(admin, names.all(), settings);
    }

    public static Result ensureTopics(Admin admin, Collection<String> topics, TopicSettings settings) {
        try {
            Set<String> present = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            List<String> created = new ArrayList<>();
            List<String> existing = new ArrayList<>();
            for (String topic : topics) {
                if (present.contains(topic)) {
                    existing.add(topic);
                    continue;
                }
                NewTopic nt = new NewTopic(topic, settings.partitions(), settings.replicationFactor())
                        .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                                Integer.toString(settings.maxMessageBytes())));
                try {
                    admin.createTopics(List.of(nt)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    created.add(topic);
                    LOG.info("created topic {} ({} partitions, max.message.bytes={})", topic,
                            settings.partitions(), settings.maxMessageBytes());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    existing.add(topic); // another process created it meanwhile
                }
            }
            List<String> raised = raiseLimits(admin, existing, settings.maxMessageBytes());
            return new Result(List.copyOf(created), List.copyOf(existing), raised);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot create Sightline topics " + topics + ": " + cause, cause);
        }
    }

    private static List<String> raiseLimits(Admin admin, List<String> topics, int maxMessageBytes)
            throws ExecutionException, InterruptedException, TimeoutException {
        if (topics.isEmpty()) {
            return List.of();
        }
        List<ConfigResource> resources = topics.stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        List<String> raised = new ArrayList<>();
        for (var entry : configs.entrySet()) {
            ConfigEntry current = entry.getValue().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            int value = current == null ? 0 : Integer.parseInt(current.value());
            if (value < maxMessageBytes) {
                AlterConfigOp op = new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                        Integer.toString(maxMessageBytes)), AlterConfigOp.OpType.SET);
                admin.incrementalAlterConfigs(Map.of(entry.getKey(), List.of(op))).all()
                        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                raised.add(entry.getKey().name());
                LOG.info("raised max.message.bytes of {} from {} to {}", entry.getKey().name(), value,
                        maxMessageBytes);
            }
        }
        return List.copyOf(raised);
    }
}

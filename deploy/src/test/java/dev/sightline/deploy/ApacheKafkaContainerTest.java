package dev.sightline.deploy;

import dev.sightline.protocol.TopicNames;
import dev.sightline.protocol.TopicSettings;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Sightline's records and serdes against Apache Kafka's own container image, i.e. a broker we did not start. Runs
 * where Docker is available; elsewhere JUnit reports it as skipped.
 */
@Testcontainers(disabledWithoutDocker = true)
class ApacheKafkaContainerTest {

    /** The broker release matching our clients (kafka.version in the parent pom). */
    static final String IMAGE = "apache/kafka:4.3.1";

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer(IMAGE)
            .withEnv("KAFKA_MESSAGE_MAX_BYTES", String.valueOf(TopicSettings.DEFAULT_MAX_MESSAGE_BYTES));

    @Test
    void framesAndAudioSurviveARoundTripThroughOurSerdes() throws Exception {
        SightlineRecordsRoundTrip.run(KAFKA.getBootstrapServers(), TopicNames.withPrefix("tc."),
                new TopicSettings(2, (short) 1, TopicSettings.DEFAULT_MAX_MESSAGE_BYTES));
    }
}

package io.bitnetstreams.devstack.kafka;

/** The embedded Kafka cluster could not start, serve or stop as asked. */
public final class KafkaClusterException extends RuntimeException {

    public KafkaClusterException(String message) {
        super(message);
    }

    public KafkaClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}

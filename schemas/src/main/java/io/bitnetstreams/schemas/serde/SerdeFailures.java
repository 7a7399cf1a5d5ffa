package io.bitnetstreams.schemas.serde;

import io.bitnetstreams.schemas.serde.registry.SchemaRegistryException;
import java.util.Optional;

/**
 * Tells record problems from registry problems in whatever exception a Kafka client threw. A plain
 * {@code KafkaConsumer} wraps every deserializer failure in a {@code RecordDeserializationException} (itself a
 * {@code SerializationException}), so the type of the outer exception alone cannot decide between
 * dead-lettering the record and retrying later.
 */
public final class SerdeFailures {

    /** Guards against cyclic cause chains. */
    private static final int MAX_DEPTH = 16;

    private SerdeFailures() {}

    /** The record problem in the cause chain, if any: the record should go to the dead-letter topic. */
    public static Optional<SerdeException> recordProblem(Throwable failure) {
        return find(failure, SerdeException.class);
    }

    /** The registry failure in the cause chain, if any: the record is fine, retry once the registry answers. */
    public static Optional<SchemaRegistryException> registryProblem(Throwable failure) {
        return find(failure, SchemaRegistryException.class);
    }

    private static <E extends Throwable> Optional<E> find(Throwable failure, Class<E> type) {
        Throwable current = failure;
        for (int depth = 0; current != null && depth < MAX_DEPTH; depth++, current = current.getCause()) {
            if (type.isInstance(current)) {
                return Optional.of(type.cast(current));
            }
        }
        return Optional.empty();
    }
}

package io.bitnetstreams.schemas.serde;

import io.bitnetstreams.avro.DeadLetterReason;
import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A record that cannot be (de)serialized for a reason carried by the record itself, so retrying will not help:
 * route it to the dead-letter topic with {@link #deadLetterReason()}. Registry outages are not SerdeExceptions
 * (see {@code SchemaRegistryException}).
 */
public abstract sealed class SerdeException extends SerializationException
        permits MalformedRecordException, UnknownSchemaIdException, WrongSchemaException, RecordEncodingException {

    /** Why the record was refused. */
    public enum Reason {
        /** Not in the wire format: bad magic byte, too short, truncated or corrupt Avro body. */
        MALFORMED(DeadLetterReason.MALFORMED_RECORD),
        /** The schema id in the header is not known to the registry. */
        UNKNOWN_SCHEMA_ID(DeadLetterReason.UNKNOWN_SCHEMA_ID),
        /** The writer schema cannot be resolved to the reader's type (or to the subject's latest schema). */
        WRONG_SCHEMA(DeadLetterReason.WRONG_SCHEMA),
        /** The producer's object cannot be encoded (e.g. a required field left null). */
        ENCODING_FAILED(DeadLetterReason.PRODUCTION_ERROR);

        private final DeadLetterReason deadLetterReason;

        Reason(DeadLetterReason deadLetterReason) {
            this.deadLetterReason = deadLetterReason;
        }

        public DeadLetterReason deadLetterReason() {
            return deadLetterReason;
        }
    }

    private final Reason reason;
    private final String topic;

    SerdeException(Reason reason, String topic, String message, Throwable cause) {
        super("[" + reason + "] topic '" + topic + "': " + message, cause);
        this.reason = Objects.requireNonNull(reason);
        this.topic = topic;
    }

    public Reason reason() {
        return reason;
    }

    /** The matching reason code of the DeadLetter schema. */
    public DeadLetterReason deadLetterReason() {
        return reason.deadLetterReason();
    }

    /** Topic of the record, as passed to the serde. */
    public String topic() {
        return topic;
    }
}

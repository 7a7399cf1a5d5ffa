package io.bitnetstreams.schemas.serde;

/** The bytes are not a Confluent-wire-format Avro record: bad magic byte, too short, truncated or corrupt body. */
public final class MalformedRecordException extends SerdeException {

    public MalformedRecordException(String topic, String message, Throwable cause) {
        super(Reason.MALFORMED, topic, message, cause);
    }
}

package io.bitnetstreams.schemas.serde;

/** The producer's object could not be encoded with its schema, typically a required field left null. */
public final class RecordEncodingException extends SerdeException {

    public RecordEncodingException(String topic, String message, Throwable cause) {
        super(Reason.ENCODING_FAILED, topic, message, cause);
    }
}

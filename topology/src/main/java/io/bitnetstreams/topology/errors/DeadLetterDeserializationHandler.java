package io.bitnetstreams.topology.errors;

import io.bitnetstreams.avro.DeadLetterReason;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Kafka Streams itself cannot deserialize go to the dead-letter topic and processing continues. (The
 * topology reads its inputs as bytes and decodes them in its own processors, so this is the safety net.)
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);
    private DeadLetterRecords records;

    @Override
    public void configure(Map<String, ?> configs) {
        records = new DeadLetterRecords(configs);
    }

    /** For tests: configure with a ready-made record builder. */
    void configure(DeadLetterRecords records) {
        this.records = records;
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        if (DeadLetterRecords.isRegistryOutage(exception)) {
            LOG.error("schema registry unavailable while reading {}-{}@{}", context.topic(), context.partition(),
                    context.offset(), exception);
            return Response.fail();
        }
        LOG.warn("dead-lettering undeserializable record {}-{}@{}: {}", context.topic(), context.partition(),
                context.offset(), exception.toString());
        return Response.resume(records.of(context,
                DeadLetterRecords.reasonOf(exception, DeadLetterReason.MALFORMED_RECORD), exception));
    }
}

package io.bitnetstreams.topology.errors;

import io.bitnetstreams.avro.DeadLetterReason;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An output record that cannot be serialized (or is too large to send) dead-letters its source record
 * (PRODUCTION_ERROR) instead of stopping the application; other send errors fail as usual.
 */
public final class DeadLetterProductionHandler implements ProductionExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProductionHandler.class);
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
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
            SerializationExceptionOrigin origin) {
        if (DeadLetterRecords.isRegistryOutage(exception)) {
            LOG.error("schema registry unavailable writing to {}", record.topic(), exception);
            return Response.fail();
        }
        LOG.error("cannot serialize the {} of a record for {}: dead-lettering its source record", origin,
                record.topic(), exception);
        return Response.resume(records.of(context, DeadLetterReason.PRODUCTION_ERROR, exception));
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (exception instanceof RecordTooLargeException) {
            LOG.error("record for {} too large: dead-lettering its source record", record.topic(), exception);
            return Response.resume(records.of(context, DeadLetterReason.PRODUCTION_ERROR, exception));
        }
        return Response.fail();
    }
}

package io.bitnetstreams.topology.errors;

import io.bitnetstreams.avro.DeadLetterReason;
import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An unexpected exception in a processor dead-letters the source record (PROCESSING_ERROR) and processing goes
 * on; schema registry outages instead fail the thread, which is replaced and retries the record.
 */
public final class DeadLetterProcessingHandler implements ProcessingExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);
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
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (DeadLetterRecords.isRegistryOutage(exception)) {
            LOG.error("schema registry unavailable in {}", context.processorNodeId(), exception);
            return Response.fail();
        }
        LOG.error("dead-lettering record {}-{}@{} after an error in {}", context.topic(), context.partition(),
                context.offset(), context.processorNodeId(), exception);
        return Response.resume(records.of(context, DeadLetterReason.PROCESSING_ERROR, exception));
    }
}

package io.bitnetstreams.topology.processors;

import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.topology.RequestValidator;
import io.bitnetstreams.topology.state.RequestStatus;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Sends invalid requests (see {@link RequestValidator}) to the dead-letter sink, valid ones on. */
public final class ValidateProcessor implements Processor<String, Envelope<InferenceRequest>, String, Object> {

    static final String STAGE = "topology.validate";

    private final RequestValidator validator;
    private final String statusStoreName;
    private final String next;
    private final DeadLettering deadLettering;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, RequestStatus> status;

    public ValidateProcessor(RequestValidator validator, String statusStoreName, String next, DeadLettering deadLettering) {
        this.validator = validator;
        this.statusStoreName = statusStoreName;
        this.next = next;
        this.deadLettering = deadLettering;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.status = context.getStateStore(statusStoreName);
    }

    @Override
    public void process(Record<String, Envelope<InferenceRequest>> record) {
        InferenceRequest request = record.value().value();
        var rejection = validator.check(record.key(), request, context.currentSystemTimeMs());
        if (rejection.isEmpty()) {
            context.forward(record, next);
            return;
        }
        String id = request.getRequestId();
        boolean ownsStatus = id != null && !id.isBlank() && id.equals(record.key());
        deadLettering.send(context, record, record.value().rawKey(), record.value().rawValue(),
                rejection.get().reason(), rejection.get().message(), STAGE, id == null || id.isBlank() ? null : id,
                ownsStatus ? status : null);
    }
}

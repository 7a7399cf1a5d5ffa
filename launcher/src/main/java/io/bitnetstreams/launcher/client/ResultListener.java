package io.bitnetstreams.launcher.client;

import io.bitnetstreams.contract.TopicNames;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Reads the final records (the three result topics and the dead-letter topic) with read_committed, starting at their
 * current ends, and hands each one with its request id to a handler. No consumer group: every run sees every record.
 */
public final class ResultListener implements AutoCloseable {

    private final RecordTail tail;

    private ResultListener(RecordTail tail) {
        this.tail = tail;
    }

    /** Starts listening at the current end of every final topic; {@code handler} runs on the listener thread. */
    public static ResultListener start(Map<String, Object> consumerConfig, Map<String, Object> serdeConfig,
                                       TopicNames topics, Duration metadataTimeout, BiConsumer<String, Object> handler) {
        List<String> finalTopics = List.of(topics.classificationResults(), topics.extractionResults(),
                topics.generationResults(), topics.deadLetters());
        return new ResultListener(RecordTail.start("result-listener", consumerConfig, serdeConfig, finalTopics,
                metadataTimeout, Duration.ofMillis(200),
                value -> ResultMapper.requestId(value).ifPresent(id -> handler.accept(id, value))));
    }

    @Override
    public void close() {
        tail.close();
    }
}

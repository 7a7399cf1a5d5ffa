package io.bitnetstreams.topology.processors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.Test;

class CommitPacerTest {

    private static MockProcessorContext<Object, Object> context(long commitIntervalMs) {
        var config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "pacer-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9");
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(commitIntervalMs));
        return new MockProcessorContext<>(config);
    }

    /** Reads one record at {@code atMs}; true if it asked for a commit. */
    private static boolean read(CommitPacer.Pace pace, MockProcessorContext<Object, Object> context, long atMs) {
        context.resetCommit();
        context.setCurrentSystemTimeMs(atMs);
        pace.recordRead();
        return context.committed();
    }

    @Test
    void aRecordAfterAnIdleIntervalAsksForACommitRecordsOfABusyThreadRideTheInterval() {
        var context = context(50);
        var pace = new CommitPacer().pace(context);

        assertThat(read(pace, context, 1_000)).as("first record of the thread").isTrue();
        assertThat(read(pace, context, 1_010)).as("10 ms later: busy").isFalse();
        assertThat(read(pace, context, 1_055)).as("45 ms after the last read").isFalse();
        // a steady stream never asks, however long it lasts
        for (long at = 1_100; at < 3_000; at += 40) {
            assertThat(read(pace, context, at)).as("steady stream at %d", at).isFalse();
        }
        assertThat(read(pace, context, 3_050)).as("a whole interval after the last read").isTrue();
    }

    @Test
    void anIntervalOfZeroAsksForEveryRecord() {
        var context = context(0);
        var pace = new CommitPacer().pace(context);

        assertThat(read(pace, context, 5)).isTrue();
        assertThat(read(pace, context, 5)).isTrue();
        assertThat(read(pace, context, 6)).isTrue();
    }

    @Test
    void theTasksOfOneThreadShareThePaceOfAnInputOtherThreadsAndInputsHaveTheirOwn() throws Exception {
        var pacer = new CommitPacer();
        var first = context(50);
        var second = context(50);
        var firstTask = pacer.pace(first);
        var secondTask = pacer.pace(second);

        assertThat(read(firstTask, first, 100)).isTrue();
        assertThat(read(secondTask, second, 120)).as("another task of the same thread reading the same input").isFalse();

        boolean otherThread = CompletableFuture.supplyAsync(() -> read(pacer.pace(second), second, 130)).get();
        assertThat(otherThread).as("the same moment on another stream thread").isTrue();

        var otherInput = context(50);
        assertThat(read(new CommitPacer().pace(otherInput), otherInput, 140))
                .as("the same thread reading another input: a request's next hop").isTrue();
    }

    @Test
    void readsTheIntervalAsStreamsGivesIt() {
        assertThat(CommitPacer.intervalMs(Map.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 50L))).isEqualTo(50);
        assertThat(CommitPacer.intervalMs(Map.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, " 25 "))).isEqualTo(25);
        assertThat(CommitPacer.intervalMs(context(75).appConfigs())).isEqualTo(75);
    }
}

package io.bitnetstreams.loadtest.measure;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.contract.TaskKind;
import org.junit.jupiter.api.Test;

class RequestRecordTest {

    private static RequestRecord withHops(RequestRecord.Hops hops) {
        return new RequestRecord("r", TaskKind.CLASSIFY, 128, 0, 0, 50_000_000, Outcome.DONE, 0, 20, 128, 1, null, hops);
    }

    @Test
    void aFinalResultOfTheTopologySplitsTheReturnIntoTheWorkersCommitAndTheTopologysPart() {
        // sent 1000, work done 1030, work result published 1031, final made by the topology 1043, read 1050
        RequestRecord record = withHops(new RequestRecord.Hops(1000, 1030, 1031, 1043, 1050));
        assertThat(record.workerCommitMs()).isEqualTo(1);
        assertThat(record.topologyReturnMs()).isEqualTo(12);
        assertThat(record.returnMs()).isEqualTo(13);
        assertThat(record.deliveryMs()).isEqualTo(7);
    }

    @Test
    void aFinalResultOfTheWorkerIsMadeWhenItsWorkResultIsPublished() {
        // the worker builds the final result when the work is done (1030) and sends it with its work result (1031)
        RequestRecord record = withHops(new RequestRecord.Hops(1000, 1030, 1031, 1030, 1045));
        assertThat(record.workerCommitMs()).isEqualTo(1);
        assertThat(record.topologyReturnMs()).isZero();
        assertThat(record.returnMs()).isEqualTo(1);
        assertThat(record.deliveryMs()).isEqualTo(14); // the worker's commit and the reader's fetch
        assertThat(record.inboundMs(0, 20) + record.returnMs() + record.deliveryMs()).isEqualTo(45 - 20);
    }
}

package io.bitnetstreams.schemas.serde;

import io.bitnetstreams.avro.ExtractTask;
import io.bitnetstreams.avro.WorkItem;
import java.time.Instant;
import java.util.Map;

/** Sample records for serde tests. */
final class Records {

    private Records() {}

    static WorkItem workItem() {
        return WorkItem.newBuilder()
                .setRequestId("req-42")
                .setTenant("acme")
                .setChunkIndex(1)
                .setChunkCount(4)
                .setTask(ExtractTask.newBuilder().setJsonSchema("{\"type\":\"object\"}").setInstruction(null).build())
                .setText("Invoice 7781, total 12.50 EUR")
                .setPriority(3)
                .setDeadline(Instant.ofEpochMilli(1_800_000_000_000L))
                .setAttempt(0)
                .setCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .setTraceId("trace-1")
                .setMetadata(Map.of("source", "mail"))
                .build();
    }
}

package io.bitnetstreams.worker.executor;

import io.bitnetstreams.avro.ClassifyTask;
import io.bitnetstreams.avro.WorkItem;
import java.time.Instant;
import java.util.List;

/** Work items for tests. */
public final class WorkItems {

    private WorkItems() {}

    public static WorkItem classify(String requestId, String text, int priority, Instant deadline) {
        return WorkItem.newBuilder()
                .setRequestId(requestId).setTenant("t").setChunkIndex(0).setChunkCount(1)
                .setTask(ClassifyTask.newBuilder().setLabels(List.of("billing", "tech")).build())
                .setText(text).setPriority(priority).setDeadline(deadline).setCreatedAt(Instant.now())
                .build();
    }

    public static WorkItem classify(String requestId, String text) {
        return classify(requestId, text, 0, null);
    }
}

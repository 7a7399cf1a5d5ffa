package io.bitnetstreams.topology.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.avro.ClassificationOutput;
import io.bitnetstreams.avro.Usage;
import io.bitnetstreams.avro.WorkResult;
import io.bitnetstreams.avro.ReassemblyState;
import io.bitnetstreams.avro.WorkStatus;
import io.bitnetstreams.avro.WorkTimings;
import io.bitnetstreams.contract.TaskKind;
import io.bitnetstreams.contract.results.PendingRequest;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class PendingRequestSerdeTest {

    private final PendingRequestSerde serde = new PendingRequestSerde();

    private static WorkResult answer(int chunk) {
        return WorkResult.newBuilder().setRequestId("r").setChunkIndex(chunk).setChunkCount(2).setStatus(WorkStatus.OK)
                .setOutput(new ClassificationOutput(Map.of("a", 0.25, "b", 0.75), Map.of("a", -1.5, "b", -0.3), "b",
                        List.of("b")))
                .setUsage(new Usage(40, 4)).setTimings(new WorkTimings(1L, 20L, 2L, 12L, 5L)).setWorkerId("w-1")
                .setModelId("m").setCompletedAt(Instant.ofEpochMilli(1234)).build();
    }

    @Test
    void storesTheWorkersResultsExactlyAsTheyArrived() {
        TreeMap<Integer, WorkResult> answers = new TreeMap<>(Map.of(1, answer(1)));
        PendingRequest request = new PendingRequest("r", "t", TaskKind.CLASSIFY, 10, 20, 30, List.of(7, 9),
                List.of("a", "b"), true, Map.of("a", 0.3), Map.of("k", "v"), answers, true);
        byte[] bytes = serde.serializer().serialize("changelog", request);
        PendingRequest back = serde.deserializer().deserialize("changelog", bytes);
        assertThat(back).isEqualTo(request);
        assertThat(back.workerPublishes()).isTrue();
        assertThat(back.answers().get(1)).isEqualTo(answer(1)); // timings, worker id and selection included
    }

    @Test
    void readsTheAvroStateOfTheVersionBeforeWorkersPublishedFinalResults() throws Exception {
        TreeMap<Integer, WorkResult> answers = new TreeMap<>(Map.of(1, answer(1)));
        PendingRequest request = new PendingRequest("r", "t", TaskKind.CLASSIFY, 10, 20, 30, List.of(7, 9),
                List.of("a", "b"), true, Map.of("a", 0.3), Map.of("k", "v"), answers, false);
        Schema earlier;
        try (InputStream in = PendingRequestSerde.class.getResourceAsStream(PendingRequestSerde.EARLIER_SCHEMAS.getFirst())) {
            earlier = new Schema.Parser().parse(in);
        }
        assertThat(earlier.getField("workerPublishes")).isNull(); // really the older schema
        // the older writer: the same fields in the same places, without the ones added since
        ByteBuffer old = new BinaryMessageEncoder<ReassemblyState>(SpecificData.getForClass(ReassemblyState.class), earlier)
                .encode(PendingRequestSerde.toAvro(request));
        byte[] bytes = new byte[old.remaining()];
        old.get(bytes);
        assertThat(bytes).isNotEqualTo(serde.serializer().serialize("changelog", request)); // another fingerprint
        assertThat(serde.deserializer().deserialize("changelog", bytes)).isEqualTo(request);
    }

    @Test
    void readsTheJsonStateOfEarlierVersions() {
        String legacy = """
                {"requestId":"r","tenant":"t","kind":"CLASSIFY","createdAt":10,"acceptedAt":20,"deadline":30,
                 "chunkTokens":[7,9],"labels":["a","b"],"multiLabel":false,"thresholds":{},"metadata":{},
                 "answers":{"0":{"ok":true,"error":null,"probabilities":{"a":0.4,"b":0.6},"logLikelihoods":{"a":-1.0,"b":-0.5},
                 "json":null,"complete":false,"text":null,"finishReason":null,"promptTokens":12,"generatedTokens":2,"modelId":"m"},
                 "1":{"ok":false,"error":"FAILED: boom","promptTokens":0,"generatedTokens":0,"modelId":"m"}}}""";
        PendingRequest back = serde.deserializer().deserialize("changelog", legacy.getBytes(StandardCharsets.UTF_8));
        assertThat(back.requestId()).isEqualTo("r");
        assertThat(back.chunkCount()).isEqualTo(2);
        assertThat(back.okCount()).isEqualTo(1);
        WorkResult first = back.answers().get(0);
        assertThat(((ClassificationOutput) first.getOutput()).getProbabilities()).containsEntry("b", 0.6);
        assertThat(first.getUsage().getPromptTokens()).isEqualTo(12);
        assertThat(back.problemOf(back.answers().get(1))).contains("boom");
    }

    @Test
    void garbageIsASerializationErrorNotACrash() {
        assertThatThrownBy(() -> serde.deserializer().deserialize("changelog", new byte[] {1, 2, 3}))
                .isInstanceOf(SerializationException.class);
    }
}

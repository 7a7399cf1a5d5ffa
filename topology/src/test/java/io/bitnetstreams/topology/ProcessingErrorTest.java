package io.bitnetstreams.topology;

import static io.bitnetstreams.topology.Fixture.classify;
import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.DeadLetterReason;
import io.bitnetstreams.engine.tokenizer.StreamingDecoder;
import io.bitnetstreams.engine.tokenizer.Tokenizer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An unexpected exception inside a processor dead-letters the record through the processing exception handler. */
class ProcessingErrorTest {

    /** Delegates to the byte-level tokenizer but fails on one poisoned document. */
    private static final Tokenizer EXPLODING = new Tokenizer() {
        private final Tokenizer delegate = Fixture.BYTE_TOKENIZER;

        @Override
        public int[] encode(String text) {
            if (text.contains("POISON")) {
                throw new IllegalStateException("tokenizer exploded");
            }
            return delegate.encode(text);
        }

        @Override public byte[] tokenBytes(int id) { return delegate.tokenBytes(id); }
        @Override public String tokenPiece(int id) { return delegate.tokenPiece(id); }
        @Override public String decode(int[] ids) { return delegate.decode(ids); }
        @Override public int vocabularySize() { return delegate.vocabularySize(); }
        @Override public boolean isSpecial(int id) { return delegate.isSpecial(id); }
        @Override public int specialTokenId(String piece) { return delegate.specialTokenId(piece); }
        @Override public StreamingDecoder streamingDecoder() { return delegate.streamingDecoder(); }
    };

    @Test
    void exceptionInAProcessorDeadLettersTheRecordAndProcessingContinues() {
        try (var f = new Fixture(Map.of(), EXPLODING)) {
            var poisoned = f.request("p1", classify("a"), "POISON document").build();
            byte[] bytes = f.encode(poisoned);
            f.requests.pipeInput("p1", bytes, f.now());

            DeadLetter letter = f.deadLetters.readValue();
            assertThat(letter.getReason()).isEqualTo(DeadLetterReason.PROCESSING_ERROR);
            assertThat(letter.getMessage()).contains("tokenizer exploded").contains(BitnetTopology.CHUNK_REQUEST);
            assertThat(letter.getOriginalValue().array()).isEqualTo(bytes);
            assertThat(letter.getSourceTopic()).isEqualTo("bitnet.requests");

            f.send(f.request("p2", classify("a"), "fine document").build());
            assertThat(f.workClassify.readValue().getRequestId()).isEqualTo("p2");
        }
    }
}

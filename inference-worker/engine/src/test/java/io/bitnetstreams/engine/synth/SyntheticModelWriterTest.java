package io.bitnetstreams.engine.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bitnetstreams.engine.gguf.GgmlType;
import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.gguf.GgufMetadata;
import io.bitnetstreams.engine.gguf.GgufTensorInfo;
import io.bitnetstreams.engine.kernel.TernaryWeights;
import io.bitnetstreams.engine.model.GgufTokenizers;
import io.bitnetstreams.engine.tensor.FloatTensor;
import io.bitnetstreams.engine.tensor.Tensors;
import io.bitnetstreams.engine.tokenizer.Llama3Tokenizer;
import io.bitnetstreams.engine.tokenizer.Tokenizer;
import io.bitnetstreams.engine.tokenizer.Vocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticModelWriterTest {

    @TempDir
    Path dir;

    private Path write(String name, SyntheticSpec spec, Vocabulary vocabulary) throws Exception {
        Path file = dir.resolve(name + ".gguf");
        SyntheticModelWriter.write(spec, vocabulary, file);
        return file;
    }

    @Test
    void sameArgumentsGiveByteIdenticalFiles() throws Exception {
        Path a = write("a", SyntheticSpec.preset("tiny", GgmlType.TQ1_0, 7), Vocabulary.byteLevel());
        Path b = write("b", SyntheticSpec.preset("tiny", GgmlType.TQ1_0, 7), Vocabulary.byteLevel());
        Path c = write("c", SyntheticSpec.preset("tiny", GgmlType.TQ1_0, 8), Vocabulary.byteLevel());
        assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
        assertThat(Files.mismatch(a, c)).isNotEqualTo(-1L);
        assertThat(Files.size(a)).isEqualTo(Files.size(c));
    }

    @Test
    void writesTheOfficialMetadataLayout() throws Exception {
        Path file = write("tiny", SyntheticSpec.preset("tiny", GgmlType.I2_S, 1), Vocabulary.byteLevel());
        try (GgufFile gguf = GgufFile.open(file)) {
            GgufMetadata md = gguf.metadata();
            assertThat(gguf.version()).isEqualTo(3);
            assertThat(md.has("general.alignment")).isFalse();
            assertThat(md.getString("general.architecture")).isEqualTo("bitnet-b1.58");
            assertThat(md.getLong("general.file_type")).isEqualTo(40);
            assertThat(md.getLong("bitnet-b1.58.embedding_length")).isEqualTo(256);
            assertThat(md.getLong("bitnet-b1.58.vocab_size")).isEqualTo(261);
            assertThat(md.getFloat("bitnet-b1.58.rope.freq_base")).isEqualTo(500000f);
            assertThat(md.has("bitnet-b1.58.hidden_activation")).isFalse();
            assertThat(md.getString("tokenizer.ggml.model")).isEqualTo("gpt2");
            assertThat(md.getStringArray("tokenizer.ggml.tokens")).hasSize(261);
            assertThat(md.getIntArray("tokenizer.ggml.token_type")).hasSize(261);
            assertThat(md.getLong("tokenizer.ggml.bos_token_id")).isEqualTo(256);
            assertThat(md.getLong("tokenizer.ggml.eos_token_id")).isEqualTo(257);
            assertThat(md.getLong("tokenizer.ggml.padding_token_id")).isEqualTo(257);
            assertThat(md.getBoolean("tokenizer.ggml.add_bos_token")).isTrue();
            assertThat(md.getString("tokenizer.chat_template")).contains("<|eot_id|>");
            assertThat(gguf.tensors()).hasSize(1 + 2 * 11 + 1);
        }
    }

    @Test
    void weightsHaveRealisticValues() throws Exception {
        Path file = write("values", SyntheticSpec.preset("tiny", GgmlType.TQ2_0, 3), Vocabulary.byteLevel());
        try (GgufFile gguf = GgufFile.open(file)) {
            int[] tritCounts = new int[3];
            for (GgufTensorInfo info : gguf.tensors()) {
                MemorySegmentCheck.check(info);
                switch (info.type()) {
                    case TQ2_0 -> {
                        TernaryWeights w = Tensors.ternary(info, gguf.tensorData(info));
                        assertThat(w.scale()).as(info.name()).isBetween(0.74f, 4.6f);
                        byte[] codes = new byte[w.cols()];
                        for (int r = 0; r < w.rows(); r++) {
                            w.readCodes(r, codes, 0);
                            for (byte code : codes) {
                                tritCounts[code]++;
                            }
                        }
                    }
                    case F32 -> {
                        FloatTensor t = Tensors.floating(info, gguf.tensorData(info));
                        for (long i = 0; i < info.elementCount(); i++) {
                            assertThat(t.get(i)).as(info.name()).isBetween(0.9f, 1.1f);
                        }
                    }
                    case F16 -> {
                        FloatTensor t = Tensors.floating(info, gguf.tensorData(info));
                        double sumSquares = 0;
                        for (long i = 0; i < info.elementCount(); i++) {
                            sumSquares += t.get(i) * t.get(i);
                        }
                        // std 2/sqrt(dim) = 0.125 for dim 256
                        assertThat(Math.sqrt(sumSquares / info.elementCount())).isBetween(0.115, 0.135);
                    }
                    default -> throw new AssertionError("unexpected type " + info.type());
                }
            }
            long total = tritCounts[0] + tritCounts[1] + tritCounts[2];
            assertThat((double) tritCounts[1] / total).isBetween(0.48, 0.52);
            assertThat((double) tritCounts[0] / total).isBetween(0.23, 0.27);
            assertThat((double) tritCounts[2] / total).isBetween(0.23, 0.27);
        }
    }

    @Test
    void padsTheVocabularyWithControlTokens() throws Exception {
        SyntheticSpec spec = new SyntheticSpec(256, 1, 256, 2, 1, 300, 64, 10000f, 1e-6f, "silu", GgmlType.I2_S, 4);
        Path file = write("padded", spec, Vocabulary.byteLevel());
        try (GgufFile gguf = GgufFile.open(file)) {
            Vocabulary v = GgufTokenizers.vocabulary(gguf.metadata());
            assertThat(v.tokens()).hasSize(300);
            assertThat(v.tokenType(299)).isEqualTo(Vocabulary.TYPE_CONTROL);
            assertThat(v.eotId()).isEqualTo(260);
            assertThat(gguf.tensor("token_embd.weight").dims()).containsExactly(256, 300);
            assertThat(gguf.metadata().getString("bitnet-b1.58.hidden_activation")).isEqualTo("silu");
        }
        SyntheticSpec tooSmall = new SyntheticSpec(256, 1, 256, 2, 1, 100, 64, 10000f, 1e-6f, null, GgmlType.I2_S, 4);
        assertThatThrownBy(() -> write("small", tooSmall, Vocabulary.byteLevel()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vocab size 100");
    }

    @Test
    void specRejectsShapesTernaryBlocksCannotHold() {
        assertThatThrownBy(() -> new SyntheticSpec(300, 1, 512, 4, 2, 0, 64, 10000f, 1e-5f, null, GgmlType.I2_S, 1))
                .hasMessageContaining("multiples of 256");
        assertThatThrownBy(() -> new SyntheticSpec(256, 1, 512, 4, 3, 0, 64, 10000f, 1e-5f, null, GgmlType.I2_S, 1))
                .hasMessageContaining("kv-heads");
        assertThatThrownBy(() -> SyntheticSpec.preset("huge", GgmlType.I2_S, 1)).hasMessageContaining("huge");
    }

    @Test
    void realVocabularyRoundTripsThroughTheFile() throws Exception {
        Path ranks = Path.of(System.getProperty("bitnet.shared.dir", "../shared"), "data", "llama3-tokenizer.model");
        assumeTrue(Files.isRegularFile(ranks), "real vocabulary not available");
        Vocabulary real = Vocabulary.fromTiktoken(ranks);
        SyntheticSpec spec = new SyntheticSpec(256, 1, 256, 2, 1, 0, 64, 500000f, 1e-5f, null, GgmlType.I2_S, 2);
        Path file = write("real", spec, real);
        try (GgufFile gguf = GgufFile.open(file)) {
            Vocabulary stored = GgufTokenizers.vocabulary(gguf.metadata());
            assertThat(stored.tokens()).hasSize(128256);
            assertThat(stored.merges()).hasSize(280147);
            assertThat(stored.bosId()).isEqualTo(128000);
            assertThat(stored.eosId()).isEqualTo(128001);
            assertThat(stored.eotId()).isEqualTo(128009);
            Tokenizer fromFile = GgufTokenizers.tokenizer(gguf.metadata());
            Tokenizer fromRanks = Llama3Tokenizer.create(real, null);
            String text = "Hello world! Ternary weights, 1.58 bits: don't they're <|eot_id|>";
            assertThat(fromFile.encode(text)).containsExactly(fromRanks.encode(text));
        }
    }

    /** Every tensor's byte size matches its type and element count. */
    private static final class MemorySegmentCheck {
        static void check(GgufTensorInfo info) {
            assertThat(info.byteSize()).as(info.name()).isEqualTo(info.type().byteSize(info.elementCount()));
        }
    }
}

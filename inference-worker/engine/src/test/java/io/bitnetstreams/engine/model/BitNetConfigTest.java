package io.bitnetstreams.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.gguf.GgufWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BitNetConfigTest {

    @TempDir
    Path dir;

    private int files;

    /**
     * Metadata of the official 2B4T file under {@code arch}, with {@code overrides} (keys relative to
     * the arch prefix; Integer = uint32, Long = uint64, Float = f32, String), read back from a GGUF.
     */
    private BitNetConfig config(String arch, Map<String, Object> overrides) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("vocab_size", 128256);
        values.put("context_length", 4096);
        values.put("embedding_length", 2560);
        values.put("block_count", 30);
        values.put("feed_forward_length", 6912);
        values.put("rope.dimension_count", 128);
        values.put("attention.head_count", 20);
        values.put("attention.head_count_kv", 5);
        values.put("attention.layer_norm_rms_epsilon", 1e-5f);
        values.put("rope.freq_base", 500000f);
        values.putAll(overrides);
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", arch);
        values.forEach((key, value) -> {
            String k = arch + "." + key;
            switch (value) {
                case Integer i -> w.putUInt32(k, i);
                case Long l -> w.putUInt64(k, l);
                case Float f -> w.putFloat32(k, f);
                case String str -> w.putString(k, str);
                default -> throw new IllegalArgumentException(key);
            }
        });
        Path file = dir.resolve("m" + files++ + ".gguf");
        w.write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            return BitNetConfig.fromMetadata(gguf.metadata());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bitnet-b1.58", "bitnet-25", "bitnet"})
    void readsTheOfficialHyperParametersUnderEachArchitecture(String arch) {
        BitNetConfig c = config(arch, Map.of());
        assertThat(c).isEqualTo(new BitNetConfig(arch, 128256, 4096, 2560, 30, 6912, 20, 5, 128, 1e-5f, 500000f,
                Activation.RELU_SQUARED));
        assertThat(c.headDim()).isEqualTo(128);
        assertThat(c.kvDim()).isEqualTo(640);
        assertThat(c.groupSize()).isEqualTo(4);
    }

    @ParameterizedTest
    @CsvSource({"relu2, RELU_SQUARED", "relu_squared, RELU_SQUARED", "silu, SILU", "gelu, GELU"})
    void readsTheHiddenActivation(String value, Activation expected) {
        assertThat(config("bitnet-b1.58", Map.of("hidden_activation", value)).activation())
                .isEqualTo(expected);
    }

    @Test
    void unknownActivationNamesTheKey() {
        assertThatThrownBy(() -> config("bitnet", Map.of("hidden_activation", "tanh")))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("bitnet.hidden_activation")
                .hasMessageContaining("tanh");
    }

    @Test
    void vocabSizeFallsBackToTheTokenCount() {
        BitNetConfig c = config("bitnet-25", Map.of());
        assertThat(c.vocabSize()).isEqualTo(128256);
        Path file = dir.resolve("novocab.gguf");
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "bitnet");
        w.putUInt32("bitnet.embedding_length", 256);
        w.putUInt32("bitnet.block_count", 1);
        w.putUInt32("bitnet.feed_forward_length", 512);
        w.putUInt32("bitnet.attention.head_count", 4);
        w.putStringArray("tokenizer.ggml.tokens", List.of("a", "b", "c"));
        w.write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            BitNetConfig small = BitNetConfig.fromMetadata(gguf.metadata());
            assertThat(small.vocabSize()).isEqualTo(3);
            assertThat(small.kvHeads()).isEqualTo(4);
            assertThat(small.ropeDim()).isEqualTo(64);
            assertThat(small.rmsEps()).isEqualTo(1e-5f);
        }
    }

    @Test
    void missingKeyIsNamed() {
        Path file = dir.resolve("missing.gguf");
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "bitnet-b1.58");
        w.putUInt32("bitnet-b1.58.embedding_length", 256);
        w.putUInt32("bitnet-b1.58.attention.head_count", 4);
        w.putUInt32("bitnet-b1.58.vocab_size", 10);
        w.putUInt32("bitnet-b1.58.feed_forward_length", 512);
        w.write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertThatThrownBy(() -> BitNetConfig.fromMetadata(gguf.metadata()))
                    .isInstanceOf(ModelFormatException.class)
                    .hasMessageContaining("bitnet-b1.58.block_count");
        }
    }

    @Test
    void inconsistentValuesAreNamed() {
        assertThatThrownBy(() -> config("bitnet-b1.58", Map.of("attention.head_count_kv", 3)))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("bitnet-b1.58.attention.head_count_kv");
        assertThatThrownBy(() -> config("bitnet-b1.58", Map.of("rope.dimension_count", 129)))
                .hasMessageContaining("bitnet-b1.58.rope.dimension_count");
        assertThatThrownBy(() -> config("bitnet-b1.58", Map.of("block_count", 0)))
                .hasMessageContaining("bitnet-b1.58.block_count");
        assertThatThrownBy(() -> config("bitnet-b1.58", Map.of("vocab_size", 1L << 40)))
                .hasMessageContaining("bitnet-b1.58.vocab_size");
    }

    @Test
    void otherArchitecturesAreRejected() {
        assertThatThrownBy(() -> config("llama", Map.of()))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("general.architecture")
                .hasMessageContaining("llama");
    }
}

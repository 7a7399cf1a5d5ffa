package io.bitnetstreams.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.bitnetstreams.engine.model.BitNetConfig;
import io.bitnetstreams.engine.model.GgufTokenizers;
import io.bitnetstreams.engine.model.ModelFormatException;
import java.lang.foreign.MemorySegment;

/**
 * Jazzer target: any byte image either opens as a GGUF file whose tensor slices lie inside it, or fails with one
 * {@link GgufFormatException}; the tokenizer and model settings read from an opened file fail only with
 * {@link ModelFormatException} (a key of the wrong type included) or the vocabulary's
 * IllegalArgumentException naming the problem. Never another
 * exception, an out-of-memory error (the fork has 512 MiB) or a hang. Seeds: {@code GgufParserFuzzInputs/parse/}
 * (small files made by {@link GgufWriter}; see DEVELOPERS.md, "Fuzzing").
 */
class GgufParserFuzz {

    @FuzzTest
    void parse(byte[] image) {
        GgufFile file;
        try {
            file = GgufFile.parse(MemorySegment.ofArray(image), "fuzz");
        } catch (GgufFormatException expected) {
            assertThat(expected.getMessage()).startsWith("fuzz: ");
            return;
        }
        for (GgufTensorInfo tensor : file.tensors()) {
            MemorySegment data = file.tensorData(tensor);
            assertThat(file.dataOffset() + tensor.offset() + data.byteSize()).isLessThanOrEqualTo(image.length);
        }
        for (String key : file.metadata().keys()) {
            assertThat(file.metadata().typeOf(key)).isNotNull();
        }
        try {
            GgufTokenizers.tokenizer(file.metadata()).encode("fuzz <|eot_id|> 123");
        } catch (ModelFormatException | IllegalArgumentException expected) {
            // a file without a usable vocabulary is refused by name
        }
        try {
            BitNetConfig.fromMetadata(file.metadata());
        } catch (ModelFormatException expected) {
            // a file without usable model settings is refused by name, a key of the wrong type too (first found
            // by this target as a leaked GgufFormatException: seed architecture-not-a-string)
            assertThat(expected.getMessage()).isNotBlank();
        }
    }
}

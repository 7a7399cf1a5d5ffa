package io.bitnetstreams.engine.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelSourceTest {

    @Test
    void defaultIsTheOfficialGguf() {
        ModelSource source = ModelSource.defaultModel();
        assertThat(source.uri()).isEqualTo(URI.create(
                "https://huggingface.co/microsoft/bitnet-b1.58-2B-4T-gguf/resolve/main/ggml-model-i2_s.gguf"));
        assertThat(source.fileName()).isEqualTo("ggml-model-i2_s.gguf");
    }

    @Test
    void huggingFaceSpecWithRevisionAndSubdirectory() {
        ModelSource source = ModelSource.parse("hf:owner/repo.name/sub/dir/model-q.gguf@refs/pr/7");
        assertThat(source.uri()).hasToString("https://huggingface.co/owner/repo.name/resolve/refs%2Fpr%2F7/sub/dir/model-q.gguf");
        assertThat(source.fileName()).isEqualTo("model-q.gguf");
        assertThat(ModelSource.parse("HF:o/r/f.bin@v1.0").uri())
                .hasToString("https://huggingface.co/o/r/resolve/v1.0/f.bin");
    }

    @Test
    void urlTakesTheDecodedLastSegmentAsFileName() {
        ModelSource source = ModelSource.parse(" https://example.com/models/my%20model.gguf?download=1 ");
        assertThat(source.fileName()).isEqualTo("my model.gguf");
        assertThat(source.uri()).hasToString("https://example.com/models/my%20model.gguf?download=1");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "ftp://example.com/x.gguf", "file:///etc/passwd", "models/x.gguf", "hf:owner/repo", "hf:owner//x.gguf",
        "hf:owner/repo/../x.gguf", "hf:owner/repo/x.gguf@", "hf:owner/repo/x.gguf@bad rev", "https://example.com/",
        "https://example.com", "https://example.com/a/..%2F..%2Fetc", "https://example.com/.hidden",
        "https://example.com/x.gguf.part", "hf:-x/repo/f.gguf"
    })
    void rejectsBadSpecsWithAMessage(String spec) {
        assertThatIllegalArgumentException().isThrownBy(() -> ModelSource.parse(spec)).withMessageNotContaining("null");
    }

    @Test
    void rejectsOverlongSpecs() {
        assertThatIllegalArgumentException().isThrownBy(() -> ModelSource.parse("https://e.com/" + "a".repeat(3000)))
                .withMessageContaining("longer than");
    }
}

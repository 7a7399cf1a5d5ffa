package io.bitnetstreams.standalone.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.engine.download.ModelSource;
import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.model.BitNetConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelResolverTest {

    @TempDir
    Path cache;

    private final StringWriter err = new StringWriter();

    private ResolvedModel resolve(Path explicit, boolean forceSynthetic) {
        return ModelResolver.resolve(new ModelResolver.Request(explicit, cache, false, forceSynthetic), new PrintWriter(err));
    }

    @Test
    void anExplicitModelWinsAndMustExist() throws Exception {
        Path given = Files.writeString(cache.resolve("mine.gguf"), "x");

        assertThat(resolve(given, true)).isEqualTo(new ResolvedModel(given, ResolvedModel.Origin.GIVEN));
        assertThatThrownBy(() -> resolve(cache.resolve("absent.gguf"), false)).hasMessageContaining("absent.gguf");
    }

    @Test
    void theOfficialFileInTheCacheIsUsedUnlessSyntheticIsForced() throws Exception {
        Path official = Files.writeString(cache.resolve(ModelSource.defaultModel().fileName()), "x");

        assertThat(resolve(null, false)).isEqualTo(new ResolvedModel(official, ResolvedModel.Origin.CACHED));
        assertThat(resolve(null, true).origin()).isEqualTo(ResolvedModel.Origin.SYNTHETIC);
    }

    @Test
    void withoutAModelASmallSyntheticModelOfTheRealArchitectureIsWrittenOnce() throws Exception {
        ResolvedModel model = resolve(null, false);

        assertThat(model.synthetic()).isTrue();
        assertThat(model.path()).isEqualTo(cache.resolve(ModelResolver.SYNTHETIC_FILE));
        try (GgufFile file = GgufFile.open(model.path())) {
            BitNetConfig config = BitNetConfig.fromMetadata(file.metadata());
            assertThat(config.architecture()).isEqualTo("bitnet-b1.58");
            assertThat(config.contextLength()).isEqualTo(2048);
        }
        long written = Files.getLastModifiedTime(model.path()).toMillis();
        assertThat(resolve(null, false).path()).isEqualTo(model.path());
        assertThat(Files.getLastModifiedTime(model.path()).toMillis()).isEqualTo(written);
        assertThat(err.toString()).containsOnlyOnce("writing a synthetic model");
    }
}

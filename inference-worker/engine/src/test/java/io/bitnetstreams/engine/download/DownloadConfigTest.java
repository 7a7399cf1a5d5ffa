package io.bitnetstreams.engine.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DownloadConfigTest {

    private final DownloadConfig config = DownloadConfig.fromEnvironment(Map.of("HF_TOKEN", " hf_abc123 ")::get);

    @Test
    void defaultsToTheUserCacheAndReadsTheTokenFromTheEnvironment() {
        assertThat(config.directory()).isEqualTo(Path.of(System.getProperty("user.home"), ".cache", "bitnet-streams", "models"));
        assertThat(config.bearerToken()).isEqualTo("hf_abc123");
        assertThat(DownloadConfig.fromEnvironment(name -> null).bearerToken()).isNull();
        assertThat(DownloadConfig.fromEnvironment(name -> "  ").bearerToken()).isNull();
    }

    @Test
    void toStringNeverShowsTheToken() {
        assertThat(config.toString()).doesNotContain("hf_abc123").contains("bearerToken=***");
    }

    @Test
    void backoffDoublesUpToTheCap() {
        DownloadConfig retries = config.withRetries(5, Duration.ofSeconds(1), Duration.ofSeconds(5));
        assertThat(retries.backoff(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(retries.backoff(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(retries.backoff(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(retries.backoff(4)).isEqualTo(Duration.ofSeconds(5));
        assertThat(retries.backoff(99)).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.withRetries(5, Duration.ZERO, Duration.ZERO).backoff(3)).isZero();
    }

    @Test
    void validates() {
        assertThatIllegalArgumentException().isThrownBy(() -> config.withRetries(0, Duration.ZERO, Duration.ZERO))
                .withMessageContaining("maxAttempts");
        assertThatIllegalArgumentException().isThrownBy(() -> config.withRetries(3, Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .withMessageContaining("backoff");
        assertThatIllegalArgumentException().isThrownBy(() -> config.withMaxFileBytes(0)).withMessageContaining("maxFileBytes");
        assertThatIllegalArgumentException().isThrownBy(() -> config.withBearerToken("a\nb")).withMessageContaining("token");
        assertThatIllegalArgumentException().isThrownBy(() -> new DownloadConfig(Path.of("x"), 3, Duration.ZERO,
                Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1), 1, null)).withMessageContaining("connectTimeout");
        assertThatIllegalArgumentException().isThrownBy(() -> config.withStallTimeout(Duration.ZERO))
                .withMessageContaining("stallTimeout");
    }
}

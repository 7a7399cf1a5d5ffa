package io.bitnetstreams.devstack.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SchemaRegistryConfigTest {

    @Test
    void defaultsAreInMemoryAndBackward() {
        SchemaRegistryConfig config = SchemaRegistryConfig.inMemory();
        assertThat(config.storage()).isEqualTo(RegistryStorage.IN_MEMORY);
        assertThat(config.compatibility()).isEqualTo("BACKWARD");
        assertThat(config.workDir()).isEmpty();
    }

    @Test
    void persistentConfigUsesFileStorageInTheGivenDirectory() {
        SchemaRegistryConfig config = SchemaRegistryConfig.persistentIn(Path.of("/var/tmp/reg"));
        assertThat(config.storage()).isEqualTo(RegistryStorage.FILE);
        assertThat(config.workDir()).contains(Path.of("/var/tmp/reg"));
    }

    @Test
    void unknownCompatibilityIsRejected() {
        assertThatThrownBy(() -> SchemaRegistryConfig.builder().compatibility("backwards").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("backwards");
    }

    @Test
    void nonPositiveTimeoutIsRejected() {
        assertThatThrownBy(() -> SchemaRegistryConfig.builder().startupTimeout(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("startupTimeout");
    }
}

package io.bitnetstreams.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.devstack.registry.RegistryStorage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DevStackMainTest {

    @Test
    void defaultsToOneBrokerAndAnInMemoryRegistry() {
        DevStack.Config config = DevStackMain.Options.parse(new String[0]).toConfig();
        assertThat(config.kafka().brokers()).isEqualTo(1);
        assertThat(config.registry().storage()).isEqualTo(RegistryStorage.IN_MEMORY);
    }

    @Test
    void registryDirectoryMeansFileStorage() {
        DevStack.Config config = DevStackMain.Options
                .parse(new String[] {"--brokers", "3", "--registry-dir", "/tmp/reg"}).toConfig();
        assertThat(config.kafka().brokers()).isEqualTo(3);
        assertThat(config.registry().storage()).isEqualTo(RegistryStorage.FILE);
        assertThat(config.registry().workDir()).contains(Path.of("/tmp/reg"));
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> DevStackMain.Options.parse(new String[] {"--brokers", "many"}))
                .hasMessageContaining("many");
        assertThatThrownBy(() -> DevStackMain.Options.parse(new String[] {"--colour", "red"}))
                .hasMessageContaining("--colour");
        assertThatThrownBy(() -> DevStackMain.Options.parse(new String[] {"--brokers"}))
                .hasMessageContaining("missing value");
        assertThatThrownBy(() -> DevStackMain.Options.parse(new String[] {"--brokers", "0"}).toConfig())
                .hasMessageContaining("brokers");
    }
}

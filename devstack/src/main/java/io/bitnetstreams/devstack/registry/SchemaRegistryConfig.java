package io.bitnetstreams.devstack.registry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How to run the Apicurio Registry child process.
 *
 * @param storage        in-memory (tests) or H2 files under the work directory (dev mode)
 * @param workDir        the directory for the registry's log, temp files, snapshots, imports and (FILE
 *                       storage) database; empty means a fresh temporary directory removed by stop()
 * @param compatibility  the global compatibility rule, one of {@link #COMPATIBILITY_LEVELS}
 *                       (BACKWARD, like Confluent's default; Apicurio's own default is NONE)
 * @param startupTimeout bound on the wait until the registry reports ready
 * @param jvmOptions     options of the child JVM (heap, GC, JIT)
 * @param environment    extra environment variables for the child (e.g. other APICURIO_* settings)
 * @param distribution   the tar.gz or unpacked directory to run; empty means {@link ApicurioDistribution#home()}
 */
public record SchemaRegistryConfig(
        RegistryStorage storage,
        Optional<Path> workDir,
        String compatibility,
        Duration startupTimeout,
        List<String> jvmOptions,
        Map<String, String> environment,
        Optional<Path> distribution) {

    public static final Set<String> COMPATIBILITY_LEVELS = Set.of("NONE", "BACKWARD", "BACKWARD_TRANSITIVE",
            "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE");

    /** Small heap and C1 only: the registry starts faster and needs little for tests and dev. */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of(
            "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");

    public SchemaRegistryConfig {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(compatibility, "compatibility");
        if (!COMPATIBILITY_LEVELS.contains(compatibility)) {
            throw new IllegalArgumentException("compatibility must be one of " + COMPATIBILITY_LEVELS
                    + ", was '" + compatibility + "'");
        }
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        if (startupTimeout.isNegative() || startupTimeout.isZero()) {
            throw new IllegalArgumentException("startupTimeout must be positive, was " + startupTimeout);
        }
        jvmOptions = List.copyOf(jvmOptions);
        environment = Map.copyOf(environment);
        Objects.requireNonNull(distribution, "distribution");
    }

    /** In-memory storage, BACKWARD compatibility, temporary work directory. */
    public static SchemaRegistryConfig inMemory() {
        return builder().build();
    }

    /** File storage in the given directory: what is registered survives restarts. */
    public static SchemaRegistryConfig persistentIn(Path workDir) {
        return builder().storage(RegistryStorage.FILE).workDir(workDir).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private RegistryStorage storage = RegistryStorage.IN_MEMORY;
        private Path workDir;
        private String compatibility = "BACKWARD";
        private Duration startupTimeout = Duration.ofSeconds(90);
        private List<String> jvmOptions = DEFAULT_JVM_OPTIONS;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path distribution;

        private Builder() {}

        public Builder storage(RegistryStorage storage) {
            this.storage = storage;
            return this;
        }

        public Builder workDir(Path workDir) {
            this.workDir = workDir;
            return this;
        }

        public Builder compatibility(String compatibility) {
            this.compatibility = compatibility;
            return this;
        }

        public Builder startupTimeout(Duration startupTimeout) {
            this.startupTimeout = startupTimeout;
            return this;
        }

        public Builder jvmOptions(List<String> jvmOptions) {
            this.jvmOptions = jvmOptions;
            return this;
        }

        public Builder environment(String name, String value) {
            environment.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder distribution(Path distribution) {
            this.distribution = distribution;
            return this;
        }

        public SchemaRegistryConfig build() {
            return new SchemaRegistryConfig(storage, Optional.ofNullable(workDir), compatibility, startupTimeout,
                    jvmOptions, environment, Optional.ofNullable(distribution));
        }

        /** Builds the config and starts the registry. */
        public SchemaRegistryProcess start() {
            return SchemaRegistryProcess.start(build());
        }
    }
}

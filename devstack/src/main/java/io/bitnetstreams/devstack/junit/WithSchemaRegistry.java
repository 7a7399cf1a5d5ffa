package io.bitnetstreams.devstack.junit;

import io.bitnetstreams.devstack.registry.RegistryStorage;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the test class against a real Apicurio Registry child process (about 4 s to start), started
 * once before the first test and stopped after the last. Tests receive it as a
 * {@code SchemaRegistryProcess} parameter or in a non-final field of that type; serdes take
 * {@code registry.url()} as {@code schema.registry.url}.
 *
 * <pre>{@code
 * @WithKafka
 * @WithSchemaRegistry
 * class AvroRoundTripIT {
 *     @Test
 *     void roundTrip(EmbeddedKafkaCluster kafka, SchemaRegistryProcess registry) { ... }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(SchemaRegistryExtension.class)
public @interface WithSchemaRegistry {

    /** In-memory (default) or H2 files in a temporary directory. */
    RegistryStorage storage() default RegistryStorage.IN_MEMORY;

    /** Global compatibility rule; BACKWARD like Confluent's default. */
    String compatibility() default "BACKWARD";

    /**
     * Share one registry with every other class of this JVM asking for the same settings (and also
     * setting this). Saves ~4 s per class; tests must then use their own subject names.
     */
    boolean sharedPerJvm() default false;
}

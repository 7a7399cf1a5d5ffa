package io.bitnetstreams.devstack.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the test class against a real embedded KRaft Kafka cluster, started once before the first test
 * and closed after the last. Tests receive it as an {@code EmbeddedKafkaCluster} parameter (test,
 * lifecycle or constructor) or in a non-final field of that type (static fields too).
 *
 * <pre>{@code
 * @WithKafka
 * class PromptRoutingIT {
 *     @Test
 *     void routes(EmbeddedKafkaCluster kafka) { kafka.createTopic("prompts", 3); ... }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(KafkaClusterExtension.class)
public @interface WithKafka {

    /** Number of brokers: 1 runs one combined node, more run brokers with separate controllers. */
    int brokers() default 1;

    /** Number of KRaft controllers for multi-broker clusters (ignored with 1 broker). */
    int controllers() default 1;

    /** Extra broker properties as {@code key=value}, overriding the defaults. */
    String[] brokerProperties() default {};

    /**
     * Share one cluster with every other class of this JVM that asks for the same shape (and also
     * sets this), instead of one per class. Faster; tests must then use their own topic names.
     */
    boolean sharedPerJvm() default false;
}

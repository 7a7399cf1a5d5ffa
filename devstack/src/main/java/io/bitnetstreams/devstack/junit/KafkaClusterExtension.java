package io.bitnetstreams.devstack.junit;

import io.bitnetstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.bitnetstreams.devstack.kafka.KafkaClusterConfig;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The extension behind {@link WithKafka}. It can also be registered programmatically:
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaClusterExtension KAFKA = new KafkaClusterExtension(
 *         KafkaClusterConfig.builder().brokers(3).build());
 * ... KAFKA.cluster().bootstrapServers() ...
 * }</pre>
 */
public final class KafkaClusterExtension extends ResourceExtension<EmbeddedKafkaCluster> {

    private final KafkaClusterConfig explicitConfig;

    /** Configured by the {@link WithKafka} annotation of the test class (defaults without one). */
    public KafkaClusterExtension() {
        super(EmbeddedKafkaCluster.class);
        this.explicitConfig = null;
    }

    /** Configured in code; a {@link WithKafka} annotation on the class is then ignored. */
    public KafkaClusterExtension(KafkaClusterConfig config) {
        super(EmbeddedKafkaCluster.class);
        this.explicitConfig = Objects.requireNonNull(config, "config");
    }

    /** The cluster of the current test class. */
    public EmbeddedKafkaCluster cluster() {
        return lastObtained();
    }

    @Override
    protected EmbeddedKafkaCluster start(ExtensionContext classContext) {
        return EmbeddedKafkaCluster.start(config(classContext));
    }

    @Override
    protected Optional<String> sharedKey(ExtensionContext classContext) {
        if (explicitConfig != null) {
            return Optional.empty();
        }
        return annotation(classContext).filter(WithKafka::sharedPerJvm)
                .map(shared -> "kafka:" + config(classContext));
    }

    private KafkaClusterConfig config(ExtensionContext classContext) {
        if (explicitConfig != null) {
            return explicitConfig;
        }
        Optional<WithKafka> annotation = annotation(classContext);
        if (annotation.isEmpty()) {
            return KafkaClusterConfig.singleNode();
        }
        WithKafka withKafka = annotation.get();
        KafkaClusterConfig.Builder builder = KafkaClusterConfig.builder()
                .brokers(withKafka.brokers())
                .controllers(withKafka.brokers() == 1 ? 1 : withKafka.controllers());
        for (String property : withKafka.brokerProperties()) {
            int equals = property.indexOf('=');
            if (equals <= 0) {
                throw new ExtensionConfigurationException(
                        "@WithKafka brokerProperties entries must look like key=value, got '" + property + "'");
            }
            builder.brokerProperty(property.substring(0, equals).trim(), property.substring(equals + 1).trim());
        }
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException("invalid @WithKafka: " + e.getMessage(), e);
        }
    }

    private static Optional<WithKafka> annotation(ExtensionContext classContext) {
        return classContext.getTestClass().flatMap(testClass -> findAnnotation(testClass));
    }

    /** On the class, a superclass, or (for {@code @Nested} classes) an enclosing class. */
    private static Optional<WithKafka> findAnnotation(Class<?> testClass) {
        for (Class<?> current = testClass; current != null; current = current.getEnclosingClass()) {
            Optional<WithKafka> found = AnnotationSupport.findAnnotation(current, WithKafka.class);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }
}

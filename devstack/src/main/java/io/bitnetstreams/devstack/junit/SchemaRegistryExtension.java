package io.bitnetstreams.devstack.junit;

import io.bitnetstreams.devstack.registry.SchemaRegistryConfig;
import io.bitnetstreams.devstack.registry.SchemaRegistryProcess;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The extension behind {@link WithSchemaRegistry}. It can also be registered programmatically:
 * <pre>{@code
 * @RegisterExtension
 * static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension(SchemaRegistryConfig.inMemory());
 * ... REGISTRY.registry().url() ...
 * }</pre>
 */
public final class SchemaRegistryExtension extends ResourceExtension<SchemaRegistryProcess> {

    private final SchemaRegistryConfig explicitConfig;

    /** Configured by the {@link WithSchemaRegistry} annotation of the test class (defaults without one). */
    public SchemaRegistryExtension() {
        super(SchemaRegistryProcess.class);
        this.explicitConfig = null;
    }

    /** Configured in code; a {@link WithSchemaRegistry} annotation on the class is then ignored. */
    public SchemaRegistryExtension(SchemaRegistryConfig config) {
        super(SchemaRegistryProcess.class);
        this.explicitConfig = Objects.requireNonNull(config, "config");
    }

    /** The registry of the current test class. */
    public SchemaRegistryProcess registry() {
        return lastObtained();
    }

    @Override
    protected SchemaRegistryProcess start(ExtensionContext classContext) {
        return SchemaRegistryProcess.start(config(classContext));
    }

    @Override
    protected Optional<String> sharedKey(ExtensionContext classContext) {
        if (explicitConfig != null) {
            return Optional.empty();
        }
        return annotation(classContext).filter(WithSchemaRegistry::sharedPerJvm)
                .map(shared -> "registry:" + shared.storage() + ":" + shared.compatibility());
    }

    private SchemaRegistryConfig config(ExtensionContext classContext) {
        if (explicitConfig != null) {
            return explicitConfig;
        }
        Optional<WithSchemaRegistry> annotation = annotation(classContext);
        if (annotation.isEmpty()) {
            return SchemaRegistryConfig.inMemory();
        }
        try {
            // FILE storage without a directory of ours: a temporary one, removed on stop.
            return SchemaRegistryConfig.builder()
                    .storage(annotation.get().storage())
                    .compatibility(annotation.get().compatibility())
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException("invalid @WithSchemaRegistry: " + e.getMessage(), e);
        }
    }

    private static Optional<WithSchemaRegistry> annotation(ExtensionContext classContext) {
        for (Class<?> current = classContext.getTestClass().orElse(null); current != null;
                current = current.getEnclosingClass()) {
            Optional<WithSchemaRegistry> found = AnnotationSupport.findAnnotation(current, WithSchemaRegistry.class);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }
}

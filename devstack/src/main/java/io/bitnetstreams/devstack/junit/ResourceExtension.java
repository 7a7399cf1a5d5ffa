package io.bitnetstreams.devstack.junit;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * Starts one piece of infrastructure per test class (or once per JVM when shared), hands it to tests
 * as a parameter or through non-final fields of its type, and closes it when the class (or the whole
 * run, when shared) is done. {@code @Nested} classes reuse the instance of their enclosing class.
 */
abstract class ResourceExtension<R extends AutoCloseable>
        implements BeforeAllCallback, TestInstancePostProcessor, ParameterResolver {

    private static final String KEY = "resource";

    private final Class<R> type;
    private final ExtensionContext.Namespace namespace;
    private volatile R lastObtained;

    ResourceExtension(Class<R> type) {
        this.type = type;
        this.namespace = ExtensionContext.Namespace.create(getClass(), type);
    }

    /** Starts a new resource for the given test class. */
    protected abstract R start(ExtensionContext classContext);

    /** Present when the resource is to be shared by every test class of this JVM with the same key. */
    protected abstract Optional<String> sharedKey(ExtensionContext classContext);

    @Override
    public void beforeAll(ExtensionContext context) throws IllegalAccessException {
        R resource = obtain(context);
        for (Field field : injectableFields(context.getRequiredTestClass(), Modifier::isStatic)) {
            field.set(null, resource);
        }
    }

    @Override
    public void postProcessTestInstance(Object testInstance, ExtensionContext context) throws IllegalAccessException {
        List<Field> fields = injectableFields(testInstance.getClass(), modifiers -> !Modifier.isStatic(modifiers));
        if (fields.isEmpty()) {
            return;
        }
        R resource = obtain(context);
        for (Field field : fields) {
            field.set(testInstance, resource);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == type;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return obtain(extensionContext);
    }

    /** The resource this extension instance handed out last (for {@code @RegisterExtension} users). */
    protected R lastObtained() {
        R resource = lastObtained;
        if (resource == null) {
            throw new IllegalStateException("the " + type.getSimpleName() + " is not started yet: use it from"
                    + " @BeforeAll, @BeforeEach or a test, not from a field initializer");
        }
        return resource;
    }

    /** The resource of this class (or of an enclosing class), started on first use. */
    private R obtain(ExtensionContext context) {
        ExtensionContext classContext = classContext(context);
        Handle<R> handle = handle(classContext.getStore(namespace), KEY, () -> newHandle(classContext));
        lastObtained = handle.resource();
        return handle.resource();
    }

    private Handle<R> newHandle(ExtensionContext classContext) {
        Optional<String> sharedKey = sharedKey(classContext);
        if (sharedKey.isEmpty()) {
            return new Handle<>(start(classContext), true);
        }
        // The root store closes its values when the whole test run ends.
        Handle<R> shared = handle(classContext.getRoot().getStore(namespace), sharedKey.get(),
                () -> new Handle<>(start(classContext), true));
        return new Handle<>(shared.resource(), false);
    }

    /** Store lookups search the enclosing (parent) contexts first, which is how @Nested classes share. */
    @SuppressWarnings("unchecked")
    private static <R extends AutoCloseable> Handle<R> handle(ExtensionContext.Store store, String key,
                                                             Supplier<Handle<R>> creator) {
        return (Handle<R>) store.getOrComputeIfAbsent(key, ignored -> creator.get(), Handle.class);
    }

    /** Method-level contexts resolve to their class so that one resource serves the whole class. */
    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext current = context;
        while (current.getTestMethod().isPresent() && current.getParent().isPresent()) {
            current = current.getParent().get();
        }
        return current;
    }

    private List<Field> injectableFields(Class<?> testClass, Predicate<Integer> modifierFilter) {
        List<Field> fields = ReflectionSupport.findFields(testClass,
                field -> field.getType() == type && modifierFilter.test(field.getModifiers()),
                HierarchyTraversalMode.TOP_DOWN);
        for (Field field : fields) {
            if (Modifier.isFinal(field.getModifiers())) {
                throw new ExtensionConfigurationException("cannot inject the " + type.getSimpleName()
                        + " into final field " + field);
            }
            field.setAccessible(true);
        }
        return fields;
    }

    /** A store value; only the owner closes the resource. */
    record Handle<R extends AutoCloseable>(R resource, boolean owner) implements AutoCloseable {
        @Override
        public void close() {
            if (!owner) {
                return;
            }
            try {
                resource.close();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("closing " + resource + " failed: " + e, e);
            }
        }
    }
}

package io.bitnetstreams.devstack.process;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The start of a child JVM's command line: this JDK's {@code java} plus the flags of this JVM a pipeline child
 * needs as well (the vector module, native access), so the load test's workers and the chaos run's processes start
 * the way their parent was started.
 */
public final class ChildJvm {

    /** Flags every pipeline child inherits. */
    private static final List<String> INHERITED_PREFIXES = List.of("--add-modules", "--enable-native-access",
            "--sun-misc-unsafe-memory-access");

    private ChildJvm() {
    }

    /**
     * {@code java}, the inherited flags (and the ones of {@code alsoInherited} prefixes), then {@code jvmOptions}.
     */
    public static List<String> java(List<String> alsoInherited, List<String> jvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(inheritedFlags(alsoInherited));
        command.addAll(jvmOptions);
        return command;
    }

    /** The flags of this JVM whose prefix is inherited, with the vector module and native access always present. */
    public static List<String> inheritedFlags(List<String> alsoInherited) {
        List<String> prefixes = Stream.concat(INHERITED_PREFIXES.stream(), alsoInherited.stream()).toList();
        List<String> options = new ArrayList<>();
        List<String> input = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (int i = 0; i < input.size(); i++) {
            String argument = input.get(i);
            if (prefixes.stream().anyMatch(argument::startsWith)) {
                options.add(argument);
                // "--add-modules X" may come as two arguments
                if (argument.equals("--add-modules") && i + 1 < input.size()) {
                    options.add(input.get(++i));
                }
            }
        }
        if (options.stream().noneMatch(o -> o.startsWith("--add-modules"))) {
            options.add("--add-modules=jdk.incubator.vector");
        }
        if (options.stream().noneMatch(o -> o.startsWith("--enable-native-access"))) {
            options.add("--enable-native-access=ALL-UNNAMED");
        }
        return options;
    }
}

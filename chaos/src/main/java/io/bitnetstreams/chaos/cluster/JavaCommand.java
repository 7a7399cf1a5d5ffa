package io.bitnetstreams.chaos.cluster;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The start of a child JVM's command line: this JDK's java, with the module flags the pipeline needs. */
final class JavaCommand {

    /** Flags of this JVM a child needs as well (modules, native access). */
    private static final List<String> INHERITED_PREFIXES = List.of("--add-modules", "--enable-native-access",
            "--sun-misc-unsafe-memory-access");

    private JavaCommand() {
    }

    static List<String> java(List<String> jvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(inheritedFlags());
        command.addAll(jvmOptions);
        return command;
    }

    private static List<String> inheritedFlags() {
        List<String> options = new ArrayList<>();
        List<String> input = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (int i = 0; i < input.size(); i++) {
            String argument = input.get(i);
            if (INHERITED_PREFIXES.stream().anyMatch(argument::startsWith)) {
                options.add(argument);
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

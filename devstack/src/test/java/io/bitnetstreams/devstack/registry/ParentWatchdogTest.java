package io.bitnetstreams.devstack.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The watchdog as the child JVM runs it: a class file on a plain classpath, JDK only. */
class ParentWatchdogTest {

    @Test
    void refusesToStartWhenTheParentIsAlreadyGone() throws Exception {
        Process dead = new ProcessBuilder(javaBinary(), "-version").redirectErrorStream(true).start();
        dead.getInputStream().readAllBytes();
        dead.waitFor();
        Result result = runWatchdog(Long.toString(dead.pid()), EchoMain.class.getName(), "hello");
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.output()).contains("already gone").doesNotContain("echo:");
    }

    @Test
    void runsTheRealMainWithItsArgumentsWhileTheParentLives() throws Exception {
        Result result = runWatchdog(Long.toString(ProcessHandle.current().pid()), EchoMain.class.getName(), "a", "b c");
        assertThat(result.exitCode()).isZero();
        assertThat(result.output()).contains("echo:[a, b c]");
    }

    @Test
    void rejectsAMalformedPid() throws Exception {
        Result result = runWatchdog("not-a-pid", EchoMain.class.getName());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).contains("not a number");
    }

    record Result(int exitCode, String output) {}

    private static Result runWatchdog(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), ParentWatchdog.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Stands in for Quarkus' main class. */
    public static final class EchoMain {
        public static void main(String[] args) {
            System.out.println("echo:" + List.of(args));
        }
    }
}

package io.bitnetstreams.standalone.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.bitnetstreams.standalone.cli.BitnetStreamsCli;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged jar and its {@code target/lib} in a child JVM, as {@code bin/bitnet-streams} runs them: a dependency
 * missing from the runtime classpath fails the integration tests, not only a user's machine. Built by the package
 * phase, which runs before the integration tests.
 */
final class PackagedLauncher {

    static final String CLASSPATH = Path.of("target", "bitnet-standalone.jar").toAbsolutePath() + File.pathSeparator
            + Path.of("target", "lib").toAbsolutePath() + File.separator + "*";
    /** The log configuration of the test JVM, for children whose logs go where the build's do. */
    static final String TEST_LOG_CONFIG = "-Dlog4j2.configurationFile=" + System.getProperty("log4j2.configurationFile", "");

    private PackagedLauncher() {
    }

    /** {@code java}, the build's engine flags, {@code jvmOptions}, the classpath, the CLI class, then {@code cliArgs}. */
    static List<String> command(List<String> jvmOptions, List<String> cliArgs) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(System.getProperty("bitnet.jvm.args", "--add-modules jdk.incubator.vector").trim().split("\\s+")));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", CLASSPATH, BitnetStreamsCli.class.getName()));
        command.addAll(cliArgs);
        return command;
    }

    /** Starts {@code bitnet-streams cliArgs...} with stdout and stderr captured to the two files. */
    static Launched start(Path out, Path err, List<String> jvmOptions, List<String> cliArgs) throws IOException {
        Process process = new ProcessBuilder(command(jvmOptions, cliArgs))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new Launched(process, out, err);
    }

    /**
     * {@code standalone --input INPUT} on the synthetic model in {@code dir} (models, data, report below it), two
     * threads, nothing downloaded; asserts exit 0 (with the child's output as the message) and returns the report; its
     * stdout stays in {@code dir/stdout.txt}.
     */
    static JsonNode runStandalone(Path dir, Path input) throws IOException, InterruptedException {
        Path report = dir.resolve("report.json");
        Launched run = start(dir.resolve("stdout.txt"), dir.resolve("stderr.txt"), List.of(TEST_LOG_CONFIG),
                List.of("standalone", "--input", input.toString(), "--model-cache", dir.resolve("models").toString(),
                        "--no-download", "--data-dir", dir.resolve("data").toString(), "--threads", "2",
                        "--timeout", "8m", "--report", report.toString()));
        int exit = run.await(Duration.ofMinutes(9));
        assertThat(exit).as("stdout:%n%s%nstderr:%n%s", run.stdout(), run.stderr()).isZero();
        return new ObjectMapper().readTree(report.toFile());
    }

    /** A started child: its process and the two files its output goes to. */
    record Launched(Process process, Path out, Path err) {

        /** The exit code, or -1 after killing a child that did not finish within {@code timeout}. */
        int await(Duration timeout) throws InterruptedException {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                return -1;
            }
            return process.exitValue();
        }

        /** SIGTERM, then SIGKILL if it is still there after a minute. */
        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }

        String stdout() {
            return read(out);
        }

        String stderr() {
            return read(err);
        }

        /** The end of stderr, enough for an assertion message. */
        String tail() {
            String text = stderr();
            return text.substring(Math.max(0, text.length() - 6000));
        }

        private static String read(Path file) {
            try {
                return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}

package io.bitnetstreams.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The 256- and 128-bit tiles must compile with C1 and C2 on an AVX2-only CPU. A tile too big for C1's
 * register allocator ("COMPILE SKIPPED: out of virtual registers") never got a profile for C2 and ran
 * boxed, ~1000x slower, while every result stayed correct: only the JIT's log shows it. So this forks a
 * JVM with {@code -XX:UseAVX=2} (C2 then emits AVX2 instructions only, as on such a CPU) and
 * {@code -XX:+PrintCompilation}, runs every tile of both widths (see {@link TileCompilationProbe}) and
 * reads the log. {@code -Xbatch} makes each compile finish before the code runs on, so the count of
 * calls decides, not timing.
 */
class TileCompilationTest {

    private static final String KERNELS = "io.bitnetstreams.engine.kernel.";
    /** A PrintCompilation line of a kernel method: timestamp, id, flags (% = OSR), tier, name. */
    private static final Pattern COMPILED = Pattern.compile(
            "^\\s*\\d+\\s+\\d+\\s+([%sbn! ]*?)\\s*([0-4])\\s+" + Pattern.quote(KERNELS) + "(Lut\\d+::\\w+)");
    private static final List<String> TILES = List.of(
            "Lut256::tile2x4", "Lut256::tile4x1", "Lut256::tile2x1",
            "Lut128::tile2x4", "Lut128::tile4x1", "Lut128::tile2x1");

    @Test
    void everyTileOfTheAvx2WidthsCompilesAtTierFour(@TempDir Path dir) throws IOException, InterruptedException {
        assumeTrue(Kernels.maxVectorBits() >= 256, "this CPU/JVM has no 256-bit vectors (AVX2)");
        List<String> log = runProbe(dir, "256", "128");

        List<String> refused = log.stream()
                .filter(line -> line.contains(KERNELS + "Lut"))
                .filter(line -> line.contains("COMPILE SKIPPED") || line.contains("not compilable")
                        || line.contains("not retryable"))
                .toList();
        assertThat(refused).as("kernel compilations the JIT gave up on").isEmpty();

        Set<String> atTierFour = new TreeSet<>();
        for (String line : log) {
            Matcher m = COMPILED.matcher(line);
            if (m.find() && m.group(2).equals("4") && !m.group(1).contains("%")) {
                atTierFour.add(m.group(3));
            }
        }
        assertThat(atTierFour).as("tile methods C2 compiled (whole method, not only a loop)").containsAll(TILES);
    }

    private static List<String> runProbe(Path dir, String... widths) throws IOException, InterruptedException {
        Path output = dir.resolve("compilation.log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-XX:UseAVX=2", "-Xbatch", "-XX:+UseSerialGC", "-Xmx256m", "-XX:+PrintCompilation",
                "-XX:CompileCommand=quiet",
                // the CLI's kernel thresholds (bin/lib/common.sh): tier 4 after a few hundred calls
                "-XX:CompileCommand=CompileThresholdScaling," + KERNELS + "Lut*::*,0.05",
                "-cp", System.getProperty("java.class.path"),
                TileCompilationProbe.class.getName()));
        command.addAll(List.of(widths));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean finished = process.waitFor(120, TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly();
        }
        List<String> log = Files.readAllLines(output, StandardCharsets.UTF_8);
        assertThat(finished).as("probe finished within 120 s").isTrue();
        assertThat(process.exitValue()).as("probe exit status; output:%n%s", String.join("\n", log)).isZero();
        return log;
    }
}

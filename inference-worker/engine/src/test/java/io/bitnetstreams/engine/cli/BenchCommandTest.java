package io.bitnetstreams.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bitnet bench} on a tiny synthetic model: the shape of its output, never its speed. */
class BenchCommandTest {

    @TempDir
    static Path dir;

    static Path model;

    record Run(int exitCode, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cli = BitnetCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void writeTinyModel() {
        model = dir.resolve("tiny.gguf");
        Run synth = run("synth", "-o", model.toString(), "--shape", "tiny", "--seed", "3");
        assertThat(synth.exitCode()).as(synth.err()).isZero();
    }

    @Test
    void tablePrintsOneRowPerTestAndThreadCount() {
        Run r = run("bench", model.toString(), "-p", "8", "-n", "4", "-t", "1,2", "-r", "2", "--warmup", "0",
                "--repack-cache", dir.resolve("cache").toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> rows = r.out().lines().filter(l -> l.startsWith("| tiny.gguf")).toList();
        assertThat(rows).hasSize(4);
        assertThat(rows.get(0)).contains("| pp8 ").containsPattern("\\|\\s+1 \\|");
        assertThat(rows.get(1)).contains("| tg4 ").containsPattern("\\|\\s+1 \\|");
        assertThat(rows.get(2)).contains("| pp8 ").containsPattern("\\|\\s+2 \\|");
        assertThat(rows.get(3)).contains("| tg4 ").containsPattern("\\|\\s+2 \\|");
        assertThat(rows).allSatisfy(row -> assertThat(row).containsPattern("\\d+\\.\\d\\d ± +\\d+\\.\\d\\d \\|$"));
        assertThat(r.out().lines().findFirst()).hasValueSatisfying(h -> assertThat(h).contains("test", "t/s", "threads"));
    }

    @Test
    void jsonPrintsOneObjectPerRowWithEverySample() throws Exception {
        Run r = run("bench", model.toString(), "-p", "6", "-n", "3", "-t", "1", "-r", "3", "--warmup", "0",
                "--head", "q8_0", "--kernels", "in-place", "--json", "--repack-cache", "none");
        assertThat(r.exitCode()).as(r.err()).isZero();
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> rows = new ArrayList<>();
        for (String line : r.out().lines().toList()) {
            rows.add(json.readTree(line));
        }
        assertThat(rows).hasSize(2);
        assertThat(rows).extracting(n -> n.get("test").asText()).containsExactly("pp6", "tg3");
        for (JsonNode row : rows) {
            assertThat(row.get("head").asText()).isEqualTo("q8_0");
            assertThat(row.get("kernels").asText()).isEqualTo("in-place-scalar");
            assertThat(row.get("threads").asInt()).isEqualTo(1);
            assertThat(row.get("samples_ts")).hasSize(3);
            assertThat(row.get("avg_ts").asDouble()).isPositive();
            assertThat(row.get("size_bytes").asLong()).isPositive();
        }
    }

    @Test
    void rejectsBadArgumentsAsUsageErrors() {
        assertThat(run("bench", model.toString(), "-p", "0", "-n", "0").exitCode()).isEqualTo(2);
        assertThat(run("bench", model.toString(), "-t", "0").exitCode()).isEqualTo(2);
        assertThat(run("bench", model.toString(), "--kernels", "gpu").exitCode()).isEqualTo(2);
        assertThat(run("bench", model.toString(), "--head", "q4").exitCode()).isEqualTo(2);
    }
}

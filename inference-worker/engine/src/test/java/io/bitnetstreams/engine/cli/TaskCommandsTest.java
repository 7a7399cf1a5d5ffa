package io.bitnetstreams.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.engine.json.JsonSchemaParser;
import io.bitnetstreams.engine.json.SchemaValidator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** classify, extract and bench-batch on a tiny synthetic model (registered here as BitnetCli does not yet). */
class TaskCommandsTest {

    @TempDir
    static Path dir;

    static Path model;

    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int exitCode, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cli = BitnetCli.commandLine();
        for (Object command : new Object[] {new ClassifyCommand(), new ExtractCommand(), new BenchBatchCommand()}) {
            if (!cli.getSubcommands().containsKey(new CommandLine(command).getCommandName())) {
                cli.addSubcommand(command);
            }
        }
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
        Run synth = run("synth", "-o", model.toString(), "--shape", "tiny", "--seed", "5");
        assertThat(synth.exitCode()).as(synth.err()).isZero();
    }

    @Test
    void classifyPrintsEveryLabelWithProbabilitiesSummingToOne() throws Exception {
        Run r = run("classify", model.toString(), "--labels", "yes,no,maybe", "--text", "is it?", "--json", "-t", "1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode doc = JSON.readTree(r.out());
        assertThat(doc.get("labels")).hasSize(3);
        double total = 0;
        for (JsonNode l : doc.get("labels")) {
            total += l.get("probability").asDouble();
            assertThat(l.get("log_likelihood").asDouble()).isNegative();
        }
        assertThat(total).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(doc.get("label").asText()).isIn("yes", "no", "maybe");
    }

    @Test
    void extractPrintsSchemaValidJsonWithStatus() throws Exception {
        String schema = "{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"},\"n\":{\"type\":\"integer\"}},"
                + "\"required\":[\"ok\",\"n\"]}";
        Path schemaFile = dir.resolve("s.json");
        Files.writeString(schemaFile, schema);
        Run r = run("extract", model.toString(), "--schema", schemaFile.toString(), "--text", "ok 5", "--json",
                "--seed", "3", "-t", "1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode doc = JSON.readTree(r.out());
        assertThat(doc.get("status").asText()).isEqualTo("COMPLETE");
        assertThat(SchemaValidator.violations(JsonSchemaParser.parse(schema), doc.get("result"))).isEmpty();
    }

    @Test
    void extractRejectsAnInvalidSchema() throws Exception {
        Path schemaFile = dir.resolve("bad.json");
        Files.writeString(schemaFile, "{\"type\":\"string\"}");
        Run r = run("extract", model.toString(), "--schema", schemaFile.toString(), "--text", "x", "-t", "1");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("invalid schema");
    }

    @Test
    void benchBatchReportsEveryConcurrencyLevel() throws Exception {
        Run r = run("bench-batch", model.toString(), "--concurrency", "1,3", "-n", "4", "--json", "-t", "1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode rounds = JSON.readTree(r.out()).get("rounds");
        assertThat(rounds).hasSize(2);
        assertThat(rounds.get(1).get("concurrency").asInt()).isEqualTo(3);
        assertThat(rounds.get(1).get("tokensPerSecond").asDouble()).isPositive();
    }
}

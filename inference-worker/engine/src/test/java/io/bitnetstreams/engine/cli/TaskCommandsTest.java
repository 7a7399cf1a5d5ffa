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
    void benchBatchGenerateReportsOneObjectPerConcurrencyLevel() throws Exception {
        Run r = run("bench-batch", model.toString(), "--concurrency", "1,3", "-n", "4", "--json", "-t", "1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        java.util.List<JsonNode> levels = jsonLines(r.out());
        assertThat(levels).hasSize(2);
        assertThat(levels.get(1).get("task").asText()).isEqualTo("generate");
        assertThat(levels.get(1).get("concurrency").asInt()).isEqualTo(3);
        assertThat(levels.get(1).get("tokens").asLong()).isEqualTo(3 * 4);
        assertThat(levels.get(1).get("aggregate_tok_s").asDouble()).isPositive();
        assertThat(levels.get(1).get("end_to_end_tok_s").asDouble()).isPositive();
    }

    @Test
    void benchBatchClassifyMeasuresWithAndWithoutPrefixReuse() throws Exception {
        // a 128-token document after a 48-token instruction needs more than the tiny shape's 256-token context
        Path longContext = dir.resolve("long-context.gguf");
        Run synth = run("synth", "-o", longContext.toString(), "--shape", "custom", "--dim", "256", "--ffn", "256",
                "--heads", "4", "--layers", "1", "--ctx-length", "1024");
        assertThat(synth.exitCode()).as(synth.err()).isZero();
        Run r = run("bench-batch", longContext.toString(), "--task", "classify", "--concurrency", "2",
                "--documents-per-level", "2", "--json", "-t", "1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode level = jsonLines(r.out()).getFirst();
        assertThat(level.get("documents").asInt()).isEqualTo(4);
        assertThat(level.get("docs_per_s").asDouble()).isPositive();
        assertThat(level.get("docs_per_s_without_prefix_reuse").asDouble()).isPositive();
        assertThat(level.get("prefix_hits").asLong()).as("later documents reuse the instruction").isPositive();
        // the tiny model's byte-level vocabulary: one token per byte, so the cuts are exact
        assertThat(level.get("document_tokens").asInt()).isEqualTo(BenchBatchCommand.DOCUMENT_TOKENS);
        assertThat(level.get("instruction_tokens").asInt()).isEqualTo(BenchBatchCommand.INSTRUCTION_TOKENS);
    }

    @Test
    void benchBatchClassifyTakesTheDocumentLength() throws Exception {
        Path longContext = dir.resolve("long-context-documents.gguf");
        Run synth = run("synth", "-o", longContext.toString(), "--shape", "custom", "--dim", "256", "--ffn", "256",
                "--heads", "4", "--layers", "1", "--ctx-length", "1024");
        assertThat(synth.exitCode()).as(synth.err()).isZero();
        Run r = run("bench-batch", longContext.toString(), "--task", "classify", "--concurrency", "1",
                "--documents-per-level", "1", "--document-tokens", "300", "--json", "-t", "1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode level = jsonLines(r.out()).getFirst();
        assertThat(level.get("document_tokens").asInt()).isEqualTo(300);
        assertThat(level.get("docs_per_s_without_prefix_reuse").asDouble()).isPositive();

        Run tooLong = run("bench-batch", longContext.toString(), "--task", "classify", "--document-tokens", "100000");
        assertThat(tooLong.exitCode()).isNotZero();
        assertThat(tooLong.err()).contains("--document-tokens must be in [1, " + BenchBatchCommand.MAX_DOCUMENT_TOKENS);
    }

    private static java.util.List<JsonNode> jsonLines(String out) throws Exception {
        java.util.List<JsonNode> nodes = new java.util.ArrayList<>();
        for (String line : out.strip().split("\\R")) {
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }
}

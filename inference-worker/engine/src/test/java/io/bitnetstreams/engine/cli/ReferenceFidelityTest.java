package io.bitnetstreams.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.engine.cli.BitnetCliTest.Run;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine against figures written by the reference runtime (bitnet.cpp, default settings) on the
 * same synthetic model: {@code ../shared/data/fidelity/} (README there). The model is regenerated
 * with {@code bitnet synth} and its hash checked, so the figures apply. Skipped when the data or the
 * tokenizer is absent.
 */
class ReferenceFidelityTest {

    private static final String MODEL_SHA256 = "e3d5b443799929ef18af36137d91e2b4a513e9f64cbeefa192db3c56bad88f56";
    /** llama-perplexity -f fidelity-text.txt -c 128 --chunks 1 on the same model. */
    private static final double REFERENCE_PERPLEXITY = 810435.9740;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static Path data;
    static Path model;

    @BeforeAll
    static void regenerateTheModel() throws Exception {
        String shared = System.getProperty("bitnet.shared.dir");
        assumeTrue(shared != null, "bitnet.shared.dir not set");
        data = Path.of(shared, "data", "fidelity");
        Path vocab = Path.of(shared, "data", "llama3-tokenizer.model");
        assumeTrue(Files.isRegularFile(data.resolve("small-s11-ctx128.kld")) && Files.isRegularFile(vocab),
                "reference data absent: " + data + " (and " + vocab + ")");
        model = dir.resolve("small-s11.gguf");
        Run synth = BitnetCliTest.run("synth", "-o", model.toString(), "--shape", "small", "--vocab", vocab.toString(),
                "--seed", "11");
        assertThat(synth.exitCode()).as(synth.err()).isZero();
        assertThat(sha256(model)).as("synth output changed: the reference figures no longer apply").isEqualTo(MODEL_SHA256);
    }

    @Test
    void klDivergenceAgainstTheReferenceLogProbabilities() throws Exception {
        Run run = BitnetCliTest.run("perplexity", model.toString(), "--kl-divergence-base",
                data.resolve("small-s11-ctx128.kld").toString(), "--kl-divergence", "--json", "--repack-cache", "none");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode stats = JSON.readTree(run.out().lines().reduce((a, b) -> b).orElseThrow());
        assertThat(stats.get("positions").asInt()).isEqualTo(63);
        assertThat(stats.get("mean_kld").asDouble()).isLessThanOrEqualTo(1e-5);
        assertThat(stats.get("same_top_p").asDouble()).isEqualTo(1.0);
        // the reference's perplexity on the same tokens, to 6 significant digits
        assertThat(String.format("%.5e", stats.get("ppl_q").asDouble()))
                .isEqualTo(String.format("%.5e", REFERENCE_PERPLEXITY));
    }

    /** The same trits and scales stored as TQ2_0 and TQ1_0: every logit equal, so every statistic is. */
    @Test
    void ternaryStorageFormatsGiveTheSameLogits() throws Exception {
        Path vocab = data.getParent().resolve("llama3-tokenizer.model");
        String base = data.resolve("small-s11-ctx128.kld").toString();
        Run i2s = BitnetCliTest.run("perplexity", model.toString(), "--kl-divergence-base", base, "--kl-divergence",
                "--json", "--repack-cache", "none");
        assertThat(i2s.exitCode()).as(i2s.err()).isZero();
        JsonNode expected = JSON.readTree(i2s.out().lines().reduce((a, b) -> b).orElseThrow());
        for (String type : List.of("tq2_0", "tq1_0")) {
            Path file = dir.resolve("small-s11-" + type + ".gguf");
            Run synth = BitnetCliTest.run("synth", "-o", file.toString(), "--shape", "small", "--vocab", vocab.toString(),
                    "--seed", "11", "--wtype", type);
            assertThat(synth.exitCode()).as(synth.err()).isZero();
            Run run = BitnetCliTest.run("perplexity", file.toString(), "--kl-divergence-base", base, "--kl-divergence",
                    "--json", "--repack-cache", "none");
            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(JSON.readTree(run.out().lines().reduce((a, b) -> b).orElseThrow())).as(type).isEqualTo(expected);
            Files.delete(file);
        }
    }

    @Test
    void greedyContinuationsEqualTheReference() throws Exception {
        List<String> lines = Files.readAllLines(data.resolve("greedy-s11.jsonl"));
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            JsonNode expected = JSON.readTree(line);
            Run run = BitnetCliTest.run("generate", model.toString(), "-p", expected.get("prompt").asText(), "-n",
                    expected.get("n").asText(), "--temp", "0", "--json", "--repack-cache", "none", "--ctx", "256");
            assertThat(run.exitCode()).as(run.err()).isZero();
            String text = JSON.readTree(run.out().lines().reduce((a, b) -> b).orElseThrow()).get("text").asText();
            // the reference file holds the text as a terminal printed it: carriage returns did not survive
            assertThat(stripTrailingNewlines(text.replace("\r", "")))
                    .as("continuation of %s", expected.get("prompt").asText())
                    .isEqualTo(expected.get("output").asText());
        }
    }

    private static String stripTrailingNewlines(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '\n') {
            end--;
        }
        return s.substring(0, end);
    }

    static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}

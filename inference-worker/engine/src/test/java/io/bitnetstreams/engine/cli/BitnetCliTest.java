package io.bitnetstreams.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.kernel.InPlaceKernels;
import io.bitnetstreams.engine.model.BitNetModel;
import io.bitnetstreams.engine.model.GgufTokenizers;
import io.bitnetstreams.engine.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class BitnetCliTest {

    @TempDir
    static Path dir;

    static Path model;

    private static final ObjectMapper JSON = new ObjectMapper();

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
        Run synth = run("synth", "-o", model.toString(), "--shape", "tiny", "--seed", "5");
        assertThat(synth.exitCode()).as(synth.err()).isZero();
        assertThat(synth.out()).contains("wrote");
    }

    @ParameterizedTest
    @ValueSource(strings = {"inspect", "tokenize", "generate", "perplexity", "synth", "pull"})
    void everyCommandHasHelp(String command) {
        Run help = run(command, "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Usage: bitnet " + command);
    }

    @Test
    void inspectPrintsTheTensorTableAndConfig() {
        Run inspect = run("inspect", model.toString());
        assertThat(inspect.exitCode()).as(inspect.err()).isZero();
        assertThat(inspect.out())
                .contains("architecture:  bitnet-b1.58")
                .contains("dim 256, layers 2, ffn 512, heads 4, kv heads 2")
                .contains("tensors (24):")
                .containsPattern("blk\\.1\\.ffn_down\\.weight\\s+I2_S\\s+512 x 256\\s+32,800")
                .containsPattern("token_embd\\.weight\\s+F16\\s+256 x 261\\s+133,632")
                .contains("tokens          261");
    }

    @Test
    void inspectJsonListsEveryTensor() throws Exception {
        Run inspect = run("inspect", model.toString(), "--json");
        assertThat(inspect.exitCode()).isZero();
        JsonNode doc = JSON.readTree(inspect.out());
        assertThat(doc.get("tensors")).hasSize(24);
        assertThat(doc.get("config").get("heads").asInt()).isEqualTo(4);
        assertThat(doc.get("tokenizer").get("tokens").asInt()).isEqualTo(261);
    }

    @Test
    void tokenizeIdsOnlyGivesByteIds() {
        Run tokens = run("tokenize", model.toString(), "--text", "Hi!", "--ids-only");
        assertThat(tokens.exitCode()).as(tokens.err()).isZero();
        // the byte-level vocabulary maps each byte to its value: H = 72, i = 105, ! = 33
        assertThat(tokens.out().trim()).isEqualTo("72 105 33");
        Run json = run("tokenize", model.toString(), "--text", "Hi", "--json");
        assertThat(json.out()).contains("\"ids\":[72,105]");
    }

    @Test
    void tokenizeReadsATiktokenRanksFile() {
        Path ranks = Path.of(System.getProperty("bitnet.shared.dir", "../shared"), "data", "llama3-tokenizer.model");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(ranks), "real vocabulary not available");
        Run tokens = run("tokenize", ranks.toString(), "--text", "Hello world", "--ids-only");
        assertThat(tokens.exitCode()).as(tokens.err()).isZero();
        // Llama 3: "Hello" = 9906, " world" = 1917
        assertThat(tokens.out().trim()).isEqualTo("9906 1917");
        Run pieces = run("tokenize", ranks.toString(), "--text", "Hello world");
        assertThat(pieces.out()).contains("9906  Hello").contains("1917  Ġworld");
    }

    @Test
    void greedyGenerateIsTheArgmaxOfTheModelsLogits() throws Exception {
        Run first = run("generate", model.toString(), "-p", "Hello", "-n", "6", "--temp", "0", "--json", "--threads", "1");
        assertThat(first.exitCode()).as(first.err()).isZero();
        Run second = run("generate", model.toString(), "-p", "Hello", "-n", "6", "--temp", "0", "--json", "--threads", "2");
        assertThat(second.out()).isEqualTo(first.out());
        JsonNode doc = JSON.readTree(first.out());
        int[] promptIds = ints(doc.get("prompt_ids"));
        int[] ids = ints(doc.get("ids"));
        assertThat(promptIds).containsExactly(256, 72, 101, 108, 108, 111);
        try (GgufFile file = GgufFile.open(model)) {
            BitNetModel bitnet = BitNetModel.load(file, new InPlaceKernels(), ComputePool.singleThreaded());
            Tokenizer tokenizer = GgufTokenizers.tokenizer(file.metadata());
            List<Integer> sequence = new ArrayList<>();
            Arrays.stream(promptIds).forEach(sequence::add);
            List<Integer> expected = new ArrayList<>();
            int vocab = bitnet.config().vocabSize();
            while (expected.size() < 6) {
                int[] seq = sequence.stream().mapToInt(Integer::intValue).toArray();
                float[] logits = bitnet.forwardAll(bitnet.newCache(seq.length), seq);
                int best = 0;
                for (int v = 1; v < vocab; v++) {
                    if (logits[(seq.length - 1) * vocab + v] > logits[(seq.length - 1) * vocab + best]) {
                        best = v;
                    }
                }
                if (best == 257 || best == 260) {
                    break;
                }
                expected.add(best);
                sequence.add(best);
            }
            assertThat(ids).containsExactly(expected.stream().mapToInt(Integer::intValue).toArray());
            assertThat(doc.get("text").asText()).isEqualTo(tokenizer.decode(ids));
        }
    }

    @Test
    void sampledGenerateIsDeterministicForASeed() {
        String[] args = {"generate", model.toString(), "-p", "Once", "-n", "8", "--temp", "1.0", "--seed", "42", "--json"};
        Run a = run(args);
        Run b = run(args);
        assertThat(a.exitCode()).as(a.err()).isZero();
        assertThat(a.out()).isEqualTo(b.out()).contains("\"prompt_ids\":[256,79,110,99,101]");
    }

    @Test
    void chatGenerateWrapsThePromptInTheChatFormat() throws Exception {
        Run chat = run("generate", model.toString(), "-p", " Hi ", "--chat", "--system", "Be brief", "-n", "2", "--temp", "0",
                "--json");
        assertThat(chat.exitCode()).as(chat.err()).isZero();
        int[] prompt = ints(JSON.readTree(chat.out()).get("prompt_ids"));
        try (GgufFile file = GgufFile.open(model)) {
            Tokenizer tokenizer = GgufTokenizers.tokenizer(file.metadata());
            // BOS, "System: Be brief", EOT, "User: Hi", EOT, "Assistant: " with contents trimmed
            assertThat(prompt[0]).isEqualTo(256);
            assertThat(tokenizer.decode(prompt)).isEqualTo("System: Be briefUser: HiAssistant: ");
            assertThat(Arrays.stream(prompt).filter(id -> id == 260).count()).isEqualTo(2);
        }
        assertThat(run("generate", model.toString(), "-p", "x", "--system", "s").exitCode()).isEqualTo(2);
    }

    @Test
    void perplexityMatchesAnIndependentComputation() throws Exception {
        Path text = dir.resolve("text.txt");
        Files.writeString(text, "The quick brown fox jumps over the lazy dog. " .repeat(3), StandardCharsets.UTF_8);
        Run ppl = run("perplexity", model.toString(), "-f", text.toString(), "--ctx", "32", "--chunks", "3", "--json");
        assertThat(ppl.exitCode()).as(ppl.err()).isZero();
        JsonNode doc = JSON.readTree(ppl.out());
        try (GgufFile file = GgufFile.open(model)) {
            BitNetModel bitnet = BitNetModel.load(file, new InPlaceKernels(), ComputePool.singleThreaded());
            Tokenizer tokenizer = GgufTokenizers.tokenizer(file.metadata());
            byte[] bytes = Files.readAllBytes(text);
            int[] tokens = new int[bytes.length + 1];
            tokens[0] = 256;
            int[] encoded = tokenizer.encode(Files.readString(text));
            assertThat(encoded).hasSize(bytes.length);
            System.arraycopy(encoded, 0, tokens, 1, encoded.length);
            int vocab = bitnet.config().vocabSize();
            double nll = 0;
            int count = 0;
            for (int c = 0; c < 3; c++) {
                int[] chunk = Arrays.copyOfRange(tokens, c * 32, c * 32 + 32);
                chunk[0] = 256;
                float[] logits = bitnet.forwardAll(bitnet.newCache(32), chunk);
                for (int pos = 16; pos <= 30; pos++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int v = 0; v < vocab; v++) {
                        max = Math.max(max, logits[pos * vocab + v]);
                    }
                    double sum = 0;
                    for (int v = 0; v < vocab; v++) {
                        sum += Math.exp(logits[pos * vocab + v] - max);
                    }
                    nll -= logits[pos * vocab + tokens[c * 32 + pos + 1]] - max - Math.log(sum);
                    count++;
                }
            }
            assertThat(doc.get("tokens_scored").asInt()).isEqualTo(count).isEqualTo(45);
            assertThat(doc.get("perplexity").asDouble()).isCloseTo(Math.exp(nll / count),
                    org.assertj.core.data.Percentage.withPercentage(1e-4));
        }
        Run textRun = run("perplexity", model.toString(), "-f", text.toString(), "--ctx", "32", "--chunks", "2");
        assertThat(textRun.out()).contains("[1/2] running perplexity").contains("[2/2]").contains("perplexity:");
    }

    @Test
    void perplexityOnATooShortFileIsAClearError() throws Exception {
        Path text = dir.resolve("short.txt");
        Files.writeString(text, "too short");
        Run ppl = run("perplexity", model.toString(), "-f", text.toString(), "--ctx", "64");
        assertThat(ppl.exitCode()).isEqualTo(1);
        assertThat(ppl.err()).contains("fewer than one chunk").doesNotContain("\tat ");
    }

    @Test
    void runtimeErrorsAreOneLineWithExitCodeOne() {
        Run missing = run("inspect", dir.resolve("nope.gguf").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err().strip().lines()).hasSize(1);
        assertThat(missing.err()).contains("nope.gguf");
        Run verbose = run("inspect", dir.resolve("nope.gguf").toString(), "--verbose");
        assertThat(verbose.err()).contains("\tat ");
    }

    @Test
    void promptLongerThanTheContextIsAClearError() {
        Run tooLong = run("generate", model.toString(), "-p", "a long prompt", "--ctx", "8", "--temp", "0");
        assertThat(tooLong.exitCode()).isEqualTo(1);
        assertThat(tooLong.err()).contains("prompt has 14 tokens").contains("--ctx 8");
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertThat(run("generate", model.toString()).exitCode()).isEqualTo(2);
        assertThat(run("generate", model.toString(), "-p", "x", "--top-p", "7").exitCode()).isEqualTo(2);
        assertThat(run("synth", "-o", dir.resolve("x.gguf").toString(), "--wtype", "q4_0").exitCode()).isEqualTo(2);
        assertThat(run("frobnicate").exitCode()).isEqualTo(2);
        assertThat(run("generate", model.toString(), "-p", "x", "--threads", "0").exitCode()).isEqualTo(2);
        assertThat(run("perplexity", model.toString(), "-f", "x.txt", "--kernels", "fast").exitCode()).isEqualTo(2);
        assertThat(run().exitCode()).isEqualTo(2);
    }

    private static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asInt();
        }
        return values;
    }
}

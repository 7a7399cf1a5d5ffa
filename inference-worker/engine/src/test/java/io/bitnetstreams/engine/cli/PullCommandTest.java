package io.bitnetstreams.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.engine.download.Sleeper;
import io.bitnetstreams.engine.download.TestFileServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PullCommandTest {

    @TempDir
    Path directory;

    private TestFileServer server;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void startServer() throws Exception {
        server = new TestFileServer(200_000, 9L);
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private int pull(Map<String, String> environment, String... args) {
        CommandLine commandLine = new CommandLine(new PullCommand(environment::get, Sleeper.NONE));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setUsageHelpWidth(200);
        return commandLine.execute(args);
    }

    private int pull(String... args) {
        return pull(Map.of(), args);
    }

    @Test
    void downloadsVerifiesAndPrintsThePath() throws Exception {
        int exit = pull(server.fileUri().toString(), "-o", directory.toString(), "--sha256", server.sha256());

        Path file = directory.resolve("model.bin").toAbsolutePath();
        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString().strip()).isEqualTo(file.toString());
        assertThat(Files.readAllBytes(file)).isEqualTo(server.content());
        assertThat(err.toString()).contains("100.0%", "MB/s", "verifying SHA-256");
    }

    @Test
    void resumesACutDownloadAndSendsTheTokenFromTheEnvironment() throws Exception {
        server.cutFirstResponseAfter(50_000);

        int exit = pull(Map.of("HF_TOKEN", "hf_test"), server.fileUri().toString(), "--output-dir", directory.toString());

        assertThat(exit).as(err.toString()).isZero();
        assertThat(Files.readAllBytes(directory.resolve("model.bin"))).isEqualTo(server.content());
        assertThat(server.requests()).extracting(TestFileServer.Request::range).containsExactly(null, "bytes=50000-");
        assertThat(server.requests()).allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer hf_test"));
        assertThat(err.toString()).contains("retry 1").doesNotContain("hf_test");
    }

    @Test
    void badChecksumExitsWithOneAndInstallsNothing() {
        int exit = pull(server.fileUri().toString(), "-o", directory.toString(), "--sha256", "a".repeat(64));

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("pull: SHA-256 mismatch");
        assertThat(out.toString()).isEmpty();
        assertThat(directory.resolve("model.bin")).doesNotExist();
    }

    @Test
    void notFoundExitsWithOneNamingTheUrl() {
        String missing = server.uri("/nope.gguf").toString();

        int exit = pull(missing, "-o", directory.toString(), "--quiet");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("404", missing).doesNotContain("%");
    }

    @Test
    void invalidArgumentsExitWithOneAndAMessage() {
        assertThat(pull(server.fileUri().toString(), "-o", directory.toString(), "--sha256", "xyz")).isEqualTo(1);
        assertThat(err.toString()).contains("64 hex digits");
        assertThat(pull("ftp://example.com/m.gguf", "-o", directory.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("http(s) URL or hf:OWNER/REPO/FILE");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void helpShowsTheDefaultSource() {
        assertThat(pull("--help")).isZero();
        assertThat(out.toString()).contains("pull", "hf:microsoft/bitnet-b1.58-2B-4T-gguf/ggml-model-i2_s.gguf", "--sha256");
    }
}

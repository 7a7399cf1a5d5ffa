package io.bitnetstreams.engine.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ModelDownloaderTest {

    private static final int SIZE = 300_000;

    @TempDir
    Path directory;

    private TestFileServer server;
    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private final RecordingListener listener = new RecordingListener();

    @BeforeEach
    void startServer() throws IOException {
        server = new TestFileServer(SIZE, 42L);
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private DownloadConfig config() {
        return DownloadConfig.fromEnvironment(name -> null)
                .withDirectory(directory)
                .withRetries(3, Duration.ofMillis(100), Duration.ofSeconds(1));
    }

    private Path download(DownloadConfig config, URI uri, String sha256) throws Exception {
        try (ModelDownloader downloader = new ModelDownloader(config, waits::add)) {
            return downloader.download(ModelSource.parse(uri.toString()), sha256, listener);
        }
    }

    private Path target() {
        return directory.resolve("model.bin");
    }

    private Path part() {
        return directory.resolve("model.bin.part");
    }

    @Test
    void downloadsAndVerifiesTheWholeFile() throws Exception {
        Path file = download(config(), server.fileUri(), server.sha256().toUpperCase());

        assertThat(file).isEqualTo(target());
        assertThat(Files.readAllBytes(file)).isEqualTo(server.content());
        assertThat(part()).doesNotExist();
        assertThat(server.requests()).singleElement().satisfies(r -> assertThat(r.range()).isNull());
        assertThat(listener.lastProgress).isEqualTo(SIZE);
        assertThat(listener.lastTotal).isEqualTo(SIZE);
        assertThat(listener.verified).isTrue();
        assertThat(listener.finished).isEqualTo(file);
    }

    @Test
    void resumesACutBodyWithARangeRequest() throws Exception {
        server.cutFirstResponseAfter(100_000);

        Path file = download(config(), server.fileUri(), server.sha256());

        assertThat(Files.readAllBytes(file)).isEqualTo(server.content());
        List<TestFileServer.Request> requests = server.requests();
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).range()).isNull();
        // the server sent 100,000 bytes before dropping the connection; a drop may also discard some of
        // them in flight, so the resume point is what the client had kept: more than nothing, at most all
        assertThat(listener.resumedFrom).hasSize(2).startsWith(0L);
        long kept = listener.resumedFrom.get(1);
        assertThat(kept).isPositive().isLessThanOrEqualTo(100_000L);
        assertThat(requests.get(1).range()).isEqualTo("bytes=" + kept + "-");
        assertThat(requests.get(1).ifRange()).isEqualTo("\"content-v1\"");
        assertThat(waits).containsExactly(Duration.ofMillis(100));
        assertThat(listener.retries).hasSize(1);
    }

    @Test
    @Timeout(30) // without the watchdog the read would hang forever
    void dropsAStalledBodyAndResumes() throws Exception {
        server.stallFirstResponseAfter(70_000);

        Path file = download(config().withStallTimeout(Duration.ofMillis(300)), server.fileUri(), server.sha256());

        assertThat(Files.readAllBytes(file)).isEqualTo(server.content());
        assertThat(server.requests()).extracting(TestFileServer.Request::range).containsExactly(null, "bytes=70000-");
        assertThat(listener.retries).singleElement().asString().contains("no data for");
    }

    @Test
    void resumesAPartFileLeftByAnEarlierRun() throws Exception {
        Files.write(part(), Arrays.copyOf(server.content(), 12_345));

        Path file = download(config(), server.fileUri(), server.sha256());

        assertThat(Files.readAllBytes(file)).isEqualTo(server.content());
        assertThat(server.requests()).singleElement().satisfies(r -> assertThat(r.range()).isEqualTo("bytes=12345-"));
    }

    @Test
    void restartsFromZeroWhenTheServerIgnoresRange() throws Exception {
        server.ignoreRange();
        byte[] garbage = new byte[5_000];
        Arrays.fill(garbage, (byte) 7);
        Files.write(part(), garbage);

        Path file = download(config(), server.fileUri(), server.sha256());

        assertThat(Files.readAllBytes(file)).isEqualTo(server.content());
        assertThat(server.requests()).singleElement().satisfies(r -> assertThat(r.range()).isEqualTo("bytes=5000-"));
    }

    @Test
    void treatsUnsatisfiableRangeOnACompletePartAsDone() throws Exception {
        Files.write(part(), server.content());

        Path file = download(config(), server.fileUri(), server.sha256());

        assertThat(Files.readAllBytes(file)).isEqualTo(server.content());
        assertThat(part()).doesNotExist();
        assertThat(server.requests()).singleElement().satisfies(r -> assertThat(r.range()).isEqualTo("bytes=300000-"));
    }

    @Test
    void restartsWhenThePartIsLongerThanTheFile() throws Exception {
        Files.write(part(), new byte[SIZE + 10]);

        Path file = download(config(), server.fileUri(), server.sha256());

        assertThat(Files.readAllBytes(file)).isEqualTo(server.content());
        assertThat(server.requests()).extracting(TestFileServer.Request::range).containsExactly("bytes=300010-", null);
    }

    @Test
    void badChecksumFailsClearlyAndInstallsNothing() {
        String wrong = "0".repeat(64);

        assertThatThrownBy(() -> download(config(), server.fileUri(), wrong))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("SHA-256 mismatch")
                .hasMessageContaining(wrong)
                .hasMessageContaining(server.sha256())
                .hasMessageContaining("partial file was deleted");
        assertThat(target()).doesNotExist();
        assertThat(part()).doesNotExist();
    }

    @Test
    void corruptResumedBytesAreCaughtByTheChecksum() throws Exception {
        byte[] corrupt = Arrays.copyOf(server.content(), 1_000);
        corrupt[500] ^= 1;
        Files.write(part(), corrupt);

        assertThatThrownBy(() -> download(config(), server.fileUri(), server.sha256()))
                .isInstanceOf(DownloadException.class).hasMessageContaining("SHA-256 mismatch");
        assertThat(target()).doesNotExist();

        Path file = download(config(), server.fileUri(), server.sha256()); // a second run starts afresh
        assertThat(Files.readAllBytes(file)).isEqualTo(server.content());
    }

    @Test
    void notFoundNamesTheUrl() {
        URI missing = server.uri("/missing.gguf");

        assertThatThrownBy(() -> download(config(), missing, null))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("404")
                .hasMessageContaining(missing.toString());
        assertThat(server.requests()).hasSize(1);
        assertThat(waits).isEmpty();
        assertThat(directory.resolve("missing.gguf")).doesNotExist();
    }

    @Test
    void forbiddenPointsAtTheToken() {
        server.fail(1, 401);

        assertThatThrownBy(() -> download(config(), server.fileUri(), null))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("401")
                .hasMessageContaining("HF_TOKEN");
    }

    @Test
    void retriesServerErrorsWithGrowingBackoff() throws Exception {
        server.fail(2, 503);

        Path file = download(config(), server.fileUri(), server.sha256());

        assertThat(Files.readAllBytes(file)).isEqualTo(server.content());
        assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void givesUpAfterTheConfiguredAttempts() {
        server.fail(100, 500);

        assertThatThrownBy(() -> download(config(), server.fileUri(), null))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("giving up")
                .hasMessageContaining("3 attempts")
                .hasMessageContaining("HTTP 500");
        assertThat(server.requests()).hasSize(3);
        assertThat(target()).doesNotExist();
    }

    @Test
    void connectionRefusedIsRetriedThenReported() throws Exception {
        URI closed;
        try (TestFileServer gone = new TestFileServer(10, 1L)) {
            closed = gone.fileUri();
        }
        URI unreachable = closed;
        assertThatThrownBy(() -> download(config(), unreachable, null))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("giving up")
                .hasMessageContaining("cannot reach");
        assertThat(waits).hasSize(2);
    }

    @Test
    void followsRedirectsAndSendsTheTokenOnlyToTheOrigin() throws Exception {
        try (TestFileServer origin = new TestFileServer(10, 2L)) {
            origin.redirectTo(server.fileUri());
            DownloadConfig config = config().withBearerToken("hf_secret");

            Path file = download(config, origin.uri("/redirect"), server.sha256());

            assertThat(Files.readAllBytes(file)).isEqualTo(server.content());
            assertThat(origin.requests()).singleElement()
                    .satisfies(r -> assertThat(r.authorization()).isEqualTo("Bearer hf_secret"));
            assertThat(server.requests()).singleElement().satisfies(r -> assertThat(r.authorization()).isNull());
        }
    }

    @Test
    void reusesAnExistingVerifiedFileWithoutARequest() throws Exception {
        Files.write(target(), server.content());

        assertThat(download(config(), server.fileUri(), server.sha256())).isEqualTo(target());
        assertThat(download(config(), server.fileUri(), null)).isEqualTo(target());
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void replacesAnExistingFileThatFailsTheChecksum() throws Exception {
        Files.write(target(), new byte[] {1, 2, 3});

        Path file = download(config(), server.fileUri(), server.sha256());

        assertThat(Files.readAllBytes(file)).isEqualTo(server.content());
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void refusesFilesLargerThanTheLimit() {
        assertThatThrownBy(() -> download(config().withMaxFileBytes(1_000), server.fileUri(), null))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("limit");
        assertThat(target()).doesNotExist();
    }

    @Test
    void refusesASecondConcurrentDownloadOfTheSameFile() throws Exception {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(part(),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock ignored = channel.lock()) {
            assertThatThrownBy(() -> download(config(), server.fileUri(), null))
                    .isInstanceOf(DownloadException.class)
                    .hasMessageContaining("in progress");
        }
        assertThat(server.requests()).isEmpty();
        assertThat(download(config(), server.fileUri(), server.sha256())).exists(); // the lock is gone
    }

    @Test
    void rejectsMalformedChecksums() {
        assertThatIllegalArgumentException().isThrownBy(() -> ModelDownloader.normalizeSha256("abc"))
                .withMessageContaining("64 hex digits");
        assertThatIllegalArgumentException().isThrownBy(() -> ModelDownloader.normalizeSha256("g".repeat(64)));
        assertThat(ModelDownloader.normalizeSha256(" " + "AB".repeat(32) + " ")).isEqualTo("ab".repeat(32));
    }

    private static final class RecordingListener implements DownloadListener {
        final List<Long> resumedFrom = new ArrayList<>();
        final List<String> retries = new ArrayList<>();
        long lastProgress = -1;
        long lastTotal = -2;
        boolean verified;
        Path finished;

        @Override
        public void started(URI uri, long resumedBytes, long totalBytes) {
            resumedFrom.add(resumedBytes);
            lastProgress = resumedBytes;
        }

        @Override
        public void progress(long bytes, long totalBytes) {
            assertThat(bytes).as("progress within one response only grows").isGreaterThanOrEqualTo(lastProgress);
            lastProgress = bytes;
            lastTotal = totalBytes;
        }

        @Override
        public void retrying(int retry, Duration wait, String reason) {
            retries.add(reason);
        }

        @Override
        public void verifying(long bytes) {
            verified = true;
        }

        @Override
        public void finished(Path file, long bytes) {
            finished = file;
        }
    }
}

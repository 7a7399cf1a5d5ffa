package io.bitnetstreams.engine.download;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resumable HTTP download of a model file.
 *
 * <ul>
 *   <li>Bytes go to {@code <dir>/<file>.part}; a later run (or a retry) continues from its size
 *       with a {@code Range} request. 206 appends, 200 (server ignored the range) restarts from 0,
 *       416 means the part is already complete (checked against the total when the server says it).</li>
 *   <li>Redirects are followed (up to 10); the {@code Authorization} header (token from
 *       {@code HF_TOKEN}) is only sent to the origin of the source URL, never to a CDN it redirects to,
 *       and is never logged.</li>
 *   <li>Connection errors, truncated bodies, 408, 429 and 5xx are retried with exponential backoff;
 *       {@code maxAttempts} bounds consecutive attempts that add no bytes. Other 4xx fail at once
 *       with a message naming the status and URL.</li>
 *   <li>With a checksum, SHA-256 is computed over the complete file (resumed bytes included). On a
 *       mismatch the {@code .part} file is deleted (its bytes are wrong, resuming would keep them)
 *       and a {@link DownloadException} is thrown; no final file is created. Only a verified (or
 *       unchecked, when no checksum is given) file is renamed atomically to its final name.</li>
 *   <li>An existing final file is reused: without a checksum as is, with one only if it matches
 *       (otherwise it is downloaded again and replaced after verification).</li>
 * </ul>
 *
 * <p>Concurrent downloads of the same file are refused through a lock on the {@code .part} file.
 */
public final class ModelDownloader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelDownloader.class);

    static final int MAX_REDIRECTS = 10;
    static final String PART_SUFFIX = ".part";
    private static final int BUFFER_BYTES = 1 << 16;
    private static final Duration RESPONSE_TIMEOUT = Duration.ofMinutes(2);
    private static final String USER_AGENT = "bitnet-streams";
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(?:(\\d+)-(\\d+)|\\*)/(\\d+|\\*)");

    private final DownloadConfig config;
    private final HttpClient client;
    private final boolean ownsClient;
    private final Sleeper sleeper;

    public ModelDownloader(DownloadConfig config) {
        this(config, newClient(config), true, Sleeper.SYSTEM);
    }

    /** With a caller-owned client (not closed by {@link #close()}) and a custom wait between retries. */
    public ModelDownloader(DownloadConfig config, HttpClient client, Sleeper sleeper) {
        this(config, client, false, sleeper);
    }

    /** With an own client built from {@code config} and a custom wait between retries. */
    public ModelDownloader(DownloadConfig config, Sleeper sleeper) {
        this(config, newClient(config), true, sleeper);
    }

    private ModelDownloader(DownloadConfig config, HttpClient client, boolean ownsClient, Sleeper sleeper) {
        this.config = Objects.requireNonNull(config, "config");
        this.client = Objects.requireNonNull(client, "client");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.ownsClient = ownsClient;
    }

    private static HttpClient newClient(DownloadConfig config) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER) // followed by hand to drop the token off-origin
                .build();
    }

    public DownloadConfig config() {
        return config;
    }

    /** Where the finished file of {@code source} goes. */
    public Path targetPath(ModelSource source) {
        return config.directory().resolve(source.fileName());
    }

    /** Where the bytes of {@code source} collect until the download is complete and verified. */
    public Path partPath(ModelSource source) {
        return config.directory().resolve(source.fileName() + PART_SUFFIX);
    }

    /**
     * Downloads {@code source} (or reuses a finished file) and returns the final path.
     *
     * @param expectedSha256 64 hex digits, or null to skip verification
     * @throws DownloadException    on HTTP errors, checksum mismatch, exhausted retries or disk errors
     * @throws InterruptedException when interrupted; the {@code .part} file stays for a later resume
     */
    public Path download(ModelSource source, String expectedSha256, DownloadListener listener)
            throws IOException, InterruptedException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(listener, "listener");
        String expected = normalizeSha256(expectedSha256);
        Path target = targetPath(source);
        Path part = partPath(source);
        Files.createDirectories(config.directory());

        if (Files.isRegularFile(target)) {
            Optional<Path> reused = reuseExisting(target, expected, listener);
            if (reused.isPresent()) {
                return reused.get();
            }
        }
        fetchLocked(source, part, listener);
        long size = Files.size(part);
        if (expected != null) {
            listener.verifying(size);
            String actual = sha256Hex(part);
            if (!actual.equals(expected)) {
                Files.deleteIfExists(part);
                throw new DownloadException("SHA-256 mismatch for " + source.fileName() + " from " + source.uri()
                        + ": expected " + expected + ", got " + actual
                        + "; the partial file was deleted, no file was installed");
            }
        }
        moveIntoPlace(part, target);
        LOG.info("Downloaded {} ({} bytes) to {}", source.uri(), size, target);
        listener.finished(target, size);
        return target;
    }

    private Optional<Path> reuseExisting(Path target, String expected, DownloadListener listener) throws IOException {
        long size = Files.size(target);
        if (expected == null) {
            LOG.info("{} already present ({} bytes), not downloading", target, size);
            listener.finished(target, size);
            return Optional.of(target);
        }
        listener.verifying(size);
        if (sha256Hex(target).equals(expected)) {
            LOG.info("{} already present and verified", target);
            listener.finished(target, size);
            return Optional.of(target);
        }
        LOG.warn("{} exists but does not match the expected SHA-256; downloading it again", target);
        return Optional.empty();
    }

    private void fetchLocked(ModelSource source, Path part, DownloadListener listener)
            throws IOException, InterruptedException {
        try (FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = tryLock(channel);
            if (lock == null) {
                throw new DownloadException("another download of " + source.fileName() + " is in progress ("
                        + part + " is locked)");
            }
            try (lock) {
                new Transfer(source, channel, listener).run();
                channel.force(true);
            }
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null; // held by this JVM
        }
    }

    private static void moveIntoPlace(Path part, Path target) throws IOException {
        try {
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Null stays null; otherwise 64 hex digits, returned in lower case. */
    public static String normalizeSha256(String hex) {
        if (hex == null) {
            return null;
        }
        String trimmed = hex.strip();
        if (!SHA256.matcher(trimmed).matches()) {
            throw new IllegalArgumentException("SHA-256 must be 64 hex digits, got '" + abbreviate(trimmed) + "'");
        }
        return trimmed.toLowerCase(Locale.ROOT);
    }

    /** SHA-256 of a whole file, lower-case hex. */
    public static String sha256Hex(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always provides SHA-256", e);
        }
        ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                digest.update(buffer);
                buffer.clear();
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }

    /** scheme://host[:port]/path without the query, which may hold a CDN signature. */
    static String withoutQuery(URI uri) {
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        return uri.getScheme() + "://" + uri.getHost() + port + Objects.requireNonNullElse(uri.getRawPath(), "");
    }

    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }

    /** A failure worth another attempt (connection trouble, truncated body, 408/429/5xx). */
    private static final class RetryableException extends Exception {
        RetryableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private record ContentRange(long start, long end, long total) {
        static Optional<ContentRange> parse(Optional<String> header) {
            if (header.isEmpty()) {
                return Optional.empty();
            }
            Matcher m = CONTENT_RANGE.matcher(header.get().strip());
            if (!m.matches()) {
                return Optional.empty();
            }
            try {
                long start = m.group(1) == null ? -1 : Long.parseLong(m.group(1));
                long end = m.group(2) == null ? -1 : Long.parseLong(m.group(2));
                long total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
                return Optional.of(new ContentRange(start, end, total));
            } catch (NumberFormatException e) {
                return Optional.empty(); // more digits than a long holds
            }
        }
    }

    /** One download into an open, locked part file, across retries. */
    private final class Transfer {
        private final ModelSource source;
        private final FileChannel channel;
        private final DownloadListener listener;
        private String validator; // strong ETag of the first response, sent as If-Range on resumes

        Transfer(ModelSource source, FileChannel channel, DownloadListener listener) {
            this.source = source;
            this.channel = channel;
            this.listener = listener;
        }

        void run() throws IOException, InterruptedException {
            int failures = 0;
            while (true) {
                long before = channel.size();
                try {
                    attempt(before);
                    return;
                } catch (RetryableException e) {
                    failures = channel.size() > before ? 1 : failures + 1; // progress resets the count
                    if (failures >= config.maxAttempts()) {
                        throw new DownloadException("giving up on " + source.uri() + " after " + failures
                                + " attempts without progress: " + e.getMessage(), e.getCause());
                    }
                    Duration wait = config.backoff(failures);
                    LOG.warn("Download of {} failed ({}); retry {} in {} ms", source.fileName(), e.getMessage(),
                            failures, wait.toMillis());
                    listener.retrying(failures, wait, e.getMessage());
                    sleeper.sleep(wait);
                }
            }
        }

        private void attempt(long offset) throws IOException, InterruptedException, RetryableException {
            HttpResponse<InputStream> response;
            try {
                response = sendFollowingRedirects(offset);
            } catch (DownloadException e) {
                throw e;
            } catch (IOException e) {
                throw new RetryableException("cannot reach " + withoutQuery(source.uri()) + ": " + describe(e), e);
            }
            try (InputStream body = response.body()) {
                handle(response, body, offset);
            }
        }

        private void handle(HttpResponse<InputStream> response, InputStream body, long offset)
                throws IOException, RetryableException {
            int status = response.statusCode();
            Optional<ContentRange> range = ContentRange.parse(response.headers().firstValue("Content-Range"));
            switch (status) {
                case 206 -> {
                    if (range.isEmpty() || range.get().start() != offset) {
                        truncate(0);
                        throw new RetryableException("server answered bytes=" + offset + "- with Content-Range "
                                + response.headers().firstValue("Content-Range").orElse("(none)")
                                + "; restarting from 0", null);
                    }
                    rememberValidator(response);
                    receive(body, offset, range.get().total(), response.uri());
                }
                case 200 -> {
                    if (offset > 0) {
                        LOG.info("Server ignored the range request for {}; restarting from byte 0", source.fileName());
                        truncate(0);
                    }
                    rememberValidator(response);
                    receive(body, 0, response.headers().firstValueAsLong("Content-Length").orElse(-1), response.uri());
                }
                case 416 -> {
                    long total = range.map(ContentRange::total).orElse(-1L);
                    if (offset > 0 && (total < 0 || total == offset)) {
                        LOG.info("{} is already complete ({} bytes)", source.fileName(), offset);
                        listener.progress(offset, offset);
                        return;
                    }
                    truncate(0);
                    throw new RetryableException("range bytes=" + offset + "- not satisfiable (server size "
                            + (total < 0 ? "unknown" : total) + "); restarting from 0", null);
                }
                case 408, 429 -> throw new RetryableException("HTTP " + status + " from " + withoutQuery(response.uri()), null);
                case 401, 403 -> throw new DownloadException("HTTP " + status + " (access denied) for " + source.uri()
                        + "; a gated or private Hugging Face repository needs a token in the "
                        + DownloadConfig.TOKEN_ENV + " environment variable"
                        + (config.bearerToken() == null ? " (none is set)" : " (the one set was refused)"));
                case 404 -> throw new DownloadException("HTTP 404 Not Found: " + source.uri()
                        + (response.uri().equals(source.uri()) ? "" : " (at " + withoutQuery(response.uri()) + ")"));
                default -> {
                    if (status >= 500 && status <= 599) {
                        throw new RetryableException("HTTP " + status + " from " + withoutQuery(response.uri()), null);
                    }
                    throw new DownloadException("unexpected HTTP " + status + " for " + source.uri());
                }
            }
        }

        private HttpResponse<InputStream> sendFollowingRedirects(long offset) throws IOException, InterruptedException {
            URI origin = source.uri();
            URI current = origin;
            for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
                HttpRequest.Builder request = HttpRequest.newBuilder(current)
                        .GET()
                        .timeout(RESPONSE_TIMEOUT)
                        .header("User-Agent", USER_AGENT);
                if (offset > 0) {
                    request.header("Range", "bytes=" + offset + "-");
                    if (validator != null) {
                        request.header("If-Range", validator);
                    }
                }
                if (config.bearerToken() != null && sameOrigin(current, origin)) {
                    request.header("Authorization", "Bearer " + config.bearerToken());
                }
                HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                if (!isRedirect(response.statusCode())) {
                    return response;
                }
                response.body().close();
                String location = response.headers().firstValue("Location").orElseThrow(() -> new DownloadException(
                        "HTTP " + response.statusCode() + " without Location header from " + withoutQuery(response.uri())));
                URI next = resolveRedirect(current, location);
                LOG.debug("Redirect {} -> {}", withoutQuery(current), withoutQuery(next));
                current = next;
            }
            throw new DownloadException("more than " + MAX_REDIRECTS + " redirects starting at " + source.uri());
        }

        private URI resolveRedirect(URI current, String location) throws DownloadException {
            URI next;
            try {
                next = current.resolve(location.strip());
            } catch (IllegalArgumentException e) {
                throw new DownloadException("invalid redirect Location from " + withoutQuery(current), e);
            }
            String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http") || next.getHost() == null) {
                throw new DownloadException("refusing redirect to non-HTTP location from " + withoutQuery(current));
            }
            if (scheme.equals("http") && "https".equalsIgnoreCase(current.getScheme())) {
                throw new DownloadException("refusing redirect from https to http at " + withoutQuery(current));
            }
            return next;
        }

        private void rememberValidator(HttpResponse<?> response) {
            if (validator == null) {
                validator = response.headers().firstValue("ETag").filter(tag -> !tag.startsWith("W/")).orElse(null);
            }
        }

        /** Copies the body into the part file from {@code offset}; a short or stalled body is retryable. */
        private void receive(InputStream body, long offset, long total, URI from) throws IOException, RetryableException {
            if (total > config.maxFileBytes()) {
                throw new DownloadException(source.fileName() + " is " + total + " bytes, more than the limit of "
                        + config.maxFileBytes());
            }
            requireDiskSpace(total - offset);
            listener.started(from, offset, total);
            byte[] bytes = new byte[BUFFER_BYTES];
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            long written = offset;
            channel.position(offset);
            try (StallWatchdog watchdog = StallWatchdog.watch(body, config.stallTimeout())) {
                while (true) {
                    int read;
                    try {
                        read = body.read(bytes);
                    } catch (IOException e) {
                        String why = watchdog.fired()
                                ? "no data for " + config.stallTimeout().toSeconds() + " s"
                                : describe(e);
                        throw new RetryableException("connection lost after " + written + " of "
                                + (total < 0 ? "?" : total) + " bytes: " + why, e);
                    }
                    if (read < 0) {
                        break;
                    }
                    watchdog.progressed();
                    if (written + read > config.maxFileBytes() || (total >= 0 && written + read > total)) {
                        throw new DownloadException("server sent more bytes than announced or allowed for " + source.uri());
                    }
                    buffer.clear().limit(read);
                    writeFully(buffer);
                    written += read;
                    listener.progress(written, total);
                }
            }
            if (total >= 0 && written < total) {
                throw new RetryableException("connection closed after " + written + " of " + total + " bytes", null);
            }
        }

        /** Fails before writing when the announced remainder cannot fit (no half-written disk). */
        private void requireDiskSpace(long remaining) throws IOException {
            if (remaining <= 0) {
                return;
            }
            long usable = Files.getFileStore(config.directory()).getUsableSpace();
            if (usable < remaining) {
                throw new DownloadException("not enough disk space in " + config.directory() + " for "
                        + source.fileName() + ": " + remaining + " bytes needed, " + usable + " usable");
            }
        }

        private void writeFully(ByteBuffer buffer) throws DownloadException {
            try {
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            } catch (IOException e) {
                throw new DownloadException("cannot write " + source.fileName() + PART_SUFFIX + ": " + describe(e), e);
            }
        }

        private void truncate(long size) throws DownloadException {
            try {
                channel.truncate(size);
            } catch (IOException e) {
                throw new DownloadException("cannot truncate " + source.fileName() + PART_SUFFIX, e);
            }
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost().equalsIgnoreCase(b.getHost())
                && effectivePort(a) == effectivePort(b);
    }

    private static int effectivePort(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}

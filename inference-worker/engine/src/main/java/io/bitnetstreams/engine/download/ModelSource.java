package io.bitnetstreams.engine.download;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a model file comes from and the local name it gets.
 *
 * <p>Accepted specs: an {@code http(s)} URL (the local name is the last path segment), or
 * {@code hf:OWNER/REPO/PATH[@REVISION]}, which means
 * {@code https://huggingface.co/OWNER/REPO/resolve/REVISION/PATH} (revision defaults to
 * {@code main}; the local name is the last segment of PATH).
 */
public record ModelSource(URI uri, String fileName) {

    /** The official BitNet b1.58 2B4T GGUF (I2_S, about 1.19 GB). */
    public static final String DEFAULT_SPEC = "hf:microsoft/bitnet-b1.58-2B-4T-gguf/ggml-model-i2_s.gguf";

    static final String HUGGING_FACE_BASE = "https://huggingface.co/";
    private static final int MAX_SPEC_LENGTH = 2048;
    private static final int MAX_FILE_NAME_LENGTH = 255;
    private static final Pattern HF_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern HF_PATH_SEGMENT = Pattern.compile("[A-Za-z0-9._+-][A-Za-z0-9 ._+=,()\\[\\]-]*");
    private static final Pattern HF_REVISION = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");

    public ModelSource {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(fileName, "fileName");
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw new IllegalArgumentException("model URL must be http or https: " + uri);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("model URL has no host: " + uri);
        }
        requireSafeFileName(fileName, uri.toString());
    }

    public static ModelSource defaultModel() {
        return parse(DEFAULT_SPEC);
    }

    /** Parses a URL or {@code hf:} spec; throws IllegalArgumentException naming the problem. */
    public static ModelSource parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        String trimmed = spec.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("model source is empty");
        }
        if (trimmed.length() > MAX_SPEC_LENGTH) {
            throw new IllegalArgumentException("model source longer than " + MAX_SPEC_LENGTH + " chars");
        }
        if (trimmed.regionMatches(true, 0, "hf:", 0, 3)) {
            return parseHuggingFace(trimmed);
        }
        if (trimmed.regionMatches(true, 0, "http://", 0, 7) || trimmed.regionMatches(true, 0, "https://", 0, 8)) {
            return parseUrl(trimmed);
        }
        throw new IllegalArgumentException(
                "model source must be an http(s) URL or hf:OWNER/REPO/FILE[@REVISION], got: " + trimmed);
    }

    private static ModelSource parseHuggingFace(String spec) {
        String body = spec.substring(3);
        String revision = "main";
        int at = body.lastIndexOf('@');
        if (at >= 0) {
            revision = body.substring(at + 1);
            body = body.substring(0, at);
            if (!HF_REVISION.matcher(revision).matches()) {
                throw new IllegalArgumentException("invalid revision '" + revision + "' in " + spec);
            }
        }
        String[] parts = body.split("/", -1);
        if (parts.length < 3) {
            throw new IllegalArgumentException("expected hf:OWNER/REPO/FILE[@REVISION], got: " + spec);
        }
        if (!HF_NAME.matcher(parts[0]).matches() || !HF_NAME.matcher(parts[1]).matches()) {
            throw new IllegalArgumentException("invalid owner or repository name in " + spec);
        }
        StringBuilder path = new StringBuilder();
        for (int i = 2; i < parts.length; i++) {
            String segment = parts[i];
            if (!HF_PATH_SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("invalid file path segment '" + segment + "' in " + spec);
            }
            if (i > 2) {
                path.append('/');
            }
            path.append(encodeSegment(segment));
        }
        String url = HUGGING_FACE_BASE + parts[0] + "/" + parts[1] + "/resolve/" + encodeSegment(revision) + "/" + path;
        return new ModelSource(URI.create(url), parts[parts.length - 1]);
    }

    private static ModelSource parseUrl(String spec) {
        URI uri;
        try {
            uri = new URI(spec);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid URL " + spec + ": " + e.getMessage(), e);
        }
        String rawPath = uri.getRawPath();
        if (rawPath == null || rawPath.isEmpty() || rawPath.endsWith("/")) {
            throw new IllegalArgumentException("URL does not name a file (no last path segment): " + spec);
        }
        String lastSegment = rawPath.substring(rawPath.lastIndexOf('/') + 1);
        String fileName = URLDecoder.decode(lastSegment.replace("+", "%2B"), StandardCharsets.UTF_8);
        return new ModelSource(uri, fileName);
    }

    private static String encodeSegment(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A plain file name: no separators, no control characters, not hidden, bounded length. */
    static void requireSafeFileName(String fileName, String origin) {
        boolean bad = fileName.isEmpty()
                || fileName.length() > MAX_FILE_NAME_LENGTH
                || fileName.startsWith(".")
                || fileName.endsWith(".part")
                || fileName.chars().anyMatch(c -> c == '/' || c == '\\' || c == ':' || Character.isISOControl(c));
        if (bad) {
            throw new IllegalArgumentException("unsafe or empty file name '" + fileName + "' derived from " + origin);
        }
    }
}

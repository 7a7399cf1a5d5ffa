package io.bitnetstreams.standalone.input;

import io.bitnetstreams.contract.request.InputProblem;
import io.bitnetstreams.contract.request.ParsedLine;
import io.bitnetstreams.contract.request.RequestParser;
import io.bitnetstreams.contract.request.RequestSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads requests from a JSONL file (one request per line) or a directory (one classify and one extract request per
 * text file, with the default labels and schema). Sizes are bounded: an over-long line or file becomes a dead letter,
 * too many lines or files is one clear {@link InputException}.
 */
public final class InputReader {

    public static final int MAX_LINE_CHARS = 1 << 20;
    public static final int MAX_LINES = 100_000;
    public static final long MAX_FILE_BYTES = 1 << 20;

    /** The input cannot be read at all (missing, unreadable, too large); the message names the problem. */
    public static final class InputException extends RuntimeException {
        public InputException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private InputReader() {
    }

    /** A JSONL file or a directory of text files. */
    public static List<ParsedLine> read(Path path, List<String> defaultLabels, String defaultSchema) {
        if (Files.isDirectory(path)) {
            return readDirectory(path, defaultLabels, defaultSchema);
        }
        if (!Files.isRegularFile(path)) {
            throw new InputException("input " + path + " is neither a file nor a directory", null);
        }
        try (InputStream in = Files.newInputStream(path)) {
            return readJsonl(in);
        } catch (IOException e) {
            throw new InputException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** Parses JSONL from a stream; blank lines are skipped (but counted for line numbers). */
    public static List<ParsedLine> readJsonl(InputStream in) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        List<ParsedLine> lines = new ArrayList<>();
        try (var reader = new BufferedReader(new InputStreamReader(in, decoder), 1 << 16)) {
            var buffer = new StringBuilder();
            int number = 0;
            while (true) {
                LineRead read = readBoundedLine(reader, buffer);
                if (read == LineRead.END && buffer.isEmpty()) {
                    break;
                }
                number++;
                if (lines.size() >= MAX_LINES) {
                    throw new InputException("more than " + MAX_LINES + " requests in one input; split the file", null);
                }
                if (read == LineRead.TOO_LONG) {
                    lines.add(new ParsedLine.Invalid(new InputProblem(number, null,
                            "line longer than " + MAX_LINE_CHARS + " characters")));
                } else if (!buffer.toString().isBlank()) {
                    lines.add(RequestParser.parse(number, buffer.toString()));
                }
                if (read == LineRead.END) {
                    break;
                }
            }
        }
        return lines;
    }

    private enum LineRead { LINE, TOO_LONG, END }

    /** Reads up to the next newline into {@code buffer}, keeping at most {@link #MAX_LINE_CHARS} characters. */
    private static LineRead readBoundedLine(Reader reader, StringBuilder buffer) throws IOException {
        buffer.setLength(0);
        boolean tooLong = false;
        int c;
        while ((c = reader.read()) >= 0) {
            if (c == '\n') {
                return tooLong ? LineRead.TOO_LONG : LineRead.LINE;
            }
            if (c == '\r') {
                continue;
            }
            if (buffer.length() < MAX_LINE_CHARS) {
                buffer.append((char) c);
            } else {
                tooLong = true;
            }
        }
        return tooLong ? LineRead.TOO_LONG : LineRead.END;
    }

    private static List<ParsedLine> readDirectory(Path directory, List<String> labels, String schema) {
        List<Path> files;
        try (Stream<Path> listing = Files.list(directory)) {
            files = listing.filter(Files::isRegularFile)
                    .filter(file -> !file.getFileName().toString().startsWith("."))
                    .sorted().limit(MAX_LINES / 2 + 1).toList();
        } catch (IOException e) {
            throw new InputException("cannot list " + directory + ": " + e.getMessage(), e);
        }
        if (files.size() > MAX_LINES / 2) {
            throw new InputException("more than " + MAX_LINES / 2 + " files in " + directory, null);
        }
        List<ParsedLine> lines = new ArrayList<>();
        int number = 0;
        for (Path file : files) {
            number++;
            String name = file.getFileName().toString();
            String text;
            try {
                text = readText(file);
            } catch (IOException e) {
                lines.add(new ParsedLine.Invalid(new InputProblem(number, name, e.getMessage())));
                continue;
            }
            String problem = text.isBlank() ? "file is empty" : RequestParser.idProblem(name);
            if (problem != null) {
                lines.add(new ParsedLine.Invalid(new InputProblem(number, name, problem)));
                continue;
            }
            lines.add(new ParsedLine.Valid(RequestSpec.classify(name + "#classify", text, labels, number)));
            lines.add(new ParsedLine.Valid(RequestSpec.extract(name + "#extract", text, schema, number)));
        }
        return lines;
    }

    private static String readText(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new IOException("file has " + size + " bytes, more than " + MAX_FILE_BYTES);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("not UTF-8 text", e);
        }
    }
}

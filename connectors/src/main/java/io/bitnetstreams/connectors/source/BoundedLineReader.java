package io.bitnetstreams.connectors.source;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads UTF-8 lines of at most {@code maxLineBytes} bytes; a longer line is skipped to its end and reported with a
 * null text, so one bad line never costs more memory than the bound. {@code \r\n} and {@code \n} end lines.
 */
final class BoundedLineReader implements AutoCloseable {

    /** A line's text, or null when it was too long or not UTF-8. */
    record Line(String text) {}

    private final InputStream in;
    private final int maxLineBytes;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    BoundedLineReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** The next line, or null at the end of the input. */
    Line next() throws IOException {
        buffer.reset();
        boolean tooLong = false;
        int b;
        boolean any = false;
        while ((b = in.read()) >= 0) {
            any = true;
            if (b == '\n') {
                break;
            }
            if (buffer.size() < maxLineBytes) {
                buffer.write(b);
            } else {
                tooLong = true;
            }
        }
        if (!any) {
            return null;
        }
        if (tooLong) {
            return new Line(null);
        }
        byte[] bytes = buffer.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        try {
            return new Line(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length)).toString());
        } catch (CharacterCodingException e) {
            return new Line(null);
        }
    }

    /** Skips one line; false at the end of the input. */
    boolean skipLine() throws IOException {
        int b;
        boolean any = false;
        while ((b = in.read()) >= 0) {
            any = true;
            if (b == '\n') {
                return true;
            }
        }
        return any;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}

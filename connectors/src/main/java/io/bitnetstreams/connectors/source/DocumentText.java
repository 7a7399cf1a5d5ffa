package io.bitnetstreams.connectors.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import org.apache.tika.exception.TikaException;
import org.apache.tika.exception.WriteLimitReachedException;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.parser.AutoDetectParser;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.sax.BodyContentHandler;
import org.xml.sax.SAXException;

/**
 * Plain text of a document file, extracted with Apache Tika (PDFBox for PDF, POI for DOCX, jsoup-based HTML).
 * The text is bounded: extraction stops past {@code maxChars} and the document is refused as too long.
 */
public final class DocumentText {

    /** File name endings read as documents; {@code .jsonl} files are request files, anything else is ignored. */
    public static final Set<String> DOCUMENT_ENDINGS = Set.of(".txt", ".md", ".html", ".htm", ".pdf", ".docx");
    public static final String REQUESTS_ENDING = ".jsonl";

    /** Why a document yields no text; the message is the reason reported with the dead letter. */
    public static final class UnreadableDocumentException extends Exception {
        public UnreadableDocumentException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final AutoDetectParser parser = new AutoDetectParser();
    private final int maxChars;

    public DocumentText(int maxChars) {
        this.maxChars = maxChars;
    }

    public static boolean isDocument(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return DOCUMENT_ENDINGS.stream().anyMatch(name::endsWith);
    }

    public static boolean isRequestFile(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(REQUESTS_ENDING);
    }

    /** The document's text, whitespace-trimmed; never empty. */
    public String extract(Path file) throws UnreadableDocumentException {
        // one more than allowed, so "exactly at the limit" and "over it" differ
        var handler = new BodyContentHandler(maxChars + 1);
        var metadata = new Metadata();
        metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, file.getFileName().toString());
        try (InputStream in = TikaInputStream.get(file)) {
            parser.parse(in, handler, metadata, new ParseContext());
        } catch (SAXException e) {
            if (WriteLimitReachedException.isWriteLimitReached(e)) {
                throw new UnreadableDocumentException("document text longer than " + maxChars + " characters", e);
            }
            throw new UnreadableDocumentException("cannot parse " + file.getFileName() + ": " + e.getMessage(), e);
        } catch (TikaException | IOException | RuntimeException e) {
            throw new UnreadableDocumentException("cannot parse " + file.getFileName() + ": " + rootMessage(e), e);
        }
        String text = handler.toString().strip();
        if (text.length() > maxChars) {
            throw new UnreadableDocumentException("document text longer than " + maxChars + " characters", null);
        }
        if (text.isEmpty()) {
            throw new UnreadableDocumentException("no text in " + file.getFileName(), null);
        }
        return text;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
    }
}

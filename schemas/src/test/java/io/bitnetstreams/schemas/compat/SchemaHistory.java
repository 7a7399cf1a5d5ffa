package io.bitnetstreams.schemas.compat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;

/** Released schema versions kept under test resources: history/&lt;RecordName&gt;/v&lt;n&gt;.avsc. */
final class SchemaHistory {

    record Version(String recordName, String file, Schema schema) {}

    private SchemaHistory() {}

    static Path root() {
        try {
            return Path.of(SchemaHistory.class.getResource("/history").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Version> versionsOf(String recordName) {
        Path dir = root().resolve(recordName);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".avsc"))
                    .sorted(Comparator.comparing(Path::toString))
                    .map(f -> new Version(recordName, f.getFileName().toString(), parse(f)))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Schema parse(Path file) {
        try {
            return new Schema.Parser().parse(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

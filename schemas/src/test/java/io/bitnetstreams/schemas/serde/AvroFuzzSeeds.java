package io.bitnetstreams.schemas.serde;

import io.bitnetstreams.schemas.SampleRecords;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * Writes the seed corpus of {@link AvroDeserializerFuzz}: each sample record in the wire format, with the schema ids
 * the fuzz target's registry gives them (registration order). Usage: {@code AvroFuzzSeeds DIR}.
 */
final class AvroFuzzSeeds {

    private AvroFuzzSeeds() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        var serializer = new AvroSerializer<SpecificRecord>(new InMemoryRegistry());
        serializer.configure(Map.of("schema.registry.url", "http://registry.invalid"), false);
        for (SpecificRecord record : SampleRecords.all()) {
            Files.write(dir.resolve(record.getSchema().getName()), serializer.serialize("fuzz-" + record.getSchema().getName(), record));
        }
    }
}

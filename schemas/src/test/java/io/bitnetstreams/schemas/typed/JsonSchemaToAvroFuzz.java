package io.bitnetstreams.schemas.typed;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Jazzer target: the typed-extraction mapping. Input: JSON Schema text, a NUL byte, then an extraction's JSON. The
 * schema either maps to an Avro schema that survives a registry round trip (its text parses back to the same schema)
 * or fails with IllegalArgumentException; the extraction then always becomes a record that is valid for that schema
 * and serializes. Seeds: {@code JsonSchemaToAvroFuzzInputs/map/} (schema NUL document, written by us).
 */
class JsonSchemaToAvroFuzz {

    @FuzzTest
    void map(byte[] input) throws IOException {
        int nul = indexOf(input);
        String schemaText = new String(input, 0, nul < 0 ? input.length : nul, StandardCharsets.UTF_8);
        String json = nul < 0 ? null : new String(Arrays.copyOfRange(input, nul + 1, input.length), StandardCharsets.UTF_8);
        JsonSchemaToAvro.Mapping mapping;
        try {
            mapping = JsonSchemaToAvro.map(schemaText);
        } catch (IllegalArgumentException expected) {
            assertThat(expected.getMessage()).isNotBlank();
            return;
        }
        Schema reparsed = new Schema.Parser().parse(mapping.schema().toString());
        assertThat(reparsed).isEqualTo(mapping.schema());
        GenericRecord record = JsonSchemaToAvro.toRecord(mapping, "id-1", "DONE", 0L, json);
        assertThat(GenericData.get().validate(mapping.schema(), record)).isTrue();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(mapping.schema()).write(record, encoder);
        encoder.flush();
    }

    private static int indexOf(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}

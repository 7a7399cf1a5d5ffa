package io.bitnetstreams.schemas.compat;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;

/**
 * BACKWARD compatibility as the registry means it: a consumer using the new schema (reader) can read
 * every record written with an older schema (writer).
 */
public final class CompatibilityCheck {

    private CompatibilityCheck() {}

    /**
     * Problems that stop {@code reader} from reading data written with {@code writer}; empty when compatible.
     * Each entry names the kind of problem, the field path in the reader schema (e.g.
     * {@code InferenceRequest.task[ClassifyTask].labels}), Avro's JSON pointer and Avro's message.
     */
    public static List<String> incompatibilities(Schema reader, Schema writer) {
        var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
        return result.getIncompatibilities().stream().map(problem -> describe(reader, problem)).toList();
    }

    private static String describe(Schema reader, Incompatibility problem) {
        return "%s at %s (%s): %s".formatted(problem.getType(), fieldPath(reader, problem.getLocation()),
                problem.getLocation(), problem.getMessage());
    }

    /** Turns Avro's JSON pointer (/fields/1/type/0/...) into field names a person can find in the .avsc. */
    static String fieldPath(Schema root, String pointer) {
        var path = new StringBuilder(root.getName());
        Schema current = root;
        List<String> steps = new ArrayList<>(List.of(pointer.split("/")));
        steps.removeIf(String::isEmpty);
        try {
            for (int i = 0; i < steps.size(); i++) {
                String step = steps.get(i);
                switch (step) {
                    case "fields" -> {
                        Schema.Field field = current.getFields().get(Integer.parseInt(steps.get(++i)));
                        path.append('.').append(field.name());
                        current = field.schema();
                    }
                    case "type", "name", "size", "symbols" -> { }
                    case "items" -> current = current.getElementType();
                    case "values" -> current = current.getValueType();
                    default -> {
                        if (current.getType() == Schema.Type.UNION) {
                            current = current.getTypes().get(Integer.parseInt(step));
                            path.append('[').append(current.getName()).append(']');
                        }
                    }
                }
            }
        } catch (RuntimeException unexpectedPointer) {
            // The pointer comes from Avro; if its shape ever changes we still report the raw pointer.
            return path + "?";
        }
        return path.toString();
    }
}

package io.bitnetstreams.connectors.transforms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

/** Connect values as JSON: structs become objects, timestamps ISO-8601 text, bytes base64. */
public final class ConnectJson {

    public static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ConnectJson() {}

    public static JsonNode toJson(Object value) {
        return switch (value) {
            case null -> NODES.nullNode();
            case Struct struct -> {
                ObjectNode object = NODES.objectNode();
                for (Field field : struct.schema().fields()) {
                    object.set(field.name(), toJson(struct.get(field)));
                }
                yield object;
            }
            case Map<?, ?> map -> {
                ObjectNode object = NODES.objectNode();
                map.forEach((k, v) -> object.set(String.valueOf(k), toJson(v)));
                yield object;
            }
            case List<?> list -> {
                ArrayNode array = NODES.arrayNode();
                list.forEach(item -> array.add(toJson(item)));
                yield array;
            }
            case Date date -> NODES.textNode(date.toInstant().toString());
            case byte[] bytes -> NODES.textNode(Base64.getEncoder().encodeToString(bytes));
            case String text -> NODES.textNode(text);
            case Boolean flag -> NODES.booleanNode(flag);
            case Integer number -> NODES.numberNode(number);
            case Long number -> NODES.numberNode(number);
            case Short number -> NODES.numberNode(number);
            case Byte number -> NODES.numberNode(number);
            case Float number -> NODES.numberNode(number);
            case Double number -> NODES.numberNode(number);
            case BigDecimal number -> NODES.numberNode(number);
            default -> NODES.textNode(value.toString());
        };
    }

    public static String toJsonText(Object value) {
        return toJson(value).toString();
    }
}

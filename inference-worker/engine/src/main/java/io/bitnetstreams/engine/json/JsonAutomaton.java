package io.bitnetstreams.engine.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bitnetstreams.engine.json.JsonSchema.ArraySchema;
import io.bitnetstreams.engine.json.JsonSchema.BooleanSchema;
import io.bitnetstreams.engine.json.JsonSchema.EnumSchema;
import io.bitnetstreams.engine.json.JsonSchema.NumberSchema;
import io.bitnetstreams.engine.json.JsonSchema.ObjectSchema;
import io.bitnetstreams.engine.json.JsonSchema.StringSchema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A byte-level pushdown automaton that accepts exactly the prefixes of the JSON texts that
 * constrained decoding may produce for a schema: compact JSON (one optional space after ':' and
 * ','), properties in declared order (optional ones may be skipped, required ones never), strings as
 * valid UTF-8 with the short escapes (no {@code \\u}), numbers without exponent and with at most
 * {@value #MAX_DIGITS} digits per part. Every accepted text parses and validates against the schema,
 * and from every accepted prefix some continuation completes it, so decoding can never get stuck.
 *
 * <p>States are immutable values ({@link JsonState}) with structural equality, so they can key
 * a mask cache; the automaton itself is immutable and thread-safe.
 */
public final class JsonAutomaton {

    static final int MAX_DIGITS = 15;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private enum Kind { OBJECT, ARRAY, STRING, NUMBER, INTEGER, LITERAL }

    /** One compiled schema node; strings are byte strings held one char per byte (Latin-1). */
    private record Node(Kind kind, String[] keys, int[] children, boolean[] required, int item, int min, int max,
                        String[] literals) {
    }

    private final List<Node> nodes = new ArrayList<>();
    private final JsonSchema schema;

    public JsonAutomaton(JsonSchema schema) {
        if (!(schema instanceof ObjectSchema)) {
            throw new InvalidSchemaException("the root schema must be an object schema");
        }
        this.schema = schema;
        compile(schema);
    }

    public JsonSchema schema() {
        return schema;
    }

    /** The state before the first byte. */
    public JsonState initial() {
        return new JsonState(new ValueStart(0), null);
    }

    /** The state after {@code b} (0..255), or null when no accepted text continues that way. */
    public JsonState advance(JsonState state, int b) {
        if (state == null || state.top() == null) {
            return null;
        }
        Frame top = state.top();
        JsonState below = state.below();
        return switch (top) {
            case ValueStart v -> valueStart(v.node(), below, b);
            case ObjectFrame o -> object(o, below, b);
            case ArrayFrame a -> array(a, below, b);
            case StringFrame s -> string(s, below, b);
            case NumberFrame n -> number(n, below, b);
            case LiteralFrame l -> literal(l, below, b);
        };
    }

    /** Feeds every byte; null as soon as one is rejected. */
    public JsonState advance(JsonState state, byte[] bytes) {
        JsonState s = state;
        for (int i = 0; i < bytes.length && s != null; i++) {
            s = advance(s, bytes[i] & 0xFF);
        }
        return s;
    }

    /** True when the bytes so far form a complete document. */
    public static boolean isComplete(JsonState state) {
        return state != null && state.top() == null;
    }

    /** True when the whole text is accepted as a complete document. */
    public boolean accepts(byte[] text) {
        return isComplete(advance(initial(), text));
    }

    // ---------------------------------------------------------------- compiling

    private int compile(JsonSchema s) {
        int index = nodes.size();
        nodes.add(null);
        Node node = switch (s) {
            case ObjectSchema o -> {
                int n = o.properties().size();
                String[] keys = new String[n];
                int[] children = new int[n];
                boolean[] required = new boolean[n];
                int i = 0;
                for (Map.Entry<String, JsonSchema> e : o.properties().entrySet()) {
                    keys[i] = encode(MAPPER.getNodeFactory().textNode(e.getKey()));
                    required[i] = o.required().contains(e.getKey());
                    children[i] = compile(e.getValue());
                    i++;
                }
                yield new Node(Kind.OBJECT, keys, children, required, -1, 0, 0, null);
            }
            case ArraySchema a -> new Node(Kind.ARRAY, null, null, null, compile(a.items()), a.minItems(), a.maxItems(),
                    null);
            case StringSchema str -> new Node(Kind.STRING, null, null, null, -1, str.minLength(), str.maxLength(), null);
            case NumberSchema num -> new Node(num.integer() ? Kind.INTEGER : Kind.NUMBER, null, null, null, -1, 0, 0,
                    null);
            case BooleanSchema b -> new Node(Kind.LITERAL, null, null, null, -1, 0, 0, new String[] {"true", "false"});
            case EnumSchema e -> {
                String[] literals = new String[e.values().size()];
                for (int i = 0; i < literals.length; i++) {
                    literals[i] = encode(e.values().get(i));
                }
                yield new Node(Kind.LITERAL, null, null, null, -1, 0, 0, literals);
            }
        };
        nodes.set(index, node);
        return index;
    }

    private static String encode(JsonNode value) {
        try {
            byte[] utf8 = MAPPER.writeValueAsString(value).getBytes(StandardCharsets.UTF_8);
            return new String(utf8, StandardCharsets.ISO_8859_1);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value, e);
        }
    }

    // ---------------------------------------------------------------- frames

    /** One level of the automaton's stack. */
    sealed interface Frame permits ValueStart, ObjectFrame, ArrayFrame, StringFrame, NumberFrame, LiteralFrame {
    }

    record ValueStart(int node) implements Frame {
    }

    /**
     * {@code next} is the first property index still allowed; in {@link #KEY_DONE} and later, the
     * value being read belongs to property {@code next - 1}. {@code key} holds the key bytes so far.
     */
    record ObjectFrame(int node, int phase, int next, String key) implements Frame {
    }

    record ArrayFrame(int node, int phase, int count) implements Frame {
    }

    /** {@code pending}: UTF-8 continuation bytes still due; {@code lo..hi}: the range of the next one. */
    record StringFrame(int node, int count, int pending, int lo, int hi, boolean escape) implements Frame {
    }

    record NumberFrame(boolean integer, int phase, int digits) implements Frame {
    }

    record LiteralFrame(int node, String matched) implements Frame {
    }

    private static final int OPEN = 0;
    private static final int IN_KEY = 1;
    private static final int KEY_DONE = 2;
    private static final int AFTER_COLON = 3;
    private static final int AFTER_COLON_SPACE = 4;
    private static final int AFTER_VALUE = 5;
    private static final int AFTER_COMMA = 6;
    private static final int AFTER_COMMA_SPACE = 7;

    private JsonState valueStart(int index, JsonState below, int b) {
        Node n = nodes.get(index);
        return switch (n.kind()) {
            case OBJECT -> b == '{' ? new JsonState(new ObjectFrame(index, OPEN, 0, ""), below) : null;
            case ARRAY -> b == '[' ? new JsonState(new ArrayFrame(index, OPEN, 0), below) : null;
            case STRING -> b == '"' ? new JsonState(new StringFrame(index, 0, 0, 0, 0, false), below) : null;
            case NUMBER, INTEGER -> number(new NumberFrame(n.kind() == Kind.INTEGER, N_START, 0), below, b);
            case LITERAL -> literal(new LiteralFrame(index, ""), below, b);
        };
    }

    private static JsonState pop(JsonState below) {
        return below == null ? JsonState.COMPLETE : below;
    }

    private JsonState object(ObjectFrame o, JsonState below, int b) {
        Node n = nodes.get(o.node());
        return switch (o.phase()) {
            case OPEN -> b == '}' ? (closable(n, o.next()) ? pop(below) : null) : key(o, n, below, b);
            case IN_KEY, AFTER_COMMA_SPACE -> key(o, n, below, b);
            case KEY_DONE -> b == ':' ? new JsonState(new ObjectFrame(o.node(), AFTER_COLON, o.next(), ""), below) : null;
            case AFTER_COLON, AFTER_COLON_SPACE -> {
                if (b == ' ' && o.phase() == AFTER_COLON) {
                    yield new JsonState(new ObjectFrame(o.node(), AFTER_COLON_SPACE, o.next(), ""), below);
                }
                JsonState parent = new JsonState(new ObjectFrame(o.node(), AFTER_VALUE, o.next(), ""), below);
                yield valueStart(n.children()[o.next() - 1], parent, b);
            }
            case AFTER_VALUE -> {
                if (b == ',' && o.next() < n.keys().length) {
                    yield new JsonState(new ObjectFrame(o.node(), AFTER_COMMA, o.next(), ""), below);
                }
                yield b == '}' && closable(n, o.next()) ? pop(below) : null;
            }
            case AFTER_COMMA -> b == ' '
                    ? new JsonState(new ObjectFrame(o.node(), AFTER_COMMA_SPACE, o.next(), ""), below)
                    : key(o, n, below, b);
            default -> throw new IllegalStateException("object phase " + o.phase());
        };
    }

    /** Matches key bytes against the encoded names of the properties that may come next. */
    private JsonState key(ObjectFrame o, Node n, JsonState below, int b) {
        String typed = (o.phase() == IN_KEY ? o.key() : "") + (char) b;
        boolean prefixOfSome = false;
        for (int i = o.next(); i < n.keys().length; i++) {
            String candidate = n.keys()[i];
            if (candidate.equals(typed)) {
                // encoded names end with their closing quote, so no name is a prefix of another
                return new JsonState(new ObjectFrame(o.node(), KEY_DONE, i + 1, ""), below);
            }
            prefixOfSome |= candidate.startsWith(typed);
            if (n.required()[i]) {
                break; // a required property cannot be skipped
            }
        }
        return prefixOfSome ? new JsonState(new ObjectFrame(o.node(), IN_KEY, o.next(), typed), below) : null;
    }

    private static boolean closable(Node n, int next) {
        for (int i = next; i < n.required().length; i++) {
            if (n.required()[i]) {
                return false;
            }
        }
        return true;
    }

    private JsonState array(ArrayFrame a, JsonState below, int b) {
        Node n = nodes.get(a.node());
        return switch (a.phase()) {
            case OPEN -> {
                if (b == ']') {
                    yield n.min() == 0 ? pop(below) : null;
                }
                yield n.max() >= 1 ? item(a, n, below, b) : null;
            }
            case AFTER_VALUE -> {
                if (b == ',' && a.count() < n.max()) {
                    yield new JsonState(new ArrayFrame(a.node(), AFTER_COMMA, a.count()), below);
                }
                yield b == ']' && a.count() >= n.min() ? pop(below) : null;
            }
            case AFTER_COMMA -> b == ' '
                    ? new JsonState(new ArrayFrame(a.node(), AFTER_COMMA_SPACE, a.count()), below)
                    : item(a, n, below, b);
            case AFTER_COMMA_SPACE -> item(a, n, below, b);
            default -> throw new IllegalStateException("array phase " + a.phase());
        };
    }

    private JsonState item(ArrayFrame a, Node n, JsonState below, int b) {
        JsonState parent = new JsonState(new ArrayFrame(a.node(), AFTER_VALUE, a.count() + 1), below);
        return valueStart(n.item(), parent, b);
    }

    private JsonState string(StringFrame s, JsonState below, int b) {
        Node n = nodes.get(s.node());
        if (s.pending() > 0) {
            return b >= s.lo() && b <= s.hi()
                    ? new JsonState(new StringFrame(s.node(), s.count(), s.pending() - 1, 0x80, 0xBF, false), below)
                    : null;
        }
        if (s.escape()) {
            return "\"\\/bfnrt".indexOf(b) >= 0
                    ? new JsonState(new StringFrame(s.node(), s.count() + 1, 0, 0, 0, false), below)
                    : null;
        }
        if (b == '"') {
            return s.count() >= n.min() ? pop(below) : null;
        }
        if (s.count() >= n.max() || b < 0x20) {
            return null;
        }
        if (b == '\\') {
            return new JsonState(new StringFrame(s.node(), s.count(), 0, 0, 0, true), below);
        }
        int pending;
        int lo = 0x80;
        int hi = 0xBF;
        if (b < 0x80) {
            pending = 0;
        } else if (b >= 0xC2 && b <= 0xDF) {
            pending = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
            pending = 2;
            if (b == 0xE0) {
                lo = 0xA0; // no overlong forms
            } else if (b == 0xED) {
                hi = 0x9F; // no surrogates
            }
        } else if (b >= 0xF0 && b <= 0xF4) {
            pending = 3;
            if (b == 0xF0) {
                lo = 0x90;
            } else if (b == 0xF4) {
                hi = 0x8F; // nothing above U+10FFFF
            }
        } else {
            return null;
        }
        return new JsonState(new StringFrame(s.node(), s.count() + 1, pending, lo, hi, false), below);
    }

    private static final int N_START = 0;
    private static final int N_MINUS = 1;
    private static final int N_ZERO = 2;
    private static final int N_INT = 3;
    private static final int N_DOT = 4;
    private static final int N_FRACTION = 5;

    private JsonState number(NumberFrame f, JsonState below, int b) {
        boolean digit = b >= '0' && b <= '9';
        return switch (f.phase()) {
            case N_START, N_MINUS -> {
                if (b == '-' && f.phase() == N_START) {
                    yield new JsonState(new NumberFrame(f.integer(), N_MINUS, 0), below);
                }
                if (!digit) {
                    yield null;
                }
                yield new JsonState(new NumberFrame(f.integer(), b == '0' ? N_ZERO : N_INT, 1), below);
            }
            case N_ZERO, N_INT -> {
                if (digit && f.phase() == N_INT && f.digits() < MAX_DIGITS) {
                    yield new JsonState(new NumberFrame(f.integer(), N_INT, f.digits() + 1), below);
                }
                if (b == '.' && !f.integer()) {
                    yield new JsonState(new NumberFrame(false, N_DOT, 0), below);
                }
                yield advance(pop(below), b); // the number ended; the byte belongs to the enclosing value
            }
            case N_DOT -> digit ? new JsonState(new NumberFrame(false, N_FRACTION, 1), below) : null;
            case N_FRACTION -> {
                if (digit && f.digits() < MAX_DIGITS) {
                    yield new JsonState(new NumberFrame(false, N_FRACTION, f.digits() + 1), below);
                }
                yield advance(pop(below), b);
            }
            default -> throw new IllegalStateException("number phase " + f.phase());
        };
    }

    private JsonState literal(LiteralFrame l, JsonState below, int b) {
        Node n = nodes.get(l.node());
        String typed = l.matched() + (char) b;
        boolean exact = false;
        boolean longer = false;
        boolean matchedIsLiteral = false;
        for (String candidate : n.literals()) {
            if (candidate.equals(typed)) {
                exact = true;
            } else if (candidate.startsWith(typed)) {
                longer = true;
            }
            matchedIsLiteral |= candidate.equals(l.matched());
        }
        if (exact && !longer) {
            return pop(below);
        }
        if (exact || longer) {
            return new JsonState(new LiteralFrame(l.node(), typed), below);
        }
        // e.g. enum [1, 12] after "1": a following ',' ends the literal
        return matchedIsLiteral ? advance(pop(below), b) : null;
    }
}

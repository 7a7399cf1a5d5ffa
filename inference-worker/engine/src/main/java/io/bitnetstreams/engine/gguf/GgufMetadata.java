package io.bitnetstreams.engine.gguf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The key/value metadata of a GGUF file, in file order. Typed getters fail with a
 * {@link GgufFormatException} naming the key when it is missing or has an unexpected type; the
 * {@code find*} variants return empty for a missing key but still reject a wrong type.
 */
public final class GgufMetadata {

    /** One metadata value with its GGUF type (integers as Long, UINT64 as raw bits). */
    record Entry(GgufValueType type, Object value) {}

    private final String source;
    private final Map<String, Entry> entries;

    GgufMetadata(String source, LinkedHashMap<String, Entry> entries) {
        this.source = source;
        this.entries = Collections.unmodifiableMap(entries);
    }

    /** Keys in file order. */
    public Set<String> keys() {
        return entries.keySet();
    }

    public boolean has(String key) {
        return entries.containsKey(key);
    }

    public GgufValueType typeOf(String key) {
        return entry(key).type();
    }

    public String getString(String key) {
        return (String) expect(key, GgufValueType.STRING).value();
    }

    /** Any integer type; a UINT64 above {@link Long#MAX_VALUE} is rejected. */
    public long getLong(String key) {
        return integerValue(key, entry(key));
    }

    /** Any integer type whose value fits an int. */
    public int getInt(String key) {
        long value = getLong(key);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw error(key, "value " + value + " does not fit an int");
        }
        return (int) value;
    }

    /** FLOAT32 or FLOAT64 (narrowed). */
    public float getFloat(String key) {
        return floatValue(key, entry(key));
    }

    public boolean getBoolean(String key) {
        return (Boolean) expect(key, GgufValueType.BOOL).value();
    }

    public List<String> getStringArray(String key) {
        GgufArray array = array(key);
        if (array.elementType() != GgufValueType.STRING) {
            throw error(key, "expected an array of STRING, found an array of " + array.elementType());
        }
        @SuppressWarnings("unchecked")
        List<String> strings = (List<String>) array.storage();
        return strings;
    }

    /** An array of any integer type whose every element fits an int. */
    public int[] getIntArray(String key) {
        GgufArray array = array(key);
        int[] out = new int[array.length()];
        switch (array.storage()) {
            case byte[] a when array.elementType() == GgufValueType.UINT8 -> {
                for (int i = 0; i < a.length; i++) out[i] = a[i] & 0xFF;
            }
            case byte[] a -> {
                for (int i = 0; i < a.length; i++) out[i] = a[i];
            }
            case short[] a when array.elementType() == GgufValueType.UINT16 -> {
                for (int i = 0; i < a.length; i++) out[i] = a[i] & 0xFFFF;
            }
            case short[] a -> {
                for (int i = 0; i < a.length; i++) out[i] = a[i];
            }
            case int[] a -> {
                boolean unsigned = array.elementType() == GgufValueType.UINT32;
                for (int i = 0; i < a.length; i++) {
                    if (unsigned && a[i] < 0) {
                        throw error(key, "element " + i + " = " + Integer.toUnsignedString(a[i]) + " does not fit an int");
                    }
                    out[i] = a[i];
                }
            }
            case long[] a -> {
                boolean unsigned = array.elementType() == GgufValueType.UINT64;
                for (int i = 0; i < a.length; i++) {
                    if ((unsigned && a[i] < 0) || a[i] < Integer.MIN_VALUE || a[i] > Integer.MAX_VALUE) {
                        throw error(key, "element " + i + " = "
                                + (unsigned ? Long.toUnsignedString(a[i]) : Long.toString(a[i])) + " does not fit an int");
                    }
                    out[i] = (int) a[i];
                }
            }
            default -> throw error(key, "expected an array of integers, found an array of " + array.elementType());
        }
        return out;
    }

    /** An array of FLOAT32 or FLOAT64 (narrowed). */
    public float[] getFloatArray(String key) {
        GgufArray array = array(key);
        return switch (array.storage()) {
            case float[] a -> a.clone();
            case double[] a -> {
                float[] out = new float[a.length];
                for (int i = 0; i < a.length; i++) out[i] = (float) a[i];
                yield out;
            }
            default -> throw error(key, "expected an array of FLOAT32 or FLOAT64, found an array of " + array.elementType());
        };
    }

    /** Number of elements of an array value. */
    public int arrayLength(String key) {
        return array(key).length();
    }

    /**
     * The value as stored: integers as Long (UINT64 as raw bits), FLOAT32 as Float, FLOAT64 as Double,
     * BOOL as Boolean, STRING as String, ARRAY as {@link GgufArray}.
     */
    public Object getRaw(String key) {
        return entry(key).value();
    }

    public Optional<String> findString(String key) {
        return has(key) ? Optional.of(getString(key)) : Optional.empty();
    }

    public OptionalLong findLong(String key) {
        return has(key) ? OptionalLong.of(getLong(key)) : OptionalLong.empty();
    }

    public Optional<Float> findFloat(String key) {
        return has(key) ? Optional.of(getFloat(key)) : Optional.empty();
    }

    public Optional<Boolean> findBoolean(String key) {
        return has(key) ? Optional.of(getBoolean(key)) : Optional.empty();
    }

    @Override
    public String toString() {
        return "GgufMetadata[" + source + ", " + entries.size() + " keys]";
    }

    private GgufArray array(String key) {
        return (GgufArray) expect(key, GgufValueType.ARRAY).value();
    }

    private Entry entry(String key) {
        Entry entry = entries.get(key);
        if (entry == null) {
            throw error(key, "missing");
        }
        return entry;
    }

    private Entry expect(String key, GgufValueType type) {
        Entry entry = entry(key);
        if (entry.type() != type) {
            throw error(key, "expected " + type + ", found " + entry.type());
        }
        return entry;
    }

    long integerValue(String key, Entry entry) {
        if (!entry.type().isInteger()) {
            throw error(key, "expected an integer, found " + entry.type());
        }
        long value = (Long) entry.value();
        if (entry.type() == GgufValueType.UINT64 && value < 0) {
            throw error(key, "UINT64 value " + Long.toUnsignedString(value) + " exceeds the long range");
        }
        return value;
    }

    private float floatValue(String key, Entry entry) {
        return switch (entry.value()) {
            case Float f -> f;
            case Double d -> d.floatValue();
            default -> throw error(key, "expected FLOAT32 or FLOAT64, found " + entry.type());
        };
    }

    private GgufFormatException error(String key, String problem) {
        return new GgufFormatException(source + ": metadata key '" + key + "': " + problem);
    }
}

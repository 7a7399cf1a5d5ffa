package io.bitnetstreams.engine.json;

import java.util.Random;

/** Lets tests of other packages use the random schema generator. */
public final class RandomSchemasAccess {

    private RandomSchemasAccess() {
    }

    public static String schemaText(Random r) {
        return RandomSchemas.objectSchemaText(r, 0).toString();
    }
}

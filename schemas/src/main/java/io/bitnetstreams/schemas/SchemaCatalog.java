package io.bitnetstreams.schemas;

import io.bitnetstreams.avro.ClassificationResult;
import io.bitnetstreams.avro.DeadLetter;
import io.bitnetstreams.avro.ExtractionResult;
import io.bitnetstreams.avro.GenerationResult;
import io.bitnetstreams.avro.InferenceRequest;
import io.bitnetstreams.avro.WorkItem;
import io.bitnetstreams.avro.WorkResult;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/** The record types that travel on topics as top-level values, i.e. the schemas registered in the registry. */
public final class SchemaCatalog {

    private static final List<Class<? extends SpecificRecord>> TOP_LEVEL_TYPES = List.of(
            InferenceRequest.class,
            WorkItem.class,
            WorkResult.class,
            ClassificationResult.class,
            ExtractionResult.class,
            GenerationResult.class,
            DeadLetter.class);

    private SchemaCatalog() {}

    /** Every top-level record type, in pipeline order. */
    public static List<Class<? extends SpecificRecord>> topLevelTypes() {
        return TOP_LEVEL_TYPES;
    }

    /** The schema compiled into a generated class. */
    public static Schema schemaOf(Class<? extends SpecificRecord> type) {
        return SpecificData.get().getSchema(type);
    }
}

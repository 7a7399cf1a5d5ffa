package io.bitnetstreams.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.engine.gguf.GgmlType;
import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.kernel.InPlaceKernels;
import io.bitnetstreams.engine.synth.SyntheticModelWriter;
import io.bitnetstreams.engine.synth.SyntheticModelWriter.TensorPlan;
import io.bitnetstreams.engine.synth.SyntheticSpec;
import io.bitnetstreams.engine.tokenizer.Vocabulary;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorChecksTest {

    private static final SyntheticSpec SPEC = TestModels.spec(2, 4, 2, null, GgmlType.I2_S, 9);
    private static final int[] TOKENS = {256, 10, 20, 30, 40};

    @TempDir
    Path dir;

    private Path write(String name, UnaryOperator<TensorPlan> edit, List<TensorPlan> extra) throws Exception {
        Path file = dir.resolve(name + ".gguf");
        SyntheticModelWriter.write(SPEC, Vocabulary.byteLevel(), file, edit, extra);
        return file;
    }

    private void assertLoadFails(Path file, String... fragments) {
        try (GgufFile gguf = GgufFile.open(file)) {
            var thrown = assertThatThrownBy(() -> BitNetModel.load(gguf, new InPlaceKernels(), ComputePool.singleThreaded()))
                    .isInstanceOf(ModelFormatException.class);
            for (String fragment : fragments) {
                thrown.hasMessageContaining(fragment);
            }
        }
    }

    @Test
    void missingTensorIsNamed() throws Exception {
        Path file = write("missing", p -> p.name().equals("blk.1.ffn_up.weight") ? null : p, List.of());
        assertLoadFails(file, "missing tensor blk.1.ffn_up.weight");
    }

    @Test
    void wrongShapeIsNamed() throws Exception {
        Path file = write("shape", p -> p.name().equals("blk.0.attn_k.weight")
                ? new TensorPlan(p.name(), p.type(), new long[] {256, 256}) : p, List.of());
        assertLoadFails(file, "blk.0.attn_k.weight", "shape [256, 256]", "[256, 128]");
    }

    @Test
    void wrongTypeRoleIsNamed() throws Exception {
        Path ternaryAsFloat = write("type", p -> p.name().equals("blk.0.ffn_gate.weight")
                ? new TensorPlan(p.name(), GgmlType.F16, p.dims()) : p, List.of());
        assertLoadFails(ternaryAsFloat, "blk.0.ffn_gate.weight", "F16", "ternary");
        Path normAsTernary = write("norm", p -> p.name().equals("output_norm.weight")
                ? new TensorPlan(p.name(), GgmlType.TQ2_0, p.dims()) : p, List.of());
        assertLoadFails(normAsTernary, "output_norm.weight", "TQ2_0");
    }

    @Test
    void untiedOutputWeightIsUsedWhenPresent() throws Exception {
        Path tied = write("tied", UnaryOperator.identity(), List.of());
        Path untied = write("untied", UnaryOperator.identity(),
                List.of(new TensorPlan("output.weight", GgmlType.F16, new long[] {256, 261})));
        float[] tiedLogits;
        try (GgufFile gguf = GgufFile.open(tied)) {
            BitNetModel model = BitNetModel.load(gguf, new InPlaceKernels(), ComputePool.singleThreaded());
            tiedLogits = model.forwardLast(model.newCache(8), TOKENS);
        }
        try (GgufFile gguf = GgufFile.open(untied)) {
            BitNetModel model = BitNetModel.load(gguf, new InPlaceKernels(), ComputePool.singleThreaded());
            float[] logits = model.forwardLast(model.newCache(8), TOKENS);
            float[] expected = new ReferenceBitNet(gguf).logits(TOKENS)[TOKENS.length - 1];
            BitNetModelTest.assertClose(logits, expected, "untied head");
            assertThat(Arrays.equals(logits, tiedLogits)).isFalse();
        }
    }
}

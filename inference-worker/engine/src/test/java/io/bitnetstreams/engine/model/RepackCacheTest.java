package io.bitnetstreams.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bitnetstreams.engine.gguf.GgmlType;
import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.gguf.GgufTensorInfo;
import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.kernel.Kernels;
import io.bitnetstreams.engine.kernel.QuantizedActivations;
import io.bitnetstreams.engine.kernel.TernaryMatmul;
import io.bitnetstreams.engine.kernel.VectorKernels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The off-heap repacked ternary weights: fresh, written to the cache file, mapped back, or refused. */
class RepackCacheTest {

    @TempDir
    Path dir;

    private VectorKernels kernels;
    private ComputePool pool;
    private Path model;
    private GgufFile file;
    private List<GgufTensorInfo> infos;

    @BeforeEach
    void openModel() {
        int bits = Kernels.defaultVectorBits();
        assumeTrue(bits > 0, "no native vector width on this CPU/JVM");
        kernels = VectorKernels.forBits(bits);
        pool = new ComputePool(2);
        model = TestModels.write(dir, "m", TestModels.spec(2, 4, 2, null, GgmlType.I2_S, 71));
        file = GgufFile.open(model);
        infos = file.tensors().stream().filter(t -> TensorChecks.TERNARY.contains(t.type())).toList();
        assertThat(infos).hasSize(14);
    }

    @AfterEach
    void close() {
        if (file != null) {
            file.close();
            pool.close();
        }
    }

    @Test
    void mappedCacheGivesTheFreshRepacksOutputsBitForBit() throws IOException {
        Path cache = dir.resolve("cache");
        float[][] fresh = outputs(RepackCache.ternary(file, kernels, infos, pool, Optional.empty()));

        float[][] written = outputs(RepackCache.ternary(file, kernels, infos, pool, Optional.of(cache)));
        Path cacheFile = onlyFile(cache);
        long modified = Files.getLastModifiedTime(cacheFile).toMillis();
        float[][] mapped = outputs(RepackCache.ternary(file, kernels, infos, pool, Optional.of(cache)));

        assertSame(written, fresh);
        assertSame(mapped, fresh);
        assertThat(onlyFile(cache)).isEqualTo(cacheFile);
        assertThat(Files.getLastModifiedTime(cacheFile).toMillis()).as("a good cache file is not rewritten")
                .isEqualTo(modified);
    }

    @Test
    void writingTheCacheRemovesTheFormerFormatFileOfTheSameModel() throws IOException {
        Path cache = dir.resolve("cache");
        RepackCache.ternary(file, kernels, infos, pool, Optional.of(cache));
        Path current = onlyFile(cache);
        String name = current.getFileName().toString();
        Path former = cache.resolve(name.replace(".v2.bin", ".bin"));
        Path otherModel = cache.resolve("0123456789abcdef01234567." + kernels.name() + ".bin");
        Files.write(former, new byte[64]);
        Files.write(otherModel, new byte[64]);
        Files.delete(current);

        RepackCache.ternary(file, kernels, infos, pool, Optional.of(cache));

        assertThat(former).as("this model's former-format file").doesNotExist();
        assertThat(otherModel).as("another model's file").exists();
        assertThat(current).exists();
    }

    @Test
    void truncatedForeignOrReshapedCacheFilesAreIgnoredAndRewritten() throws IOException {
        Path cache = dir.resolve("cache");
        float[][] fresh = outputs(RepackCache.ternary(file, kernels, infos, pool, Optional.of(cache)));
        Path cacheFile = onlyFile(cache);
        byte[] good = Files.readAllBytes(cacheFile);
        List<UnaryOperator<byte[]>> damages = List.of(
                bytes -> Arrays.copyOf(bytes, bytes.length - 10),                    // truncated
                bytes -> Arrays.copyOf(bytes, bytes.length + 64),                    // trailing garbage
                bytes -> withInt(bytes, 0, 0x12345678),                              // not our magic
                bytes -> withInt(bytes, 8, infos.size() + 1),                        // another tensor count
                bytes -> withInt(bytes, 16, infos.get(0).rows() + 32),               // another shape, same size
                bytes -> withInt(bytes, 16 + 8, Float.floatToIntBits(Float.NaN)),    // a broken scale
                bytes -> new byte[0]);
        for (UnaryOperator<byte[]> damage : damages) {
            Files.write(cacheFile, damage.apply(good.clone()));
            float[][] reloaded = outputs(RepackCache.ternary(file, kernels, infos, pool, Optional.of(cache)));
            assertSame(reloaded, fresh);
            assertThat(Files.readAllBytes(cacheFile)).as("rewritten").isEqualTo(good);
        }
    }

    @Test
    void anUnwritableCacheDirectoryFallsBackToMemory() throws IOException {
        float[][] fresh = outputs(RepackCache.ternary(file, kernels, infos, pool, Optional.empty()));
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        float[][] loaded = outputs(RepackCache.ternary(file, kernels, infos, pool, Optional.of(notADirectory)));
        assertSame(loaded, fresh);
    }

    @Test
    void inMemoryImagesWorkWithoutACacheDirectory() throws IOException {
        float[][] fromFile = outputs(RepackCache.ternary(file, kernels, infos, pool, Optional.empty()));
        try (GgufFile image = GgufFile.parse(java.lang.foreign.MemorySegment.ofArray(Files.readAllBytes(model)), "image")) {
            List<GgufTensorInfo> imageInfos = image.tensors().stream()
                    .filter(t -> TensorChecks.TERNARY.contains(t.type())).toList();
            Path cache = dir.resolve("unused");
            float[][] fromImage = outputs(RepackCache.ternary(image, kernels, imageInfos, pool, Optional.of(cache)));
            assertSame(fromImage, fromFile);
            assertThat(cache).as("no key for an image, so nothing is cached").doesNotExist();
        }
    }

    /** Every matrix applied to the same random activations (1 and 5 tokens). */
    private float[][] outputs(TernaryMatmul[] matrices) {
        assertThat(matrices).hasSameSizeAs(infos);
        Random random = new Random(5);
        float[][] result = new float[matrices.length][];
        for (int i = 0; i < matrices.length; i++) {
            TernaryMatmul m = matrices[i];
            assertThat(m.rows()).isEqualTo(infos.get(i).rows());
            assertThat(m.cols()).isEqualTo(infos.get(i).cols());
            int tokens = 1 + 4 * (i % 2);
            float[] x = new float[tokens * m.cols()];
            for (int k = 0; k < x.length; k++) {
                x[k] = (float) random.nextGaussian();
            }
            QuantizedActivations q = new QuantizedActivations(tokens, m.cols());
            q.quantize(x, 0, tokens);
            result[i] = new float[tokens * m.rows()];
            m.multiply(q, result[i], pool);
        }
        return result;
    }

    private static void assertSame(float[][] actual, float[][] expected) {
        assertThat(actual.length).isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("matrix " + i).containsExactly(expected[i]);
        }
    }

    private static byte[] withInt(byte[] bytes, int offset, int value) {
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
        return bytes;
    }

    private static Path onlyFile(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> all = files.toList();
            assertThat(all).hasSize(1);
            return all.get(0);
        }
    }
}

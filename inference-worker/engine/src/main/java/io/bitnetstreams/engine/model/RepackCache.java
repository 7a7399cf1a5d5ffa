package io.bitnetstreams.engine.model;

import io.bitnetstreams.engine.gguf.GgmlType;
import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.gguf.GgufTensorInfo;
import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.kernel.HeadKernels;
import io.bitnetstreams.engine.kernel.TernaryMatmul;
import io.bitnetstreams.engine.kernel.TernaryWeights;
import io.bitnetstreams.engine.kernel.VectorKernels;
import io.bitnetstreams.engine.tensor.FloatTensor;
import io.bitnetstreams.engine.tensor.Tensors;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Load-time preparation of the weights the fast kernels need in another layout, with an optional
 * cache directory so only the first load of a file pays for it.
 *
 * <ul>
 *   <li>Ternary matrices for {@link VectorKernels}: repacked in parallel on the pool from plain file
 *       reads ({@link TensorBytes}), so the I2_S pages of the mapping are never touched and do not
 *       count in resident memory; then written to {@code <dir>/<key>.<kernels>.bin}. Later loads copy
 *       the words back from that file (a short-lived mapping, unmapped right after).</li>
 *   <li>The q8 LM head: quantized chunk by chunk from file reads of the F16 rows, cached in
 *       {@code <dir>/<key>.q8_0.bin}.</li>
 * </ul>
 * The key hashes the model's absolute path, size and modification time. A cache file that does not
 * match the expected shapes exactly is ignored and rewritten; failing to write one only logs a warning.
 */
final class RepackCache {

    private static final Logger LOG = LoggerFactory.getLogger(RepackCache.class);
    private static final long TERNARY_MAGIC = 0x314B5052_4E42L; // "BNRPK1"
    private static final long Q8_MAGIC = 0x31385152_4E42L;      // "BNRQ81"
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Head rows quantized per file read: bounds the transient F16 copy (about 40 MB at dim 2560). */
    private static final int Q8_CHUNK_ROWS = 8192;

    private RepackCache() {
    }

    /** Prepares every tensor of {@code infos} (ternary, checked) with {@code kernels}, in order. */
    static TernaryMatmul[] ternary(GgufFile file, VectorKernels kernels, List<GgufTensorInfo> infos, ComputePool pool,
                                   Optional<Path> dir) {
        Optional<Path> cacheFile = dir.flatMap(d -> key(file).map(k -> d.resolve(k + "." + kernels.name() + ".bin")));
        long[] lengths = new long[infos.size()];
        long expectedSize = 12;
        for (int i = 0; i < infos.size(); i++) {
            GgufTensorInfo info = infos.get(i);
            lengths[i] = kernels.packedLength(info.rows(), info.cols());
            expectedSize += 12 + 2 * lengths[i];
        }
        if (cacheFile.isPresent() && Files.isRegularFile(cacheFile.get())) {
            try {
                TernaryMatmul[] cached = readTernary(cacheFile.get(), expectedSize, kernels, infos, lengths, pool);
                LOG.info("repacked weights read from {}", cacheFile.get());
                return cached;
            } catch (IOException | RuntimeException e) {
                LOG.warn("ignoring repack cache {}: {}", cacheFile.get(), e.toString());
            }
        }
        long start = System.nanoTime();
        short[][] packed = new short[infos.size()][];
        float[] scales = new float[infos.size()];
        try (TensorBytes bytes = TensorBytes.open(file)) {
            pool.parallelForChunks(0, infos.size(), infos.size(), (from, to) -> {
                for (int i = from; i < to; i++) {
                    GgufTensorInfo info = infos.get(i);
                    TernaryWeights weights = Tensors.ternary(info, bytes.read(info));
                    scales[i] = weights.scale();
                    packed[i] = kernels.pack(weights);
                }
            });
        }
        LOG.info("repacked {} ternary matrices for {} in {} ms", infos.size(), kernels.name(),
                (System.nanoTime() - start) / 1_000_000);
        cacheFile.ifPresent(path -> writeTernary(path, infos, scales, packed));
        TernaryMatmul[] result = new TernaryMatmul[infos.size()];
        for (int i = 0; i < infos.size(); i++) {
            result[i] = kernels.fromPacked(infos.get(i).rows(), infos.get(i).cols(), scales[i], packed[i]);
        }
        return result;
    }

    private static TernaryMatmul[] readTernary(Path path, long expectedSize, VectorKernels kernels,
                                               List<GgufTensorInfo> infos, long[] lengths, ComputePool pool)
            throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ); Arena arena = Arena.ofShared()) {
            if (channel.size() != expectedSize) {
                throw new IOException("size " + channel.size() + " instead of " + expectedSize);
            }
            MemorySegment data = channel.map(FileChannel.MapMode.READ_ONLY, 0, expectedSize, arena);
            if (data.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0) != TERNARY_MAGIC
                    || data.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8) != infos.size()) {
                throw new IOException("not a repack file for this model");
            }
            long[] offsets = new long[infos.size()];
            float[] scales = new float[infos.size()];
            long at = 12;
            for (int i = 0; i < infos.size(); i++) {
                int rows = data.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at);
                int cols = data.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at + 4);
                if (rows != infos.get(i).rows() || cols != infos.get(i).cols()) {
                    throw new IOException("tensor " + infos.get(i).name() + " has another shape");
                }
                scales[i] = data.get(FLOAT, at + 8);
                offsets[i] = at + 12;
                at = offsets[i] + 2 * lengths[i];
            }
            TernaryMatmul[] result = new TernaryMatmul[infos.size()];
            pool.parallelForChunks(0, infos.size(), infos.size(), (from, to) -> {
                for (int i = from; i < to; i++) {
                    short[] words = new short[(int) lengths[i]];
                    MemorySegment.copy(data, SHORT, offsets[i], words, 0, words.length);
                    result[i] = kernels.fromPacked(infos.get(i).rows(), infos.get(i).cols(), scales[i], words);
                }
            });
            return result;
        }
    }

    private static void writeTernary(Path path, List<GgufTensorInfo> infos, float[] scales, short[][] packed) {
        long start = System.nanoTime();
        try {
            writeAtomically(path, channel -> {
                ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
                header.putLong(TERNARY_MAGIC).putInt(infos.size()).flip();
                writeFully(channel, header);
                for (int i = 0; i < infos.size(); i++) {
                    ByteBuffer buffer = ByteBuffer.allocate(12 + 2 * packed[i].length).order(ByteOrder.LITTLE_ENDIAN);
                    buffer.putInt(infos.get(i).rows()).putInt(infos.get(i).cols()).putFloat(scales[i]);
                    buffer.asShortBuffer().put(packed[i]);
                    buffer.position(0);
                    writeFully(channel, buffer);
                }
            });
            LOG.info("repacked weights cached in {} ({} ms)", path, (System.nanoTime() - start) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not write the repack cache {}: {}", path, e.toString());
        }
    }

    /** The q8 copy of the head tensor {@code info} (float rows of {@code dim} values). */
    static HeadKernels.Q8Rows q8Head(GgufFile file, GgufTensorInfo info, int vocab, int dim, ComputePool pool,
                                     Optional<Path> dir) {
        Optional<Path> cacheFile = dir.flatMap(d -> key(file).map(k -> d.resolve(k + "." + info.name() + ".q8_0.bin")));
        long quantBytes = (long) vocab * dim;
        long scaleCount = (long) vocab * (dim / HeadKernels.Q8_BLOCK);
        long expectedSize = 16 + quantBytes + 4 * scaleCount;
        if (cacheFile.isPresent() && Files.isRegularFile(cacheFile.get())) {
            try {
                HeadKernels.Q8Rows rows = readQ8(cacheFile.get(), expectedSize, vocab, dim);
                LOG.info("q8 head read from {}", cacheFile.get());
                return rows;
            } catch (IOException | RuntimeException e) {
                LOG.warn("ignoring q8 head cache {}: {}", cacheFile.get(), e.toString());
            }
        }
        long start = System.nanoTime();
        HeadKernels.Q8Rows rows = quantize(file, info, vocab, dim, pool);
        LOG.info("q8 head quantized in {} ms", (System.nanoTime() - start) / 1_000_000);
        cacheFile.ifPresent(path -> writeQ8(path, rows));
        return rows;
    }

    private static HeadKernels.Q8Rows quantize(GgufFile file, GgufTensorInfo info, int vocab, int dim, ComputePool pool) {
        byte[] quants = new byte[vocab * dim];
        int blocks = dim / HeadKernels.Q8_BLOCK;
        float[] scales = new float[vocab * blocks];
        FloatTensor tensor = info.type() == GgmlType.F16 ? null : Tensors.floating(info, file.tensorData(info));
        try (TensorBytes bytes = TensorBytes.open(file)) {
            for (int first = 0; first < vocab; first += Q8_CHUNK_ROWS) {
                int count = Math.min(Q8_CHUNK_ROWS, vocab - first);
                MemorySegment f16 = tensor == null
                        ? bytes.read(info, (long) first * dim * 2, count * dim * 2)
                        : toF16(tensor, first, count, dim);
                HeadKernels.Q8Rows chunk = HeadKernels.quantizeQ8(f16, count, dim, pool);
                System.arraycopy(chunk.quants(), 0, quants, first * dim, count * dim);
                System.arraycopy(chunk.scales(), 0, scales, first * blocks, count * blocks);
            }
        }
        return new HeadKernels.Q8Rows(vocab, dim, quants, scales);
    }

    /** Rows of a non-F16 head as F16 (the q8 quantizer's input format). */
    private static MemorySegment toF16(FloatTensor tensor, int first, int count, int dim) {
        MemorySegment f16 = MemorySegment.ofArray(new short[count * dim]);
        float[] row = new float[dim];
        for (int r = 0; r < count; r++) {
            tensor.readRow(first + r, dim, row, 0);
            for (int d = 0; d < dim; d++) {
                f16.set(SHORT, 2L * (r * dim + d), Float.floatToFloat16(row[d]));
            }
        }
        return f16;
    }

    private static HeadKernels.Q8Rows readQ8(Path path, long expectedSize, int vocab, int dim) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            if (channel.size() != expectedSize) {
                throw new IOException("size " + channel.size() + " instead of " + expectedSize);
            }
            MemorySegment data = channel.map(FileChannel.MapMode.READ_ONLY, 0, expectedSize, arena);
            if (data.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0) != Q8_MAGIC
                    || data.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8) != vocab
                    || data.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 12) != dim) {
                throw new IOException("not a q8 head file for this model");
            }
            byte[] quants = new byte[vocab * dim];
            float[] scales = new float[vocab * (dim / HeadKernels.Q8_BLOCK)];
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, 16, quants, 0, quants.length);
            MemorySegment.copy(data, FLOAT, 16L + quants.length, scales, 0, scales.length);
            return new HeadKernels.Q8Rows(vocab, dim, quants, scales);
        }
    }

    private static void writeQ8(Path path, HeadKernels.Q8Rows rows) {
        try {
            writeAtomically(path, channel -> {
                ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
                header.putLong(Q8_MAGIC).putInt(rows.vocab()).putInt(rows.dim()).flip();
                writeFully(channel, header);
                writeFully(channel, ByteBuffer.wrap(rows.quants()));
                ByteBuffer scales = ByteBuffer.allocate(4 * rows.scales().length).order(ByteOrder.LITTLE_ENDIAN);
                scales.asFloatBuffer().put(rows.scales());
                writeFully(channel, scales);
            });
            LOG.info("q8 head cached in {}", path);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not write the q8 head cache {}: {}", path, e.toString());
        }
    }

    private interface Writer {
        void write(FileChannel channel) throws IOException;
    }

    /** Writes a temporary file beside {@code path} and renames it: readers never see a partial file. */
    private static void writeAtomically(Path path, Writer writer) throws IOException {
        Files.createDirectories(path.getParent());
        Path temp = Files.createTempFile(path.getParent(), path.getFileName().toString(), ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                writer.write(channel);
            }
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Hash of the model's absolute path, size and modification time; empty for in-memory images. */
    private static Optional<String> key(GgufFile file) {
        if (file.path() == null) {
            return Optional.empty();
        }
        try {
            Path path = file.path().toAbsolutePath().normalize();
            String identity = path + "|" + Files.size(path) + "|" + Files.getLastModifiedTime(path).toMillis();
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return Optional.of(HexFormat.of().formatHex(digest, 0, 12));
        } catch (IOException | NoSuchAlgorithmException e) {
            LOG.warn("no repack cache for {}: {}", file.path(), e.toString());
            return Optional.empty();
        }
    }
}

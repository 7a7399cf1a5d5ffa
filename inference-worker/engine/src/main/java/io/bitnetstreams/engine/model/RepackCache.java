package io.bitnetstreams.engine.model;

import io.bitnetstreams.engine.gguf.GgmlType;
import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.gguf.GgufTensorInfo;
import io.bitnetstreams.engine.kernel.ComputePool;
import io.bitnetstreams.engine.kernel.HeadKernels;
import io.bitnetstreams.engine.kernel.HugePages;
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
import java.util.function.IntToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Load-time preparation of the weights the fast kernels need in another layout, with an optional
 * cache directory so only the first load of a file pays for it.
 *
 * <ul>
 *   <li>Ternary matrices for {@link VectorKernels}: repacked in parallel on the pool from plain file
 *       reads ({@link TensorBytes}), so the I2_S pages of the mapping are never touched and do not
 *       count in resident memory; then written to {@code <dir>/<key>.<kernels>.v2.bin}, which this
 *       and later loads map read-only and keep mapped for the model's life (off the Java heap; the
 *       mapping goes when the matrices become unreachable). Without a directory the words stay in
 *       native memory.</li>
 *   <li>The q8 LM head: quantized chunk by chunk from file reads of the F16 rows, cached in
 *       {@code <dir>/<key>.q8_0.bin}.</li>
 *   <li>The q4 LM head: the same, cached in {@code <dir>/<key>.q4_0.bin}, held in huge-page memory
 *       ({@link HugePages}) because decode streams it once per token.</li>
 *   <li>The q2 LM head: the same, cached in {@code <dir>/<key>.q2.v1.bin} (the layout version is in the
 *       name and the magic, so a changed layout is never read as the old one).</li>
 * </ul>
 * The key hashes the model's absolute path, size and modification time. A cache file that does not
 * match the expected shapes exactly is ignored and rewritten; failing to write one only logs a warning.
 */
final class RepackCache {

    private static final Logger LOG = LoggerFactory.getLogger(RepackCache.class);
    private static final long TERNARY_MAGIC = 0x324B5052_4E42L; // "BNRPK2"
    private static final long Q8_MAGIC = 0x31385152_4E42L;      // "BNRQ81"
    private static final long Q4_MAGIC = 0x31345152_4E42L;      // "BNRQ41"
    /** The 2-bit head: "BNRQ2" then the layout version (1: 16-row groups, bf16 scales, codes at bits 2e). */
    private static final long Q2_MAGIC = 0x01_32_5152_4E42L;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Bytes per write call when storing the repacked words (a ByteBuffer holds at most 2 GB). */
    private static final long WRITE_CHUNK = 64L << 20;
    /**
     * {@code -Dbitnet.repack.hugePages=true}: copy the cached words into {@link HugePages} memory
     * instead of reading them through the file mapping (4 KB page-cache pages). Costs the words once
     * more as private memory (about 470 MB for 2B4T) for fewer TLB misses while decode streams them;
     * off by default until measured on a quiet machine (see the README).
     */
    private static final boolean HUGE_PAGE_COPY = Boolean.getBoolean("bitnet.repack.hugePages");
    /** Head rows quantized per file read: bounds the transient F16 copy (about 40 MB at dim 2560). */
    private static final int Q8_CHUNK_ROWS = 8192;

    private RepackCache() {
    }

    /**
     * Prepares every tensor of {@code infos} (ternary, checked) with {@code kernels}, in order. The
     * words live off the Java heap: mapped read-only from the cache file when there is one (written
     * first if missing or unusable), else in native memory. Either way the memory is released when
     * the returned matrices become unreachable.
     */
    static TernaryMatmul[] ternary(GgufFile file, VectorKernels kernels, List<GgufTensorInfo> infos, ComputePool pool,
                                   Optional<Path> dir) {
        TernaryImage image = TernaryImage.of(kernels, infos);
        Optional<Path> cacheFile = dir.flatMap(d -> key(file).map(k -> d.resolve(k + "." + kernels.name() + ".v2.bin")));
        if (cacheFile.isPresent() && Files.isRegularFile(cacheFile.get())) {
            try {
                MemorySegment mapped = mapTernary(cacheFile.get(), image, infos);
                if (HUGE_PAGE_COPY) {
                    MemorySegment copy = HugePages.allocate(image.size(), Arena.ofAuto());
                    copy.copyFrom(mapped);
                    LOG.info("repacked weights copied from {} into huge-page memory", cacheFile.get());
                    return image.matrices(copy, kernels);
                }
                TernaryMatmul[] cached = image.matrices(mapped, kernels);
                LOG.info("repacked weights mapped from {}", cacheFile.get());
                return cached;
            } catch (IOException | RuntimeException e) {
                LOG.warn("ignoring repack cache {} and writing it again: {}", cacheFile.get(), e.toString());
            }
        }
        if (cacheFile.isEmpty()) {
            MemorySegment words = HugePages.allocate(image.size(), Arena.ofAuto());
            repack(file, kernels, infos, pool, image, words);
            return image.matrices(words, kernels);
        }
        // Pack into memory freed right after the file is written, then map the file: the words are
        // never resident twice.
        try (Arena scratch = Arena.ofShared()) {
            MemorySegment words = scratch.allocate(image.size(), VectorKernels.WORD_ALIGNMENT);
            repack(file, kernels, infos, pool, image, words);
            Path path = cacheFile.get();
            deleteFormerFormat(path);
            try {
                writeTernary(path, words);
                return image.matrices(mapTernary(path, image, infos), kernels);
            } catch (IOException | RuntimeException e) {
                LOG.warn("could not write or map the repack cache {}; keeping the words in memory: {}", path, e.toString());
                MemorySegment kept = Arena.ofAuto().allocate(image.size(), VectorKernels.WORD_ALIGNMENT);
                kept.copyFrom(words);
                return image.matrices(kept, kernels);
            }
        }
    }

    /**
     * Removes the version-1 file of the same model and kernels ({@code <key>.<kernels>.bin}, the words
     * unaligned and copied onto the heap), which no release reads any more: about 490 MB for 2B4T.
     */
    private static void deleteFormerFormat(Path v2File) {
        String name = v2File.getFileName().toString();
        Path v1File = v2File.resolveSibling(name.substring(0, name.length() - ".v2.bin".length()) + ".bin");
        try {
            if (Files.deleteIfExists(v1File)) {
                LOG.info("removed the former-format repack cache {}", v1File);
            }
        } catch (IOException e) {
            LOG.warn("could not remove the former-format repack cache {}: {}", v1File, e.toString());
        }
    }

    /** Repacks every tensor in parallel from plain file reads into {@code words} (laid out as {@code image}). */
    private static void repack(GgufFile file, VectorKernels kernels, List<GgufTensorInfo> infos, ComputePool pool,
                               TernaryImage image, MemorySegment words) {
        long start = System.nanoTime();
        try (TensorBytes bytes = TensorBytes.open(file)) {
            pool.parallelForChunks(0, infos.size(), infos.size(), (from, to) -> {
                for (int i = from; i < to; i++) {
                    GgufTensorInfo info = infos.get(i);
                    TernaryWeights weights = Tensors.ternary(info, bytes.read(info));
                    image.writeEntry(words, i, weights.scale());
                    kernels.packInto(weights, image.slice(words, i));
                }
            });
        }
        image.writeHeader(words);
        LOG.info("repacked {} ternary matrices for {} in {} ms", infos.size(), kernels.name(),
                (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * The cache file mapped read-only for as long as the matrices over it live, seen as plain native
     * memory (the one segment kind the kernels are compiled for), after checking that it is a
     * complete file for exactly these tensors.
     */
    private static MemorySegment mapTernary(Path path, TernaryImage image, List<GgufTensorInfo> infos)
            throws IOException {
        Arena arena = Arena.ofAuto();
        MemorySegment mapped;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            if (channel.size() != image.size()) {
                throw new IOException("size " + channel.size() + " instead of " + image.size());
            }
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, image.size(), arena);
        }
        image.check(mapped, infos);
        return MemorySegment.ofAddress(mapped.address()).reinterpret(mapped.byteSize(), arena, null).asReadOnly();
    }

    private static void writeTernary(Path path, MemorySegment words) throws IOException {
        long start = System.nanoTime();
        writeAtomically(path, channel -> {
            for (long at = 0; at < words.byteSize(); at += WRITE_CHUNK) {
                writeFully(channel, words.asSlice(at, Math.min(WRITE_CHUNK, words.byteSize() - at)).asByteBuffer());
            }
        });
        LOG.info("repacked weights cached in {} ({} ms)", path, (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * Layout of the repacked words of a model, the same in memory and in the cache file: a header
     * (magic, tensor count, then rows, cols and scale per tensor), then each tensor's words at a
     * 64-byte aligned offset.
     */
    private record TernaryImage(int[] rows, int[] cols, long[] offsets, long[] lengths, long size) {

        private static final long ENTRIES = 16;
        private static final long ENTRY_BYTES = 16;

        static TernaryImage of(VectorKernels kernels, List<GgufTensorInfo> infos) {
            int n = infos.size();
            int[] rows = new int[n];
            int[] cols = new int[n];
            long[] offsets = new long[n];
            long[] lengths = new long[n];
            long at = align(ENTRIES + ENTRY_BYTES * n);
            for (int i = 0; i < n; i++) {
                rows[i] = infos.get(i).rows();
                cols[i] = infos.get(i).cols();
                offsets[i] = at;
                lengths[i] = kernels.packedBytes(rows[i], cols[i]);
                at = align(at + lengths[i]);
            }
            return new TernaryImage(rows, cols, offsets, lengths, at);
        }

        private static long align(long offset) {
            long a = VectorKernels.WORD_ALIGNMENT;
            return (offset + a - 1) / a * a;
        }

        MemorySegment slice(MemorySegment words, int i) {
            return words.asSlice(offsets[i], lengths[i]);
        }

        void writeEntry(MemorySegment words, int i, float scale) {
            long at = ENTRIES + ENTRY_BYTES * i;
            words.set(INT, at, rows[i]);
            words.set(INT, at + 4, cols[i]);
            words.set(FLOAT, at + 8, scale);
            words.set(INT, at + 12, 0);
        }

        void writeHeader(MemorySegment words) {
            words.set(LONG, 0, TERNARY_MAGIC);
            words.set(INT, 8, rows.length);
            words.set(INT, 12, 0);
        }

        void check(MemorySegment words, List<GgufTensorInfo> infos) throws IOException {
            if (words.get(LONG, 0) != TERNARY_MAGIC || words.get(INT, 8) != rows.length) {
                throw new IOException("not a repack file for this model");
            }
            for (int i = 0; i < rows.length; i++) {
                long at = ENTRIES + ENTRY_BYTES * i;
                if (words.get(INT, at) != rows[i] || words.get(INT, at + 4) != cols[i]) {
                    throw new IOException("tensor " + infos.get(i).name() + " has another shape");
                }
                float scale = words.get(FLOAT, at + 8);
                if (!Float.isFinite(scale)) {
                    throw new IOException("tensor " + infos.get(i).name() + " has scale " + scale);
                }
            }
        }

        TernaryMatmul[] matrices(MemorySegment words, VectorKernels kernels) {
            TernaryMatmul[] result = new TernaryMatmul[rows.length];
            for (int i = 0; i < rows.length; i++) {
                float scale = words.get(FLOAT, ENTRIES + ENTRY_BYTES * i + 8);
                result[i] = kernels.fromPacked(rows[i], cols[i], scale, slice(words, i));
            }
            return result;
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

    /** The q2 copy of the head tensor {@code info}, in {@link HugePages} memory freed with the returned rows. */
    static HeadKernels.Q2Rows q2Head(GgufFile file, GgufTensorInfo info, int vocab, int dim, ComputePool pool,
                                     Optional<Path> dir) {
        // whole 16-row groups per chunk: Q8_CHUNK_ROWS is a multiple of the group
        MemorySegment data = segmentHead(file, info, vocab, dim, pool, dir, "q2", "q2.v1.bin", Q2_MAGIC,
                rows -> HeadKernels.Q2Rows.bytes(rows, dim), HeadKernels::quantizeQ2);
        return new HeadKernels.Q2Rows(vocab, dim, data);
    }

    /** The q4 copy of the head tensor {@code info}, in {@link HugePages} memory freed with the returned rows. */
    static HeadKernels.Q4Rows q4Head(GgufFile file, GgufTensorInfo info, int vocab, int dim, ComputePool pool,
                                     Optional<Path> dir) {
        MemorySegment data = segmentHead(file, info, vocab, dim, pool, dir, "q4", "q4_0.bin", Q4_MAGIC,
                rows -> HeadKernels.Q4Rows.bytes(rows, dim), HeadKernels::quantizeQ4);
        return new HeadKernels.Q4Rows(vocab, dim, data);
    }

    /** Quantizes F16 head rows into {@code dst} (the {@code HeadKernels.quantizeQ4 / quantizeQ2} shape). */
    @FunctionalInterface
    private interface SegmentQuantizer {
        void quantize(MemorySegment f16Rows, int rows, int dim, MemorySegment dst, ComputePool pool);
    }

    /**
     * A quantized head kept in one {@link HugePages} segment: read from the cache file {@code <key>.<tensor>.SUFFIX}
     * when it is there and valid, otherwise quantized chunk by chunk ({@code bytesOf(rows)} is both the size of
     * {@code rows} rows and, for a chunk start, its byte offset) and written to the cache.
     */
    private static MemorySegment segmentHead(GgufFile file, GgufTensorInfo info, int vocab, int dim, ComputePool pool,
                                             Optional<Path> dir, String kind, String suffix, long magic,
                                             IntToLongFunction bytesOf, SegmentQuantizer quantizer) {
        Optional<Path> cacheFile = dir.flatMap(d -> key(file).map(k -> d.resolve(k + "." + info.name() + "." + suffix)));
        MemorySegment data = HugePages.allocate(bytesOf.applyAsLong(vocab), Arena.ofAuto());
        if (cacheFile.isPresent() && Files.isRegularFile(cacheFile.get())) {
            try {
                readHead(cacheFile.get(), magic, data, vocab, dim);
                LOG.info("{} head read from {}", kind, cacheFile.get());
                return data;
            } catch (IOException | RuntimeException e) {
                LOG.warn("ignoring {} head cache {}: {}", kind, cacheFile.get(), e.toString());
            }
        }
        long start = System.nanoTime();
        FloatTensor tensor = info.type() == GgmlType.F16 ? null : Tensors.floating(info, file.tensorData(info));
        try (TensorBytes tensorBytes = TensorBytes.open(file)) {
            for (int first = 0; first < vocab; first += Q8_CHUNK_ROWS) {
                int count = Math.min(Q8_CHUNK_ROWS, vocab - first);
                MemorySegment f16 = tensor == null
                        ? tensorBytes.read(info, (long) first * dim * 2, count * dim * 2)
                        : toF16(tensor, first, count, dim);
                quantizer.quantize(f16, count, dim, data.asSlice(bytesOf.applyAsLong(first), bytesOf.applyAsLong(count)),
                        pool);
            }
        }
        LOG.info("{} head quantized in {} ms", kind, (System.nanoTime() - start) / 1_000_000);
        cacheFile.ifPresent(path -> writeHead(path, magic, kind, vocab, dim, data));
        return data;
    }

    /** Reads a head copy written by {@link #writeHead}: a 16-byte header (magic, vocab, dim), then the bytes. */
    private static void readHead(Path path, long magic, MemorySegment data, int vocab, int dim) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            if (channel.size() != 16 + data.byteSize()) {
                throw new IOException("size " + channel.size() + " instead of " + (16 + data.byteSize()));
            }
            ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, header, 0);
            header.flip();
            if (header.getLong() != magic || header.getInt() != vocab || header.getInt() != dim) {
                throw new IOException("not a head file of this kind and version for this model");
            }
            for (long at = 0; at < data.byteSize(); at += WRITE_CHUNK) {
                readFully(channel, data.asSlice(at, Math.min(WRITE_CHUNK, data.byteSize() - at)).asByteBuffer(), 16 + at);
            }
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException("file ends early");
            }
            at += n;
        }
    }

    private static void writeHead(Path path, long magic, String kind, int vocab, int dim, MemorySegment data) {
        try {
            writeAtomically(path, channel -> {
                ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
                header.putLong(magic).putInt(vocab).putInt(dim).flip();
                writeFully(channel, header);
                for (long at = 0; at < data.byteSize(); at += WRITE_CHUNK) {
                    writeFully(channel, data.asSlice(at, Math.min(WRITE_CHUNK, data.byteSize() - at)).asByteBuffer());
                }
            });
            LOG.info("{} head cached in {}", kind, path);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not write the {} head cache {}: {}", kind, path, e.toString());
        }
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

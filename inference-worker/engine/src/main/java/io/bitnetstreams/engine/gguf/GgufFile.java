package io.bitnetstreams.engine.gguf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A GGUF file (versions 2 and 3, little-endian), memory-mapped once read-only through the FFM API.
 * The header (metadata and tensor infos) is parsed onto the heap with a bounds check before every
 * read; tensor data is never copied: {@link #tensorData} hands out slices of the mapping, valid
 * until {@link #close()}.
 */
public final class GgufFile implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GgufFile.class);

    /** Default alignment of the data section and of every tensor offset. */
    public static final int DEFAULT_ALIGNMENT = 32;

    private final Path path;
    private final String source;
    private final Arena arena;
    private final MemorySegment segment;
    private final int version;
    private final int alignment;
    private final long dataStart;
    private final GgufMetadata metadata;
    private final List<GgufTensorInfo> tensors;
    private final Map<String, GgufTensorInfo> tensorsByName;

    private GgufFile(Path path, Arena arena, MemorySegment segment, GgufParser.Header header) {
        this.path = path;
        this.source = header.source();
        this.arena = arena;
        this.segment = segment;
        this.version = header.version();
        this.alignment = header.alignment();
        this.dataStart = header.dataStart();
        this.metadata = header.metadata();
        this.tensors = List.copyOf(header.tensors());
        Map<String, GgufTensorInfo> byName = new HashMap<>();
        for (GgufTensorInfo info : tensors) {
            byName.put(info.name(), info);
        }
        this.tensorsByName = Collections.unmodifiableMap(byName);
    }

    /**
     * Maps and parses {@code path}.
     *
     * @throws GgufFormatException if the file is not a usable GGUF file
     * @throws UncheckedIOException if it cannot be read
     */
    public static GgufFile open(Path path) {
        Objects.requireNonNull(path, "path");
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            Arena arena = Arena.ofShared();
            try {
                MemorySegment segment = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                GgufFile file = new GgufFile(path, arena, segment, GgufParser.parse(segment, path.toString()));
                LOG.debug("opened {}: GGUF v{}, {} keys, {} tensors, {} bytes",
                        path, file.version, file.metadata.keys().size(), file.tensors.size(), size);
                return file;
            } catch (RuntimeException | Error e) {
                arena.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map GGUF file " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses a GGUF image that is already in memory (a heap array or a mapping the caller owns and
     * keeps open). {@link #close()} of the result does not release {@code segment}.
     *
     * @param sourceName names the image in error messages
     */
    public static GgufFile parse(MemorySegment segment, String sourceName) {
        Objects.requireNonNull(segment, "segment");
        return new GgufFile(null, null, segment, GgufParser.parse(segment, Objects.requireNonNull(sourceName)));
    }

    public int version() {
        return version;
    }

    /** Alignment of the data section start and of tensor offsets (general.alignment or 32). */
    public int alignment() {
        return alignment;
    }

    /** Absolute file offset of the data section. */
    public long dataOffset() {
        return dataStart;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    /** Tensor infos in file order. */
    public List<GgufTensorInfo> tensors() {
        return tensors;
    }

    public Optional<GgufTensorInfo> findTensor(String name) {
        return Optional.ofNullable(tensorsByName.get(name));
    }

    /** The tensor called {@code name}; a missing one throws a {@link GgufFormatException} naming it. */
    public GgufTensorInfo tensor(String name) {
        GgufTensorInfo info = tensorsByName.get(name);
        if (info == null) {
            throw new GgufFormatException(source + ": no tensor named '" + name + "'");
        }
        return info;
    }

    /** The tensor's bytes: a read-only slice of the mapping (no copy), valid until {@link #close()}. */
    public MemorySegment tensorData(GgufTensorInfo info) {
        GgufTensorInfo own = tensorsByName.get(info.name());
        if (!info.equals(own)) {
            throw new IllegalArgumentException("tensor " + info + " does not belong to " + source);
        }
        return segment.asSlice(dataStart + info.offset(), info.byteSize());
    }

    public long fileSize() {
        return segment.byteSize();
    }

    /** The mapped file, or null for an image given to {@link #parse}. */
    public Path path() {
        return path;
    }

    /** Unmaps the file; slices handed out before become invalid. */
    @Override
    public void close() {
        if (arena != null && arena.scope().isAlive()) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "GgufFile[" + source + ", v" + version + ", " + tensors.size() + " tensors]";
    }
}

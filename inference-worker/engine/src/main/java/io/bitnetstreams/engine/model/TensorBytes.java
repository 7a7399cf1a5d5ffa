package io.bitnetstreams.engine.model;

import io.bitnetstreams.engine.gguf.GgufFile;
import io.bitnetstreams.engine.gguf.GgufTensorInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * Copies of tensor bytes read with ordinary file reads instead of through the mapping: weights that
 * are repacked at load time are read once this way, so their mapped pages are never touched and
 * never count in the process's resident memory (the page cache keeps them for the next load).
 */
final class TensorBytes implements AutoCloseable {

    private final GgufFile file;
    private final FileChannel channel;

    private TensorBytes(GgufFile file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Reads from the file behind {@code file}; images parsed from memory are copied from their segment. */
    static TensorBytes open(GgufFile file) {
        if (file.path() == null) {
            return new TensorBytes(file, null);
        }
        try {
            return new TensorBytes(file, FileChannel.open(file.path(), StandardOpenOption.READ));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.path(), e);
        }
    }

    /** {@code length} bytes of {@code info}'s data from byte {@code offset}, as a heap segment. */
    MemorySegment read(GgufTensorInfo info, long offset, int length) {
        if (offset < 0 || length < 0 || offset + length > info.byteSize()) {
            throw new IllegalArgumentException("range " + offset + "+" + length + " outside tensor " + info.name());
        }
        byte[] bytes = new byte[length];
        if (channel == null) {
            MemorySegment.copy(file.tensorData(info), ValueLayout.JAVA_BYTE, offset, bytes, 0, length);
            return MemorySegment.ofArray(bytes);
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long position = file.dataOffset() + info.offset() + offset;
        try {
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, position + buffer.position());
                if (n < 0) {
                    throw new ModelFormatException("tensor " + info.name() + " is cut short by the end of " + file.path());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tensor " + info.name() + " from " + file.path(), e);
        }
        return MemorySegment.ofArray(bytes);
    }

    /** The whole tensor. */
    MemorySegment read(GgufTensorInfo info) {
        if (info.byteSize() > Integer.MAX_VALUE - 8) {
            throw new ModelFormatException("tensor " + info.name() + " is too large to copy: " + info.byteSize() + " bytes");
        }
        return read(info, 0, (int) info.byteSize());
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}

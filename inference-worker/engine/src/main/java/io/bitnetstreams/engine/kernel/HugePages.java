package io.bitnetstreams.engine.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Off-heap memory for weights that decode streams once per token, backed by transparent huge pages
 * where Linux offers them: an anonymous {@code mmap} aligned to 2 MB, {@code madvise(MADV_HUGEPAGE)}
 * before the first touch (so every fault maps a whole 2 MB page; this works with the usual
 * {@code transparent_hugepage=madvise} setting), unmapped when the owning arena is closed or, for
 * {@link Arena#ofAuto()}, collected. Pure Java through the FFM linker; elsewhere (no {@code mmap}
 * symbol, or the call fails) it falls back to {@link Arena#allocate}, which gives the same contents.
 *
 * <p>Why: decode reads about 1 GB per token; with 4 KB pages that is a TLB miss and a page walk every
 * 4 KB of every weight stream, and the mapped repack file sits in 4 KB page-cache pages.
 */
public final class HugePages {

    private static final Logger LOG = LoggerFactory.getLogger(HugePages.class);
    /** The x86-64 / arm64 PMD size: what a transparent huge page covers. */
    public static final long HUGE_PAGE = 2L << 20;

    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_PRIVATE = 2;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final long MAP_FAILED = -1L;

    private static final Optional<Calls> CALLS = Calls.find();

    private HugePages() {
    }

    /** Whether this platform maps memory through {@code mmap} here (else {@link #allocate} falls back). */
    public static boolean available() {
        return CALLS.isPresent();
    }

    /**
     * {@code bytes} of zeroed memory, 2 MB aligned, asked to be backed by huge pages; it lives as long
     * as {@code arena}. The segment is plain native memory (the kind the vector kernels are compiled for).
     */
    public static MemorySegment allocate(long bytes, Arena arena) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("bytes must be positive: " + bytes);
        }
        if (CALLS.isPresent()) {
            Optional<MemorySegment> mapped = CALLS.get().map(bytes, arena);
            if (mapped.isPresent()) {
                return mapped.get();
            }
        }
        return arena.allocate(bytes, VectorKernels.WORD_ALIGNMENT);
    }

    /** The three libc calls, looked up once. */
    private record Calls(MethodHandle mmap, MethodHandle madvise, MethodHandle munmap) {

        static Optional<Calls> find() {
            if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
                return Optional.empty();
            }
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                ValueLayout size = ValueLayout.JAVA_LONG;
                MethodHandle mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, size, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                MethodHandle madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, size, ValueLayout.JAVA_INT));
                MethodHandle munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, size));
                return Optional.of(new Calls(mmap, madvise, munmap));
            } catch (RuntimeException | Error e) { // no linker, no symbol, native access denied
                LOG.info("no huge-page allocation here ({}); weights go to ordinary native memory", e.toString());
                return Optional.empty();
            }
        }

        /**
         * Maps {@code bytes} rounded up to whole huge pages plus one page of slack, keeps the 2 MB aligned
         * part and gives the slack back, so the kept range is aligned at both ends.
         */
        Optional<MemorySegment> map(long bytes, Arena arena) {
            long length = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
            try {
                MemorySegment raw = (MemorySegment) mmap.invokeExact(MemorySegment.NULL, length + HUGE_PAGE,
                        PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
                long start = raw.address();
                if (start == MAP_FAILED || start == 0) {
                    return Optional.empty();
                }
                long aligned = (start + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
                long head = aligned - start;
                if (head > 0) {
                    int unused = (int) munmap.invokeExact(MemorySegment.ofAddress(start), head);
                }
                long tail = HUGE_PAGE - head;
                if (tail > 0) {
                    int unused = (int) munmap.invokeExact(MemorySegment.ofAddress(aligned + length), tail);
                }
                int advised = (int) madvise.invokeExact(MemorySegment.ofAddress(aligned), length, MADV_HUGEPAGE);
                if (advised != 0) {
                    LOG.debug("madvise(MADV_HUGEPAGE) refused; keeping ordinary pages");
                }
                MethodHandle unmap = munmap;
                return Optional.of(MemorySegment.ofAddress(aligned).reinterpret(bytes, arena, segment -> {
                    try {
                        int unused = (int) unmap.invokeExact(MemorySegment.ofAddress(aligned), length);
                    } catch (Throwable e) {
                        LOG.warn("munmap failed: {}", e.toString());
                    }
                }));
            } catch (Throwable e) {
                LOG.info("huge-page mapping of {} bytes failed ({}); using ordinary native memory", bytes, e.toString());
                return Optional.empty();
            }
        }
    }
}

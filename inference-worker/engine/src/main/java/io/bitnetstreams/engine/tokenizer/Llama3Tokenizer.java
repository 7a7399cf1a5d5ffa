package io.bitnetstreams.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Llama 3 byte-level BPE: the text is split by the Llama 3 pre-tokenizer, each piece is turned
 * into UTF-8 bytes, and a piece that is itself a token becomes that token (Llama 3 ignores merges
 * for whole-token pieces, as tiktoken does); other pieces start as one token per byte and the
 * adjacent pair with the lowest merge rank is merged (leftmost first) until no pair merges.
 *
 * <p>{@link #encode} never produces control tokens: text such as {@code <|eot_id|>} is ordinary
 * bytes. {@link #decode} and the streaming decoder render control, unknown and unused tokens as
 * empty text. Lone surrogates in the input are encoded as U+FFFD. Immutable and thread-safe.
 */
public final class Llama3Tokenizer implements Tokenizer {

    private static final Logger LOG = LoggerFactory.getLogger(Llama3Tokenizer.class);
    private static final AtomicBoolean MISSING_PRE_LOGGED = new AtomicBoolean();
    private static final Set<String> LLAMA3_PRE_NAMES = Set.of("llama3", "llama-bpe", "default");

    /** Pieces with more bytes than this merge through a heap (n log n) instead of rescanning. */
    static final int LINEAR_MERGE_LIMIT = 48;

    private final List<String> pieces;
    private final byte[][] bytesById;
    private final boolean[] special;
    /** Normal and byte tokens: the ones BPE produces and merges name. */
    private final boolean[] mergeable;
    private final int[] idOfByte = new int[256];
    private final ByteSequenceIndex wholePieceIndex;
    private final PairRankMap pairRanks;
    /** The token a merge of the given rank produces. */
    private final int[] mergeResultByRank;
    private final Map<String, Integer> specialIds;

    private Llama3Tokenizer(Vocabulary vocabulary, MergeTableBuilder mergeTable) {
        this.pieces = vocabulary.tokens();
        int size = pieces.size();
        this.bytesById = new byte[size][];
        this.special = new boolean[size];
        this.mergeable = new boolean[size];
        Map<String, Integer> specials = new HashMap<>();
        for (int id = 0; id < size; id++) {
            int type = vocabulary.tokenType(id);
            String piece = pieces.get(id);
            switch (type) {
                case Vocabulary.TYPE_NORMAL, Vocabulary.TYPE_BYTE -> {
                    bytesById[id] = byteLevelBytes(id, piece, type);
                    mergeable[id] = true;
                }
                case Vocabulary.TYPE_USER_DEFINED -> bytesById[id] = piece.getBytes(StandardCharsets.UTF_8);
                case Vocabulary.TYPE_CONTROL, Vocabulary.TYPE_UNKNOWN, Vocabulary.TYPE_UNUSED -> {
                    bytesById[id] = new byte[0];
                    special[id] = true;
                    specials.putIfAbsent(piece, id);
                }
                default -> throw new IllegalArgumentException("token " + id + " has unknown token type " + type);
            }
        }
        this.specialIds = Map.copyOf(specials);
        this.wholePieceIndex = new ByteSequenceIndex(bytesById, mergeable);
        byte[] single = new byte[1];
        for (int b = 0; b < 256; b++) {
            single[0] = (byte) b;
            idOfByte[b] = wholePieceIndex.find(single, 0, 1);
            if (idOfByte[b] < 0) {
                throw new IllegalArgumentException(String.format("vocabulary has no token for byte 0x%02X", b));
            }
        }
        MergeTableBuilder.Table table = mergeTable.build(new PieceIndex(pieces, mergeable));
        this.pairRanks = table.ranks();
        this.mergeResultByRank = table.resultByRank();
    }

    /**
     * Builds a tokenizer from a vocabulary with its merge list (as a GGUF stores it).
     *
     * @param preTokenizer the GGUF {@code tokenizer.ggml.pre} value; null (absent, logged once),
     *                     "llama3", "llama-bpe" and "default" select the Llama 3 pre-tokenizer
     * @throws IllegalArgumentException for an unknown pre-tokenizer or an inconsistent vocabulary
     */
    public static Llama3Tokenizer create(Vocabulary vocabulary, String preTokenizer) {
        Objects.requireNonNull(vocabulary, "vocabulary");
        checkPreTokenizer(preTokenizer);
        return new Llama3Tokenizer(vocabulary, MergeTableBuilder.fromMerges(vocabulary.merges()));
    }

    /**
     * Builds a tokenizer straight from a tiktoken ranks file, without a merge list: a pair merges
     * when its concatenation is a token, lowest token rank first (tiktoken's own rule). The 256
     * Llama 3 specials follow the ranked tokens as in {@link Vocabulary#fromTiktoken}.
     */
    public static Llama3Tokenizer fromTiktoken(Path ranksFile) {
        byte[][] ranked = Vocabulary.readTiktokenRanks(ranksFile);
        Vocabulary vocabulary = Vocabulary.llama3(Vocabulary.byteLevelTexts(ranked), List.of());
        return new Llama3Tokenizer(vocabulary, MergeTableBuilder.fromRanks(ranked));
    }

    private static void checkPreTokenizer(String preTokenizer) {
        if (preTokenizer == null || preTokenizer.isBlank()) {
            if (MISSING_PRE_LOGGED.compareAndSet(false, true)) {
                LOG.warn("vocabulary names no pre-tokenizer (tokenizer.ggml.pre absent); using the Llama 3 pre-tokenizer");
            }
            return;
        }
        if (!LLAMA3_PRE_NAMES.contains(preTokenizer)) {
            throw new IllegalArgumentException("unsupported pre-tokenizer '" + preTokenizer
                    + "' (tokenizer.ggml.pre); supported: llama3, llama-bpe, default, or absent");
        }
    }

    private static byte[] byteLevelBytes(int id, String piece, int type) {
        if (type == Vocabulary.TYPE_BYTE && piece.length() == 6 && piece.startsWith("<0x") && piece.endsWith(">")) {
            try {
                return new byte[] {(byte) Integer.parseInt(piece, 3, 5, 16)};
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("byte token " + id + " " + quote(piece) + " is not <0xHH>", e);
            }
        }
        byte[] bytes = ByteLevelCodec.decodeOrNull(piece);
        if (bytes == null || bytes.length == 0) {
            throw new IllegalArgumentException("token " + id + " " + quote(piece) + " is not in byte-level (GPT-2) form");
        }
        return bytes;
    }

    /** A token text for an error message, shortened: vocabularies come from untrusted files. */
    static String quote(String piece) {
        return "'" + (piece.length() <= 40 ? piece : piece.substring(0, 40) + "...") + "'";
    }

    @Override
    public int[] encode(String text) {
        Objects.requireNonNull(text, "text");
        EncodeState state = new EncodeState(text.length());
        for (int start = 0; start < text.length(); ) {
            int end = Llama3PreTokenizer.pieceEnd(text, start);
            encodePiece(state.utf8(text, start, end), state);
            start = end;
        }
        return state.output();
    }

    private void encodePiece(int byteCount, EncodeState state) {
        int whole = wholePieceIndex.find(state.bytes, 0, byteCount);
        if (whole >= 0) {
            state.emit(whole);
            return;
        }
        int[] ids = state.ids(byteCount);
        for (int i = 0; i < byteCount; i++) {
            ids[i] = idOfByte[state.bytes[i] & 0xFF];
        }
        if (byteCount <= LINEAR_MERGE_LIMIT) {
            int count = mergeLinear(ids, byteCount, state.ranks(byteCount));
            state.emit(ids, count);
        } else {
            mergeWithHeap(ids, byteCount, state);
        }
    }

    /** Merges in place, rescanning the pair ranks; fast for short pieces. Returns the new count. */
    int mergeLinear(int[] ids, int count, int[] ranks) {
        for (int i = 0; i + 1 < count; i++) {
            ranks[i] = pairRanks.rank(ids[i], ids[i + 1]);
        }
        while (count > 1) {
            int best = PairRankMap.ABSENT;
            int at = -1;
            for (int i = 0; i + 1 < count; i++) {
                if (ranks[i] < best) {
                    best = ranks[i];
                    at = i;
                }
            }
            if (at < 0) {
                break;
            }
            ids[at] = mergeResultByRank[best];
            System.arraycopy(ids, at + 2, ids, at + 1, count - at - 2);
            if (count - at - 3 > 0) {
                System.arraycopy(ranks, at + 2, ranks, at + 1, count - at - 3);
            }
            count--;
            if (at > 0) {
                ranks[at - 1] = pairRanks.rank(ids[at - 1], ids[at]);
            }
            if (at + 1 < count) {
                ranks[at] = pairRanks.rank(ids[at], ids[at + 1]);
            }
        }
        return count;
    }

    /**
     * Same merges as {@link #mergeLinear} (lowest rank, leftmost first) over a linked list with a
     * min-heap of (rank, position), so a long piece costs n log n instead of n squared.
     */
    int[] mergeHeap(int[] ids, int count) {
        EncodeState state = new EncodeState(count);
        mergeWithHeap(Arrays.copyOf(ids, count), count, state);
        return state.output();
    }

    private void mergeWithHeap(int[] ids, int count, EncodeState state) {
        int[] next = new int[count];
        int[] previous = new int[count];
        int[] pairRank = new int[count];
        LongMinHeap heap = new LongMinHeap(count);
        for (int i = 0; i < count; i++) {
            previous[i] = i - 1;
            next[i] = i + 1 < count ? i + 1 : -1;
            pairRank[i] = next[i] < 0 ? PairRankMap.ABSENT : pairRanks.rank(ids[i], ids[i + 1]);
            heap.pushIfRanked(pairRank[i], i);
        }
        while (!heap.isEmpty()) {
            long entry = heap.pop();
            int rank = (int) (entry >>> 32);
            int at = (int) entry;
            if (pairRank[at] != rank) {
                continue; // stale: this pair changed or its node was merged away
            }
            int removed = next[at];
            ids[at] = mergeResultByRank[rank];
            int after = next[removed];
            next[at] = after;
            if (after >= 0) {
                previous[after] = at;
            }
            pairRank[removed] = PairRankMap.ABSENT;
            pairRank[at] = after < 0 ? PairRankMap.ABSENT : pairRanks.rank(ids[at], ids[after]);
            heap.pushIfRanked(pairRank[at], at);
            int before = previous[at];
            if (before >= 0) {
                pairRank[before] = pairRanks.rank(ids[before], ids[at]);
                heap.pushIfRanked(pairRank[before], before);
            }
        }
        for (int i = 0; i >= 0; i = next[i]) {
            state.emit(ids[i]);
        }
    }

    @Override
    public byte[] tokenBytes(int id) {
        return bytesById[checkId(id)].clone();
    }

    @Override
    public String tokenPiece(int id) {
        return pieces.get(checkId(id));
    }

    @Override
    public String decode(int[] ids) {
        Objects.requireNonNull(ids, "ids");
        int length = 0;
        for (int id : ids) {
            length += bytesById[checkId(id)].length;
        }
        byte[] bytes = new byte[length];
        int at = 0;
        for (int id : ids) {
            byte[] token = bytesById[id];
            System.arraycopy(token, 0, bytes, at, token.length);
            at += token.length;
        }
        return Utf8.decode(bytes, 0, bytes.length);
    }

    @Override
    public int vocabularySize() {
        return pieces.size();
    }

    @Override
    public boolean isSpecial(int id) {
        return special[checkId(id)];
    }

    @Override
    public int specialTokenId(String piece) {
        Integer id = specialIds.get(piece);
        return id == null ? -1 : id;
    }

    @Override
    public StreamingDecoder streamingDecoder() {
        return new Utf8StreamingDecoder(id -> bytesById[checkId(id)]);
    }

    private int checkId(int id) {
        if (id < 0 || id >= bytesById.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + bytesById.length);
        }
        return id;
    }

    /** Per-call scratch space and output of one encode. */
    private static final class EncodeState {
        byte[] bytes = new byte[64];
        private int[] ids = new int[64];
        private int[] ranks = new int[64];
        private int[] output;
        private int outputCount;

        EncodeState(int textLength) {
            output = new int[Math.max(16, textLength / 3)];
        }

        /** Writes the UTF-8 of text[start, end) into {@link #bytes}; lone surrogates become U+FFFD. */
        int utf8(String text, int start, int end) {
            if (bytes.length < (end - start) * 3) {
                bytes = new byte[(end - start) * 3];
            }
            int n = 0;
            for (int i = start; i < end; i++) {
                char c = text.charAt(i);
                if (c < 0x80) {
                    bytes[n++] = (byte) c;
                } else if (c < 0x800) {
                    bytes[n++] = (byte) (0xC0 | (c >> 6));
                    bytes[n++] = (byte) (0x80 | (c & 0x3F));
                } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(text.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, text.charAt(++i));
                    bytes[n++] = (byte) (0xF0 | (cp >> 18));
                    bytes[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    bytes[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    bytes[n++] = (byte) (0x80 | (cp & 0x3F));
                } else {
                    int cp = Character.isSurrogate(c) ? 0xFFFD : c;
                    bytes[n++] = (byte) (0xE0 | (cp >> 12));
                    bytes[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    bytes[n++] = (byte) (0x80 | (cp & 0x3F));
                }
            }
            return n;
        }

        int[] ids(int count) {
            if (ids.length < count) {
                ids = new int[count];
            }
            return ids;
        }

        int[] ranks(int count) {
            if (ranks.length < count) {
                ranks = new int[count];
            }
            return ranks;
        }

        void emit(int id) {
            if (outputCount == output.length) {
                output = Arrays.copyOf(output, output.length * 2);
            }
            output[outputCount++] = id;
        }

        void emit(int[] source, int count) {
            if (outputCount + count > output.length) {
                output = Arrays.copyOf(output, Math.max(output.length * 2, outputCount + count));
            }
            System.arraycopy(source, 0, output, outputCount, count);
            outputCount += count;
        }

        int[] output() {
            return Arrays.copyOf(output, outputCount);
        }
    }

    /** Min-heap of (rank, position) packed into longs; ordering by rank, then position. */
    private static final class LongMinHeap {
        private long[] heap;
        private int size;

        LongMinHeap(int capacity) {
            heap = new long[Math.max(4, capacity)];
        }

        void pushIfRanked(int rank, int position) {
            if (rank == PairRankMap.ABSENT) {
                return;
            }
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            long value = ((long) rank << 32) | position;
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (heap[parent] <= value) {
                    break;
                }
                heap[i] = heap[parent];
                i = parent;
            }
            heap[i] = value;
        }

        boolean isEmpty() {
            return size == 0;
        }

        long pop() {
            long top = heap[0];
            long last = heap[--size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && heap[child + 1] < heap[child]) {
                    child++;
                }
                if (heap[child] >= last) {
                    break;
                }
                heap[i] = heap[child];
                i = child;
            }
            heap[i] = last;
            return top;
        }
    }
}

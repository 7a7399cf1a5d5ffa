package io.bitnetstreams.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** llama.cpp's log-probability file: round trip, statistics, and clear errors on damaged files. */
class LogProbFileTest {

    private static final int CTX = 8;
    private static final int VOCAB = 5;

    @TempDir
    Path dir;

    @Test
    void writtenRowsReadBackAndCompareWithKlDivergenceZero() throws Exception {
        Random random = new Random(3);
        int[] tokens = {0, 1, 2, 3, 4, 0, 1, 2};
        int rows = CTX - 1 - CTX / 2;
        float[][] logits = new float[rows][VOCAB];
        Path file = dir.resolve("base.kld");
        double nll = 0;
        try (LogProbFile.Writer writer = new LogProbFile.Writer(file, CTX, VOCAB, 1, tokens)) {
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < VOCAB; i++) {
                    logits[r][i] = (float) (3 * random.nextGaussian());
                }
                nll += writer.write(logits[r], 0, tokens[CTX / 2 + r + 1]);
            }
        }
        // header, tokens, rows of nv = 2 * 3 + 4 = 10 uint16
        assertThat(Files.size(file)).isEqualTo(20 + 4L * CTX + 2L * 10 * rows);
        KlDivergence same = new KlDivergence();
        KlDivergence shifted = new KlDivergence();
        try (LogProbFile.Reader reader = new LogProbFile.Reader(file)) {
            assertThat(reader.header().tokens()).containsExactly(tokens);
            char[] values = new char[VOCAB];
            for (int r = 0; r < rows; r++) {
                LogProbFile.Row row = reader.next(values);
                int target = tokens[CTX / 2 + r + 1];
                same.add(logits[r], 0, VOCAB, row, values, target);
                float[] other = logits[r].clone();
                other[target] += 1f;
                shifted.add(other, 0, VOCAB, row, values, target);
            }
        }
        KlDivergence.Stats s = same.stats();
        assertThat(s.count()).isEqualTo(rows);
        assertThat(s.meanKld()).isLessThan(1e-6);
        assertThat(s.sameTop()).isEqualTo(1.0);
        assertThat(Math.log(s.pplBase())).isCloseTo(nll / rows, org.assertj.core.data.Offset.offset(1e-3));
        KlDivergence.Stats t = shifted.stats();
        assertThat(t.meanKld()).isGreaterThan(1e-3);
        assertThat(t.lnPplRatio()).isNegative();
        assertThat(t.meanDeltaP()).isPositive();
    }

    @Test
    void percentilesInterpolateAsLlamaCppDoes() {
        float[] sorted = {0f, 1f, 2f, 3f, 4f};
        assertThat(KlDivergence.percentile(sorted, 0.5f)).isEqualTo(2f);
        assertThat(KlDivergence.percentile(sorted, 0.9f)).isCloseTo(3.6f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(LogProbFile.nearestInt(2.5f)).isEqualTo(2);
        assertThat(LogProbFile.nearestInt(3.5f)).isEqualTo(4);
    }

    @Test
    void damagedFilesFailWithAClearMessage() throws Exception {
        Path good = dir.resolve("good.kld");
        try (LogProbFile.Writer writer = new LogProbFile.Writer(good, CTX, VOCAB, 1, new int[CTX])) {
            for (int r = 0; r < CTX - 1 - CTX / 2; r++) {
                writer.write(new float[] {1, 2, 3, 4, 5}, 0, 1);
            }
        }
        byte[] bytes = Files.readAllBytes(good);

        Path truncated = write("truncated.kld", Arrays.copyOf(bytes, bytes.length - 3));
        assertThatThrownBy(() -> new LogProbFile.Reader(truncated)).isInstanceOf(IOException.class)
                .hasMessageContaining("truncated");
        byte[] magic = bytes.clone();
        magic[0] = 'X';
        assertThatThrownBy(() -> new LogProbFile.Reader(write("magic.kld", magic))).isInstanceOf(IOException.class)
                .hasMessageContaining("_logits_");
        // a hostile header announcing 2^31 chunks of a huge vocabulary: refused before any allocation
        byte[] hostile = bytes.clone();
        ByteBuffer.wrap(hostile).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 1 << 22).putInt(16, Integer.MAX_VALUE);
        assertThatThrownBy(() -> new LogProbFile.Reader(write("hostile.kld", hostile))).isInstanceOf(IOException.class)
                .hasMessageContaining("n_chunk");
        byte[] bigVocab = bytes.clone();
        ByteBuffer.wrap(bigVocab).order(ByteOrder.LITTLE_ENDIAN).putInt(12, Integer.MAX_VALUE);
        assertThatThrownBy(() -> new LogProbFile.Reader(write("vocab.kld", bigVocab))).isInstanceOf(IOException.class)
                .hasMessageContaining("n_vocab");
        byte[] badToken = bytes.clone();
        ByteBuffer.wrap(badToken).order(ByteOrder.LITTLE_ENDIAN).putInt(20, 99);
        assertThatThrownBy(() -> new LogProbFile.Reader(write("token.kld", badToken))).isInstanceOf(IOException.class)
                .hasMessageContaining("outside the vocabulary");
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path path = dir.resolve(name);
        Files.write(path, bytes);
        return path;
    }
}

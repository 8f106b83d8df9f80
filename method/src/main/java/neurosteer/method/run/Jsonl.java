package neurosteer.method.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Append-only JSON Lines files, the run folder's records. Reading reports a malformed line with file
 * and line number; a last line cut short by an interrupted writer is dropped (and cut off the file
 * before appending), so a rerun continues where the last complete record ends.
 */
public final class Jsonl {
    public static final ObjectMapper JSON = new ObjectMapper();

    private Jsonl() {}

    public record Line(long number, ObjectNode value) {}

    /** Every complete record; {@code skipBad} skips (and counts into {@code skipped}) malformed lines instead of failing. */
    public static List<Line> read(Path file, boolean skipBad, List<String> skipped) {
        List<Line> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        boolean lastComplete = text.endsWith("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (i == lines.length - 1 && !lastComplete) break;
            if (line.isBlank()) continue;
            try {
                JsonNode node = JSON.readTree(line);
                if (!(node instanceof ObjectNode obj)) throw new IllegalArgumentException("not a JSON object");
                out.add(new Line(i + 1, obj));
            } catch (JsonProcessingException | IllegalArgumentException e) {
                String reason = file + ":" + (i + 1) + ": malformed JSON line (" + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()) + ")";
                if (!skipBad) throw new BadRecordException(reason);
                if (skipped != null) skipped.add(reason);
            }
        }
        return out;
    }

    public static List<ObjectNode> readValues(Path file) {
        List<ObjectNode> out = new ArrayList<>();
        for (Line l : read(file, false, null)) out.add(l.value());
        return out;
    }

    /** Cuts an unterminated last line (left by an interrupted writer) off the file. */
    public static void dropPartialLastLine(Path file) {
        if (!Files.exists(file)) return;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long len = raf.length();
            if (len == 0) return;
            raf.seek(len - 1);
            if (raf.read() == '\n') return;
            long pos = len - 1;
            while (pos > 0) {
                raf.seek(pos - 1);
                if (raf.read() == '\n') break;
                pos--;
            }
            raf.setLength(pos);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot repair " + file + ": " + e.getMessage(), e);
        }
    }

    /** An appender that writes and flushes one whole line per record. */
    public static final class Appender implements AutoCloseable {
        private final BufferedWriter out;

        public Appender(Path file) {
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
                dropPartialLastLine(file);
                out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open " + file + ": " + e.getMessage(), e);
            }
        }

        public synchronized void append(Object record) {
            try {
                out.write(JSON.writeValueAsString(record));
                out.write('\n');
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A malformed record in a run file or input file, with file and line. */
    public static final class BadRecordException extends RuntimeException {
        public BadRecordException(String message) {
            super(message);
        }
    }
}

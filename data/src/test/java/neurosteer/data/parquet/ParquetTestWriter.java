package neurosteer.data.parquet;

import io.airlift.compress.snappy.SnappyCompressor;
import io.airlift.compress.zstd.ZstdCompressor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static neurosteer.data.parquet.ParquetReader.*;

/**
 * A small Parquet writer for tests: required, optional and list columns (3-level LIST, optional elements), optionally
 * inside a required struct; PLAIN or dictionary values; data pages v1 or v2; several pages and row groups; any codec.
 */
final class ParquetTestWriter {

    enum Shape { REQUIRED, OPTIONAL, LIST }

    /**
     * A column: {@code values} holds one entry per row (a value, null, or for LIST a {@code List} or null).
     * {@code struct} names an enclosing required group, or is null.
     */
    record ColumnSpec(String name, int type, Shape shape, List<?> values, String struct) {
        static ColumnSpec of(String name, int type, Shape shape, List<?> values) {
            return new ColumnSpec(name, type, shape, values, null);
        }
    }

    private final List<ColumnSpec> columns = new ArrayList<>();
    boolean dictionary;
    int pageVersion = 1;
    int codec = UNCOMPRESSED;
    int rowsPerGroup = Integer.MAX_VALUE;
    int rowsPerPage = Integer.MAX_VALUE;
    /** When set, data pages claim this value encoding (to provoke "not supported"). */
    Integer forcedEncoding;

    ParquetTestWriter column(ColumnSpec column) {
        columns.add(column);
        return this;
    }

    ParquetTestWriter column(String name, int type, Shape shape, List<?> values) {
        return column(ColumnSpec.of(name, type, shape, values));
    }

    Path write(Path file) {
        try {
            Files.write(file, bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    byte[] bytes() {
        int rows = columns.getFirst().values().size();
        for (ColumnSpec column : columns) {
            if (column.values().size() != rows) throw new IllegalArgumentException("columns of unequal length");
        }
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(MAGIC);
        ThriftWriter footer = new ThriftWriter().beginStruct();
        footer.i32(1, 1);
        writeSchema(footer);
        footer.i64(3, rows);
        List<ThriftWriter> groups = new ArrayList<>();
        for (int first = 0; first < rows || (rows == 0 && groups.isEmpty()); first += rowsPerGroup) {
            int last = (int) Math.min(rows, (long) first + rowsPerGroup);
            ThriftWriter group = new ThriftWriter().beginStruct();
            group.listField(1, ThriftCompact.STRUCT, columns.size());
            long groupBytes = 0;
            for (ColumnSpec column : columns) {
                long chunkStart = file.size();
                ChunkInfo info = writeChunk(file, column, first, last);
                groupBytes += file.size() - chunkStart;
                group.beginStruct().i64(2, chunkStart).structField(3)
                        .i32(1, column.type());
                group.listField(2, ThriftCompact.I32, info.encodings.size());
                for (int encoding : info.encodings) group.rawI32(encoding);
                List<String> path = schemaPath(column);
                group.listField(3, ThriftCompact.BINARY, path.size());
                for (String part : path) group.rawString(part);
                group.i32(4, codec).i64(5, info.entries).i64(6, info.uncompressed).i64(7, file.size() - chunkStart)
                        .i64(9, info.dataPageOffset);
                if (info.dictionaryPageOffset >= 0) group.i64(11, info.dictionaryPageOffset);
                group.endStruct().endStruct();
            }
            group.i64(2, groupBytes).i64(3, last - first).endStruct();
            groups.add(group);
            if (rows == 0) break;
        }
        footer.listField(4, ThriftCompact.STRUCT, groups.size());
        byte[] footerHead = footer.bytes();
        ByteArrayOutputStream footerBytes = new ByteArrayOutputStream();
        footerBytes.writeBytes(footerHead);
        for (ThriftWriter group : groups) footerBytes.writeBytes(group.bytes());
        // continue the FileMetaData struct after field 4: created_by (6), then stop
        byte[] createdBy = createdByField();
        footerBytes.writeBytes(createdBy);
        footerBytes.write(ThriftCompact.STOP);
        byte[] meta = footerBytes.toByteArray();
        file.writeBytes(meta);
        file.write(meta.length & 0xFF);
        file.write(meta.length >>> 8 & 0xFF);
        file.write(meta.length >>> 16 & 0xFF);
        file.write(meta.length >>> 24 & 0xFF);
        file.writeBytes(MAGIC);
        return file.toByteArray();
    }

    /** Field 6 (delta 2 from field 4) "created_by". */
    private static byte[] createdByField() {
        byte[] text = "neurosteer test writer".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(2 << 4 | ThriftCompact.BINARY);
        out.write(text.length);
        out.writeBytes(text);
        return out.toByteArray();
    }

    private List<String> schemaPath(ColumnSpec column) {
        List<String> path = new ArrayList<>();
        if (column.struct() != null) path.add(column.struct());
        path.add(column.name());
        if (column.shape() == Shape.LIST) {
            path.add("list");
            path.add("element");
        }
        return path;
    }

    private void writeSchema(ThriftWriter footer) {
        // group columns by struct, in order of first appearance
        Map<String, List<ColumnSpec>> topLevel = new LinkedHashMap<>();
        for (ColumnSpec column : columns) {
            String key = column.struct() == null ? "\0" + column.name() : column.struct();
            topLevel.computeIfAbsent(key, k -> new ArrayList<>()).add(column);
        }
        List<Runnable> elements = new ArrayList<>();
        elements.add(() -> footer.beginStruct().string(4, "schema").i32(5, topLevel.size()).endStruct());
        for (Map.Entry<String, List<ColumnSpec>> entry : topLevel.entrySet()) {
            if (entry.getKey().startsWith("\0")) {
                elements.addAll(columnElements(footer, entry.getValue().getFirst()));
            } else {
                elements.add(() -> footer.beginStruct().i32(3, REQUIRED).string(4, entry.getKey())
                        .i32(5, entry.getValue().size()).endStruct());
                for (ColumnSpec column : entry.getValue()) elements.addAll(columnElements(footer, column));
            }
        }
        footer.listField(2, ThriftCompact.STRUCT, elements.size());
        elements.forEach(Runnable::run);
    }

    private static List<Runnable> columnElements(ThriftWriter footer, ColumnSpec column) {
        boolean string = column.type() == BYTE_ARRAY;
        if (column.shape() != Shape.LIST) {
            return List.of(() -> {
                footer.beginStruct().i32(1, column.type())
                        .i32(3, column.shape() == Shape.REQUIRED ? REQUIRED : OPTIONAL).string(4, column.name());
                if (string) footer.i32(6, 0);
                footer.endStruct();
            });
        }
        return List.of(
                () -> footer.beginStruct().i32(3, OPTIONAL).string(4, column.name()).i32(5, 1).i32(6, CONVERTED_LIST).endStruct(),
                () -> footer.beginStruct().i32(3, REPEATED).string(4, "list").i32(5, 1).endStruct(),
                () -> {
                    footer.beginStruct().i32(1, column.type()).i32(3, OPTIONAL).string(4, "element");
                    if (string) footer.i32(6, 0);
                    footer.endStruct();
                });
    }

    private record ChunkInfo(List<Integer> encodings, long entries, long uncompressed, long dataPageOffset,
                             long dictionaryPageOffset) {}

    /** One level entry: repetition, definition, and the value when defined to the maximum. */
    private record Entry(int rep, int def, Object value) {}

    private ChunkInfo writeChunk(ByteArrayOutputStream file, ColumnSpec column, int firstRow, int lastRow) {
        int maxDef = switch (column.shape()) { case REQUIRED -> 0; case OPTIONAL -> 1; case LIST -> 3; };
        int maxRep = column.shape() == Shape.LIST ? 1 : 0;
        List<List<Entry>> rowEntries = new ArrayList<>();
        for (int r = firstRow; r < lastRow; r++) {
            Object value = column.values().get(r);
            List<Entry> entries = new ArrayList<>();
            switch (column.shape()) {
                case REQUIRED -> entries.add(new Entry(0, 0, value));
                case OPTIONAL -> entries.add(value == null ? new Entry(0, 0, null) : new Entry(0, 1, value));
                case LIST -> {
                    if (value == null) {
                        entries.add(new Entry(0, 0, null));
                    } else if (((List<?>) value).isEmpty()) {
                        entries.add(new Entry(0, 1, null));
                    } else {
                        int i = 0;
                        for (Object element : (List<?>) value) {
                            entries.add(element == null ? new Entry(i == 0 ? 0 : 1, 2, null) : new Entry(i == 0 ? 0 : 1, 3, element));
                            i++;
                        }
                    }
                }
            }
            rowEntries.add(entries);
        }
        List<Object> dictionaryValues = new ArrayList<>();
        Map<Object, Integer> dictionaryIndex = new HashMap<>();
        if (dictionary) {
            for (List<Entry> entries : rowEntries) {
                for (Entry entry : entries) {
                    if (entry.def() == maxDef && !dictionaryIndex.containsKey(entry.value())) {
                        dictionaryIndex.put(entry.value(), dictionaryValues.size());
                        dictionaryValues.add(entry.value());
                    }
                }
            }
        }
        long uncompressedTotal = 0;
        long dictionaryOffset = -1;
        List<Integer> encodings = new ArrayList<>(List.of(RLE));
        if (dictionary) {
            dictionaryOffset = file.size();
            byte[] plain = plain(column.type(), dictionaryValues);
            byte[] body = compress(plain);
            ThriftWriter header = new ThriftWriter().beginStruct().i32(1, DICTIONARY_PAGE).i32(2, plain.length)
                    .i32(3, body.length).structField(7).i32(1, dictionaryValues.size()).i32(2, PLAIN).endStruct().endStruct();
            byte[] headerBytes = header.bytes();
            file.writeBytes(headerBytes);
            file.writeBytes(body);
            uncompressedTotal += headerBytes.length + plain.length;
            encodings.add(PLAIN);
        }
        long dataOffset = file.size();
        int valueEncoding = forcedEncoding != null ? forcedEncoding
                : dictionary ? (pageVersion == 1 ? PLAIN_DICTIONARY : RLE_DICTIONARY) : PLAIN;
        encodings.add(valueEncoding);
        long entriesTotal = 0;
        for (int pageStart = 0; pageStart < rowEntries.size() || (rowEntries.isEmpty() && pageStart == 0); pageStart += rowsPerPage) {
            int pageEnd = (int) Math.min(rowEntries.size(), (long) pageStart + rowsPerPage);
            List<Entry> entries = new ArrayList<>();
            for (int r = pageStart; r < pageEnd; r++) entries.addAll(rowEntries.get(r));
            int[] reps = entries.stream().mapToInt(Entry::rep).toArray();
            int[] defs = entries.stream().mapToInt(Entry::def).toArray();
            List<Object> values = entries.stream().filter(e -> e.def() == maxDef).map(Entry::value).toList();
            byte[] valueBytes;
            if (dictionary && forcedEncoding == null) {
                int[] indices = values.stream().mapToInt(dictionaryIndex::get).toArray();
                int bitWidth = 32 - Integer.numberOfLeadingZeros(Math.max(0, dictionaryValues.size() - 1));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(bitWidth);
                out.writeBytes(hybrid(indices, bitWidth));
                valueBytes = out.toByteArray();
            } else {
                valueBytes = plain(column.type(), values);
            }
            byte[] repBytes = maxRep > 0 ? hybrid(reps, 1) : new byte[0];
            byte[] defBytes = maxDef > 0 ? hybrid(defs, 32 - Integer.numberOfLeadingZeros(maxDef)) : new byte[0];
            ThriftWriter header = new ThriftWriter().beginStruct();
            byte[] body;
            int uncompressedSize;
            if (pageVersion == 1) {
                ByteArrayOutputStream page = new ByteArrayOutputStream();
                if (maxRep > 0) prefixed(page, repBytes);
                if (maxDef > 0) prefixed(page, defBytes);
                page.writeBytes(valueBytes);
                byte[] plainPage = page.toByteArray();
                body = compress(plainPage);
                uncompressedSize = plainPage.length;
                header.i32(1, DATA_PAGE).i32(2, uncompressedSize).i32(3, body.length)
                        .structField(5).i32(1, entries.size()).i32(2, valueEncoding).i32(3, RLE).i32(4, RLE).endStruct();
            } else {
                byte[] compressedValues = compress(valueBytes);
                ByteArrayOutputStream page = new ByteArrayOutputStream();
                page.writeBytes(repBytes);
                page.writeBytes(defBytes);
                page.writeBytes(compressedValues);
                body = page.toByteArray();
                uncompressedSize = repBytes.length + defBytes.length + valueBytes.length;
                int nulls = (int) entries.stream().filter(e -> e.def() != maxDef).count();
                header.i32(1, DATA_PAGE_V2).i32(2, uncompressedSize).i32(3, body.length)
                        .structField(8).i32(1, entries.size()).i32(2, nulls).i32(3, pageEnd - pageStart)
                        .i32(4, valueEncoding).i32(5, defBytes.length).i32(6, repBytes.length)
                        .bool(7, codec != UNCOMPRESSED).endStruct();
            }
            header.endStruct();
            byte[] headerBytes = header.bytes();
            file.writeBytes(headerBytes);
            file.writeBytes(body);
            uncompressedTotal += headerBytes.length + uncompressedSize;
            entriesTotal += entries.size();
            if (rowEntries.isEmpty()) break;
        }
        return new ChunkInfo(encodings, entriesTotal, uncompressedTotal, dataOffset, dictionaryOffset);
    }

    private static void prefixed(ByteArrayOutputStream out, byte[] bytes) {
        int n = bytes.length;
        out.write(n & 0xFF);
        out.write(n >>> 8 & 0xFF);
        out.write(n >>> 16 & 0xFF);
        out.write(n >>> 24 & 0xFF);
        out.writeBytes(bytes);
    }

    private byte[] compress(byte[] data) {
        return switch (codec) {
            case SNAPPY -> {
                SnappyCompressor compressor = new SnappyCompressor();
                byte[] out = new byte[compressor.maxCompressedLength(data.length)];
                int n = compressor.compress(data, 0, data.length, out, 0, out.length);
                yield Arrays.copyOf(out, n);
            }
            case GZIP -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
                    gzip.write(data);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                yield out.toByteArray();
            }
            case ZSTD -> {
                ZstdCompressor compressor = new ZstdCompressor();
                byte[] out = new byte[compressor.maxCompressedLength(data.length)];
                int n = compressor.compress(data, 0, data.length, out, 0, out.length);
                yield Arrays.copyOf(out, n);
            }
            default -> data; // UNCOMPRESSED, and codecs the reader must refuse
        };
    }

    static byte[] plain(int type, List<Object> values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (type) {
            case BOOLEAN -> {
                byte[] bits = new byte[(values.size() + 7) / 8];
                for (int i = 0; i < values.size(); i++) if ((Boolean) values.get(i)) bits[i / 8] |= (byte) (1 << (i % 8));
                out.writeBytes(bits);
            }
            case INT32 -> values.forEach(v -> littleEndian(out, (Integer) v, 4));
            case INT64 -> values.forEach(v -> littleEndian(out, (Long) v, 8));
            case FLOAT -> values.forEach(v -> littleEndian(out, Float.floatToIntBits((Float) v), 4));
            case DOUBLE -> values.forEach(v -> littleEndian(out, Double.doubleToLongBits((Double) v), 8));
            case BYTE_ARRAY -> values.forEach(v -> {
                byte[] bytes = ((String) v).getBytes(StandardCharsets.UTF_8);
                littleEndian(out, bytes.length, 4);
                out.writeBytes(bytes);
            });
            default -> throw new IllegalArgumentException("type " + type);
        }
        return out.toByteArray();
    }

    private static void littleEndian(ByteArrayOutputStream out, long value, int bytes) {
        for (int i = 0; i < bytes; i++) out.write((int) (value >>> (8 * i)) & 0xFF);
    }

    /** RLE runs for runs of 8 or more equal values, bit-packed groups of 8 otherwise (the last one zero-padded). */
    static byte[] hybrid(int[] values, int bitWidth) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Integer> literal = new ArrayList<>();
        int i = 0;
        while (i < values.length) {
            int run = 1;
            while (i + run < values.length && values[i + run] == values[i]) run++;
            if (run >= 8 && literal.size() % 8 == 0) {
                flushPacked(out, literal, bitWidth);
                varint(out, (long) run << 1);
                for (int b = 0; b < (bitWidth + 7) / 8; b++) out.write(values[i] >>> (8 * b) & 0xFF);
                i += run;
            } else {
                literal.add(values[i]);
                i++;
            }
        }
        flushPacked(out, literal, bitWidth);
        return out.toByteArray();
    }

    private static void flushPacked(ByteArrayOutputStream out, List<Integer> literal, int bitWidth) {
        if (literal.isEmpty()) return;
        int groups = (literal.size() + 7) / 8;
        varint(out, (long) groups << 1 | 1);
        long buffer = 0;
        int bits = 0;
        for (int k = 0; k < groups * 8; k++) {
            long value = k < literal.size() ? literal.get(k) : 0;
            buffer |= value << bits;
            bits += bitWidth;
            while (bits >= 8) {
                out.write((int) (buffer & 0xFF));
                buffer >>>= 8;
                bits -= 8;
            }
        }
        if (bits > 0) out.write((int) (buffer & 0xFF));
        literal.clear();
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) (value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }
}

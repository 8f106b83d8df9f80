package neurosteer.data.parquet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlift.compress.zstd.ZstdDecompressor;
import neurosteer.data.DataException;
import neurosteer.data.parquet.ThriftCompact.Struct;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * A small reader of Parquet files, enough for the tables the Hugging Face hub serves: flat columns, structs, and
 * one level of lists; data pages v1 and v2; PLAIN, dictionary (PLAIN_DICTIONARY / RLE_DICTIONARY) and RLE (booleans)
 * encodings; BOOLEAN, INT32, INT64, FLOAT, DOUBLE and BYTE_ARRAY values; UNCOMPRESSED, SNAPPY, GZIP and ZSTD pages.
 * Anything else is refused with a message naming the file and the column.
 */
public final class ParquetReader {
    private ParquetReader() {}

    static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

    // Parquet's physical types
    static final int BOOLEAN = 0, INT32 = 1, INT64 = 2, INT96 = 3, FLOAT = 4, DOUBLE = 5, BYTE_ARRAY = 6, FIXED_LEN_BYTE_ARRAY = 7;
    // repetition
    static final int REQUIRED = 0, OPTIONAL = 1, REPEATED = 2;
    // encodings
    static final int PLAIN = 0, PLAIN_DICTIONARY = 2, RLE = 3, BIT_PACKED = 4, RLE_DICTIONARY = 8;
    // codecs
    static final int UNCOMPRESSED = 0, SNAPPY = 1, GZIP = 2, ZSTD = 6;
    // page types
    static final int DATA_PAGE = 0, DICTIONARY_PAGE = 2, DATA_PAGE_V2 = 3;
    static final int CONVERTED_LIST = 3, CONVERTED_MAP = 1, CONVERTED_MAP_KEY_VALUE = 2;

    private static final String[] TYPE_NAMES = {"BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"};
    private static final String[] CODEC_NAMES = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"};
    private static final String[] ENCODING_NAMES = {"PLAIN", "GROUP_VAR_INT", "PLAIN_DICTIONARY", "RLE", "BIT_PACKED",
            "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY", "RLE_DICTIONARY", "BYTE_STREAM_SPLIT"};

    /** A column's problem: becomes a DataException naming the file and the column. */
    private static final class ColumnException extends RuntimeException {
        ColumnException(String message) {
            super(message);
        }
    }

    /** A node of the schema tree. */
    record SchemaNode(String name, Integer type, int repetition, Integer convertedType, boolean listAnnotated,
                      boolean mapAnnotated, Integer typeLength, List<SchemaNode> children) {
        boolean isGroup() { return type == null; }
    }

    /**
     * One leaf column and where its values go in a row.
     *
     * @param path        the dotted path in the schema, as in messages
     * @param outputPath  the field names from the row down to the value (list wrappers left out)
     * @param isList      whether the value is a list (one level of repetition)
     * @param listDef     the definition level at which the list itself is present (empty when nothing more)
     * @param elementDef  the definition level at which a list element is present (possibly null)
     */
    record Column(String path, SchemaNode leaf, int maxDef, int maxRep, List<String> outputPath, boolean isList,
                  int listDef, int elementDef) {}

    /** The rows of a Parquet file as JSON objects, one field per top-level column. */
    public static List<ObjectNode> readRows(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataException(file, null, "cannot read: " + e, e);
        }
        return readRows(bytes, file);
    }

    static List<ObjectNode> readRows(byte[] bytes, Path file) {
        Struct footer = readFooter(bytes, file);
        int dataEnd = bytes.length - 8 - readInt32(bytes, bytes.length - 8);
        List<Column> columns;
        long numRows;
        List<Object> rowGroups;
        try {
            columns = columns(schema(footer.getList(2, "schema")));
            numRows = footer.getLong(3, "num_rows");
            rowGroups = footer.getList(4, "row_groups");
        } catch (ThriftCompact.FormatException | ClassCastException | ArithmeticException e) {
            throw new DataException(file, "footer", "malformed file metadata: " + e.getMessage(), e);
        } catch (ColumnException e) {
            throw new DataException(file, null, e.getMessage(), e);
        }
        if (numRows < 0 || numRows > Integer.MAX_VALUE) throw new DataException(file, "footer", "bad row count " + numRows);
        List<ObjectNode> rows = new ArrayList<>((int) numRows);
        for (int i = 0; i < numRows; i++) rows.add(JsonNodeFactory.instance.objectNode());
        int rowOffset = 0;
        for (int g = 0; g < rowGroups.size(); g++) {
            Struct rowGroup = (Struct) rowGroups.get(g);
            List<Object> chunks = rowGroup.getList(1, "columns");
            int groupRows = Math.toIntExact(rowGroup.getLong(3, "num_rows"));
            if (chunks.size() != columns.size()) {
                throw new DataException(file, "row group " + g, chunks.size() + " column chunks for " + columns.size() + " columns");
            }
            if (rowOffset + (long) groupRows > numRows) {
                throw new DataException(file, "row group " + g, "more rows than the footer's " + numRows);
            }
            for (int c = 0; c < columns.size(); c++) {
                Column column = columns.get(c);
                try {
                    ColumnData data = readChunk(bytes, dataEnd, (Struct) chunks.get(c), column);
                    place(data, column, rows, rowOffset, groupRows);
                } catch (ColumnException e) {
                    throw new DataException(file, "column '" + column.path() + "'", e.getMessage(), e);
                } catch (ThriftCompact.FormatException | IllegalArgumentException | IndexOutOfBoundsException
                         | ClassCastException | ArithmeticException | NegativeArraySizeException e) {
                    throw new DataException(file, "column '" + column.path() + "'",
                            "malformed column chunk in row group " + g + ": " + e.getMessage(), e);
                }
            }
            rowOffset += groupRows;
        }
        if (rowOffset != numRows) {
            throw new DataException(file, "footer", "row groups hold " + rowOffset + " rows, the footer says " + numRows);
        }
        return rows;
    }

    /** The column paths of the file, for detection and messages. */
    public static List<String> columnNames(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataException(file, null, "cannot read: " + e, e);
        }
        try {
            return columns(schema(readFooter(bytes, file).getList(2, "schema"))).stream().map(Column::path).toList();
        } catch (ThriftCompact.FormatException | ClassCastException | ArithmeticException e) {
            throw new DataException(file, "footer", "malformed file metadata: " + e.getMessage(), e);
        } catch (ColumnException e) {
            throw new DataException(file, null, e.getMessage(), e);
        }
    }

    private static Struct readFooter(byte[] bytes, Path file) {
        int n = bytes.length;
        if (n < 12 || !startsWith(bytes, 0) || !startsWith(bytes, n - 4)) {
            throw new DataException(file, null, "not a Parquet file (no PAR1 magic at start and end)");
        }
        int footerLength = (bytes[n - 8] & 0xFF) | (bytes[n - 7] & 0xFF) << 8 | (bytes[n - 6] & 0xFF) << 16 | (bytes[n - 5] & 0xFF) << 24;
        int footerStart = n - 8 - footerLength;
        if (footerLength <= 0 || footerStart < 4) {
            throw new DataException(file, "footer", "footer length " + footerLength + " does not fit in the file");
        }
        try {
            return new ThriftCompact(bytes, footerStart, n - 8).readStruct();
        } catch (ThriftCompact.FormatException e) {
            throw new DataException(file, "footer", "malformed file metadata: " + e.getMessage(), e);
        }
    }

    private static boolean startsWith(byte[] bytes, int at) {
        for (int i = 0; i < 4; i++) if (bytes[at + i] != MAGIC[i]) return false;
        return true;
    }

    // ---------------------------------------------------------------- schema

    static SchemaNode schema(List<Object> elements) {
        if (elements.isEmpty()) throw new ThriftCompact.FormatException("empty schema");
        int[] cursor = {0};
        SchemaNode root = schemaNode(elements, cursor, 0);
        if (cursor[0] != elements.size()) throw new ThriftCompact.FormatException("schema has stray elements");
        return root;
    }

    private static SchemaNode schemaNode(List<Object> elements, int[] cursor, int depth) {
        if (cursor[0] >= elements.size() || depth > 32) throw new ThriftCompact.FormatException("schema tree is cut short");
        Struct element = (Struct) elements.get(cursor[0]++);
        String name = element.getString(4, "name");
        Integer type = element.optionalInt(1);
        Integer repetition = element.optionalInt(3);
        Integer convertedType = element.optionalInt(6);
        Struct logical = element.optionalStruct(10);
        boolean list = (convertedType != null && convertedType == CONVERTED_LIST) || (logical != null && logical.has(3));
        boolean map = (convertedType != null && (convertedType == CONVERTED_MAP || convertedType == CONVERTED_MAP_KEY_VALUE))
                || (logical != null && logical.has(2));
        Integer childCount = element.optionalInt(5);
        List<SchemaNode> children = new ArrayList<>();
        if (type == null) {
            int count = childCount == null ? 0 : childCount;
            for (int i = 0; i < count; i++) children.add(schemaNode(elements, cursor, depth + 1));
        }
        return new SchemaNode(name, type, repetition == null ? REQUIRED : repetition, convertedType, list, map,
                element.optionalInt(2), children);
    }

    static List<Column> columns(SchemaNode root) {
        List<Column> columns = new ArrayList<>();
        for (SchemaNode child : root.children()) collect(child, "", new ArrayList<>(), 0, 0, columns, null);
        return columns;
    }

    /** {@code list} is non-null below a list: {listDef, elementDef}. */
    private static void collect(SchemaNode node, String parentPath, List<String> outputPath, int def, int rep,
                                List<Column> columns, int[] list) {
        String path = parentPath.isEmpty() ? node.name() : parentPath + "." + node.name();
        int nodeDef = def + (node.repetition() == REQUIRED ? 0 : 1);
        int nodeRep = rep + (node.repetition() == REPEATED ? 1 : 0);
        if (nodeRep > 1) throw new ColumnException("column '" + path + "': nested lists are not supported");
        if (node.mapAnnotated()) throw new ColumnException("column '" + path + "': maps are not supported");
        if (node.isGroup() && node.listAnnotated() && list == null) {
            // LIST: optional group name (LIST) { repeated group list { optional element } } or a 2-level legacy form
            if (node.children().size() != 1 || node.children().getFirst().repetition() != REPEATED) {
                throw new ColumnException("column '" + path + "': a LIST group must hold one repeated field");
            }
            SchemaNode repeated = node.children().getFirst();
            List<String> out = append(outputPath, node.name());
            int repeatedDef = nodeDef + 1;
            if (!repeated.isGroup()) {
                collectLeaf(repeated, path + "." + repeated.name(), out, repeatedDef, nodeRep + 1, columns, new int[]{nodeDef, repeatedDef});
                return;
            }
            if (repeated.children().size() != 1 || repeated.children().getFirst().isGroup()) {
                throw new ColumnException("column '" + path + "': lists of structs or lists are not supported");
            }
            SchemaNode element = repeated.children().getFirst();
            int elementDef = repeatedDef + (element.repetition() == REQUIRED ? 0 : 1);
            collectLeaf(element, path + "." + repeated.name() + "." + element.name(), out, elementDef, nodeRep + 1,
                    columns, new int[]{nodeDef, repeatedDef});
            return;
        }
        if (node.repetition() == REPEATED) {
            if (node.isGroup()) throw new ColumnException("column '" + path + "': repeated groups are not supported");
            collectLeaf(node, path, append(outputPath, node.name()), nodeDef, nodeRep, columns, new int[]{def, nodeDef});
            return;
        }
        if (node.isGroup()) {
            for (SchemaNode child : node.children()) {
                collect(child, path, append(outputPath, node.name()), nodeDef, nodeRep, columns, list);
            }
            return;
        }
        collectLeaf(node, path, append(outputPath, node.name()), nodeDef, nodeRep, columns, list);
    }

    private static void collectLeaf(SchemaNode leaf, String path, List<String> outputPath, int maxDef, int maxRep,
                                    List<Column> columns, int[] list) {
        columns.add(new Column(path, leaf, maxDef, maxRep, List.copyOf(outputPath), list != null,
                list == null ? 0 : list[0], list == null ? 0 : list[1]));
    }

    private static List<String> append(List<String> path, String name) {
        List<String> copy = new ArrayList<>(path);
        copy.add(name);
        return copy;
    }

    // ---------------------------------------------------------------- column chunks

    /** The decoded entries of a column chunk: a level pair per entry, and the non-null values in order. */
    record ColumnData(int[] defLevels, int[] repLevels, List<Object> values, int entries) {}

    static ColumnData readChunk(byte[] file, int dataEnd, Struct chunk, Column column) {
        if (chunk.has(1)) throw new ColumnException("column data in another file ('file_path') is not supported");
        Struct meta = chunk.getStruct(3, "meta_data");
        int type = meta.getInt(1, "type");
        int leafType = column.leaf().type();
        if (type != leafType) throw new ColumnException("chunk type " + typeName(type) + " differs from schema type " + typeName(leafType));
        if (type == INT96 || type == FIXED_LEN_BYTE_ARRAY) {
            throw new ColumnException("values of type " + typeName(type) + " are not supported");
        }
        int codec = meta.getInt(4, "codec");
        if (codec != UNCOMPRESSED && codec != SNAPPY && codec != GZIP && codec != ZSTD) {
            throw new ColumnException("compression " + name(CODEC_NAMES, codec) + " is not supported (supported: UNCOMPRESSED, SNAPPY, GZIP, ZSTD)");
        }
        long numValues = meta.getLong(5, "num_values");
        long totalCompressed = meta.getLong(7, "total_compressed_size");
        long dataPageOffset = meta.getLong(9, "data_page_offset");
        Long dictionaryOffset = meta.get(11) instanceof Long l ? l : null;
        long start = dictionaryOffset != null && dictionaryOffset > 0 && dictionaryOffset < dataPageOffset ? dictionaryOffset : dataPageOffset;
        long end = start + totalCompressed;
        if (start < 4 || end > dataEnd || totalCompressed < 0) {
            throw new ColumnException("column chunk bytes " + start + ".." + end + " lie outside the file's data (bytes 4.."
                    + dataEnd + "); is the file truncated?");
        }
        if (numValues < 0 || numValues > Integer.MAX_VALUE) throw new ColumnException("bad value count " + numValues);

        int entries = (int) numValues;
        int[] defLevels = new int[entries];
        int[] repLevels = new int[entries];
        List<Object> values = new ArrayList<>();
        List<Object> dictionary = null;
        int read = 0;
        int position = (int) start;
        while (read < entries) {
            if (position >= end) throw new ColumnException("column chunk ends after " + read + " of " + entries + " values");
            ThriftCompact thrift = new ThriftCompact(file, position, (int) end);
            Struct header = thrift.readStruct();
            int bodyStart = thrift.position();
            int pageType = header.getInt(1, "type");
            int uncompressedSize = header.getInt(2, "uncompressed_page_size");
            int compressedSize = header.getInt(3, "compressed_page_size");
            if (compressedSize < 0 || uncompressedSize < 0 || bodyStart + (long) compressedSize > end) {
                throw new ColumnException("page at byte " + position + " runs past its column chunk");
            }
            position = bodyStart + compressedSize;
            switch (pageType) {
                case DICTIONARY_PAGE -> {
                    Struct dictionaryHeader = header.getStruct(7, "dictionary_page_header");
                    int encoding = dictionaryHeader.getInt(2, "encoding");
                    if (encoding != PLAIN && encoding != PLAIN_DICTIONARY) {
                        throw new ColumnException("dictionary encoding " + name(ENCODING_NAMES, encoding) + " is not supported");
                    }
                    byte[] page = decompress(codec, file, bodyStart, compressedSize, uncompressedSize);
                    int count = dictionaryHeader.getInt(1, "num_values");
                    dictionary = new ArrayList<>(count);
                    int end2 = decodePlain(page, 0, page.length, type, count, dictionary);
                    if (end2 > page.length) throw new ColumnException("dictionary page is too short");
                }
                case DATA_PAGE -> {
                    Struct pageHeader = header.getStruct(5, "data_page_header");
                    int count = pageHeader.getInt(1, "num_values");
                    checkCount(count, read, entries);
                    int encoding = pageHeader.getInt(2, "encoding");
                    byte[] page = decompress(codec, file, bodyStart, compressedSize, uncompressedSize);
                    int at = 0;
                    if (column.maxRep() > 0) {
                        checkLevelEncoding(pageHeader.getInt(4, "repetition_level_encoding"), "repetition");
                        at = readPrefixedLevels(page, at, column.maxRep(), repLevels, read, count);
                    }
                    if (column.maxDef() > 0) {
                        checkLevelEncoding(pageHeader.getInt(3, "definition_level_encoding"), "definition");
                        at = readPrefixedLevels(page, at, column.maxDef(), defLevels, read, count);
                    }
                    decodeValues(page, at, page.length, encoding, type, nonNull(defLevels, read, count, column.maxDef()),
                            dictionary, values);
                    read += count;
                }
                case DATA_PAGE_V2 -> {
                    Struct pageHeader = header.getStruct(8, "data_page_header_v2");
                    int count = pageHeader.getInt(1, "num_values");
                    checkCount(count, read, entries);
                    int encoding = pageHeader.getInt(4, "encoding");
                    int defLength = pageHeader.getInt(5, "definition_levels_byte_length");
                    int repLength = pageHeader.getInt(6, "repetition_levels_byte_length");
                    boolean compressed = !(pageHeader.get(7) instanceof Boolean b) || b;
                    if (defLength < 0 || repLength < 0 || repLength + defLength > compressedSize) {
                        throw new ColumnException("page v2 level lengths exceed the page");
                    }
                    int at = bodyStart;
                    if (column.maxRep() > 0) decodeLevels(file, at, at + repLength, column.maxRep(), repLevels, read, count);
                    at += repLength;
                    if (column.maxDef() > 0) decodeLevels(file, at, at + defLength, column.maxDef(), defLevels, read, count);
                    at += defLength;
                    int valuesCompressed = compressedSize - repLength - defLength;
                    int valuesUncompressed = uncompressedSize - repLength - defLength;
                    byte[] page = compressed
                            ? decompress(codec, file, at, valuesCompressed, valuesUncompressed)
                            : java.util.Arrays.copyOfRange(file, at, at + valuesCompressed);
                    decodeValues(page, 0, page.length, encoding, type, nonNull(defLevels, read, count, column.maxDef()),
                            dictionary, values);
                    read += count;
                }
                default -> { /* index pages and unknown pages carry no values */ }
            }
        }
        return new ColumnData(defLevels, repLevels, values, entries);
    }

    private static void checkCount(int count, int read, int entries) {
        if (count < 0 || read + (long) count > entries) {
            throw new ColumnException("pages hold more values than the chunk's " + entries);
        }
    }

    private static void checkLevelEncoding(int encoding, String what) {
        if (encoding != RLE) {
            throw new ColumnException(what + " levels in encoding " + name(ENCODING_NAMES, encoding) + " are not supported (only RLE)");
        }
    }

    private static int nonNull(int[] defLevels, int from, int count, int maxDef) {
        if (maxDef == 0) return count;
        int n = 0;
        for (int i = from; i < from + count; i++) if (defLevels[i] == maxDef) n++;
        return n;
    }

    /** v1 levels: a 4-byte little-endian length, then the RLE/bit-packed hybrid. Returns the position after them. */
    private static int readPrefixedLevels(byte[] page, int at, int maxLevel, int[] levels, int from, int count) {
        if (at + 4 > page.length) throw new ColumnException("page ends in its levels");
        int length = readInt32(page, at);
        at += 4;
        if (length < 0 || at + length > page.length) throw new ColumnException("level length " + length + " exceeds the page");
        decodeLevels(page, at, at + length, maxLevel, levels, from, count);
        return at + length;
    }

    private static void decodeLevels(byte[] data, int start, int end, int maxLevel, int[] levels, int from, int count) {
        int bitWidth = 32 - Integer.numberOfLeadingZeros(maxLevel);
        RleHybrid.decode(data, start, end, bitWidth, levels, from, count);
        for (int i = from; i < from + count; i++) {
            if (levels[i] < 0 || levels[i] > maxLevel) throw new ColumnException("level " + levels[i] + " exceeds the maximum " + maxLevel);
        }
    }

    private static void decodeValues(byte[] page, int at, int end, int encoding, int type, int count,
                                     List<Object> dictionary, List<Object> out) {
        switch (encoding) {
            case PLAIN -> {
                int after = decodePlain(page, at, end, type, count, out);
                if (after > end) throw new ColumnException("page is too short for its values");
            }
            case PLAIN_DICTIONARY, RLE_DICTIONARY -> {
                if (dictionary == null) throw new ColumnException("dictionary-encoded page without a dictionary page");
                if (count == 0) return;
                if (at >= end) throw new ColumnException("page ends before its dictionary indices");
                int bitWidth = page[at] & 0xFF;
                if (bitWidth > 32) throw new ColumnException("dictionary index bit width " + bitWidth);
                int[] indices = new int[count];
                RleHybrid.decode(page, at + 1, end, bitWidth, indices, 0, count);
                for (int index : indices) {
                    if (index < 0 || index >= dictionary.size()) {
                        throw new ColumnException("dictionary index " + index + " out of " + dictionary.size());
                    }
                    out.add(dictionary.get(index));
                }
            }
            case RLE -> {
                if (type != BOOLEAN) throw new ColumnException("RLE values of type " + typeName(type) + " are not supported");
                if (at + 4 > end) throw new ColumnException("page ends before its RLE length");
                int length = readInt32(page, at);
                if (length < 0 || at + 4 + length > end) throw new ColumnException("RLE length exceeds the page");
                int[] bits = new int[count];
                RleHybrid.decode(page, at + 4, at + 4 + length, 1, bits, 0, count);
                for (int bit : bits) out.add(bit != 0);
            }
            default -> throw new ColumnException("value encoding " + name(ENCODING_NAMES, encoding)
                    + " is not supported (supported: PLAIN, PLAIN_DICTIONARY, RLE_DICTIONARY, RLE for booleans)");
        }
    }

    /** Decodes {@code count} PLAIN values; returns the position after them. */
    static int decodePlain(byte[] data, int at, int end, int type, int count, List<Object> out) {
        switch (type) {
            case BOOLEAN -> {
                if (at + (count + 7) / 8 > end) throw new ColumnException("page is too short for " + count + " booleans");
                for (int i = 0; i < count; i++) out.add(((data[at + i / 8] >>> (i % 8)) & 1) != 0);
                return at + (count + 7) / 8;
            }
            case INT32 -> {
                need(at, (long) count * 4, end);
                for (int i = 0; i < count; i++, at += 4) out.add(readInt32(data, at));
                return at;
            }
            case FLOAT -> {
                need(at, (long) count * 4, end);
                for (int i = 0; i < count; i++, at += 4) out.add(Float.intBitsToFloat(readInt32(data, at)));
                return at;
            }
            case INT64 -> {
                need(at, (long) count * 8, end);
                for (int i = 0; i < count; i++, at += 8) out.add(readInt64(data, at));
                return at;
            }
            case DOUBLE -> {
                need(at, (long) count * 8, end);
                for (int i = 0; i < count; i++, at += 8) out.add(Double.longBitsToDouble(readInt64(data, at)));
                return at;
            }
            case BYTE_ARRAY -> {
                for (int i = 0; i < count; i++) {
                    need(at, 4, end);
                    int length = readInt32(data, at);
                    at += 4;
                    if (length < 0) throw new ColumnException("negative string length");
                    need(at, length, end);
                    out.add(new String(data, at, length, StandardCharsets.UTF_8));
                    at += length;
                }
                return at;
            }
            default -> throw new ColumnException("values of type " + typeName(type) + " are not supported");
        }
    }

    private static void need(int at, long bytes, int end) {
        if (at + bytes > end) throw new ColumnException("page is too short for its values");
    }

    static int readInt32(byte[] data, int at) {
        return (data[at] & 0xFF) | (data[at + 1] & 0xFF) << 8 | (data[at + 2] & 0xFF) << 16 | (data[at + 3] & 0xFF) << 24;
    }

    static long readInt64(byte[] data, int at) {
        return (readInt32(data, at) & 0xFFFFFFFFL) | (long) readInt32(data, at + 4) << 32;
    }

    private static byte[] decompress(int codec, byte[] data, int at, int length, int uncompressedLength) {
        if (length < 0 || uncompressedLength < 0) throw new ColumnException("negative page size");
        return switch (codec) {
            case UNCOMPRESSED -> {
                if (length != uncompressedLength) throw new ColumnException("uncompressed page sizes disagree");
                yield java.util.Arrays.copyOfRange(data, at, at + length);
            }
            case SNAPPY -> Snappy.decompress(data, at, length, uncompressedLength);
            case GZIP -> {
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(data, at, length))) {
                    byte[] out = in.readNBytes(uncompressedLength);
                    if (out.length != uncompressedLength || in.read() != -1) {
                        throw new ColumnException("gzip page does not inflate to the " + uncompressedLength + " bytes its header says");
                    }
                    yield out;
                } catch (IOException e) {
                    throw new ColumnException("gzip page is corrupt: " + e.getMessage());
                }
            }
            case ZSTD -> {
                byte[] out = new byte[uncompressedLength];
                int written;
                try {
                    written = new ZstdDecompressor().decompress(data, at, length, out, 0, out.length);
                } catch (RuntimeException e) {
                    throw new ColumnException("zstd page is corrupt: " + e.getMessage());
                }
                if (written != uncompressedLength) throw new ColumnException("zstd page gave " + written + " bytes, expected " + uncompressedLength);
                yield out;
            }
            default -> throw new ColumnException("compression " + name(CODEC_NAMES, codec) + " is not supported");
        };
    }

    // ---------------------------------------------------------------- rows

    private static void place(ColumnData data, Column column, List<ObjectNode> rows, int rowOffset, int groupRows) {
        int valueIndex = 0;
        int row = -1;
        ArrayNode currentList = null;
        for (int i = 0; i < data.entries(); i++) {
            int def = column.maxDef() == 0 ? 0 : data.defLevels()[i];
            int rep = column.maxRep() == 0 ? 0 : data.repLevels()[i];
            Object value = null;
            if (def == column.maxDef()) {
                if (valueIndex >= data.values().size()) throw new ColumnException("fewer values than definition levels say");
                value = data.values().get(valueIndex++);
            }
            if (rep == 0) {
                row++;
                if (row >= groupRows) throw new ColumnException("more rows than the row group's " + groupRows);
                ObjectNode parent = parent(rows.get(rowOffset + row), column.outputPath());
                String field = column.outputPath().getLast();
                if (!column.isList()) {
                    parent.set(field, toJson(value));
                    continue;
                }
                if (def < column.listDef()) {
                    parent.putNull(field);
                    currentList = null;
                    continue;
                }
                currentList = parent.putArray(field);
            } else if (currentList == null) {
                throw new ColumnException("a repeated value continues a null or missing list");
            }
            if (column.isList() && def >= column.elementDef()) currentList.add(toJson(value));
        }
        if (row + 1 != groupRows) throw new ColumnException((row + 1) + " rows where the row group has " + groupRows);
        if (valueIndex != data.values().size()) throw new ColumnException("more values than definition levels say");
    }

    private static ObjectNode parent(ObjectNode row, List<String> outputPath) {
        ObjectNode node = row;
        for (int i = 0; i < outputPath.size() - 1; i++) {
            JsonNode child = node.get(outputPath.get(i));
            node = child instanceof ObjectNode object ? object : node.putObject(outputPath.get(i));
        }
        return node;
    }

    private static JsonNode toJson(Object value) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        return switch (value) {
            case null -> json.nullNode();
            case String s -> json.textNode(s);
            case Integer i -> json.numberNode(i);
            case Long l -> json.numberNode(l);
            case Float f -> json.numberNode(f);
            case Double d -> json.numberNode(d);
            case Boolean b -> json.booleanNode(b);
            default -> throw new IllegalStateException("unexpected value " + value.getClass());
        };
    }

    private static String typeName(int type) {
        return name(TYPE_NAMES, type);
    }

    private static String name(String[] names, int code) {
        return code >= 0 && code < names.length ? names[code] : "#" + code;
    }
}

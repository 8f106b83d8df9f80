package neurosteer.data.parquet;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A reader of Thrift's compact protocol into generic values: a struct is a {@link Struct} (field id → value), integers
 * are {@code Long}, binaries {@code byte[]}, lists {@code List}, booleans {@code Boolean}, doubles {@code Double}.
 * Parquet's footer and page headers are written this way.
 */
final class ThriftCompact {
    static final int STOP = 0, TRUE = 1, FALSE = 2, BYTE = 3, I16 = 4, I32 = 5, I64 = 6, DOUBLE = 7, BINARY = 8,
            LIST = 9, SET = 10, MAP = 11, STRUCT = 12;
    private static final int MAX_DEPTH = 64;

    /** Malformed Thrift data. */
    static final class FormatException extends RuntimeException {
        FormatException(String message) {
            super(message);
        }
    }

    /** A decoded struct: field id → value. */
    record Struct(Map<Integer, Object> fields) {
        Object get(int id) { return fields.get(id); }

        boolean has(int id) { return fields.containsKey(id); }

        long getLong(int id, String name) {
            Object value = fields.get(id);
            if (!(value instanceof Long number)) throw new FormatException("missing or non-integer field " + name);
            return number;
        }

        int getInt(int id, String name) {
            return Math.toIntExact(getLong(id, name));
        }

        Integer optionalInt(int id) {
            return fields.get(id) instanceof Long number ? Math.toIntExact(number) : null;
        }

        String getString(int id, String name) {
            Object value = fields.get(id);
            if (!(value instanceof byte[] bytes)) throw new FormatException("missing or non-string field " + name);
            return new String(bytes, StandardCharsets.UTF_8);
        }

        Struct getStruct(int id, String name) {
            Object value = fields.get(id);
            if (!(value instanceof Struct struct)) throw new FormatException("missing struct " + name);
            return struct;
        }

        Struct optionalStruct(int id) {
            return fields.get(id) instanceof Struct struct ? struct : null;
        }

        @SuppressWarnings("unchecked")
        List<Object> getList(int id, String name) {
            Object value = fields.get(id);
            if (!(value instanceof List<?> list)) throw new FormatException("missing list " + name);
            return (List<Object>) list;
        }
    }

    private final byte[] data;
    private int position;
    private final int end;

    ThriftCompact(byte[] data, int position, int end) {
        this.data = data;
        this.position = position;
        this.end = end;
    }

    int position() { return position; }

    Struct readStruct() {
        return readStruct(0);
    }

    private Struct readStruct(int depth) {
        if (depth > MAX_DEPTH) throw new FormatException("structs nested too deeply");
        Map<Integer, Object> fields = new HashMap<>();
        int lastId = 0;
        while (true) {
            int header = readByte() & 0xFF;
            int type = header & 0x0F;
            if (type == STOP) return new Struct(fields);
            int delta = header >>> 4;
            int id = delta != 0 ? lastId + delta : (int) zigzag(readVarint());
            lastId = id;
            Object value = switch (type) {
                case TRUE -> Boolean.TRUE;
                case FALSE -> Boolean.FALSE;
                default -> readValue(type, depth);
            };
            fields.put(id, value);
        }
    }

    private Object readValue(int type, int depth) {
        return switch (type) {
            case BYTE -> (long) readByte();
            case I16, I32, I64 -> zigzag(readVarint());
            case DOUBLE -> {
                need(8);
                long bits = 0;
                for (int i = 0; i < 8; i++) bits |= (long) (data[position + i] & 0xFF) << (8 * i);
                position += 8;
                yield Double.longBitsToDouble(bits);
            }
            case BINARY -> {
                long length = readVarint();
                if (length < 0 || length > end - position) throw new FormatException("binary length " + length + " runs past the end");
                byte[] bytes = new byte[(int) length];
                System.arraycopy(data, position, bytes, 0, bytes.length);
                position += bytes.length;
                yield bytes;
            }
            case LIST, SET -> {
                int header = readByte() & 0xFF;
                long size = header >>> 4;
                int elementType = header & 0x0F;
                if (size == 15) size = readVarint();
                if (size < 0 || size > end - position) throw new FormatException("list size " + size + " runs past the end");
                List<Object> list = new ArrayList<>((int) size);
                for (int i = 0; i < size; i++) {
                    if (elementType == TRUE || elementType == FALSE) list.add(readByte() == TRUE);
                    else list.add(readValue(elementType, depth + 1));
                }
                yield list;
            }
            case MAP -> {
                long size = readVarint();
                if (size < 0 || size > end - position) throw new FormatException("map size " + size + " runs past the end");
                Map<Object, Object> map = new HashMap<>();
                if (size > 0) {
                    int types = readByte() & 0xFF;
                    for (int i = 0; i < size; i++) {
                        Object key = readElement(types >>> 4, depth);
                        map.put(key, readElement(types & 0x0F, depth));
                    }
                }
                yield map;
            }
            case STRUCT -> readStruct(depth + 1);
            default -> throw new FormatException("unknown Thrift type " + type + " at byte " + (position - 1));
        };
    }

    private Object readElement(int type, int depth) {
        if (type == TRUE || type == FALSE) return readByte() == TRUE;
        return readValue(type, depth + 1);
    }

    private byte readByte() {
        need(1);
        return data[position++];
    }

    private void need(int count) {
        if (position + count > end) throw new FormatException("Thrift data ends early at byte " + position);
    }

    private long readVarint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte() & 0xFF;
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new FormatException("varint longer than 10 bytes");
    }

    private static long zigzag(long n) {
        return (n >>> 1) ^ -(n & 1);
    }
}

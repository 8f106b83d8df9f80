package neurosteer.data.parquet;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/** Writes Thrift's compact protocol, for the test Parquet writer. */
final class ThriftWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Deque<Integer> outerIds = new ArrayDeque<>();
    private int lastId;

    byte[] bytes() { return out.toByteArray(); }

    ThriftWriter beginStruct() {
        outerIds.push(lastId);
        lastId = 0;
        return this;
    }

    ThriftWriter endStruct() {
        out.write(ThriftCompact.STOP);
        lastId = outerIds.pop();
        return this;
    }

    private void fieldHeader(int id, int type) {
        int delta = id - lastId;
        if (delta > 0 && delta <= 15) {
            out.write(delta << 4 | type);
        } else {
            out.write(type);
            varint(zigzag(id));
        }
        lastId = id;
    }

    ThriftWriter i32(int id, int value) {
        fieldHeader(id, ThriftCompact.I32);
        varint(zigzag(value));
        return this;
    }

    ThriftWriter i64(int id, long value) {
        fieldHeader(id, ThriftCompact.I64);
        varint(zigzag(value));
        return this;
    }

    ThriftWriter string(int id, String value) {
        fieldHeader(id, ThriftCompact.BINARY);
        rawString(value);
        return this;
    }

    ThriftWriter bool(int id, boolean value) {
        fieldHeader(id, value ? ThriftCompact.TRUE : ThriftCompact.FALSE);
        return this;
    }

    /** Opens a struct-valued field; close it with {@link #endStruct()}. */
    ThriftWriter structField(int id) {
        fieldHeader(id, ThriftCompact.STRUCT);
        return beginStruct();
    }

    /** A list header; then write the elements with {@link #rawI32}, {@link #rawString} or begin/endStruct. */
    ThriftWriter listField(int id, int elementType, int size) {
        fieldHeader(id, ThriftCompact.LIST);
        if (size < 15) {
            out.write(size << 4 | elementType);
        } else {
            out.write(0xF0 | elementType);
            varint(size);
        }
        return this;
    }

    ThriftWriter rawI32(int value) {
        varint(zigzag(value));
        return this;
    }

    ThriftWriter rawString(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        varint(bytes.length);
        out.write(bytes, 0, bytes.length);
        return this;
    }

    private void varint(long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) (value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }

    private static long zigzag(long n) {
        return (n << 1) ^ (n >> 63);
    }
}

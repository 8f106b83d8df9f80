package neurosteer.data.parquet;

/** Decompresses raw (unframed) Snappy blocks, as Parquet stores them. */
final class Snappy {
    private Snappy() {}

    static byte[] decompress(byte[] input, int offset, int length, int expectedLength) {
        int end = offset + length;
        int[] cursor = {offset};
        long declared = readVarint(input, cursor, end);
        if (declared != expectedLength) {
            throw new IllegalArgumentException("Snappy block declares " + declared + " bytes, the page header " + expectedLength);
        }
        byte[] output = new byte[expectedLength];
        int out = 0;
        int in = cursor[0];
        while (in < end) {
            int tag = input[in++] & 0xFF;
            int kind = tag & 3;
            if (kind == 0) {
                int literalLength = tag >>> 2;
                if (literalLength >= 60) {
                    int bytes = literalLength - 59;
                    if (in + bytes > end) throw new IllegalArgumentException("Snappy literal length runs past the end");
                    literalLength = 0;
                    for (int i = 0; i < bytes; i++) literalLength |= (input[in++] & 0xFF) << (8 * i);
                }
                literalLength += 1;
                if (literalLength <= 0 || in + literalLength > end || out + literalLength > output.length) {
                    throw new IllegalArgumentException("Snappy literal runs past the end");
                }
                System.arraycopy(input, in, output, out, literalLength);
                in += literalLength;
                out += literalLength;
                continue;
            }
            int copyLength;
            int copyOffset;
            if (kind == 1) {
                if (in + 1 > end) throw new IllegalArgumentException("Snappy copy runs past the end");
                copyLength = 4 + ((tag >>> 2) & 7);
                copyOffset = ((tag >>> 5) << 8) | (input[in++] & 0xFF);
            } else if (kind == 2) {
                if (in + 2 > end) throw new IllegalArgumentException("Snappy copy runs past the end");
                copyLength = 1 + (tag >>> 2);
                copyOffset = (input[in] & 0xFF) | (input[in + 1] & 0xFF) << 8;
                in += 2;
            } else {
                if (in + 4 > end) throw new IllegalArgumentException("Snappy copy runs past the end");
                copyLength = 1 + (tag >>> 2);
                copyOffset = (input[in] & 0xFF) | (input[in + 1] & 0xFF) << 8 | (input[in + 2] & 0xFF) << 16
                        | (input[in + 3] & 0xFF) << 24;
                in += 4;
            }
            if (copyOffset <= 0 || copyOffset > out || out + copyLength > output.length) {
                throw new IllegalArgumentException("Snappy copy (offset " + copyOffset + ", length " + copyLength + ") is out of range");
            }
            for (int i = 0; i < copyLength; i++) {
                output[out] = output[out - copyOffset];
                out++;
            }
        }
        if (out != expectedLength) throw new IllegalArgumentException("Snappy block gave " + out + " bytes, expected " + expectedLength);
        return output;
    }

    private static long readVarint(byte[] input, int[] cursor, int end) {
        long result = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (cursor[0] >= end) throw new IllegalArgumentException("Snappy block ends in its length");
            int b = input[cursor[0]++] & 0xFF;
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new IllegalArgumentException("Snappy length is not a valid varint");
    }
}

package neurosteer.data.parquet;

/** Parquet's RLE / bit-packed hybrid encoding of small integers (levels, dictionary indices, booleans). */
final class RleHybrid {
    private RleHybrid() {}

    /** Decodes {@code count} values from {@code data[start, end)} into {@code out[from ...]}. */
    static void decode(byte[] data, int start, int end, int bitWidth, int[] out, int from, int count) {
        if (bitWidth < 0 || bitWidth > 32) throw new IllegalArgumentException("bit width " + bitWidth);
        int position = start;
        int filled = 0;
        while (filled < count) {
            if (position >= end) {
                throw new IllegalArgumentException("RLE/bit-packed data ends after " + filled + " of " + count + " values");
            }
            long header = 0;
            for (int shift = 0; ; shift += 7) {
                if (position >= end || shift > 35) throw new IllegalArgumentException("bad RLE run header");
                int b = data[position++] & 0xFF;
                header |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) break;
            }
            if ((header & 1) == 0) {
                long runLength = header >>> 1;
                int valueBytes = (bitWidth + 7) / 8;
                if (position + valueBytes > end) throw new IllegalArgumentException("RLE run value runs past the end");
                int value = 0;
                for (int i = 0; i < valueBytes; i++) value |= (data[position + i] & 0xFF) << (8 * i);
                position += valueBytes;
                int take = (int) Math.min(runLength, count - filled);
                java.util.Arrays.fill(out, from + filled, from + filled + take, value);
                filled += take;
            } else {
                long groups = header >>> 1;
                long values = groups * 8;
                int take = (int) Math.min(values, count - filled);
                long neededBytes = ((long) take * bitWidth + 7) / 8;
                if (position + neededBytes > end) throw new IllegalArgumentException("bit-packed run runs past the end");
                long mask = bitWidth == 32 ? 0xFFFFFFFFL : (1L << bitWidth) - 1;
                long buffer = 0;
                int bits = 0;
                int p = position;
                for (int i = 0; i < take; i++) {
                    while (bits < bitWidth) {
                        buffer |= (long) (data[p++] & 0xFF) << bits;
                        bits += 8;
                    }
                    out[from + filled + i] = (int) (buffer & mask);
                    buffer >>>= bitWidth;
                    bits -= bitWidth;
                }
                filled += take;
                position = (int) Math.min(end, position + groups * bitWidth);
            }
        }
    }
}

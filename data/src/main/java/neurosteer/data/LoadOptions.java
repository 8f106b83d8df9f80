package neurosteer.data;

/**
 * How to treat malformed records.
 *
 * @param skipBad skip malformed records (and problems without a gold answer) and count them, instead of failing on the first
 */
public record LoadOptions(boolean skipBad) {
    public static final LoadOptions STRICT = new LoadOptions(false);
    public static final LoadOptions SKIP_BAD = new LoadOptions(true);
}

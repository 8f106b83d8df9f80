package neurosteer.data;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** MATH's seven subjects and the names they go by (folder names, {@code type} values). */
public final class Subjects {
    private Subjects() {}

    public static final String ALGEBRA = "Algebra";
    public static final String COUNTING_AND_PROBABILITY = "Counting & Probability";
    public static final String GEOMETRY = "Geometry";
    public static final String INTERMEDIATE_ALGEBRA = "Intermediate Algebra";
    public static final String NUMBER_THEORY = "Number Theory";
    public static final String PREALGEBRA = "Prealgebra";
    public static final String PRECALCULUS = "Precalculus";

    /** The seven subjects in MATH's usual order. */
    public static final List<String> MATH = List.of(ALGEBRA, COUNTING_AND_PROBABILITY, GEOMETRY,
            INTERMEDIATE_ALGEBRA, NUMBER_THEORY, PREALGEBRA, PRECALCULUS);

    private static final Map<String, String> BY_KEY = Map.ofEntries(
            Map.entry("algebra", ALGEBRA),
            Map.entry("counting_and_probability", COUNTING_AND_PROBABILITY),
            Map.entry("counting_probability", COUNTING_AND_PROBABILITY),
            Map.entry("geometry", GEOMETRY),
            Map.entry("intermediate_algebra", INTERMEDIATE_ALGEBRA),
            Map.entry("number_theory", NUMBER_THEORY),
            Map.entry("prealgebra", PREALGEBRA),
            Map.entry("precalculus", PRECALCULUS));

    /**
     * MATH's name for a subject given as a folder name ({@code counting_and_probability}), a {@code type} value
     * ({@code Counting & Probability}) or any spelling in between; null if it is none of the seven.
     */
    public static String mathSubject(String name) {
        if (name == null) return null;
        String key = name.trim().toLowerCase(Locale.ROOT)
                .replace("&", " and ")
                .replaceAll("[^a-z0-9]+", "_")
                .replaceAll("^_+|_+$", "");
        return BY_KEY.get(key);
    }

    /** MATH's name if it is one of the seven, else the name as given (trimmed), null if blank. */
    public static String mathSubjectOrAsGiven(String name) {
        String canonical = mathSubject(name);
        if (canonical != null) return canonical;
        if (name == null || name.isBlank()) return null;
        return name.trim();
    }
}

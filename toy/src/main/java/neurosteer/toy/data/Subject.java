package neurosteer.toy.data;

/** The seven MATH subjects, with MATH's display names and directory names. */
public enum Subject {
    ALGEBRA("Algebra", "algebra"),
    COUNTING_AND_PROBABILITY("Counting & Probability", "counting_and_probability"),
    GEOMETRY("Geometry", "geometry"),
    INTERMEDIATE_ALGEBRA("Intermediate Algebra", "intermediate_algebra"),
    NUMBER_THEORY("Number Theory", "number_theory"),
    PREALGEBRA("Prealgebra", "prealgebra"),
    PRECALCULUS("Precalculus", "precalculus");

    public final String displayName;
    public final String slug;

    Subject(String displayName, String slug) {
        this.displayName = displayName;
        this.slug = slug;
    }

    public static Subject byDisplayName(String name) {
        for (Subject s : values()) if (s.displayName.equals(name)) return s;
        throw new IllegalArgumentException("unknown subject '" + name + "'");
    }
}

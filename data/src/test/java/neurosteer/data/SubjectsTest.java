package neurosteer.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SubjectsTest {
    @Test
    void folderNamesAndTypeValuesMapToMathsSevenSubjects() {
        String[][] cases = {
                {"algebra", "Algebra"}, {"Algebra", "Algebra"},
                {"counting_and_probability", "Counting & Probability"}, {"Counting & Probability", "Counting & Probability"},
                {"geometry", "Geometry"},
                {"intermediate_algebra", "Intermediate Algebra"}, {"Intermediate Algebra", "Intermediate Algebra"},
                {"number_theory", "Number Theory"}, {"Number Theory", "Number Theory"},
                {"prealgebra", "Prealgebra"}, {"precalculus", "Precalculus"}, {" Precalculus ", "Precalculus"},
        };
        for (String[] c : cases) assertEquals(c[1], Subjects.mathSubject(c[0]), c[0]);
        assertEquals(7, Subjects.MATH.size());
        for (String subject : Subjects.MATH) assertEquals(subject, Subjects.mathSubject(subject));
    }

    @Test
    void otherNamesAreNotMathSubjects() {
        assertNull(Subjects.mathSubject("calculus"));
        assertNull(Subjects.mathSubject("abstract_algebra"));
        assertEquals("Linear Algebra", Subjects.mathSubjectOrAsGiven(" Linear Algebra"));
        assertNull(Subjects.mathSubjectOrAsGiven("  "));
    }
}

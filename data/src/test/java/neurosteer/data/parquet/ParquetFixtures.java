package neurosteer.data.parquet;

import neurosteer.data.parquet.ParquetTestWriter.ColumnSpec;
import neurosteer.data.parquet.ParquetTestWriter.Shape;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static neurosteer.data.parquet.ParquetReader.*;

/** Parquet files in the layouts the Hugging Face hub serves, written by the test writer. */
public final class ParquetFixtures {
    private ParquetFixtures() {}

    public static final int MATH_ROWS = 30;

    /** MATH: problem, level ("Level N"), type, solution; snappy, dictionary-encoded like pyarrow's default. */
    public static Path mathParquet(Path file) {
        String[] types = {"Counting & Probability", "Algebra", "Geometry", "Intermediate Algebra", "Number Theory",
                "Prealgebra", "Precalculus"};
        List<String> problems = new ArrayList<>(), levels = new ArrayList<>(), typeColumn = new ArrayList<>(),
                solutions = new ArrayList<>();
        for (int i = 0; i < MATH_ROWS; i++) {
            problems.add("A bag holds " + (i + 3) + " marbles. What is the probability of event " + i + "?");
            levels.add("Level " + (3 + i % 3));
            typeColumn.add(types[i % types.length]);
            solutions.add(i == 0 ? "There are 4 outcomes and 3 are good, so $\\boxed{\\frac{3}{4}}$."
                    : "Counting gives $\\boxed{" + i + "}$.");
        }
        ParquetTestWriter writer = new ParquetTestWriter()
                .column("problem", BYTE_ARRAY, Shape.REQUIRED, problems)
                .column("level", BYTE_ARRAY, Shape.OPTIONAL, levels)
                .column("type", BYTE_ARRAY, Shape.OPTIONAL, typeColumn)
                .column("solution", BYTE_ARRAY, Shape.OPTIONAL, solutions);
        writer.codec = SNAPPY;
        writer.dictionary = true;
        writer.rowsPerGroup = 16;
        return writer.write(file);
    }

    /** MMLU: question, subject, choices (list of strings), answer (index); gzip, plain, page v2. */
    public static Path mmluParquet(Path file) {
        ParquetTestWriter writer = new ParquetTestWriter()
                .column("question", BYTE_ARRAY, Shape.REQUIRED, List.of("Find the order of the group Z_4 x Z_2.", "Which gas do plants absorb?"))
                .column("subject", BYTE_ARRAY, Shape.REQUIRED, List.of("abstract_algebra", "high_school_biology"))
                .column("choices", BYTE_ARRAY, Shape.LIST, List.of(List.of("2", "4", "6", "8"), List.of("Oxygen", "Carbon dioxide", "Nitrogen", "Helium")))
                .column("answer", INT64, Shape.REQUIRED, List.of(3L, 1L));
        writer.codec = GZIP;
        writer.pageVersion = 2;
        return writer.write(file);
    }

    /** CommonsenseQA: id, question, question_concept, choices {label, text}, answerKey; zstd. */
    public static Path commonsenseQaParquet(Path file) {
        ParquetTestWriter writer = new ParquetTestWriter()
                .column("id", BYTE_ARRAY, Shape.REQUIRED, List.of("q-001"))
                .column("question", BYTE_ARRAY, Shape.REQUIRED, List.of("Where would you keep milk cold?"))
                .column(new ColumnSpec("label", BYTE_ARRAY, Shape.LIST, List.of(List.of("A", "B", "C", "D", "E")), "choices"))
                .column(new ColumnSpec("text", BYTE_ARRAY, Shape.LIST, List.of(List.of("oven", "refrigerator", "garden", "shelf", "car")), "choices"))
                .column("answerKey", BYTE_ARRAY, Shape.REQUIRED, List.of("B"));
        writer.codec = ZSTD;
        writer.dictionary = true;
        return writer.write(file);
    }
}

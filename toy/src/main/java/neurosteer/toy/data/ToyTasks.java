package neurosteer.toy.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The task templates: for every subject and level one kind of problem, drawn from a seeded random
 * source, with a short step-by-step solution ending in {@code \boxed{answer}}. All answers are
 * integers. Numbers are kept small enough for a model of a few million parameters to learn most of
 * the arithmetic, and the higher levels chain more steps, so it learns them less well.
 */
public final class ToyTasks {
    /** A problem text, its solution and the bare answer. */
    public record Item(String problem, String solution, String answer) {}

    private static final String[] NAMES = {"Ana", "Ben", "Cara", "Dan", "Eva", "Finn", "Gia", "Hugo", "Ivy", "Jack", "Kim", "Leo"};
    private static final String[] ITEMS = {"apples", "books", "cards", "coins", "pens", "shells", "stamps", "marbles"};
    private static final int[][] TRIPLES = {{3, 4, 5}, {5, 12, 13}, {8, 15, 17}, {7, 24, 25}, {20, 21, 29}, {9, 40, 41}, {12, 35, 37}};

    private ToyTasks() {}

    public static Item generate(Subject subject, int level, SplittableRandom rng) {
        if (level < 1 || level > 5) throw new IllegalArgumentException("level must be 1..5, got " + level);
        return switch (subject) {
            case ALGEBRA -> algebra(level, rng);
            case COUNTING_AND_PROBABILITY -> counting(level, rng);
            case GEOMETRY -> geometry(level, rng);
            case INTERMEDIATE_ALGEBRA -> intermediateAlgebra(level, rng);
            case NUMBER_THEORY -> numberTheory(level, rng);
            case PREALGEBRA -> prealgebra(level, rng);
            case PRECALCULUS -> precalculus(level, rng);
        };
    }

    // ---------------------------------------------------------------- Algebra

    private static Item algebra(int level, SplittableRandom r) {
        switch (level) {
            case 1 -> {
                int a = between(r, 1, 30), x = between(r, 1, 30), b = x + a;
                return item("Solve for x: x + " + a + " = " + b + ".",
                        "x = " + b + " - " + a + " = " + x + ".", x);
            }
            case 2 -> {
                int a = between(r, 10, 60), b = between(r, 30, 99), c = between(r, 10, b - 1), d = b - c, x = d + a;
                return item("Solve for x: x - " + a + " = " + b + " - " + c + ".",
                        b + " - " + c + " = " + d + ".\nx = " + d + " + " + a + " = " + x + ".", x);
            }
            case 3 -> {
                int a = between(r, 2, 9), x = between(r, 1, 12), b = between(r, 1, 40), c = a * x + b;
                return item("Solve for x: " + a + "x + " + b + " = " + c + ".",
                        a + "x = " + c + " - " + b + " = " + (a * x) + ".\nx = " + (a * x) + " / " + a + " = " + x + ".", x);
            }
            case 4 -> {
                int a = between(r, 3, 9), c = between(r, 1, a - 1), x = between(r, -10, 10), b = between(r, 1, 30);
                int d = (a - c) * x + b, k = a - c;
                return item("Solve for x: " + a + "x + " + b + " = " + c + "x " + signed(d) + ".",
                        a + "x - " + c + "x = " + d + " - " + b + ", so " + k + "x = " + (d - b) + ".\nx = "
                                + (d - b) + " / " + k + " = " + x + ".", x);
            }
            default -> {
                int x = between(r, 1, 15), y = between(r, -9, 15), p = 2 * x + y, q = x + y;
                return item("If 2x + y = " + p + " and x + y = " + q + ", what is xy?",
                        "x = " + p + " - " + q + " = " + x + ".\ny = " + q + " - " + x + " = " + y + ".\nxy = " + x + " * "
                                + paren(y) + " = " + (x * y) + ".", x * y);
            }
        }
    }

    // ---------------------------------------------------------------- Counting & Probability

    private static Item counting(int level, SplittableRandom r) {
        String name = pick(r, NAMES);
        switch (level) {
            case 1 -> {
                int a = between(r, 11, 40), b = between(r, 3, 9);
                return item("A cafe has " + a + " soups and " + b + " salads. In how many ways can " + name
                        + " pick one soup and one salad?", a + " * " + b + " = " + (a * b) + ".", a * b);
            }
            case 2 -> {
                int a = between(r, 2, 9), b = between(r, 2, 9), c = between(r, 2, 9);
                return item(name + " has " + a + " shirts, " + b + " pants and " + c
                                + " hats. How many outfits of one of each are there?",
                        a + " * " + b + " = " + (a * b) + ".\n" + (a * b) + " * " + c + " = " + (a * b * c) + ".", a * b * c);
            }
            case 3 -> {
                int a = between(r, 6, 25), b = between(r, 6, 25), p = a * (a - 1), q = b * (b - 1);
                return item("A club has " + a + " boys and " + b + " girls. In how many ways can a president and a vice-president of the same gender be chosen?",
                        a + " * " + (a - 1) + " = " + p + ".\n" + b + " * " + (b - 1) + " = " + q + ".\n" + p + " + " + q + " = " + (p + q) + ".", p + q);
            }
            case 4 -> {
                int a = between(r, 11, 30), b = between(r, 2, 9), c = between(r, 2, 9), x = a * b, y = b * c, z = c * a;
                return item("A bag has " + a + " red, " + b + " blue and " + c + " green beads. In how many ways can " + name
                                + " pick 2 beads of different colors?",
                        a + " * " + b + " = " + x + ".\n" + b + " * " + c + " = " + y + ".\n" + c + " * " + a + " = " + z + ".\n"
                                + x + " + " + y + " = " + (x + y) + ".\n" + (x + y) + " + " + z + " = " + (x + y + z) + ".", x + y + z);
            }
            default -> {
                int n = between(r, 8, 30), k = between(r, 2, n - 3), m = n - k, p = n * (n - 1), q = m * (m - 1);
                return item("Of " + n + " players, " + k + " are captains. How many pairs of players include at least one captain?",
                        n + " * " + (n - 1) + " / 2 = " + p + " / 2 = " + (p / 2) + ".\n" + n + " - " + k + " = " + m + ".\n" + m + " * "
                                + (m - 1) + " / 2 = " + q + " / 2 = " + (q / 2) + ".\n" + (p / 2) + " - " + (q / 2) + " = " + (p / 2 - q / 2) + ".",
                        p / 2 - q / 2);
            }
        }
    }

    // ---------------------------------------------------------------- Geometry

    private static Item geometry(int level, SplittableRandom r) {
        switch (level) {
            case 1 -> {
                int a = between(r, 1, 40), b = between(r, 1, 40);
                return item("A rectangle is " + a + " by " + b + ". What is its perimeter?",
                        "2 * (" + a + " + " + b + ") = 2 * " + (a + b) + " = " + (2 * (a + b)) + ".", 2 * (a + b));
            }
            case 2 -> {
                int a = between(r, 6, 12), b = between(r, 6, 12), c = between(r, 2, a - 1), d = between(r, 2, b - 1);
                return item("A rectangle is " + a + " by " + b + ". A " + c + " by " + d + " corner is cut off. What area is left?",
                        a + " * " + b + " = " + (a * b) + ".\n" + c + " * " + d + " = " + (c * d) + ".\n" + (a * b) + " - " + (c * d) + " = "
                                + (a * b - c * d) + ".", a * b - c * d);
            }
            case 3 -> {
                int a, b, h;
                do {
                    a = between(r, 5, 40);
                    b = between(r, 5, 40);
                    h = between(r, 2, 12);
                } while ((a + b) * h % 2 != 0);
                int sum = a + b, doubled = sum * h;
                return item("A trapezoid has bases " + a + " and " + b + " and height " + h + ". What is its area?",
                        a + " + " + b + " = " + sum + ".\n" + sum + " * " + h + " = " + doubled + ".\n" + doubled + " / 2 = " + (doubled / 2) + ".",
                        doubled / 2);
            }
            case 4 -> {
                int[] t = TRIPLES[r.nextInt(TRIPLES.length)];
                int k = between(r, 1, Math.max(1, 100 / t[2])), a = t[0] * k, b = t[1] * k, c = t[2] * k;
                if (r.nextBoolean()) {
                    int swap = a;
                    a = b;
                    b = swap;
                }
                if (r.nextBoolean()) {
                    return item("A right triangle has legs " + a + " and " + b + ". How long is its hypotenuse?",
                            "c^2 = " + a + "^2 + " + b + "^2 = " + (a * a) + " + " + (b * b) + " = " + (c * c) + ".\nc = " + c + ".", c);
                }
                return item("A right triangle has a leg " + a + " and hypotenuse " + c + ". How long is the other leg?",
                        "b^2 = " + c + "^2 - " + a + "^2 = " + (c * c) + " - " + (a * a) + " = " + (b * b) + ".\nb = " + b + ".", b);
            }
            default -> {
                int a = between(r, 11, 20), b = between(r, 2, 9), c = between(r, 2, 9), x = a * b, y = b * c, z = a * c;
                int s = x + y + z;
                return item("A box is " + a + " by " + b + " by " + c + ". What is its surface area?",
                        a + " * " + b + " = " + x + ".\n" + b + " * " + c + " = " + y + ".\n" + a + " * " + c + " = " + z + ".\n" + x + " + "
                                + y + " = " + (x + y) + ".\n" + (x + y) + " + " + z + " = " + s + ".\n2 * " + s + " = " + (2 * s) + ".", 2 * s);
            }
        }
    }

    // ---------------------------------------------------------------- Intermediate Algebra

    private static Item intermediateAlgebra(int level, SplittableRandom r) {
        switch (level) {
            case 1 -> {
                int b = between(r, 5, 15), a = between(r, 1, b * b - 1);
                return item("Let f(x) = x^2 - " + a + ". Find f(" + b + ").",
                        "f(" + b + ") = " + b + "^2 - " + a + " = " + (b * b) + " - " + a + " = " + (b * b - a) + ".", b * b - a);
            }
            case 2 -> {
                int a = between(r, 2, 5), b = between(r, 0, 9), c = between(r, 0, 5), inner = a * c + b;
                return item("Let f(x) = " + a + "x " + signed(b) + ". Find f(f(" + c + ")).",
                        "f(" + c + ") = " + a + " * " + paren(c) + " " + signed(b) + " = " + inner + ".\nf(" + inner + ") = " + a
                                + " * " + paren(inner) + " " + signed(b) + " = " + (a * inner + b) + ".", a * inner + b);
            }
            case 3 -> {
                int a = between(r, 2, 20), d = between(r, 2, 9), k = between(r, 3, 4);
                StringBuilder terms = new StringBuilder(), sums = new StringBuilder();
                int sum = a;
                for (int i = 0; i < k; i++) terms.append(i == 0 ? "" : ", ").append(a + i * d);
                for (int i = 1; i < k; i++) {
                    int term = a + i * d;
                    sums.append('\n').append(sum).append(" + ").append(term).append(" = ").append(sum + term).append('.');
                    sum += term;
                }
                return item("An arithmetic sequence begins " + a + ", " + (a + d) + ". Find the sum of its first " + k + " terms.",
                        "The terms are " + terms + "." + sums, sum);
            }
            case 4 -> {
                int r1 = between(r, -9, 12), r2;
                do r2 = between(r, -9, 12); while (r2 == r1);
                int lo = Math.min(r1, r2), hi = Math.max(r1, r2), p = -(lo + hi), q = lo * hi;
                return item("Find the larger root of " + quadratic(p, q) + " = 0.",
                        quadratic(p, q) + " = " + factor(lo) + factor(hi) + ".\nThe roots are " + lo + " and " + hi + ".", hi);
            }
            default -> {
                int r1 = between(r, -9, 9), r2 = between(r, -9, 9), p = -(r1 + r2), q = r1 * r2, s = r1 + r2;
                return item("The roots of " + quadratic(p, q) + " = 0 are r and s. Find r^2 + s^2.",
                        "r + s = " + s + " and rs = " + q + ".\nr^2 + s^2 = " + paren(s) + "^2 - 2 * " + paren(q) + " = " + (s * s)
                                + " - " + paren(2 * q) + " = " + (s * s - 2 * q) + ".", s * s - 2 * q);
            }
        }
    }

    // ---------------------------------------------------------------- Number Theory

    private static Item numberTheory(int level, SplittableRandom r) {
        switch (level) {
            case 1 -> {
                int b = between(r, 2, 12), a = between(r, 10, 200);
                return item("What is the remainder when " + a + " is divided by " + b + "?",
                        a + " = " + b + " * " + (a / b) + " + " + (a % b) + ".", a % b);
            }
            case 2 -> {
                int g = between(r, 1, 12), m = between(r, 1, 12), n = between(r, 1, 12);
                int a = g * Math.max(m, n), b = g * Math.min(m, n);
                StringBuilder steps = new StringBuilder();
                int x = a, y = b;
                while (y != 0) {
                    steps.append("gcd(").append(x).append(", ").append(y).append(") = ");
                    int t = x % y;
                    x = y;
                    y = t;
                }
                steps.append("gcd(").append(x).append(", 0) = ").append(x).append('.');
                return item("Find the greatest common divisor of " + a + " and " + b + ".", steps.toString(), x);
            }
            case 3 -> {
                int a = between(r, 2, 30), b = between(r, 2, 30), g = gcd(a, b);
                return item("Find the least common multiple of " + a + " and " + b + ".",
                        "gcd(" + a + ", " + b + ") = " + g + ".\nlcm = " + a + " * " + b + " / " + g + " = " + (a * b) + " / " + g + " = "
                                + (a * b / g) + ".", a * b / g);
            }
            case 4 -> {
                int m = between(r, 3, 12), a = between(r, 10, 99), b = between(r, 10, 99), x = a % m, y = b % m;
                return item("What is the remainder when " + a + " * " + b + " is divided by " + m + "?",
                        a + " mod " + m + " = " + x + " and " + b + " mod " + m + " = " + y + ".\n" + x + " * " + y + " = " + (x * y)
                                + ", and " + (x * y) + " mod " + m + " = " + (x * y % m) + ".", x * y % m);
            }
            default -> {
                int a = between(r, 2, 19), n = between(r, 5, 60), d = a % 10;
                List<Integer> cycle = new ArrayList<>();
                int u = d;
                while (!cycle.contains(u)) {
                    cycle.add(u);
                    u = u * d % 10;
                }
                int period = cycle.size(), rem = (n - 1) % period, digit = cycle.get(rem);
                StringBuilder cyc = new StringBuilder();
                for (int i = 0; i < period; i++) cyc.append(i == 0 ? "" : ", ").append(cycle.get(i));
                return item("What is the units digit of " + a + "^" + n + "?",
                        "Units digits of powers of " + a + " cycle: " + cyc + ".\n" + n + " - 1 = " + period + " * " + ((n - 1) / period)
                                + " + " + rem + ", so the digit is " + digit + ".", digit);
            }
        }
    }

    // ---------------------------------------------------------------- Prealgebra

    private static Item prealgebra(int level, SplittableRandom r) {
        String name = pick(r, NAMES), things = pick(r, ITEMS);
        switch (level) {
            case 1 -> {
                int a = between(r, 20, 99), b = between(r, 1, a - 1);
                return item(name + " has " + a + " " + things + " and gives away " + b + ". How many " + things + " are left?",
                        a + " - " + b + " = " + (a - b) + ".", a - b);
            }
            case 2 -> {
                int a = between(r, 20, 99), b = between(r, 1, a - 1), c = between(r, 1, 60);
                return item(name + " had " + a + " " + things + ", gave away " + b + " and then got " + c + ". How many " + things + " now?",
                        a + " - " + b + " = " + (a - b) + ".\n" + (a - b) + " + " + c + " = " + (a - b + c) + ".", a - b + c);
            }
            case 3 -> {
                int a = between(r, 2, 12), b = between(r, 2, 30);
                return item("Each box holds " + a + " " + things + ". How many " + things + " are in " + b + " boxes?",
                        a + " * " + b + " = " + (a * b) + ".", a * b);
            }
            case 4 -> {
                int a = between(r, 2, 15), b = between(r, 2, 15), c = between(r, 2, 15), d = between(r, 2, 15);
                return item("Compute " + a + " * " + b + " + " + c + " * " + d + ".",
                        a + " * " + b + " = " + (a * b) + ".\n" + c + " * " + d + " = " + (c * d) + ".\n" + (a * b) + " + " + (c * d) + " = "
                                + (a * b + c * d) + ".", a * b + c * d);
            }
            default -> {
                int[] n = drawFour(r, 10, 99, (n1, n2, n3, n4) -> (n1 + n2 + n3 + n4) % 4 == 0);
                int n1 = n[0], n2 = n[1], n3 = n[2], n4 = n[3];
                int s1 = n1 + n2, s2 = s1 + n3, s = s2 + n4;
                return item("What is the mean of " + n1 + ", " + n2 + ", " + n3 + " and " + n4 + "?",
                        n1 + " + " + n2 + " = " + s1 + ".\n" + s1 + " + " + n3 + " = " + s2 + ".\n" + s2 + " + " + n4 + " = " + s + ".\n" + s
                                + " / 4 = " + (s / 4) + ".", s / 4);
            }
        }
    }

    // ---------------------------------------------------------------- Precalculus

    private static Item precalculus(int level, SplittableRandom r) {
        switch (level) {
            case 1 -> {
                int a = between(r, 11, 25), b = between(r, 11, 25), c = between(r, 2, 9), d = between(r, 2, 9);
                return item("Compute (" + a + ", " + b + ") . (" + c + ", " + d + ").",
                        a + " * " + c + " + " + b + " * " + d + " = " + (a * c) + " + " + (b * d) + " = " + (a * c + b * d) + ".", a * c + b * d);
            }
            case 2 -> {
                int a = between(r, -9, 9), b = between(r, -9, 9), c = between(r, -9, 9), d = between(r, -9, 9);
                return item("Find the determinant of the matrix with rows (" + a + ", " + b + ") and (" + c + ", " + d + ").",
                        paren(a) + " * " + paren(d) + " - " + paren(b) + " * " + paren(c) + " = " + (a * d) + " - " + paren(b * c) + " = "
                                + (a * d - b * c) + ".", a * d - b * c);
            }
            case 3 -> {
                int[] u = positiveVector(r, 3), v = positiveVector(r, 3);
                int x = u[0] * v[0], y = u[1] * v[1], z = u[2] * v[2];
                return item("Compute " + tuple(u) + " . " + tuple(v) + ".",
                        u[0] + " * " + v[0] + " = " + x + ".\n" + u[1] + " * " + v[1] + " = " + y + ".\n" + u[2] + " * " + v[2] + " = " + z
                                + ".\n" + x + " + " + y + " = " + (x + y) + ".\n" + (x + y) + " + " + z + " = " + (x + y + z) + ".", x + y + z);
            }
            case 4 -> {
                int[] m = drawFour(r, 1, 9, (a, b, c, d) -> a * d > b * c);
                int a = m[0], b = m[1], c = m[2], d = m[3];
                int k = between(r, 2, 3), det = a * d - b * c;
                return item("A has rows (" + a + ", " + b + ") and (" + c + ", " + d + "). Find det(" + k + "A).",
                        "det(A) = " + a + " * " + d + " - " + b + " * " + c + " = " + (a * d) + " - " + (b * c) + " = " + det + ".\ndet(" + k
                                + "A) = " + k + "^2 * " + det + " = " + (k * k) + " * " + det + " = " + (k * k * det) + ".", k * k * det);
            }
            default -> {
                int[] u = positiveVector(r, 2), v = positiveVector(r, 2), w = positiveVector(r, 2);
                int s0 = v[0] + w[0], s1 = v[1] + w[1], x = u[0] * s0, y = u[1] * s1;
                return item("Let u = " + tuple(u) + ", v = " + tuple(v) + ", w = " + tuple(w) + ". Compute u . (v + w).",
                        "v + w = " + tuple(new int[] {s0, s1}) + ".\n" + u[0] + " * " + s0 + " = " + x + ".\n" + u[1] + " * " + s1 + " = " + y
                                + ".\n" + x + " + " + y + " = " + (x + y) + ".", x + y);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Item item(String problem, String steps, int answer) {
        return new Item(problem, steps + "\nThe answer is \\boxed{" + answer + "}.", Integer.toString(answer));
    }

    private interface FourNumbers {
        boolean accept(int a, int b, int c, int d);
    }

    /** Four numbers in {@code [lo, hi]}, drawn in order and redrawn together until {@code accept} holds. */
    private static int[] drawFour(SplittableRandom r, int lo, int hi, FourNumbers accept) {
        int[] v = new int[4];
        do {
            for (int i = 0; i < 4; i++) v[i] = between(r, lo, hi);
        } while (!accept.accept(v[0], v[1], v[2], v[3]));
        return v;
    }

    static int between(SplittableRandom r, int lo, int hi) {
        return lo + r.nextInt(hi - lo + 1);
    }

    private static String pick(SplittableRandom r, String[] options) {
        return options[r.nextInt(options.length)];
    }

    private static int[] positiveVector(SplittableRandom r, int n) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = between(r, 1, 9);
        return v;
    }

    private static String tuple(int[] v) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < v.length; i++) sb.append(i == 0 ? "" : ", ").append(v[i]);
        return sb.append(')').toString();
    }

    private static String paren(int v) {
        return v < 0 ? "(" + v + ")" : Integer.toString(v);
    }

    private static String signed(int v) {
        return v < 0 ? "- " + (-v) : "+ " + v;
    }

    private static String quadratic(int p, int q) {
        StringBuilder sb = new StringBuilder("x^2");
        if (p != 0) sb.append(p < 0 ? " - " : " + ").append(Math.abs(p) == 1 ? "" : Integer.toString(Math.abs(p))).append('x');
        if (q != 0) sb.append(q < 0 ? " - " : " + ").append(Math.abs(q));
        return sb.toString();
    }

    private static String factor(int root) {
        if (root == 0) return "(x)";
        return root < 0 ? "(x + " + (-root) + ")" : "(x - " + root + ")";
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}

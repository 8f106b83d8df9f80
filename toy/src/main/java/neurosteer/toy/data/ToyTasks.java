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

    /** A problem of the given subject and level with its correct solution. */
    public static Item generate(Subject subject, int level, SplittableRandom rng) {
        return generate(subject, level, Draws.live(rng), Slips.NONE);
    }

    /**
     * A problem drawn from {@code draws}; every intermediate result of its solution goes through
     * {@code slips} (which may get it wrong), and later steps and the answer use what it returned.
     */
    public static Item generate(Subject subject, int level, Draws draws, Slips slips) {
        if (level < 1 || level > 5) throw new IllegalArgumentException("level must be 1..5, got " + level);
        return switch (subject) {
            case ALGEBRA -> algebra(level, draws, slips);
            case COUNTING_AND_PROBABILITY -> counting(level, draws, slips);
            case GEOMETRY -> geometry(level, draws, slips);
            case INTERMEDIATE_ALGEBRA -> intermediateAlgebra(level, draws, slips);
            case NUMBER_THEORY -> numberTheory(level, draws, slips);
            case PREALGEBRA -> prealgebra(level, draws, slips);
            case PRECALCULUS -> precalculus(level, draws, slips);
        };
    }

    /**
     * The random numbers a template draws, taken from a live source and recorded, so that
     * {@link #replay()} draws the same problem again (for instance with slips in its solution).
     */
    public static final class Draws {
        private final SplittableRandom live;
        private int[] tape;
        private int size;
        private int position;

        private Draws(SplittableRandom live, int[] tape, int size) {
            this.live = live;
            this.tape = tape;
            this.size = size;
        }

        /** Draws from {@code rng}, recording what it drew since the last call of {@link #live}. */
        public static Draws live(SplittableRandom rng) {
            return new Draws(rng, new int[16], 0);
        }

        /** The numbers drawn so far, again, in the same order; drawing past them is an error. */
        public Draws replay() {
            if (live == null) throw new IllegalStateException("a replay cannot be replayed");
            return new Draws(null, java.util.Arrays.copyOf(tape, size), size);
        }

        int nextInt(int bound) {
            if (live == null) return fromTape();
            return record(live.nextInt(bound));
        }

        boolean nextBoolean() {
            if (live == null) return fromTape() != 0;
            return record(live.nextBoolean() ? 1 : 0) != 0;
        }

        private int fromTape() {
            if (position >= size) throw new IllegalStateException("the replayed template drew more numbers than were recorded");
            return tape[position++];
        }

        private int record(int value) {
            if (size == tape.length) tape = java.util.Arrays.copyOf(tape, size * 2);
            tape[size++] = value;
            return value;
        }
    }

    /**
     * Where a solution's arithmetic may go wrong: each intermediate result is, with probability
     * {@code rate}, replaced by a neighbour (one more or one less; two for results that must stay
     * even; never outside the range the step allows, never below zero for a result that is not
     * negative). {@link #NONE} never slips and draws nothing.
     */
    public static final class Slips {
        public static final Slips NONE = new Slips(0, null);
        private final double rate;
        private final SplittableRandom rng;

        private Slips(double rate, SplittableRandom rng) {
            this.rate = rate;
            this.rng = rng;
        }

        public static Slips random(double rate, SplittableRandom rng) {
            if (!(rate >= 0 && rate <= 1)) throw new IllegalArgumentException("slip rate must be in [0, 1], got " + rate);
            return new Slips(rate, rng);
        }

        int step(int value) {
            return slip(value, 1, value >= 0 ? 0 : Integer.MIN_VALUE, Integer.MAX_VALUE);
        }

        int stepEven(int value) {
            return slip(value, 2, value >= 0 ? 0 : Integer.MIN_VALUE, Integer.MAX_VALUE);
        }

        int stepWithin(int value, int lo, int hi) {
            return slip(value, 1, lo, hi);
        }

        private int slip(int value, int unit, int lo, int hi) {
            if (rng == null || rng.nextDouble() >= rate) return value;
            boolean downOk = value - unit >= lo, upOk = value + unit <= hi;
            if (!downOk && !upOk) return value;
            boolean up = downOk && upOk ? rng.nextBoolean() : upOk;
            return up ? value + unit : value - unit;
        }
    }

    // ---------------------------------------------------------------- Algebra

    private static Item algebra(int level, Draws r, Slips k) {
        switch (level) {
            case 1 -> {
                int a = between(r, 1, 30), x = between(r, 1, 30), b = x + a;
                int got = k.step(b - a);
                return item("Solve for x: x + " + a + " = " + b + ".",
                        "x = " + b + " - " + a + " = " + got + ".", got);
            }
            case 2 -> {
                int a = between(r, 10, 60), b = between(r, 30, 99), c = between(r, 10, b - 1);
                int d = k.step(b - c), x = k.step(d + a);
                return item("Solve for x: x - " + a + " = " + b + " - " + c + ".",
                        b + " - " + c + " = " + d + ".\nx = " + d + " + " + a + " = " + x + ".", x);
            }
            case 3 -> {
                int a = between(r, 2, 9), x = between(r, 1, 12), b = between(r, 1, 40), c = a * x + b;
                int ax = c - b, got = k.step(ax / a);
                return item("Solve for x: " + a + "x + " + b + " = " + c + ".",
                        a + "x = " + c + " - " + b + " = " + ax + ".\nx = " + ax + " / " + a + " = " + got + ".", got);
            }
            case 4 -> {
                int a = between(r, 3, 9), c = between(r, 1, a - 1), x = between(r, -10, 10), b = between(r, 1, 30);
                int d = (a - c) * x + b, kx = a - c, rhs = d - b, got = k.step(rhs / kx);
                return item("Solve for x: " + a + "x + " + b + " = " + c + "x " + signed(d) + ".",
                        a + "x - " + c + "x = " + d + " - " + b + ", so " + kx + "x = " + rhs + ".\nx = "
                                + rhs + " / " + kx + " = " + got + ".", got);
            }
            default -> {
                int x0 = between(r, 1, 15), y0 = between(r, -9, 15), p = 2 * x0 + y0, q = x0 + y0;
                int x = k.step(p - q), y = k.step(q - x), xy = k.step(x * y);
                return item("If 2x + y = " + p + " and x + y = " + q + ", what is xy?",
                        "x = " + p + " - " + q + " = " + x + ".\ny = " + q + " - " + x + " = " + y + ".\nxy = " + x + " * "
                                + paren(y) + " = " + xy + ".", xy);
            }
        }
    }

    // ---------------------------------------------------------------- Counting & Probability

    private static Item counting(int level, Draws r, Slips k) {
        String name = pick(r, NAMES);
        switch (level) {
            case 1 -> {
                int a = between(r, 11, 40), b = between(r, 3, 9), ab = k.step(a * b);
                return item("A cafe has " + a + " soups and " + b + " salads. In how many ways can " + name
                        + " pick one soup and one salad?", a + " * " + b + " = " + ab + ".", ab);
            }
            case 2 -> {
                int a = between(r, 2, 9), b = between(r, 2, 9), c = between(r, 2, 9);
                int ab = k.step(a * b), abc = k.step(ab * c);
                return item(name + " has " + a + " shirts, " + b + " pants and " + c
                                + " hats. How many outfits of one of each are there?",
                        a + " * " + b + " = " + ab + ".\n" + ab + " * " + c + " = " + abc + ".", abc);
            }
            case 3 -> {
                int a = between(r, 6, 25), b = between(r, 6, 25);
                int p = k.step(a * (a - 1)), q = k.step(b * (b - 1)), sum = k.step(p + q);
                return item("A club has " + a + " boys and " + b + " girls. In how many ways can a president and a vice-president of the same gender be chosen?",
                        a + " * " + (a - 1) + " = " + p + ".\n" + b + " * " + (b - 1) + " = " + q + ".\n" + p + " + " + q + " = " + sum + ".", sum);
            }
            case 4 -> {
                int a = between(r, 11, 30), b = between(r, 2, 9), c = between(r, 2, 9);
                int x = k.step(a * b), y = k.step(b * c), z = k.step(c * a), xy = k.step(x + y), sum = k.step(xy + z);
                return item("A bag has " + a + " red, " + b + " blue and " + c + " green beads. In how many ways can " + name
                                + " pick 2 beads of different colors?",
                        a + " * " + b + " = " + x + ".\n" + b + " * " + c + " = " + y + ".\n" + c + " * " + a + " = " + z + ".\n"
                                + x + " + " + y + " = " + xy + ".\n" + xy + " + " + z + " = " + sum + ".", sum);
            }
            default -> {
                int n = between(r, 8, 30), kk = between(r, 2, n - 3);
                int p = k.stepEven(n * (n - 1)), pHalf = k.step(p / 2), m = k.step(n - kk);
                int q = k.stepEven(m * (m - 1)), qHalf = k.step(q / 2), diff = k.step(pHalf - qHalf);
                return item("Of " + n + " players, " + kk + " are captains. How many pairs of players include at least one captain?",
                        n + " * " + (n - 1) + " / 2 = " + p + " / 2 = " + pHalf + ".\n" + n + " - " + kk + " = " + m + ".\n" + m + " * "
                                + (m - 1) + " / 2 = " + q + " / 2 = " + qHalf + ".\n" + pHalf + " - " + qHalf + " = " + diff + ".",
                        diff);
            }
        }
    }

    // ---------------------------------------------------------------- Geometry

    private static Item geometry(int level, Draws r, Slips k) {
        switch (level) {
            case 1 -> {
                int a = between(r, 1, 40), b = between(r, 1, 40);
                int sum = k.step(a + b), perimeter = k.step(2 * sum);
                return item("A rectangle is " + a + " by " + b + ". What is its perimeter?",
                        "2 * (" + a + " + " + b + ") = 2 * " + sum + " = " + perimeter + ".", perimeter);
            }
            case 2 -> {
                int a = between(r, 6, 12), b = between(r, 6, 12), c = between(r, 2, a - 1), d = between(r, 2, b - 1);
                int ab = k.step(a * b), cd = k.step(c * d), left = k.step(ab - cd);
                return item("A rectangle is " + a + " by " + b + ". A " + c + " by " + d + " corner is cut off. What area is left?",
                        a + " * " + b + " = " + ab + ".\n" + c + " * " + d + " = " + cd + ".\n" + ab + " - " + cd + " = "
                                + left + ".", left);
            }
            case 3 -> {
                int a, b, h;
                do {
                    a = between(r, 5, 40);
                    b = between(r, 5, 40);
                    h = between(r, 2, 12);
                } while ((a + b) * h % 2 != 0);
                // an odd height needs an even sum, so a slip there keeps the parity
                int sum = h % 2 == 0 ? k.step(a + b) : k.stepEven(a + b), doubled = k.stepEven(sum * h), area = k.step(doubled / 2);
                return item("A trapezoid has bases " + a + " and " + b + " and height " + h + ". What is its area?",
                        a + " + " + b + " = " + sum + ".\n" + sum + " * " + h + " = " + doubled + ".\n" + doubled + " / 2 = " + area + ".",
                        area);
            }
            case 4 -> {
                int[] t = TRIPLES[r.nextInt(TRIPLES.length)];
                int m = between(r, 1, Math.max(1, 100 / t[2])), a = t[0] * m, b = t[1] * m, c = t[2] * m;
                if (r.nextBoolean()) {
                    int swap = a;
                    a = b;
                    b = swap;
                }
                if (r.nextBoolean()) {
                    int got = k.step(c);
                    return item("A right triangle has legs " + a + " and " + b + ". How long is its hypotenuse?",
                            "c^2 = " + a + "^2 + " + b + "^2 = " + (a * a) + " + " + (b * b) + " = " + (c * c) + ".\nc = " + got + ".", got);
                }
                int got = k.step(b);
                return item("A right triangle has a leg " + a + " and hypotenuse " + c + ". How long is the other leg?",
                        "b^2 = " + c + "^2 - " + a + "^2 = " + (c * c) + " - " + (a * a) + " = " + (b * b) + ".\nb = " + got + ".", got);
            }
            default -> {
                int a = between(r, 11, 20), b = between(r, 2, 9), c = between(r, 2, 9);
                int x = k.step(a * b), y = k.step(b * c), z = k.step(a * c), xy = k.step(x + y), s = k.step(xy + z), area = k.step(2 * s);
                return item("A box is " + a + " by " + b + " by " + c + ". What is its surface area?",
                        a + " * " + b + " = " + x + ".\n" + b + " * " + c + " = " + y + ".\n" + a + " * " + c + " = " + z + ".\n" + x + " + "
                                + y + " = " + xy + ".\n" + xy + " + " + z + " = " + s + ".\n2 * " + s + " = " + area + ".", area);
            }
        }
    }

    // ---------------------------------------------------------------- Intermediate Algebra

    private static Item intermediateAlgebra(int level, Draws r, Slips k) {
        switch (level) {
            case 1 -> {
                int b = between(r, 5, 15), a = between(r, 1, b * b - 1);
                int square = k.step(b * b), value = k.step(square - a);
                return item("Let f(x) = x^2 - " + a + ". Find f(" + b + ").",
                        "f(" + b + ") = " + b + "^2 - " + a + " = " + square + " - " + a + " = " + value + ".", value);
            }
            case 2 -> {
                int a = between(r, 2, 5), b = between(r, 0, 9), c = between(r, 0, 5);
                int inner = k.step(a * c + b), outer = k.step(a * inner + b);
                return item("Let f(x) = " + a + "x " + signed(b) + ". Find f(f(" + c + ")).",
                        "f(" + c + ") = " + a + " * " + paren(c) + " " + signed(b) + " = " + inner + ".\nf(" + inner + ") = " + a
                                + " * " + paren(inner) + " " + signed(b) + " = " + outer + ".", outer);
            }
            case 3 -> {
                int a = between(r, 2, 20), d = between(r, 2, 9), n = between(r, 3, 4);
                int[] term = new int[n];
                term[0] = a;
                for (int i = 1; i < n; i++) term[i] = i == 1 ? a + d : k.step(a + i * d);
                StringBuilder terms = new StringBuilder(), sums = new StringBuilder();
                for (int i = 0; i < n; i++) terms.append(i == 0 ? "" : ", ").append(term[i]);
                int sum = a;
                for (int i = 1; i < n; i++) {
                    int next = k.step(sum + term[i]);
                    sums.append('\n').append(sum).append(" + ").append(term[i]).append(" = ").append(next).append('.');
                    sum = next;
                }
                return item("An arithmetic sequence begins " + a + ", " + (a + d) + ". Find the sum of its first " + n + " terms.",
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
                int r1 = between(r, -9, 9), r2 = between(r, -9, 9), p = -(r1 + r2), q0 = r1 * r2;
                int s = k.step(r1 + r2), q = k.step(q0), square = k.step(s * s), twice = k.step(2 * q), value = k.step(square - twice);
                return item("The roots of " + quadratic(p, q0) + " = 0 are r and s. Find r^2 + s^2.",
                        "r + s = " + s + " and rs = " + q + ".\nr^2 + s^2 = " + paren(s) + "^2 - 2 * " + paren(q) + " = " + square
                                + " - " + paren(twice) + " = " + value + ".", value);
            }
        }
    }

    // ---------------------------------------------------------------- Number Theory

    private static Item numberTheory(int level, Draws r, Slips k) {
        switch (level) {
            case 1 -> {
                int b = between(r, 2, 12), a = between(r, 10, 200);
                int rem = k.stepWithin(a % b, 0, b - 1);
                return item("What is the remainder when " + a + " is divided by " + b + "?",
                        a + " = " + b + " * " + (a / b) + " + " + rem + ".", rem);
            }
            case 2 -> {
                int g = between(r, 1, 12), m = between(r, 1, 12), n = between(r, 1, 12);
                int a = g * Math.max(m, n), b = g * Math.min(m, n);
                StringBuilder steps = new StringBuilder();
                int x = a, y = b;
                while (y != 0) {
                    steps.append("gcd(").append(x).append(", ").append(y).append(") = ");
                    int t = k.stepWithin(x % y, 0, y - 1);
                    x = y;
                    y = t;
                }
                steps.append("gcd(").append(x).append(", 0) = ").append(x).append('.');
                return item("Find the greatest common divisor of " + a + " and " + b + ".", steps.toString(), x);
            }
            case 3 -> {
                int a = between(r, 2, 30), b = between(r, 2, 30), g = gcd(a, b), lcm = k.step(a * b / g);
                return item("Find the least common multiple of " + a + " and " + b + ".",
                        "gcd(" + a + ", " + b + ") = " + g + ".\nlcm = " + a + " * " + b + " / " + g + " = " + (a * b) + " / " + g + " = "
                                + lcm + ".", lcm);
            }
            case 4 -> {
                int m = between(r, 3, 12), a = between(r, 10, 99), b = between(r, 10, 99);
                int x = k.stepWithin(a % m, 0, m - 1), y = k.stepWithin(b % m, 0, m - 1), xy = k.step(x * y), rem = k.stepWithin(xy % m, 0, m - 1);
                return item("What is the remainder when " + a + " * " + b + " is divided by " + m + "?",
                        a + " mod " + m + " = " + x + " and " + b + " mod " + m + " = " + y + ".\n" + x + " * " + y + " = " + xy
                                + ", and " + xy + " mod " + m + " = " + rem + ".", rem);
            }
            default -> {
                int a = between(r, 2, 19), n = between(r, 5, 60), d = a % 10;
                List<Integer> cycle = new ArrayList<>();
                int u = d;
                while (!cycle.contains(u)) {
                    cycle.add(u);
                    u = u * d % 10;
                }
                int period = cycle.size(), rem = k.stepWithin((n - 1) % period, 0, period - 1), digit = cycle.get(rem);
                StringBuilder cyc = new StringBuilder();
                for (int i = 0; i < period; i++) cyc.append(i == 0 ? "" : ", ").append(cycle.get(i));
                return item("What is the units digit of " + a + "^" + n + "?",
                        "Units digits of powers of " + a + " cycle: " + cyc + ".\n" + n + " - 1 = " + period + " * " + ((n - 1) / period)
                                + " + " + rem + ", so the digit is " + digit + ".", digit);
            }
        }
    }

    // ---------------------------------------------------------------- Prealgebra

    private static Item prealgebra(int level, Draws r, Slips k) {
        String name = pick(r, NAMES), things = pick(r, ITEMS);
        switch (level) {
            case 1 -> {
                int a = between(r, 20, 99), b = between(r, 1, a - 1), left = k.step(a - b);
                return item(name + " has " + a + " " + things + " and gives away " + b + ". How many " + things + " are left?",
                        a + " - " + b + " = " + left + ".", left);
            }
            case 2 -> {
                int a = between(r, 20, 99), b = between(r, 1, a - 1), c = between(r, 1, 60);
                int left = k.step(a - b), now = k.step(left + c);
                return item(name + " had " + a + " " + things + ", gave away " + b + " and then got " + c + ". How many " + things + " now?",
                        a + " - " + b + " = " + left + ".\n" + left + " + " + c + " = " + now + ".", now);
            }
            case 3 -> {
                int a = between(r, 2, 12), b = between(r, 2, 30), ab = k.step(a * b);
                return item("Each box holds " + a + " " + things + ". How many " + things + " are in " + b + " boxes?",
                        a + " * " + b + " = " + ab + ".", ab);
            }
            case 4 -> {
                int a = between(r, 2, 15), b = between(r, 2, 15), c = between(r, 2, 15), d = between(r, 2, 15);
                int ab = k.step(a * b), cd = k.step(c * d), sum = k.step(ab + cd);
                return item("Compute " + a + " * " + b + " + " + c + " * " + d + ".",
                        a + " * " + b + " = " + ab + ".\n" + c + " * " + d + " = " + cd + ".\n" + ab + " + " + cd + " = "
                                + sum + ".", sum);
            }
            default -> {
                int[] n = drawFour(r, 10, 99, (n1, n2, n3, n4) -> (n1 + n2 + n3 + n4) % 4 == 0);
                int n1 = n[0], n2 = n[1], n3 = n[2], n4 = n[3];
                // the sum must stay a multiple of 4, so only the division slips
                int s1 = n1 + n2, s2 = s1 + n3, s = s2 + n4, mean = k.step(s / 4);
                return item("What is the mean of " + n1 + ", " + n2 + ", " + n3 + " and " + n4 + "?",
                        n1 + " + " + n2 + " = " + s1 + ".\n" + s1 + " + " + n3 + " = " + s2 + ".\n" + s2 + " + " + n4 + " = " + s + ".\n" + s
                                + " / 4 = " + mean + ".", mean);
            }
        }
    }

    // ---------------------------------------------------------------- Precalculus

    private static Item precalculus(int level, Draws r, Slips k) {
        switch (level) {
            case 1 -> {
                int a = between(r, 11, 25), b = between(r, 11, 25), c = between(r, 2, 9), d = between(r, 2, 9);
                int ac = k.step(a * c), bd = k.step(b * d), sum = k.step(ac + bd);
                return item("Compute (" + a + ", " + b + ") . (" + c + ", " + d + ").",
                        a + " * " + c + " + " + b + " * " + d + " = " + ac + " + " + bd + " = " + sum + ".", sum);
            }
            case 2 -> {
                int a = between(r, -9, 9), b = between(r, -9, 9), c = between(r, -9, 9), d = between(r, -9, 9);
                int ad = k.step(a * d), bc = k.step(b * c), det = k.step(ad - bc);
                return item("Find the determinant of the matrix with rows (" + a + ", " + b + ") and (" + c + ", " + d + ").",
                        paren(a) + " * " + paren(d) + " - " + paren(b) + " * " + paren(c) + " = " + ad + " - " + paren(bc) + " = "
                                + det + ".", det);
            }
            case 3 -> {
                int[] u = positiveVector(r, 3), v = positiveVector(r, 3);
                int x = k.step(u[0] * v[0]), y = k.step(u[1] * v[1]), z = k.step(u[2] * v[2]), xy = k.step(x + y), sum = k.step(xy + z);
                return item("Compute " + tuple(u) + " . " + tuple(v) + ".",
                        u[0] + " * " + v[0] + " = " + x + ".\n" + u[1] + " * " + v[1] + " = " + y + ".\n" + u[2] + " * " + v[2] + " = " + z
                                + ".\n" + x + " + " + y + " = " + xy + ".\n" + xy + " + " + z + " = " + sum + ".", sum);
            }
            case 4 -> {
                int[] m = drawFour(r, 1, 9, (a, b, c, d) -> a * d > b * c);
                int a = m[0], b = m[1], c = m[2], d = m[3];
                int scale = between(r, 2, 3), ad = k.step(a * d), bc = k.step(b * c), det = k.step(ad - bc), scaled = k.step(scale * scale * det);
                return item("A has rows (" + a + ", " + b + ") and (" + c + ", " + d + "). Find det(" + scale + "A).",
                        "det(A) = " + a + " * " + d + " - " + b + " * " + c + " = " + ad + " - " + bc + " = " + det + ".\ndet(" + scale
                                + "A) = " + scale + "^2 * " + det + " = " + (scale * scale) + " * " + det + " = " + scaled + ".", scaled);
            }
            default -> {
                int[] u = positiveVector(r, 2), v = positiveVector(r, 2), w = positiveVector(r, 2);
                int s0 = k.step(v[0] + w[0]), s1 = k.step(v[1] + w[1]), x = k.step(u[0] * s0), y = k.step(u[1] * s1), sum = k.step(x + y);
                return item("Let u = " + tuple(u) + ", v = " + tuple(v) + ", w = " + tuple(w) + ". Compute u . (v + w).",
                        "v + w = " + tuple(new int[] {s0, s1}) + ".\n" + u[0] + " * " + s0 + " = " + x + ".\n" + u[1] + " * " + s1 + " = " + y
                                + ".\n" + x + " + " + y + " = " + sum + ".", sum);
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
    private static int[] drawFour(Draws r, int lo, int hi, FourNumbers accept) {
        int[] v = new int[4];
        do {
            for (int i = 0; i < 4; i++) v[i] = between(r, lo, hi);
        } while (!accept.accept(v[0], v[1], v[2], v[3]));
        return v;
    }

    static int between(Draws r, int lo, int hi) {
        return lo + r.nextInt(hi - lo + 1);
    }

    private static String pick(Draws r, String[] options) {
        return options[r.nextInt(options.length)];
    }

    private static int[] positiveVector(Draws r, int n) {
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

package neurosteer.grade;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Structural and symbolic comparison of two normalised answers. */
final class Equivalence {

    sealed interface Value {}

    /** An expression; {@code mask} selects the signs of its ± operators. */
    record Scalar(Expr expr, long mask) implements Value {}

    record Text(String canonical) implements Value {}

    /** Tuple, interval, set (open '{') or bare list (open ' '). */
    record Sequence(char open, char close, List<Value> elements) implements Value {
        boolean unordered() { return open == '{' || open == ' '; }
    }

    record Matrix(List<List<Value>> rows) implements Value {}

    record Union(List<Value> parts) implements Value {}

    record Relation(String op, Value lhs, Value rhs) implements Value {}

    record Percent(Value inner) implements Value {}

    private static final int SAMPLE_POINTS = 6;
    private static final Pattern SIMPLE_NAME = Pattern.compile(
            "(?:[A-Za-z]+|\\\\[A-Za-z]+)(?:_\\{?[A-Za-z0-9\\\\]+\\}?)?'*(?:\\([A-Za-z0-9,]*\\))?");
    private static final Pattern NAME_TUPLE = Pattern.compile("\\((?:[A-Za-z](?:_\\{?\\w+\\}?)?,)+[A-Za-z](?:_\\{?\\w+\\}?)?\\)");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern GROUPED_NUMBER = Pattern.compile("-?\\d{1,3}(,\\d{3})+(\\.\\d+)?");
    private static final String[][] RELATIONS = {
        {"\\le", "<="}, {"\\ge", ">="}, {"\\ne", "!="}, {"<=", "<="}, {">=", ">="}, {"!=", "!="}, {"<", "<"}, {">", ">"}};

    private final Deadline deadline;
    private final Evaluator evaluator;
    private final Random random = new Random(20240607L);
    private final double[][] samples;

    Equivalence(Deadline deadline) {
        this.deadline = deadline;
        this.evaluator = new Evaluator(deadline);
        samples = new double[SAMPLE_POINTS][16];
        for (double[] point : samples) for (int v = 0; v < point.length; v++) point[v] = 0.3 + 2.4 * random.nextDouble();
    }

    // ---------------------------------------------------------------- structure

    Value parse(String s) { return parse(s, 0); }

    private Value parse(String s, int depth) {
        deadline.check();
        if (depth > 30) throw new LatexParser.ParseError("nested too deeply");
        s = s.strip();
        s = stripAssignment(s);
        if (s.endsWith("%")) return new Percent(parse(s.substring(0, s.length() - 1), depth + 1));
        if (GROUPED_NUMBER.matcher(s).matches()) s = s.replace(",", "");
        List<String> union = splitTopLevel(s, "\\cup");
        if (union.size() > 1) {
            List<Value> parts = new ArrayList<>();
            for (String part : union) parts.add(parse(part, depth + 1));
            return new Union(parts);
        }
        if (s.startsWith("\\begin{")) {
            Matrix m = matrix(s, depth);
            if (m != null) return m;
        }
        if (s.startsWith("\\{") && s.endsWith("\\}") && closingOf(s, 0) == s.length() - 1) {
            String inner = s.substring(2, s.length() - 2).strip();
            return new Sequence('{', '}', elements(inner, depth));
        }
        if (s.length() >= 2 && "([".indexOf(s.charAt(0)) >= 0 && ")]".indexOf(s.charAt(s.length() - 1)) >= 0
                && closingOf(s, 0) == s.length() - 1) {
            String inner = s.substring(1, s.length() - 1);
            if (splitTopLevel(inner, ",").size() > 1) {
                return new Sequence(s.charAt(0), s.charAt(s.length() - 1), elements(inner, depth));
            }
        }
        List<String> list = splitList(s);
        if (list.size() > 1) {
            List<Value> elements = new ArrayList<>();
            for (String e : list) elements.add(parse(e, depth + 1));
            return new Sequence(' ', ' ', elements);
        }
        return element(s);
    }

    private List<Value> elements(String inner, int depth) {
        List<Value> out = new ArrayList<>();
        if (inner.isBlank()) return out;
        for (String e : splitList(inner)) out.add(parse(e, depth + 1));
        return out;
    }

    private static List<String> splitList(String s) {
        List<String> parts = splitTopLevel(s, ",");
        if (parts.size() == 1) parts = splitTopLevel(s, ";");
        return parts;
    }

    /** "x = 5" -> "5", "f(x) = 2x" -> "2x", "(x, y) = (1, 2)" -> "(1, 2)", "x \in [0, 1]" -> "[0, 1]". */
    private static String stripAssignment(String s) {
        for (String op : new String[] {"=", "\\in"}) {
            int at = indexOfTopLevel(s, op);
            if (at <= 0) continue;
            if (op.equals("=") && "<>!\\".indexOf(s.charAt(at - 1)) >= 0) continue;
            String lhs = WHITESPACE.matcher(s.substring(0, at)).replaceAll("");
            String rhs = s.substring(at + op.length()).strip();
            if (lhs.isEmpty() || rhs.isEmpty()) continue;
            boolean name = SIMPLE_NAME.matcher(lhs).matches() || NAME_TUPLE.matcher(lhs).matches();
            if (!name) continue;
            List<String> rest = splitTopLevel(rhs, ",");
            if (rest.size() > 1 && rest.stream().skip(1).anyMatch(p -> indexOfTopLevel(p, "=") >= 0)) continue;
            return stripAssignment(rhs);
        }
        return s;
    }

    private Matrix matrix(String s, int depth) {
        int nameEnd = s.indexOf('}');
        String env = s.substring(7, nameEnd);
        String end = "\\end{" + env + "}";
        if (!s.endsWith(end)) return null;
        String body = s.substring(nameEnd + 1, s.length() - end.length());
        if (body.startsWith("{")) {
            int close = Normalizer.matchingBrace(body, 0);
            if (close > 0) body = body.substring(close + 1);
        }
        List<List<Value>> rows = new ArrayList<>();
        for (String row : splitTopLevel(body, "\\\\")) {
            if (row.isBlank()) continue;
            List<Value> cells = new ArrayList<>();
            for (String cell : splitTopLevel(row, "&")) cells.add(parse(cell, depth + 1));
            rows.add(cells);
        }
        return rows.isEmpty() ? null : new Matrix(rows);
    }

    private Value element(String s) {
        for (String[] relation : RELATIONS) {
            int at = indexOfTopLevel(s, relation[0]);
            if (at > 0 && at + relation[0].length() < s.length()
                    && !(relation[0].startsWith("\\") && Character.isLetter(charAt(s, at + relation[0].length())))) {
                if ((relation[0].equals("<") || relation[0].equals(">")) && charAt(s, at + 1) == '=') continue;
                return new Relation(relation[1], element(s.substring(0, at)), element(s.substring(at + relation[0].length())));
            }
        }
        int equals = indexOfTopLevel(s, "=");
        if (equals > 0) {
            return new Relation("=", element(s.substring(0, equals)), element(s.substring(equals + 1)));
        }
        if (s.isBlank()) return new Text("");
        try {
            Expr e = LatexParser.parse(s, deadline);
            int plusMinus = Expr.countPlusMinus(e);
            if (plusMinus == 0) return new Scalar(e, 0);
            if (plusMinus > 4) return new Text(Normalizer.canonical(s));
            List<Value> variants = new ArrayList<>();
            for (long mask = 0; mask < (1L << plusMinus); mask++) variants.add(new Scalar(e, mask));
            return new Sequence('{', '}', variants);
        } catch (LatexParser.ParseError | ArithmeticException | NumberFormatException ex) {
            return new Text(Normalizer.canonical(s));
        }
    }

    private static char charAt(String s, int i) { return i < s.length() ? s.charAt(i) : '\0'; }

    /** Index of the closing bracket matching the opening one at {@code open} (any of ( [ { and \{). */
    private static int closingOf(String s, int open) {
        int level = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                if (i + 1 < s.length() && (s.charAt(i + 1) == '{' || s.charAt(i + 1) == '}')) {
                    level += s.charAt(i + 1) == '{' ? 1 : -1;
                    if (level == 0) return i + 1;
                }
                i++;
                continue;
            }
            if (c == '(' || c == '[' || c == '{') level++;
            else if (c == ')' || c == ']' || c == '}') {
                if (--level == 0) return i;
            }
        }
        return -1;
    }

    private static int indexOfTopLevel(String s, String token) {
        int level = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (level == 0 && s.startsWith(token, i)) return i;
            if (c == '\\') {
                if (i + 1 < s.length() && s.charAt(i + 1) == '{') level++;
                else if (i + 1 < s.length() && s.charAt(i + 1) == '}') level--;
                else if (s.startsWith("\\begin", i)) level++;
                else if (s.startsWith("\\end", i)) level--;
                i++;
                continue;
            }
            if (c == '(' || c == '[' || c == '{') level++;
            else if (c == ')' || c == ']' || c == '}') level--;
        }
        return -1;
    }

    static List<String> splitTopLevel(String s, String separator) {
        List<String> parts = new ArrayList<>();
        int level = 0, start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (level == 0 && s.startsWith(separator, i)
                    && !(separator.startsWith("\\") && Character.isLetter(charAt(s, i + separator.length())))) {
                parts.add(s.substring(start, i).strip());
                i += separator.length() - 1;
                start = i + 1;
                continue;
            }
            if (c == '\\') {
                if (i + 1 < s.length() && s.charAt(i + 1) == '{') level++;
                else if (i + 1 < s.length() && s.charAt(i + 1) == '}') level--;
                else if (s.startsWith("\\begin", i)) level++;
                else if (s.startsWith("\\end", i)) level--;
                i++;
                continue;
            }
            if (c == '(' || c == '[' || c == '{') level++;
            else if (c == ')' || c == ']' || c == '}') level--;
        }
        parts.add(s.substring(start).strip());
        return parts;
    }

    // ---------------------------------------------------------------- comparison

    boolean equal(Value a, Value b) {
        deadline.check();
        if (a instanceof Percent pa && b instanceof Percent pb) return equal(pa.inner(), pb.inner());
        if (a instanceof Percent pa) return equal(pa.inner(), b) || equal(scaleDown(pa.inner()), b);
        if (b instanceof Percent pb) return equal(a, pb.inner()) || equal(a, scaleDown(pb.inner()));
        if (a instanceof Text ta) return b instanceof Text tb && ta.canonical().equals(tb.canonical());
        if (b instanceof Text) return false;
        if (a instanceof Scalar sa && b instanceof Scalar sb) return scalarsEqual(sa, sb);
        if (a instanceof Sequence qa && b instanceof Sequence qb) return sequencesEqual(qa, qb);
        if (a instanceof Sequence qa && qa.unordered() && qa.elements().size() == 1) return equal(qa.elements().getFirst(), b);
        if (b instanceof Sequence qb && qb.unordered() && qb.elements().size() == 1) return equal(a, qb.elements().getFirst());
        if (a instanceof Matrix ma && b instanceof Matrix mb) return matricesEqual(ma, mb);
        if (a instanceof Matrix ma && b instanceof Sequence qb) return vectorEqual(ma, qb);
        if (b instanceof Matrix mb && a instanceof Sequence qa) return vectorEqual(mb, qa);
        if (a instanceof Union ua && b instanceof Union ub) return unorderedEqual(ua.parts(), ub.parts());
        if (a instanceof Relation ra && b instanceof Relation rb) return relationsEqual(ra, rb);
        if (a instanceof Relation ra && b instanceof Sequence qb) return interval(ra) instanceof Sequence qa && sequencesEqual(qa, qb);
        if (b instanceof Relation rb && a instanceof Sequence qa) return interval(rb) instanceof Sequence qb && sequencesEqual(qa, qb);
        return false;
    }

    private static final Scalar INFINITY = new Scalar(new Expr.Const(Expr.Constant.INFINITY), 0);
    private static final Scalar MINUS_INFINITY = new Scalar(new Expr.Neg(new Expr.Const(Expr.Constant.INFINITY)), 0);

    /** "x < 3" -> (-\infty, 3), "-2 \le x < 7" -> [-2, 7); null when the relation is not an interval of one variable. */
    private static Value interval(Relation r) {
        if (r.lhs() instanceof Scalar l && r.rhs() instanceof Relation inner && inner.lhs() instanceof Scalar x
                && isVariable(x) && inner.rhs() instanceof Scalar h && !isVariable(l) && !isVariable(h)) {
            boolean ascending = r.op().startsWith("<") && inner.op().startsWith("<");
            boolean descending = r.op().startsWith(">") && inner.op().startsWith(">");
            if (ascending) return new Sequence(r.op().equals("<") ? '(' : '[', inner.op().equals("<") ? ')' : ']', List.of(l, h));
            if (descending) return new Sequence(inner.op().equals(">") ? '(' : '[', r.op().equals(">") ? ')' : ']', List.of(h, l));
            return null;
        }
        if (!(r.lhs() instanceof Scalar l) || !(r.rhs() instanceof Scalar h)) return null;
        String op = r.op();
        Scalar bound;
        if (isVariable(l) && !isVariable(h)) bound = h;
        else if (isVariable(h) && !isVariable(l)) { bound = l; op = mirror(op); }
        else return null;
        return switch (op) {
            case "<" -> new Sequence('(', ')', List.of(MINUS_INFINITY, bound));
            case "<=" -> new Sequence('(', ']', List.of(MINUS_INFINITY, bound));
            case ">" -> new Sequence('(', ')', List.of(bound, INFINITY));
            case ">=" -> new Sequence('[', ')', List.of(bound, INFINITY));
            default -> null;
        };
    }

    private static boolean isVariable(Scalar s) { return s.expr() instanceof Expr.Var;
    }

    private static Value scaleDown(Value v) {
        if (v instanceof Scalar s) {
            return new Scalar(new Expr.Div(s.expr(), new Expr.Num(Rational.of(100), false)), s.mask());
        }
        return v;
    }

    private boolean sequencesEqual(Sequence a, Sequence b) {
        if (a.elements().size() != b.elements().size()) return false;
        if (a.unordered() && b.unordered()) return unorderedEqual(a.elements(), b.elements());
        if (a.open() == '{' || b.open() == '{') return false;
        boolean bare = a.open() == ' ' || b.open() == ' ';
        if (!bare && (a.open() != b.open() || a.close() != b.close())) return false;
        for (int i = 0; i < a.elements().size(); i++) {
            if (!equal(a.elements().get(i), b.elements().get(i))) return false;
        }
        return true;
    }

    private boolean unorderedEqual(List<Value> a, List<Value> b) {
        if (a.size() != b.size()) return false;
        boolean[] used = new boolean[b.size()];
        outer:
        for (Value x : a) {
            for (int j = 0; j < b.size(); j++) {
                if (!used[j] && equal(x, b.get(j))) {
                    used[j] = true;
                    continue outer;
                }
            }
            return false;
        }
        return true;
    }

    private boolean matricesEqual(Matrix a, Matrix b) {
        if (a.rows().size() != b.rows().size()) return false;
        for (int r = 0; r < a.rows().size(); r++) {
            List<Value> x = a.rows().get(r), y = b.rows().get(r);
            if (x.size() != y.size()) return false;
            for (int c = 0; c < x.size(); c++) if (!equal(x.get(c), y.get(c))) return false;
        }
        return true;
    }

    /** A column or row vector written as a matrix equals the same entries written as a tuple. */
    private boolean vectorEqual(Matrix m, Sequence s) {
        if (s.open() != '(' && s.open() != ' ') return false;
        List<Value> entries = new ArrayList<>();
        if (m.rows().size() == 1) entries.addAll(m.rows().getFirst());
        else for (List<Value> row : m.rows()) {
            if (row.size() != 1) return false;
            entries.add(row.getFirst());
        }
        if (entries.size() != s.elements().size()) return false;
        for (int i = 0; i < entries.size(); i++) if (!equal(entries.get(i), s.elements().get(i))) return false;
        return true;
    }

    private boolean relationsEqual(Relation a, Relation b) {
        if (a.op().equals(b.op()) && equal(a.lhs(), b.lhs()) && equal(a.rhs(), b.rhs())) return true;
        if (mirror(a.op()).equals(b.op()) && equal(a.lhs(), b.rhs()) && equal(a.rhs(), b.lhs())) return true;
        if (a.op().equals("=") && b.op().equals("=") && a.lhs() instanceof Scalar al && a.rhs() instanceof Scalar ar
                && b.lhs() instanceof Scalar bl && b.rhs() instanceof Scalar br) {
            return proportional(difference(al, ar), difference(bl, br));
        }
        return false;
    }

    private static String mirror(String op) {
        return switch (op) {
            case "<" -> ">";
            case ">" -> "<";
            case "<=" -> ">=";
            case ">=" -> "<=";
            default -> op;
        };
    }

    private static Expr difference(Scalar l, Scalar r) { return new Expr.Add(List.of(l.expr(), new Expr.Neg(r.expr()))); }

    /** Two equations are the same when lhs-rhs of one is a non-zero constant multiple of the other's. */
    private boolean proportional(Expr a, Expr b) {
        Set<String> names = variables(a, b);
        if (names.isEmpty()) return false;
        Complex ratio = null;
        int valid = 0;
        for (double[] point : samples) {
            Map<String, Complex> env = environment(names, point);
            Complex x = evaluator.numeric(a, env, 0), y = evaluator.numeric(b, env, 0);
            if (x.isNaN() || y.isNaN() || x.isInfinite() || y.isInfinite()) continue;
            if (y.abs() < 1e-12 || x.abs() < 1e-12) {
                if (y.abs() < 1e-12 && x.abs() < 1e-12) { valid++; continue; }
                return false;
            }
            Complex r = x.divide(y);
            if (ratio == null) ratio = r;
            else if (!ratio.closeTo(r)) return false;
            valid++;
        }
        return valid >= 3 && ratio != null;
    }

    private boolean scalarsEqual(Scalar a, Scalar b) {
        Rational ra = evaluator.exact(a.expr(), a.mask());
        Rational rb = ra == null ? null : evaluator.exact(b.expr(), b.mask());
        boolean approximate = Expr.hasDecimal(a.expr()) || Expr.hasDecimal(b.expr());
        if (ra != null && rb != null && !approximate) return ra.equals(rb);
        Set<String> names = variables(a.expr(), b.expr());
        if (names.isEmpty()) {
            Complex x = evaluator.numeric(a.expr(), Map.of(), a.mask());
            Complex y = evaluator.numeric(b.expr(), Map.of(), b.mask());
            return x.closeTo(y);
        }
        int valid = 0;
        for (double[] point : samples) {
            Map<String, Complex> env = environment(names, point);
            Complex x = evaluator.numeric(a.expr(), env, a.mask());
            Complex y = evaluator.numeric(b.expr(), env, b.mask());
            if (x.isNaN() && y.isNaN()) continue;
            if (!x.closeTo(y)) return false;
            valid++;
        }
        return valid >= 3;
    }

    private static Set<String> variables(Expr a, Expr b) {
        Set<String> names = new TreeSet<>();
        Expr.collectVariables(a, names);
        Expr.collectVariables(b, names);
        return names;
    }

    private static Map<String, Complex> environment(Set<String> names, double[] point) {
        Map<String, Complex> env = new HashMap<>();
        int i = 0;
        for (String name : names) env.put(name, Complex.real(point[i++ % point.length] + (i / point.length) * 0.37));
        return env;
    }
}

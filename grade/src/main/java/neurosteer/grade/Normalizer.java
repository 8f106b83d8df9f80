package neurosteer.grade;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** String-level clean-up of an extracted answer: delimiters, spacing commands, units, degrees, text wrappers. */
final class Normalizer {

    private Normalizer() {}

    static final Set<String> UNIT_WORDS = Set.of("cm", "centimeter", "centimeters", "m", "meter", "meters", "metre",
            "metres", "mm", "km", "kilometer", "kilometers", "in", "inch", "inches", "ft", "foot", "feet", "yd",
            "yard", "yards", "mi", "mile", "miles", "mph", "kph", "g", "gm", "gram", "grams", "kg", "kilogram",
            "kilograms", "lb", "lbs", "pound", "pounds", "oz", "ounce", "ounces", "l", "liter", "liters", "litre",
            "ml", "gallon", "gallons", "s", "sec", "second", "seconds", "min", "minute", "minutes", "hr", "hrs",
            "hour", "hours", "day", "days", "week", "weeks", "month", "months", "year", "years", "dollar",
            "dollars", "cent", "cents", "degree", "degrees", "unit", "units", "square", "sq", "cubic", "cu",
            "ways", "way", "integers", "points", "point", "digits", "digit", "people", "students", "meals",
            "edges", "tickets", "multiples", "times", "steps", "games", "boxes", "marbles", "apples", "coins",
            "cookies", "books", "pages", "numbers", "values", "solutions", "terms", "handshakes", "outfits",
            "rad", "radians", "per", "cups", "sides", "triangles", "squares", "dots", "minutes.", "each");

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern SINGLE_LETTER_CHOICE = Pattern.compile("\\(([a-z])\\)|\\(([a-z])|([a-z])\\)");
    private static final Pattern UNIT_TEXT = Pattern.compile("[A-Za-z .]*");
    private static final Pattern TRAILING_TEXT = Pattern.compile(
            "\\\\text\\{([^{}]*)\\}\\s*(\\^\\s*\\{?\\s*[23]\\s*\\}?)?\\s*$");
    private static final Pattern TRAILING_WORDS = Pattern.compile(
            "(\\s+[A-Za-z]+\\.?(\\s*\\^\\s*\\{?[23]\\}?)?)+\\s*$");
    private static final Pattern GLUED_UNIT = Pattern.compile("(?<=\\d)(cm|mm|km|ft|kg|mph|in|m|g|s)(\\^\\{?[23]\\}?)?$");
    private static final Pattern AND_OR = Pattern.compile("\\\\text\\{\\s*(and|or)\\s*\\}|\\s(and|or)\\s");
    private static final Pattern LEFT_RIGHT = Pattern.compile("\\\\(left|right)(?![A-Za-z])\\.?");
    private static final Pattern TEXT_COMMANDS = Pattern.compile(
            "\\\\(mbox|textbf|textit|textrm|textnormal|textsf|texttt|mathrm|mathbf|mathit|mathsf|mathtt|emph|hbox)(?![A-Za-z])");
    private static final Pattern SPACE_COMMANDS = Pattern.compile("\\\\(quad|qquad|displaystyle|textstyle|;|:| )|~");
    private static final Pattern DEGREES = Pattern.compile(
            "\\^\\s*\\{\\s*\\\\circ\\s*\\}|\\^\\s*\\\\circ|\\\\circ|\\\\degree|°|\\^\\s*\\{\\s*\\\\text\\{\\s*o\\s*\\}\\s*\\}|(?<=[\\d}])\\^\\s*\\{?o\\}?(?![A-Za-z])");
    private static final Pattern SPACED_THOUSANDS = Pattern.compile("^-?\\d{1,3}( \\d{3})+(\\.\\d+)?$");
    private static final Pattern ALL_REALS = Pattern.compile(
            "(?i)\\\\mathbb\\s*\\{?R\\}?|\\\\R|all real numbers|all reals|\\(-\\\\infty,\\s*\\+?\\\\infty\\)|x\\s*\\\\in\\s*\\\\mathbb\\s*\\{?R\\}?");
    private static final Pattern MIXED_SLASH = Pattern.compile("^(-?\\d+)\\s+(\\d+)\\s*/\\s*(\\d+)$");

    static String normalize(String raw) {
        String s = raw.strip();
        s = s.replace("\u2212", "-").replace("\u2013", "-").replace("\u00d7", "\\times ").replace("\u00b7", "\\cdot ")
                .replace("\u2264", "\\le ").replace("\u2265", "\\ge ").replace("\u2260", "\\ne ")
                .replace("\u222a", "\\cup ").replace("\u03c0", "\\pi ").replace("\u221e", "\\infty ")
                .replace("\u00a0", " ");
        s = s.replace("\\$", "").replace("$", "").replace("\\(", "").replace("\\)", "");
        if (s.startsWith("\\[") && s.endsWith("\\]")) s = s.substring(2, s.length() - 2);
        s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac").replace("\\cfrac", "\\frac")
                .replace("\\dbinom", "\\binom").replace("\\tbinom", "\\binom");
        s = s.replace("\\!", "").replace("\\,", "").replace("{,}", "").replace("\\%", "%")
                .replace("\\langle", "(").replace("\\rangle", ")").replace("\\lbrace", "\\{").replace("\\rbrace", "\\}")
                .replace("\\lt", "<").replace("\\gt", ">").replace("\\leq", "\\le").replace("\\geq", "\\ge")
                .replace("\\neq", "\\ne").replace("\\emptyset", "\\{\\}").replace("\\varnothing", "\\{\\}");
        s = LEFT_RIGHT.matcher(s).replaceAll("");
        s = s.replace("**", "^");
        s = repeatingDecimals(s);
        s = s.replace("\\\\", "\u0001");
        s = SPACE_COMMANDS.matcher(s).replaceAll(" ");
        s = s.replace("\u0001", "\\\\");
        s = TEXT_COMMANDS.matcher(s).replaceAll("\\\\text");
        s = DEGREES.matcher(s).replaceAll("");
        s = s.replace("\\text{percent}", "%").replace("\\text{ percent}", "%");
        s = stripTrailing(s.strip());
        s = AND_OR.matcher(s).replaceAll(",");
        s = stripUnits(s);
        s = unwrapText(s);
        s = stripUnitWords(s);
        s = stripTrailing(WHITESPACE.matcher(s).replaceAll(" ").strip());
        if (s.endsWith(" percent")) s = s.substring(0, s.length() - 8).strip() + "%";
        if (SPACED_THOUSANDS.matcher(s).matches()) s = s.replace(" ", "");
        if (ALL_REALS.matcher(s).matches()) s = "(-\\infty,\\infty)";
        Matcher mixed = MIXED_SLASH.matcher(s);
        if (mixed.matches()) s = mixed.group(1) + "\\frac{" + mixed.group(2) + "}{" + mixed.group(3) + "}";
        return s;
    }

    private static final Pattern REPEATING = Pattern.compile("(\\d*)\\.(\\d*)\\\\overline\\{(\\d+)\\}");

    /** "0.1\overline{6}" -> "\frac{1}{6}". */
    private static String repeatingDecimals(String s) {
        if (!s.contains("\\overline")) return s;
        Matcher m = REPEATING.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String whole = m.group(1).isEmpty() ? "0" : m.group(1), fixed = m.group(2), repeat = m.group(3);
            if (fixed.length() + repeat.length() > 200) continue;
            java.math.BigInteger ten = java.math.BigInteger.TEN;
            java.math.BigInteger den = ten.pow(fixed.length()).multiply(ten.pow(repeat.length()).subtract(java.math.BigInteger.ONE));
            java.math.BigInteger fixedValue = fixed.isEmpty() ? java.math.BigInteger.ZERO : new java.math.BigInteger(fixed);
            java.math.BigInteger num = new java.math.BigInteger(whole).multiply(den)
                    .add(fixedValue.multiply(ten.pow(repeat.length()).subtract(java.math.BigInteger.ONE)))
                    .add(new java.math.BigInteger(repeat));
            Rational value = Rational.of(num, den);
            m.appendReplacement(out, Matcher.quoteReplacement("\\frac{" + value.num() + "}{" + value.den() + "}"));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String stripTrailing(String s) {
        while (true) {
            String before = s;
            if (s.endsWith("\\\\")) s = s.substring(0, s.length() - 2).strip();
            if (s.endsWith(".") && !s.endsWith("..")) s = s.substring(0, s.length() - 1).strip();
            if (s.endsWith("\\text{.}")) s = s.substring(0, s.length() - 8).strip();
            if (s.equals(before)) return s;
        }
    }

    /** "5\text{ cm}^2" -> "5": a trailing text block of letters after a value is a unit. */
    private static String stripUnits(String s) {
        for (int guard = 0; guard < 4; guard++) {
            Matcher m = TRAILING_TEXT.matcher(s);
            if (!m.find()) return s;
            String content = m.group(1).strip();
            String prefix = s.substring(0, m.start()).strip();
            if (prefix.isEmpty() || !UNIT_TEXT.matcher(content).matches() || endsWithOperator(prefix)) return s;
            s = prefix;
        }
        return s;
    }

    private static boolean endsWithOperator(String s) {
        char c = s.charAt(s.length() - 1);
        return "+-*/=^_,(".indexOf(c) >= 0 || s.endsWith("\\cdot") || s.endsWith("\\times");
    }

    /** "\text{(C)}" -> "(C)", nested braces respected. */
    static String unwrapText(String s) {
        int at;
        int guard = 0;
        while ((at = s.indexOf("\\text")) >= 0 && guard++ < 100) {
            int open = at + 5;
            while (open < s.length() && s.charAt(open) == ' ') open++;
            if (open >= s.length() || s.charAt(open) != '{') {
                s = s.substring(0, at) + s.substring(at + 5);
                continue;
            }
            int close = matchingBrace(s, open);
            if (close < 0) return s;
            s = s.substring(0, at) + s.substring(open + 1, close) + s.substring(close + 1);
        }
        return s;
    }

    static int matchingBrace(String s, int open) {
        int level = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') { i++; continue; }
            if (c == '{') level++;
            else if (c == '}' && --level == 0) return i;
        }
        return -1;
    }

    /** "12 inches" -> "12", "5 apples" -> "5" (a value with no letters of its own followed by words). */
    private static String stripUnitWords(String s) {
        Matcher m = TRAILING_WORDS.matcher(s);
        if (m.find() && m.start() > 0) {
            String prefix = s.substring(0, m.start()).strip();
            List<String> words = List.of(m.group().replaceAll("[.^{}0-9]", " ").strip().toLowerCase(Locale.ROOT).split("\\s+"));
            boolean allUnits = UNIT_WORDS.containsAll(words);
            boolean longWords = words.stream().allMatch(w -> w.length() >= 3);
            if (!prefix.isEmpty() && !endsWithOperator(prefix) && (allUnits || longWords && !hasBareLetters(prefix))
                    && prefix.chars().anyMatch(Character::isDigit)) {
                s = prefix;
            }
        }
        Matcher glued = GLUED_UNIT.matcher(s);
        if (glued.find() && !hasBareLetters(s.substring(0, glued.start())) && glued.start() > 0
                && !s.substring(0, glued.start()).contains("\\")) {
            s = s.substring(0, glued.start());
        }
        return s;
    }

    static boolean hasBareLetters(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
                while (i < s.length() && Character.isLetter(s.charAt(i))) i++;
                i--;
            } else if (Character.isLetter(c)) {
                return true;
            }
        }
        return false;
    }

    /** The loosest string form, used for text answers and as a fast path: no spaces, lower case, no wrappers. */
    static String canonical(String normalized) {
        String s = WHITESPACE.matcher(normalized).replaceAll("").toLowerCase(Locale.ROOT);
        if (s.endsWith(".")) s = s.substring(0, s.length() - 1);
        if (s.length() <= 3 && SINGLE_LETTER_CHOICE.matcher(s).matches()) s = s.replace("(", "").replace(")", "");
        return s;
    }
}

package neurosteer.engine.template;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Template values and their Python semantics. A value is one of: {@code null} (None), {@link Boolean},
 * {@link Long}, {@link Double}, {@link String}, {@link List} ({@link Tuple} for tuples), {@link Map},
 * {@link Namespace}, {@link Undefined}, {@link Callable} or {@link Loop}.
 */
final class Values {
    private Values() { }

    /** Jinja2's default Undefined: renders empty, is falsy and iterates as empty; most other uses fail. */
    static final class Undefined {
        final String message;

        Undefined(String message) { this.message = message; }

        static Undefined name(String name) { return new Undefined("'" + name + "' is undefined"); }

        TemplateException error() { return new TemplateException(message); }

        @Override public String toString() { return ""; }
    }

    /** The mutable object made by {@code namespace(...)}: the only thing {@code set x.attr = ...} may change. */
    static final class Namespace {
        final Map<String, Object> attributes = new LinkedHashMap<>();
    }

    /** A function callable from templates (globals, macros, bound methods). */
    @FunctionalInterface
    interface Callable {
        Object call(List<Object> args, Map<String, Object> kwargs);
    }

    /** An immutable list that renders like a Python tuple. */
    static final class Tuple extends AbstractList<Object> {
        private final List<Object> items;

        Tuple(List<Object> items) { this.items = List.copyOf(nullSafe(items)); }

        private static List<Object> nullSafe(List<Object> items) {
            List<Object> copy = new ArrayList<>(items.size());
            for (Object o : items) copy.add(o == null ? NONE : o);
            return copy;
        }

        @Override public Object get(int index) { Object o = items.get(index); return o == NONE ? null : o; }
        @Override public int size() { return items.size(); }
        private static final Object NONE = new Object();
    }

    /** The {@code loop} variable inside a for loop. */
    static final class Loop {
        final int index0;
        final int length;
        final Object previous;
        final Object next;
        final int depth0;
        final Callable recurse;

        Loop(int index0, int length, Object previous, Object next, int depth0, Callable recurse) {
            this.index0 = index0;
            this.length = length;
            this.previous = previous;
            this.next = next;
            this.depth0 = depth0;
            this.recurse = recurse;
        }

        Object attribute(String name) {
            return switch (name) {
                case "index" -> (long) index0 + 1;
                case "index0" -> (long) index0;
                case "revindex" -> (long) (length - index0);
                case "revindex0" -> (long) (length - index0 - 1);
                case "first" -> index0 == 0;
                case "last" -> index0 == length - 1;
                case "length" -> (long) length;
                case "previtem" -> previous;
                case "nextitem" -> next;
                case "depth" -> (long) depth0 + 1;
                case "depth0" -> (long) depth0;
                case "cycle" -> (Callable) (args, kwargs) -> {
                    if (args.isEmpty()) throw new TemplateException("loop.cycle() needs at least one argument");
                    return args.get(index0 % args.size());
                };
                default -> new Undefined("'LoopContext' object has no attribute '" + name + "'");
            };
        }
    }

    // ---------------------------------------------------------------- conversion from Java

    static Object fromJava(Object o) {
        if (o == null || o instanceof String || o instanceof Boolean || o instanceof Long || o instanceof Double
                || o instanceof Undefined || o instanceof Namespace || o instanceof Callable || o instanceof Tuple) return o;
        if (o instanceof Integer || o instanceof Short || o instanceof Byte) return ((Number) o).longValue();
        if (o instanceof Float f) return Double.parseDouble(f.toString());
        if (o instanceof BigInteger b) return b.longValueExact();
        if (o instanceof BigDecimal b) return b.doubleValue();
        if (o instanceof Number n) return n.doubleValue();
        if (o instanceof CharSequence || o instanceof Character) return o.toString();
        if (o instanceof JsonNode node) return fromJson(node);
        if (o instanceof Map<?, ?> m) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) copy.put(fromJava(e.getKey()), fromJava(e.getValue()));
            return copy;
        }
        if (o instanceof Iterable<?> it) {
            List<Object> copy = new ArrayList<>();
            for (Object x : it) copy.add(fromJava(x));
            return copy;
        }
        if (o instanceof Object[] array) return fromJava(List.of(array));
        if (o instanceof Enum<?> e) return e.name();
        throw new TemplateException("cannot pass a " + o.getClass().getName() + " to a chat template");
    }

    static Object fromJson(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) return null;
        if (node.isTextual()) return node.textValue();
        if (node.isBoolean()) return node.booleanValue();
        if (node.isIntegralNumber()) return node.bigIntegerValue().longValueExact();
        if (node.isNumber()) return node.doubleValue();
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(x -> list.add(fromJson(x)));
            return list;
        }
        Map<Object, Object> map = new LinkedHashMap<>();
        node.properties().forEach(e -> map.put(e.getKey(), fromJson(e.getValue())));
        return map;
    }

    // ---------------------------------------------------------------- type names, truth, str

    static String typeName(Object v) {
        if (v == null) return "NoneType";
        if (v instanceof Boolean) return "bool";
        if (v instanceof Long) return "int";
        if (v instanceof Double) return "float";
        if (v instanceof String) return "str";
        if (v instanceof Tuple) return "tuple";
        if (v instanceof List) return "list";
        if (v instanceof Map) return "dict";
        if (v instanceof Namespace) return "Namespace";
        if (v instanceof Undefined) return "Undefined";
        if (v instanceof Loop) return "LoopContext";
        if (v instanceof Callable) return "function";
        return v.getClass().getSimpleName();
    }

    static boolean truthy(Object v) {
        if (v == null || v instanceof Undefined) return false;
        if (v instanceof Boolean b) return b;
        if (v instanceof Long l) return l != 0;
        if (v instanceof Double d) return d != 0.0;
        if (v instanceof String s) return !s.isEmpty();
        if (v instanceof Collection<?> c) return !c.isEmpty();
        if (v instanceof Map<?, ?> m) return !m.isEmpty();
        return true;
    }

    /** Python's {@code str(value)}, which is what {@code {{ value }}} prints. */
    static String str(Object v) {
        if (v instanceof String s) return s;
        if (v instanceof Undefined) return "";
        if (v == null) return "None";
        if (v instanceof Boolean b) return b ? "True" : "False";
        if (v instanceof Long l) return l.toString();
        if (v instanceof Double d) return floatRepr(d);
        return repr(v);
    }

    static String repr(Object v) {
        if (v instanceof String s) return stringRepr(s);
        if (v instanceof Tuple t) {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < t.size(); i++) sb.append(i > 0 ? ", " : "").append(repr(t.get(i)));
            return sb.append(t.size() == 1 ? ",)" : ")").toString();
        }
        if (v instanceof List<?> list) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < list.size(); i++) sb.append(i > 0 ? ", " : "").append(repr(list.get(i)));
            return sb.append(']').toString();
        }
        if (v instanceof Map<?, ?> map) {
            StringBuilder sb = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                sb.append(first ? "" : ", ").append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                first = false;
            }
            return sb.append('}').toString();
        }
        if (v instanceof Namespace ns) return "<Namespace " + repr(ns.attributes) + ">";
        if (v instanceof Undefined) return "Undefined";
        if (v instanceof Loop) return "<LoopContext>";
        if (v instanceof Callable) return "<function>";
        return str(v);
    }

    static String stringRepr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder sb = new StringBuilder().append(quote);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == quote || c == '\\') sb.append('\\').append(c);
            else if (c == '\n') sb.append("\\n");
            else if (c == '\r') sb.append("\\r");
            else if (c == '\t') sb.append("\\t");
            else if (c < 0x20 || c == 0x7f) sb.append(String.format("\\x%02x", (int) c));
            else sb.append(c);
        }
        return sb.append(quote).toString();
    }

    /** Python's {@code repr(float)}: shortest round-trip digits, exponent form outside [1e-4, 1e16). */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return (1 / d < 0) ? "-0.0" : "0.0";
        BigDecimal exact = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = exact.unscaledValue().toString();
        int pointPosition = digits.length() - exact.scale();
        int exponent = pointPosition - 1;
        StringBuilder sb = new StringBuilder(d < 0 ? "-" : "");
        if (exponent >= -4 && exponent < 16) {
            if (pointPosition <= 0) sb.append("0.").append("0".repeat(-pointPosition)).append(digits);
            else if (pointPosition >= digits.length()) sb.append(digits).append("0".repeat(pointPosition - digits.length())).append(".0");
            else sb.append(digits, 0, pointPosition).append('.').append(digits.substring(pointPosition));
        } else {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) sb.append('.').append(digits.substring(1));
            sb.append('e').append(exponent < 0 ? '-' : '+');
            int abs = Math.abs(exponent);
            sb.append(abs < 10 ? "0" : "").append(abs);
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- equality and ordering

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static double toDouble(Object v) {
        if (v instanceof Boolean b) return b ? 1 : 0;
        return ((Number) v).doubleValue();
    }

    static long toLong(Object v) {
        if (v instanceof Boolean b) return b ? 1 : 0;
        return ((Number) v).longValue();
    }

    static boolean isIntegral(Object v) {
        return v instanceof Long || v instanceof Boolean;
    }

    static boolean equal(Object a, Object b) {
        if (a == null || b == null) return a == b;
        if (a instanceof Undefined || b instanceof Undefined) return a instanceof Undefined && b instanceof Undefined;
        if (isNumber(a) && isNumber(b)) {
            if (isIntegral(a) && isIntegral(b)) return toLong(a) == toLong(b);
            return toDouble(a) == toDouble(b);
        }
        if (a instanceof String || b instanceof String) return a.equals(b);
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if ((a instanceof Tuple) != (b instanceof Tuple) || x.size() != y.size()) return false;
            for (int i = 0; i < x.size(); i++) if (!equal(x.get(i), y.get(i))) return false;
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) return false;
            for (Map.Entry<?, ?> e : x.entrySet()) {
                Object key = findKey(y, e.getKey());
                if (key == MISSING || !equal(e.getValue(), y.get(key))) return false;
            }
            return true;
        }
        return Objects.equals(a, b);
    }

    static final Object MISSING = new Object();

    /** The key of {@code map} equal to {@code key} in Python's sense (1 == 1.0 == True), or {@link #MISSING}. */
    static Object findKey(Map<?, ?> map, Object key) {
        if (map.containsKey(key)) return key;
        if (key instanceof String) return MISSING;
        for (Object k : map.keySet()) if (equal(k, key)) return k;
        return MISSING;
    }

    static int compare(Object a, Object b) {
        if (isNumber(a) && isNumber(b)) {
            if (isIntegral(a) && isIntegral(b)) return Long.compare(toLong(a), toLong(b));
            return Double.compare(toDouble(a), toDouble(b));
        }
        if (a instanceof String x && b instanceof String y) return compareCodePoints(x, y);
        if (a instanceof List<?> x && b instanceof List<?> y) {
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                if (!equal(x.get(i), y.get(i))) return compare(x.get(i), y.get(i));
            }
            return Integer.compare(x.size(), y.size());
        }
        if (a instanceof Undefined u) throw u.error();
        if (b instanceof Undefined u) throw u.error();
        throw new TemplateException("'<' not supported between instances of '" + typeName(a) + "' and '" + typeName(b) + "'");
    }

    static int compareCodePoints(String x, String y) {
        int i = 0;
        int j = 0;
        while (i < x.length() && j < y.length()) {
            int cx = x.codePointAt(i);
            int cy = y.codePointAt(j);
            if (cx != cy) return Integer.compare(cx, cy);
            i += Character.charCount(cx);
            j += Character.charCount(cy);
        }
        return Boolean.compare(i < x.length(), j < y.length());
    }

    static boolean contains(Object container, Object item) {
        if (container instanceof Undefined) return false;
        if (container instanceof String s) {
            if (!(item instanceof String sub)) {
                throw new TemplateException("'in <string>' requires string as left operand, not " + typeName(item));
            }
            return s.contains(sub);
        }
        if (container instanceof List<?> list) {
            for (Object o : list) if (equal(o, item)) return true;
            return false;
        }
        if (container instanceof Map<?, ?> map) return findKey(map, item) != MISSING;
        throw new TemplateException("argument of type '" + typeName(container) + "' is not iterable");
    }

    /** What a for loop or list() sees when iterating {@code v}. */
    static List<Object> iterate(Object v) {
        if (v instanceof Undefined) return List.of();
        if (v instanceof List<?> list) return new ArrayList<>(list);
        if (v instanceof Map<?, ?> map) return new ArrayList<>(map.keySet());
        if (v instanceof String s) {
            List<Object> chars = new ArrayList<>();
            s.codePoints().forEach(cp -> chars.add(Character.toString(cp)));
            return chars;
        }
        throw new TemplateException("'" + typeName(v) + "' object is not iterable");
    }

    static int length(Object v) {
        if (v instanceof String s) return s.codePointCount(0, s.length());
        if (v instanceof Collection<?> c) return c.size();
        if (v instanceof Map<?, ?> m) return m.size();
        if (v instanceof Undefined) return 0;
        throw new TemplateException("object of type '" + typeName(v) + "' has no len()");
    }

    // ---------------------------------------------------------------- JSON as Python's json.dumps writes it

    static String toJson(Object v, Integer indent, boolean ensureAscii, String itemSeparator, String keySeparator,
                         boolean sortKeys) {
        StringBuilder sb = new StringBuilder();
        String items = itemSeparator != null ? itemSeparator : indent != null ? "," : ", ";
        String keys = keySeparator != null ? keySeparator : ": ";
        writeJson(sb, v, indent, ensureAscii, items, keys, sortKeys, 0);
        return sb.toString();
    }

    private static void writeJson(StringBuilder sb, Object v, Integer indent, boolean ascii, String items, String keys,
                                  boolean sortKeys, int depth) {
        if (v == null) sb.append("null");
        else if (v instanceof Boolean b) sb.append(b ? "true" : "false");
        else if (v instanceof Long l) sb.append(l);
        else if (v instanceof Double d) {
            if (Double.isNaN(d)) sb.append("NaN");
            else if (Double.isInfinite(d)) sb.append(d > 0 ? "Infinity" : "-Infinity");
            else sb.append(floatRepr(d));
        } else if (v instanceof String s) writeJsonString(sb, s, ascii);
        else if (v instanceof List<?> list) {
            if (list.isEmpty()) { sb.append("[]"); return; }
            sb.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) sb.append(items);
                newline(sb, indent, depth + 1);
                writeJson(sb, list.get(i), indent, ascii, items, keys, sortKeys, depth + 1);
            }
            newline(sb, indent, depth);
            sb.append(']');
        } else if (v instanceof Map<?, ?> map) {
            if (map.isEmpty()) { sb.append("{}"); return; }
            List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
            if (sortKeys) entries.sort((x, y) -> compare(jsonKey(x.getKey()), jsonKey(y.getKey())));
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : entries) {
                if (!first) sb.append(items);
                first = false;
                newline(sb, indent, depth + 1);
                writeJsonString(sb, jsonKey(e.getKey()), ascii);
                sb.append(keys);
                writeJson(sb, e.getValue(), indent, ascii, items, keys, sortKeys, depth + 1);
            }
            newline(sb, indent, depth);
            sb.append('}');
        } else {
            throw new TemplateException("Object of type " + typeName(v) + " is not JSON serializable");
        }
    }

    private static String jsonKey(Object key) {
        if (key instanceof String s) return s;
        if (key == null) return "null";
        if (key instanceof Boolean b) return b ? "true" : "false";
        if (key instanceof Long || key instanceof Double) return str(key);
        throw new TemplateException("keys must be str, int, float, bool or None, not " + typeName(key));
    }

    private static void newline(StringBuilder sb, Integer indent, int depth) {
        if (indent == null) return;
        sb.append('\n').append(" ".repeat(indent * depth));
    }

    private static void writeJsonString(StringBuilder sb, String s, boolean ascii) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || (ascii && c > 0x7e)) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}

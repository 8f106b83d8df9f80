package neurosteer.engine.template;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import neurosteer.engine.template.Values.Callable;
import neurosteer.engine.template.Values.Loop;
import neurosteer.engine.template.Values.Namespace;
import neurosteer.engine.template.Values.Tuple;
import neurosteer.engine.template.Values.Undefined;

/** Globals, filters, tests, operators and methods, each with the semantics Jinja2 (and Python) give them. */
final class Builtins {
    private Builtins() { }

    private static final int MAX_RANGE = 100_000;

    static void installGlobals(Interpreter.Scope globals, Interpreter interpreter) {
        globals.set("range", (Callable) (args, kwargs) -> range(args));
        globals.set("namespace", (Callable) (args, kwargs) -> {
            Namespace ns = new Namespace();
            if (args.size() > 1) throw new TemplateException("namespace() takes at most one positional argument");
            if (args.size() == 1) {
                if (!(args.get(0) instanceof Map<?, ?> map)) throw new TemplateException("namespace() argument must be a mapping");
                map.forEach((k, v) -> ns.attributes.put(Values.str(k), v));
            }
            ns.attributes.putAll(kwargs);
            return ns;
        });
        globals.set("dict", (Callable) (args, kwargs) -> {
            Map<Object, Object> map = new LinkedHashMap<>();
            if (!args.isEmpty() && args.get(0) instanceof Map<?, ?> m) map.putAll(m);
            map.putAll(kwargs);
            return map;
        });
        globals.set("raise_exception", (Callable) (args, kwargs) -> {
            throw TemplateException.raised(args.isEmpty() ? "" : Values.str(args.get(0)), interpreter.currentLine());
        });
        globals.set("strftime_now", (Callable) (args, kwargs) -> {
            if (args.isEmpty() || !(args.get(0) instanceof String format)) throw new TemplateException("strftime_now() needs a format string");
            return strftime(format, ZonedDateTime.now());
        });
    }

    private static List<Object> range(List<Object> args) {
        for (Object a : args) if (!Values.isIntegral(a)) throw new TemplateException("range() arguments must be integers, got " + Values.typeName(a));
        long start = 0;
        long stop;
        long step = 1;
        if (args.size() == 1) stop = Values.toLong(args.get(0));
        else if (args.size() == 2 || args.size() == 3) {
            start = Values.toLong(args.get(0));
            stop = Values.toLong(args.get(1));
            if (args.size() == 3) step = Values.toLong(args.get(2));
        } else throw new TemplateException("range() takes 1 to 3 arguments");
        if (step == 0) throw new TemplateException("range() arg 3 must not be zero");
        List<Object> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            if (out.size() >= MAX_RANGE) throw new TemplateException("range too big; at most " + MAX_RANGE + " items are allowed");
            out.add(i);
        }
        return out;
    }

    /** Python's {@code datetime.strftime} for the directives templates use, in the C locale. */
    static String strftime(String format, ZonedDateTime t) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) { sb.append(c); continue; }
            char d = format.charAt(++i);
            switch (d) {
                case 'a' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'b', 'h' -> sb.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> sb.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'd' -> sb.append(String.format("%02d", t.getDayOfMonth()));
                case 'e' -> sb.append(String.format("%2d", t.getDayOfMonth()));
                case 'm' -> sb.append(String.format("%02d", t.getMonthValue()));
                case 'y' -> sb.append(String.format("%02d", t.getYear() % 100));
                case 'Y' -> sb.append(t.getYear());
                case 'H' -> sb.append(String.format("%02d", t.getHour()));
                case 'I' -> sb.append(String.format("%02d", (t.getHour() + 11) % 12 + 1));
                case 'p' -> sb.append(t.getHour() < 12 ? "AM" : "PM");
                case 'M' -> sb.append(String.format("%02d", t.getMinute()));
                case 'S' -> sb.append(String.format("%02d", t.getSecond()));
                case 'j' -> sb.append(String.format("%03d", t.getDayOfYear()));
                case 'f' -> sb.append(String.format("%06d", t.getNano() / 1000));
                case '%' -> sb.append('%');
                default -> sb.append('%').append(d);
            }
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- attribute / item access

    private static final java.util.Set<String> STRING_METHODS = java.util.Set.of("startswith", "endswith", "strip", "lstrip",
            "rstrip", "split", "rsplit", "splitlines", "upper", "lower", "replace", "title", "capitalize", "find", "rfind",
            "index", "rindex", "count", "join", "isdigit", "isalpha", "isalnum", "isspace", "islower", "isupper", "swapcase",
            "casefold", "zfill", "removeprefix", "removesuffix", "format", "center", "ljust", "rjust");
    private static final java.util.Set<String> DICT_METHODS = java.util.Set.of("get", "items", "keys", "values", "copy");
    private static final java.util.Set<String> LIST_METHODS = java.util.Set.of("index", "count", "copy");

    static Object getAttribute(Object obj, String name) {
        if (obj instanceof Undefined u) throw u.error();
        if (obj instanceof Namespace ns) {
            return ns.attributes.containsKey(name) ? ns.attributes.get(name) : noAttribute(obj, name);
        }
        if (obj instanceof Loop loop) return loop.attribute(name);
        if (obj instanceof Map<?, ?> map) {
            if (DICT_METHODS.contains(name)) return method(obj, name);
            return map.containsKey(name) ? map.get(name) : noAttribute(obj, name);
        }
        if (obj instanceof String && STRING_METHODS.contains(name)) return method(obj, name);
        if (obj instanceof List && !(obj instanceof Tuple) && LIST_METHODS.contains(name)) return method(obj, name);
        if (obj instanceof Tuple && (name.equals("index") || name.equals("count"))) return method(obj, name);
        return noAttribute(obj, name);
    }

    private static Undefined noAttribute(Object obj, String name) {
        return new Undefined("'" + Values.typeName(obj) + " object' has no attribute '" + name + "'");
    }

    static Object getItem(Object obj, Object key) {
        if (obj instanceof Undefined u) throw u.error();
        if (obj instanceof Map<?, ?> map) {
            Object found = Values.findKey(map, key);
            if (found != Values.MISSING) return map.get(found);
        } else if ((obj instanceof List || obj instanceof String) && Values.isIntegral(key)) {
            long index = Values.toLong(key);
            if (obj instanceof List<?> list) {
                if (index < 0) index += list.size();
                return index >= 0 && index < list.size() ? list.get((int) index)
                        : new Undefined(Values.typeName(obj) + " index " + Values.toLong(key) + " out of range");
            }
            String s = (String) obj;
            int n = s.codePointCount(0, s.length());
            if (index < 0) index += n;
            if (index >= 0 && index < n) {
                int at = s.offsetByCodePoints(0, (int) index);
                return Character.toString(s.codePointAt(at));
            }
            return new Undefined("string index out of range");
        }
        if (key instanceof String name) return getAttribute(obj, name);
        return new Undefined("'" + Values.typeName(obj) + " object' has no element " + Values.repr(key));
    }

    static Object slice(Object obj, Object start, Object stop, Object step) {
        if (obj instanceof Undefined u) throw u.error();
        for (Object bound : new Object[] {start, stop, step}) {
            if (bound != null && !Values.isIntegral(bound)) throw new TemplateException("slice indices must be integers or None");
        }
        List<Object> items;
        if (obj instanceof String s) items = Values.iterate(s);
        else if (obj instanceof List<?> l) items = new ArrayList<>(l);
        else throw new TemplateException("'" + Values.typeName(obj) + "' object is not subscriptable");
        int n = items.size();
        long st = step == null ? 1 : Values.toLong(step);
        if (st == 0) throw new TemplateException("slice step cannot be zero");
        long lo;
        long hi;
        if (st > 0) {
            lo = start == null ? 0 : clamp(Values.toLong(start), n, 0, n);
            hi = stop == null ? n : clamp(Values.toLong(stop), n, 0, n);
        } else {
            lo = start == null ? n - 1 : clamp(Values.toLong(start), n, -1, n - 1);
            hi = stop == null ? -1 : clamp(Values.toLong(stop), n, -1, n - 1);
        }
        List<Object> out = new ArrayList<>();
        for (long i = lo; st > 0 ? i < hi : i > hi; i += st) out.add(items.get((int) i));
        if (obj instanceof String) {
            StringBuilder sb = new StringBuilder();
            out.forEach(sb::append);
            return sb.toString();
        }
        return obj instanceof Tuple ? new Tuple(out) : out;
    }

    private static long clamp(long index, int n, long min, long max) {
        if (index < 0) index += n;
        return Math.max(min, Math.min(max, index));
    }

    // ---------------------------------------------------------------- operators

    static boolean compare(String op, Object left, Object right) {
        return switch (op) {
            case "==" -> Values.equal(left, right);
            case "!=" -> !Values.equal(left, right);
            case "<" -> Values.compare(left, right) < 0;
            case "<=" -> Values.compare(left, right) <= 0;
            case ">" -> Values.compare(left, right) > 0;
            case ">=" -> Values.compare(left, right) >= 0;
            case "in" -> Values.contains(right, left);
            case "not in" -> !Values.contains(right, left);
            default -> throw new TemplateException("unknown comparison " + op);
        };
    }

    static Object arithmetic(String op, Object a, Object b) {
        if (a instanceof Undefined u) throw u.error();
        if (b instanceof Undefined u) throw u.error();
        if (Values.isNumber(a) && Values.isNumber(b)) return numeric(op, a, b);
        if (op.equals("+")) {
            if (a instanceof String x && b instanceof String y) return x + y;
            if (a instanceof List<?> x && b instanceof List<?> y && (a instanceof Tuple) == (b instanceof Tuple)) {
                List<Object> out = new ArrayList<>(x);
                out.addAll(y);
                return a instanceof Tuple ? new Tuple(out) : out;
            }
        }
        if (op.equals("*")) {
            if (Values.isIntegral(a) && !Values.isNumber(b)) return repeat(b, Values.toLong(a));
            if (Values.isIntegral(b)) return repeat(a, Values.toLong(b));
        }
        throw new TemplateException("unsupported operand type(s) for " + op + ": '" + Values.typeName(a) + "' and '"
                + Values.typeName(b) + "'");
    }

    private static Object repeat(Object v, long times) {
        if (v instanceof String s) return s.repeat((int) Math.max(0, times));
        if (v instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (long i = 0; i < times; i++) out.addAll(list);
            return v instanceof Tuple ? new Tuple(out) : out;
        }
        throw new TemplateException("can't multiply sequence by non-int of type '" + Values.typeName(v) + "'");
    }

    private static Object numeric(String op, Object a, Object b) {
        boolean integral = Values.isIntegral(a) && Values.isIntegral(b);
        if (integral) {
            long x = Values.toLong(a);
            long y = Values.toLong(b);
            switch (op) {
                case "+": return Math.addExact(x, y);
                case "-": return Math.subtractExact(x, y);
                case "*": return Math.multiplyExact(x, y);
                case "/": if (y == 0) throw new TemplateException("division by zero"); return (double) x / y;
                case "//": if (y == 0) throw new TemplateException("integer division or modulo by zero"); return Math.floorDiv(x, y);
                case "%": if (y == 0) throw new TemplateException("integer modulo by zero"); return Math.floorMod(x, y);
                case "**":
                    if (y < 0) return Math.pow(x, y);
                    long result = 1;
                    for (long i = 0; i < y; i++) result = Math.multiplyExact(result, x);
                    return result;
                default: break;
            }
        }
        double x = Values.toDouble(a);
        double y = Values.toDouble(b);
        return switch (op) {
            case "+" -> x + y;
            case "-" -> x - y;
            case "*" -> x * y;
            case "/" -> { if (y == 0) throw new TemplateException("float division by zero"); yield x / y; }
            case "//" -> { if (y == 0) throw new TemplateException("float floor division by zero"); yield Math.floor(x / y); }
            case "%" -> { if (y == 0) throw new TemplateException("float modulo"); yield x - y * Math.floor(x / y); }
            case "**" -> Math.pow(x, y);
            default -> throw new TemplateException("unknown operator " + op);
        };
    }

    // ---------------------------------------------------------------- tests

    static boolean test(String name, Object v, List<Object> args, Interpreter interpreter) {
        return switch (name) {
            case "defined" -> !(v instanceof Undefined);
            case "undefined" -> v instanceof Undefined;
            case "none" -> v == null;
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "integer" -> v instanceof Long;
            case "float" -> v instanceof Double;
            case "number" -> Values.isNumber(v);
            case "string" -> v instanceof String;
            case "mapping" -> v instanceof Map;
            case "iterable" -> v instanceof String || v instanceof List || v instanceof Map || v instanceof Undefined;
            case "sequence" -> v instanceof String || v instanceof List || v instanceof Map;
            case "callable" -> v instanceof Callable;
            case "odd" -> Values.toLong(requireNumber(v)) % 2 != 0;
            case "even" -> Values.toLong(requireNumber(v)) % 2 == 0;
            case "divisibleby" -> Values.toLong(requireNumber(v)) % Values.toLong(requireNumber(arg(args, 0, name))) == 0;
            case "eq", "equalto", "==" -> Values.equal(v, arg(args, 0, name));
            case "ne", "!=" -> !Values.equal(v, arg(args, 0, name));
            case "lt", "lessthan", "<" -> Values.compare(v, arg(args, 0, name)) < 0;
            case "le", "<=" -> Values.compare(v, arg(args, 0, name)) <= 0;
            case "gt", "greaterthan", ">" -> Values.compare(v, arg(args, 0, name)) > 0;
            case "ge", ">=" -> Values.compare(v, arg(args, 0, name)) >= 0;
            case "in" -> Values.contains(arg(args, 0, name), v);
            case "sameas" -> v == arg(args, 0, name) || (v instanceof Boolean && v.equals(arg(args, 0, name)));
            case "lower" -> v instanceof String s && s.equals(s.toLowerCase(Locale.ROOT));
            case "upper" -> v instanceof String s && s.equals(s.toUpperCase(Locale.ROOT));
            case "filter" -> v instanceof String s && FILTER_NAMES.contains(s);
            case "test" -> v instanceof String s && TEST_NAMES.contains(s);
            default -> throw new TemplateException("no test named '" + name + "'");
        };
    }

    private static final java.util.Set<String> TEST_NAMES = java.util.Set.of("defined", "undefined", "none", "boolean",
            "true", "false", "integer", "float", "number", "string", "mapping", "iterable", "sequence", "callable", "odd",
            "even", "divisibleby", "eq", "equalto", "ne", "lt", "lessthan", "le", "gt", "greaterthan", "ge", "in", "sameas",
            "lower", "upper", "filter", "test");

    private static Object requireNumber(Object v) {
        if (v instanceof Undefined u) throw u.error();
        if (!Values.isNumber(v)) throw new TemplateException("expected a number, got " + Values.typeName(v));
        return v;
    }

    private static Object arg(List<Object> args, int i, String what) {
        if (args.size() <= i) throw new TemplateException("'" + what + "' needs an argument");
        return args.get(i);
    }

    private static boolean testOrTruth(Interpreter interpreter, List<Object> testArgs, Object value) {
        if (testArgs.isEmpty()) return Values.truthy(value);
        return test(Values.str(testArgs.get(0)), value, testArgs.subList(1, testArgs.size()), interpreter);
    }

    // ---------------------------------------------------------------- filters

    private static final java.util.Set<String> FILTER_NAMES = java.util.Set.of("abs", "attr", "capitalize", "count", "d",
            "default", "dictsort", "e", "escape", "first", "float", "indent", "int", "items", "join", "last", "length", "list",
            "lower", "map", "max", "min", "reject", "rejectattr", "replace", "reverse", "round", "safe", "select",
            "selectattr", "sort", "string", "sum", "title", "tojson", "trim", "unique", "upper", "wordcount");

    private static Object param(List<Object> args, Map<String, Object> kwargs, int position, String name, Object fallback) {
        if (position < args.size()) return args.get(position);
        return kwargs.containsKey(name) ? kwargs.get(name) : fallback;
    }

    static Object filter(String name, Object v, List<Object> args, Map<String, Object> kwargs, Interpreter interpreter) {
        switch (name) {
            case "default", "d" -> {
                Object fallback = param(args, kwargs, 0, "default_value", "");
                boolean checkTruth = Values.truthy(param(args, kwargs, 1, "boolean", false));
                return v instanceof Undefined || (checkTruth && !Values.truthy(v)) ? fallback : v;
            }
            case "safe" -> { return v; }
            case "string" -> { return Values.str(v); }
            case "items" -> {
                if (v instanceof Undefined) return new ArrayList<>();
                if (!(v instanceof Map<?, ?> map)) throw new TemplateException("Can only get item pairs from a mapping.");
                return items(map);
            }
            case "length", "count" -> { return (long) Values.length(v); }
            case "list" -> { return Values.iterate(v); }
            case "tojson" -> {
                Object indent = param(args, kwargs, 0, "indent", null);
                Object separators = kwargs.get("separators");
                String itemSep = null;
                String keySep = null;
                if (separators instanceof List<?> seps && seps.size() == 2) {
                    itemSep = Values.str(seps.get(0));
                    keySep = Values.str(seps.get(1));
                }
                return Values.toJson(v, indent == null ? null : (int) Values.toLong(requireNumber(indent)),
                        Values.truthy(kwargs.getOrDefault("ensure_ascii", false)), itemSep, keySep,
                        Values.truthy(kwargs.getOrDefault("sort_keys", false)));
            }
            default -> { }
        }
        if (v instanceof Undefined u && !List.of("trim", "upper", "lower", "title", "capitalize", "join", "first", "last",
                "replace", "indent", "wordcount", "escape", "e", "reverse").contains(name)) {
            if (!FILTER_NAMES.contains(name)) throw new TemplateException("no filter named '" + name + "'");
            throw u.error();
        }
        switch (name) {
            case "trim" -> { return strip(Values.str(v), (String) optionalString(param(args, kwargs, 0, "chars", null)), true, true); }
            case "upper" -> { return Values.str(v).toUpperCase(Locale.ROOT); }
            case "lower" -> { return Values.str(v).toLowerCase(Locale.ROOT); }
            case "title" -> { return jinjaTitle(Values.str(v)); }
            case "capitalize" -> { return capitalize(Values.str(v)); }
            case "wordcount" -> { return (long) Pattern.compile("\\w+", Pattern.UNICODE_CHARACTER_CLASS).matcher(Values.str(v)).results().count(); }
            case "escape", "e" -> {
                return Values.str(v).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                        .replace("\"", "&#34;").replace("'", "&#39;");
            }
            case "replace" -> {
                Object count = param(args, kwargs, 2, "count", null);
                return replace(Values.str(v), Values.str(arg(args, 0, "replace")), Values.str(arg(args, 1, "replace")),
                        count == null ? -1 : Values.toLong(count));
            }
            case "indent" -> {
                Object width = param(args, kwargs, 0, "width", 4L);
                String indentation = width instanceof String s ? s : " ".repeat((int) Values.toLong(width));
                return indent(Values.str(v), indentation, Values.truthy(param(args, kwargs, 1, "first", false)),
                        Values.truthy(param(args, kwargs, 2, "blank", false)));
            }
            case "join" -> {
                String separator = Values.str(param(args, kwargs, 0, "d", ""));
                Object attribute = param(args, kwargs, 1, "attribute", null);
                StringBuilder sb = new StringBuilder();
                List<Object> items = Values.iterate(v);
                for (int i = 0; i < items.size(); i++) {
                    if (i > 0) sb.append(separator);
                    sb.append(Values.str(attribute == null ? items.get(i) : lookupPath(items.get(i), attribute)));
                }
                return sb.toString();
            }
            case "first" -> {
                List<Object> items = Values.iterate(v);
                return items.isEmpty() ? new Undefined("No first item, sequence was empty.") : items.get(0);
            }
            case "last" -> {
                List<Object> items = Values.iterate(v);
                return items.isEmpty() ? new Undefined("No last item, sequence was empty.") : items.get(items.size() - 1);
            }
            case "reverse" -> {
                if (v instanceof String s) return new StringBuilder(s).reverse().toString();
                List<Object> items = Values.iterate(v);
                Collections.reverse(items);
                return items;
            }
            case "abs" -> {
                requireNumber(v);
                if (v instanceof Double d) return Math.abs(d);
                return Math.abs(Values.toLong(v));
            }
            case "int" -> { return toInt(v, param(args, kwargs, 0, "default", 0L), Values.toLong(param(args, kwargs, 1, "base", 10L))); }
            case "float" -> { return toFloat(v, param(args, kwargs, 0, "default", 0.0)); }
            case "round" -> {
                return round(v, (int) Values.toLong(param(args, kwargs, 0, "precision", 0L)),
                        Values.str(param(args, kwargs, 1, "method", "common")));
            }
            case "attr" -> { return getAttribute(v, Values.str(arg(args, 0, "attr"))); }
            case "selectattr", "rejectattr" -> {
                boolean select = name.equals("selectattr");
                Object attribute = arg(args, 0, name);
                List<Object> out = new ArrayList<>();
                for (Object item : Values.iterate(v)) {
                    if (testOrTruth(interpreter, args.subList(1, args.size()), lookupPath(item, attribute)) == select) out.add(item);
                }
                return out;
            }
            case "select", "reject" -> {
                boolean select = name.equals("select");
                List<Object> out = new ArrayList<>();
                for (Object item : Values.iterate(v)) if (testOrTruth(interpreter, args, item) == select) out.add(item);
                return out;
            }
            case "map" -> {
                List<Object> out = new ArrayList<>();
                if (kwargs.containsKey("attribute")) {
                    Object attribute = kwargs.get("attribute");
                    for (Object item : Values.iterate(v)) {
                        Object value = lookupPath(item, attribute);
                        out.add(value instanceof Undefined && kwargs.containsKey("default") ? kwargs.get("default") : value);
                    }
                } else {
                    String filterName = Values.str(arg(args, 0, "map"));
                    for (Object item : Values.iterate(v)) out.add(filter(filterName, item, args.subList(1, args.size()), Map.of(), interpreter));
                }
                return out;
            }
            case "unique" -> {
                boolean caseSensitive = Values.truthy(param(args, kwargs, 0, "case_sensitive", false));
                Object attribute = param(args, kwargs, 1, "attribute", null);
                List<Object> out = new ArrayList<>();
                List<Object> seen = new ArrayList<>();
                for (Object item : Values.iterate(v)) {
                    Object key = sortKey(attribute == null ? item : lookupPath(item, attribute), caseSensitive);
                    if (seen.stream().noneMatch(s -> Values.equal(s, key))) {
                        seen.add(key);
                        out.add(item);
                    }
                }
                return out;
            }
            case "sort" -> {
                boolean reverse = Values.truthy(param(args, kwargs, 0, "reverse", false));
                boolean caseSensitive = Values.truthy(param(args, kwargs, 1, "case_sensitive", false));
                Object attribute = param(args, kwargs, 2, "attribute", null);
                List<Object> items = Values.iterate(v);
                Comparator<Object> order = Comparator.comparing(
                        item -> sortKey(attribute == null ? item : lookupPath(item, attribute), caseSensitive), Values::compare);
                items.sort(reverse ? order.reversed() : order);
                return items;
            }
            case "dictsort" -> {
                if (!(v instanceof Map<?, ?> map)) throw new TemplateException("dictsort needs a mapping, got " + Values.typeName(v));
                boolean caseSensitive = Values.truthy(param(args, kwargs, 0, "case_sensitive", false));
                String by = Values.str(param(args, kwargs, 1, "by", "key"));
                boolean reverse = Values.truthy(param(args, kwargs, 2, "reverse", false));
                int position = switch (by) {
                    case "key" -> 0;
                    case "value" -> 1;
                    default -> throw new TemplateException("You can only sort by either \"key\" or \"value\"");
                };
                List<Object> pairs = items(map);
                Comparator<Object> order = Comparator.comparing(p -> sortKey(((List<?>) p).get(position), caseSensitive), Values::compare);
                pairs.sort(reverse ? order.reversed() : order);
                return pairs;
            }
            case "sum" -> {
                Object attribute = param(args, kwargs, 0, "attribute", null);
                Object total = param(args, kwargs, 1, "start", 0L);
                for (Object item : Values.iterate(v)) total = arithmetic("+", total, attribute == null ? item : lookupPath(item, attribute));
                return total;
            }
            case "min", "max" -> {
                boolean caseSensitive = Values.truthy(param(args, kwargs, 0, "case_sensitive", false));
                Object attribute = param(args, kwargs, 1, "attribute", null);
                List<Object> items = Values.iterate(v);
                if (items.isEmpty()) return new Undefined("No aggregated item, sequence was empty.");
                Object best = items.get(0);
                for (Object item : items) {
                    int c = Values.compare(sortKey(attribute == null ? item : lookupPath(item, attribute), caseSensitive),
                            sortKey(attribute == null ? best : lookupPath(best, attribute), caseSensitive));
                    if (name.equals("min") ? c < 0 : c > 0) best = item;
                }
                return best;
            }
            default -> throw new TemplateException("no filter named '" + name + "'");
        }
    }

    private static Object optionalString(Object o) {
        return o == null ? null : Values.str(o);
    }

    private static List<Object> items(Map<?, ?> map) {
        List<Object> out = new ArrayList<>();
        map.forEach((k, val) -> out.add(new Tuple(java.util.Arrays.asList(k, val))));
        return out;
    }

    private static Object sortKey(Object v, boolean caseSensitive) {
        return !caseSensitive && v instanceof String s ? s.toLowerCase(Locale.ROOT) : v;
    }

    /** Jinja2's attribute lookup for filters: dots separate steps, integer steps index lists. */
    private static Object lookupPath(Object item, Object attribute) {
        if (Values.isIntegral(attribute)) return getItem(item, attribute);
        Object value = item;
        for (String part : Values.str(attribute).split("\\.")) {
            Object key = part.matches("\\d+") ? (Object) Long.parseLong(part) : part;
            value = getItem(value, key);
            if (value instanceof Undefined) return value;
        }
        return value;
    }

    private static Object toInt(Object v, Object fallback, long base) {
        if (v instanceof Long) return v;
        if (v instanceof Boolean b) return b ? 1L : 0L;
        if (v instanceof Double d) return Double.isFinite(d) ? (long) d.doubleValue() : fallback;
        if (v instanceof String s) {
            String t = strip(s, null, true, true).replace("_", "");
            try {
                if (base == 16 && (t.startsWith("0x") || t.startsWith("0X"))) t = t.substring(2);
                return Long.parseLong(t, (int) base);
            } catch (NumberFormatException e) {
                try {
                    return (long) Double.parseDouble(t);
                } catch (NumberFormatException e2) {
                    return fallback;
                }
            }
        }
        return fallback;
    }

    private static Object toFloat(Object v, Object fallback) {
        if (Values.isNumber(v)) return Values.toDouble(v);
        if (v instanceof String s) {
            try {
                return Double.parseDouble(strip(s, null, true, true));
            } catch (NumberFormatException e) {
                return fallback;
            }
        }
        return fallback;
    }

    private static Object round(Object v, int precision, String method) {
        requireNumber(v);
        if (method.equals("common")) {
            if (Values.isIntegral(v)) return Values.toLong(v);
            double d = Values.toDouble(v);
            if (!Double.isFinite(d)) return d;
            return new BigDecimal(d).setScale(precision, RoundingMode.HALF_EVEN).doubleValue();
        }
        double scale = Math.pow(10, precision);
        double x = Values.toDouble(v) * scale;
        return switch (method) {
            case "ceil" -> Math.ceil(x) / scale;
            case "floor" -> Math.floor(x) / scale;
            default -> throw new TemplateException("method must be common, ceil or floor");
        };
    }

    // ---------------------------------------------------------------- Python string helpers

    static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0;
        int end = s.length();
        if (left) while (start < end && stripped(s.charAt(start), chars)) start++;
        if (right) while (end > start && stripped(s.charAt(end - 1), chars)) end--;
        return s.substring(start, end);
    }

    private static boolean stripped(char c, String chars) {
        return chars == null ? Lexer.isPythonWhitespace(c) : chars.indexOf(c) >= 0;
    }

    static String replace(String s, String old, String replacement, long count) {
        if (count < 0) count = Long.MAX_VALUE;
        StringBuilder sb = new StringBuilder();
        if (old.isEmpty()) {
            int[] cps = s.codePoints().toArray();
            long done = 0;
            for (int cp : cps) {
                if (done++ < count) sb.append(replacement);
                sb.appendCodePoint(cp);
            }
            if (done < count) sb.append(replacement);
            return sb.toString();
        }
        int from = 0;
        long done = 0;
        while (done < count) {
            int at = s.indexOf(old, from);
            if (at < 0) break;
            sb.append(s, from, at).append(replacement);
            from = at + old.length();
            done++;
        }
        return sb.append(s.substring(from)).toString();
    }

    private static final Pattern WORD_BEGINNING = Pattern.compile("([-\\s({\\[<]+)", Pattern.UNICODE_CHARACTER_CLASS);

    private static String jinjaTitle(String s) {
        StringBuilder sb = new StringBuilder();
        Matcher m = WORD_BEGINNING.matcher(s);
        int last = 0;
        while (m.find()) {
            titleWord(sb, s.substring(last, m.start()));
            sb.append(m.group());
            last = m.end();
        }
        titleWord(sb, s.substring(last));
        return sb.toString();
    }

    private static void titleWord(StringBuilder sb, String word) {
        if (word.isEmpty()) return;
        int first = word.codePointAt(0);
        sb.append(Character.toString(first).toUpperCase(Locale.ROOT))
                .append(word.substring(Character.charCount(first)).toLowerCase(Locale.ROOT));
    }

    static String capitalize(String s) {
        if (s.isEmpty()) return s;
        int first = s.codePointAt(0);
        return Character.toString(Character.toTitleCase(first)) + s.substring(Character.charCount(first)).toLowerCase(Locale.ROOT);
    }

    /** Python's {@code str.title()}: a letter is upper-cased when the previous character is not a letter. */
    static String pythonTitle(String s) {
        StringBuilder sb = new StringBuilder();
        boolean previousCased = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isLetter(cp)) {
                sb.append(previousCased ? Character.toString(cp).toLowerCase(Locale.ROOT) : Character.toString(Character.toTitleCase(cp)));
                previousCased = true;
            } else {
                sb.appendCodePoint(cp);
                previousCased = false;
            }
        }
        return sb.toString();
    }

    static List<String> splitLines(String s) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean br = c == '\n' || c == '\r' || c == '\u000b' || c == '\f' || (c >= '\u001c' && c <= '\u001e')
                    || c == '\u0085' || c == '\u2028' || c == '\u2029';
            if (!br) continue;
            lines.add(s.substring(start, i));
            if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') i++;
            start = i + 1;
        }
        if (start < s.length()) lines.add(s.substring(start));
        return lines;
    }

    static String indent(String s, String indentation, boolean first, boolean blank) {
        s = s + "\n";
        List<String> lines = splitLines(s);
        StringBuilder rv = new StringBuilder();
        if (blank) {
            rv.append(String.join("\n" + indentation, lines));
        } else {
            rv.append(lines.get(0));
            for (int i = 1; i < lines.size(); i++) {
                rv.append('\n');
                if (!lines.get(i).isEmpty()) rv.append(indentation);
                rv.append(lines.get(i));
            }
        }
        return first ? indentation + rv : rv.toString();
    }

    static List<Object> split(String s, String sep, long maxSplit) {
        List<Object> parts = new ArrayList<>();
        if (maxSplit < 0) maxSplit = Long.MAX_VALUE;
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && Lexer.isPythonWhitespace(s.charAt(i))) i++;
                if (i >= n) break;
                if (parts.size() >= maxSplit) {
                    parts.add(strip(s.substring(i), null, false, true));
                    break;
                }
                int j = i;
                while (j < n && !Lexer.isPythonWhitespace(s.charAt(j))) j++;
                parts.add(s.substring(i, j));
                i = j;
            }
            return parts;
        }
        if (sep.isEmpty()) throw new TemplateException("empty separator");
        int from = 0;
        while (parts.size() < maxSplit) {
            int at = s.indexOf(sep, from);
            if (at < 0) break;
            parts.add(s.substring(from, at));
            from = at + sep.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    // ---------------------------------------------------------------- methods

    private static Callable method(Object receiver, String name) {
        return (args, kwargs) -> callMethod(receiver, name, args, kwargs);
    }

    private static Object callMethod(Object receiver, String name, List<Object> args, Map<String, Object> kwargs) {
        if (receiver instanceof Map<?, ?> map) {
            return switch (name) {
                case "get" -> {
                    Object key = Values.findKey(map, arg(args, 0, "get"));
                    yield key != Values.MISSING ? map.get(key) : args.size() > 1 ? args.get(1) : kwargs.getOrDefault("default", null);
                }
                case "items" -> items(map);
                case "keys" -> new ArrayList<Object>(map.keySet());
                case "values" -> new ArrayList<Object>(map.values());
                case "copy" -> new LinkedHashMap<Object, Object>(map);
                default -> throw new TemplateException("dict has no method " + name);
            };
        }
        if (receiver instanceof List<?> list) {
            return switch (name) {
                case "index" -> {
                    for (int i = 0; i < list.size(); i++) if (Values.equal(list.get(i), arg(args, 0, "index"))) yield (long) i;
                    throw new TemplateException(Values.repr(args.get(0)) + " is not in list");
                }
                case "count" -> list.stream().filter(x -> Values.equal(x, arg(args, 0, "count"))).count();
                case "copy" -> new ArrayList<Object>(list);
                default -> throw new TemplateException("list has no method " + name);
            };
        }
        String s = (String) receiver;
        return switch (name) {
            case "startswith", "endswith" -> {
                Object what = arg(args, 0, name);
                List<Object> options = what instanceof List<?> l ? new ArrayList<>(l) : List.of(what);
                String region = s;
                if (args.size() > 1) region = (String) slice(s, args.get(1), args.size() > 2 ? args.get(2) : null, null);
                boolean found = false;
                for (Object o : options) {
                    if (!(o instanceof String p)) throw new TemplateException(name + " first arg must be str or a tuple of str, not " + Values.typeName(o));
                    found |= name.equals("startswith") ? region.startsWith(p) : region.endsWith(p);
                }
                yield found;
            }
            case "strip", "lstrip", "rstrip" -> strip(s, (String) optionalString(param(args, kwargs, 0, "chars", null)),
                    !name.equals("rstrip"), !name.equals("lstrip"));
            case "split" -> split(s, (String) optionalString(param(args, kwargs, 0, "sep", null)),
                    Values.toLong(param(args, kwargs, 1, "maxsplit", -1L)));
            case "rsplit" -> {
                long max = Values.toLong(param(args, kwargs, 1, "maxsplit", -1L));
                String sep = (String) optionalString(param(args, kwargs, 0, "sep", null));
                if (max < 0) yield split(s, sep, -1);
                String reversedSep = sep == null ? null : new StringBuilder(sep).reverse().toString();
                List<Object> parts = split(new StringBuilder(s).reverse().toString(), reversedSep, max);
                List<Object> out = new ArrayList<>();
                for (int i = parts.size() - 1; i >= 0; i--) out.add(new StringBuilder((String) parts.get(i)).reverse().toString());
                yield out;
            }
            case "splitlines" -> new ArrayList<Object>(splitLines(s));
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower", "casefold" -> s.toLowerCase(Locale.ROOT);
            case "swapcase" -> {
                StringBuilder sb = new StringBuilder();
                s.codePoints().forEach(cp -> sb.append(Character.isUpperCase(cp) ? Character.toString(cp).toLowerCase(Locale.ROOT)
                        : Character.toString(cp).toUpperCase(Locale.ROOT)));
                yield sb.toString();
            }
            case "title" -> pythonTitle(s);
            case "capitalize" -> capitalize(s);
            case "replace" -> replace(s, Values.str(arg(args, 0, name)), Values.str(arg(args, 1, name)),
                    Values.toLong(param(args, kwargs, 2, "count", -1L)));
            case "find", "index" -> {
                int at = s.indexOf(Values.str(arg(args, 0, name)));
                if (at < 0 && name.equals("index")) throw new TemplateException("substring not found");
                yield at < 0 ? -1L : (long) s.codePointCount(0, at);
            }
            case "rfind", "rindex" -> {
                int at = s.lastIndexOf(Values.str(arg(args, 0, name)));
                if (at < 0 && name.equals("rindex")) throw new TemplateException("substring not found");
                yield at < 0 ? -1L : (long) s.codePointCount(0, at);
            }
            case "count" -> {
                String sub = Values.str(arg(args, 0, name));
                if (sub.isEmpty()) yield (long) s.codePointCount(0, s.length()) + 1;
                long n = 0;
                for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) n++;
                yield n;
            }
            case "join" -> {
                StringBuilder sb = new StringBuilder();
                List<Object> items = Values.iterate(arg(args, 0, name));
                for (int i = 0; i < items.size(); i++) {
                    if (!(items.get(i) instanceof String part)) throw new TemplateException("sequence item " + i + ": expected str instance, " + Values.typeName(items.get(i)) + " found");
                    sb.append(i > 0 ? s : "").append(part);
                }
                yield sb.toString();
            }
            case "isdigit" -> !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
            case "isalpha" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
            case "isalnum" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
            case "isspace" -> !s.isEmpty() && s.chars().allMatch(c -> Lexer.isPythonWhitespace((char) c));
            case "islower" -> s.codePoints().anyMatch(Character::isLowerCase) && s.equals(s.toLowerCase(Locale.ROOT));
            case "isupper" -> s.codePoints().anyMatch(Character::isUpperCase) && s.equals(s.toUpperCase(Locale.ROOT));
            case "zfill" -> {
                int width = (int) Values.toLong(arg(args, 0, name));
                int pad = width - s.codePointCount(0, s.length());
                if (pad <= 0) yield s;
                boolean signed = !s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+');
                yield signed ? s.charAt(0) + "0".repeat(pad) + s.substring(1) : "0".repeat(pad) + s;
            }
            case "removeprefix" -> { String p = Values.str(arg(args, 0, name)); yield s.startsWith(p) ? s.substring(p.length()) : s; }
            case "removesuffix" -> { String p = Values.str(arg(args, 0, name)); yield !p.isEmpty() && s.endsWith(p) ? s.substring(0, s.length() - p.length()) : s; }
            case "center", "ljust", "rjust" -> {
                int width = (int) Values.toLong(arg(args, 0, name));
                String fill = args.size() > 1 ? Values.str(args.get(1)) : " ";
                int pad = width - s.codePointCount(0, s.length());
                if (pad <= 0) yield s;
                if (name.equals("ljust")) yield s + fill.repeat(pad);
                if (name.equals("rjust")) yield fill.repeat(pad) + s;
                int left = pad / 2 + (pad & width & 1);
                yield fill.repeat(left) + s + fill.repeat(pad - left);
            }
            case "format" -> format(s, args, kwargs);
            default -> throw new TemplateException("str has no method " + name);
        };
    }

    /** Python's {@code str.format} for plain {@code {}}, {@code {0}} and {@code {name}} fields. */
    private static String format(String s, List<Object> args, Map<String, Object> kwargs) {
        StringBuilder sb = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{' && i + 1 < s.length() && s.charAt(i + 1) == '{') { sb.append('{'); i++; continue; }
            if (c == '}' && i + 1 < s.length() && s.charAt(i + 1) == '}') { sb.append('}'); i++; continue; }
            if (c != '{') { sb.append(c); continue; }
            int end = s.indexOf('}', i);
            if (end < 0) throw new TemplateException("Single '{' encountered in format string");
            String field = s.substring(i + 1, end);
            Object value;
            if (field.isEmpty()) value = arg(args, auto++, "format");
            else if (field.matches("\\d+")) value = arg(args, Integer.parseInt(field), "format");
            else if (kwargs.containsKey(field)) value = kwargs.get(field);
            else throw new TemplateException("format field {" + field + "} is not supported");
            sb.append(Values.str(value));
            i = end;
        }
        return sb.toString();
    }
}

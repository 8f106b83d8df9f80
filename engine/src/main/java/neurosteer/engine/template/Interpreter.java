package neurosteer.engine.template;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import neurosteer.engine.template.Node.Expr;
import neurosteer.engine.template.Values.Callable;
import neurosteer.engine.template.Values.Loop;
import neurosteer.engine.template.Values.Namespace;
import neurosteer.engine.template.Values.Tuple;
import neurosteer.engine.template.Values.Undefined;

/** Walks the syntax tree and renders it with Jinja2's scoping rules. */
final class Interpreter {

    /** Variables visible at one level; for-loop iterations, macros and blocks get child scopes. */
    static final class Scope {
        private final Map<String, Object> variables = new HashMap<>();
        private final Scope parent;

        Scope(Scope parent) { this.parent = parent; }

        Object lookup(String name) {
            for (Scope s = this; s != null; s = s.parent) {
                if (s.variables.containsKey(name)) return s.variables.get(name);
            }
            return Undefined.name(name);
        }

        void set(String name, Object value) { variables.put(name, value); }
    }

    private static final class LoopControl extends RuntimeException {
        final boolean isBreak;

        LoopControl(boolean isBreak) {
            super(null, null, false, false);
            this.isBreak = isBreak;
        }
    }

    private int currentLine;

    String render(List<Node> program, Map<String, Object> variables) {
        Scope globals = new Scope(null);
        Builtins.installGlobals(globals, this);
        Scope root = new Scope(globals);
        variables.forEach((k, v) -> root.set(k, Values.fromJava(v)));
        StringBuilder out = new StringBuilder();
        try {
            renderAll(program, root, out);
        } catch (LoopControl control) {
            throw new TemplateException((control.isBreak ? "'break'" : "'continue'") + " outside a for loop", currentLine, 0);
        }
        return out.toString();
    }

    int currentLine() { return currentLine; }

    void renderAll(List<Node> nodes, Scope scope, StringBuilder out) {
        for (Node node : nodes) renderNode(node, scope, out);
    }

    private void renderNode(Node node, Scope scope, StringBuilder out) {
        currentLine = node.line();
        try {
            switch (node) {
                case Node.Text t -> out.append(t.text());
                case Node.Print p -> out.append(Values.str(eval(p.value(), scope)));
                case Node.If n -> renderIf(n, scope, out);
                case Node.For n -> renderFor(n, eval(n.iterable(), scope), scope, out, 0);
                case Node.Set n -> renderSet(n, scope);
                case Node.Macro n -> scope.set(n.name(), macro(n.name(), n.params(), n.defaults(), n.body(), scope));
                case Node.CallBlock n -> {
                    Callable caller = macro("caller", n.params(), n.defaults(), n.body(), scope);
                    Object callee = eval(n.call().callee(), scope);
                    List<Object> args = evalAll(n.call().args(), scope);
                    Map<String, Object> kwargs = evalKeywords(n.call().kwargNames(), n.call().kwargValues(), scope);
                    kwargs.put("caller", caller);
                    out.append(Values.str(call(callee, args, kwargs)));
                }
                case Node.FilterBlock n -> {
                    StringBuilder inner = new StringBuilder();
                    renderAll(n.body(), scope, inner);
                    Object value = inner.toString();
                    for (Expr.Filter f : n.filters()) value = applyFilter(f, value, scope);
                    out.append(Values.str(value));
                }
                case Node.Break b -> throw new LoopControl(true);
                case Node.Continue c -> throw new LoopControl(false);
            }
        } catch (TemplateException e) {
            throw e.atLine(node.line());
        } catch (LoopControl | StackOverflowError e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TemplateException(e.toString(), node.line(), 0, false, e);
        }
    }

    private void renderIf(Node.If n, Scope scope, StringBuilder out) {
        for (int i = 0; i < n.conditions().size(); i++) {
            if (Values.truthy(eval(n.conditions().get(i), scope))) {
                renderAll(n.bodies().get(i), scope, out);
                return;
            }
        }
        renderAll(n.elseBody(), scope, out);
    }

    private void renderFor(Node.For n, Object iterableValue, Scope scope, StringBuilder out, int depth) {
        List<Object> items = Values.iterate(iterableValue);
        if (n.condition() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                Scope probe = new Scope(scope);
                assign(n.target(), item, probe);
                if (Values.truthy(eval(n.condition(), probe))) kept.add(item);
            }
            items = kept;
        }
        Callable recurse = n.recursive() ? (args, kwargs) -> {
            StringBuilder inner = new StringBuilder();
            renderFor(n, args.isEmpty() ? null : args.get(0), scope, inner, depth + 1);
            return inner.toString();
        } : null;
        for (int i = 0; i < items.size(); i++) {
            Scope iteration = new Scope(scope);
            iteration.set("loop", new Loop(i, items.size(), i > 0 ? items.get(i - 1) : new Undefined("there is no previous item"),
                    i + 1 < items.size() ? items.get(i + 1) : new Undefined("there is no next item"), depth, recurse));
            assign(n.target(), items.get(i), iteration);
            try {
                renderAll(n.body(), iteration, out);
            } catch (LoopControl control) {
                if (control.isBreak) break;
            }
        }
        if (items.isEmpty()) renderAll(n.elseBody(), new Scope(scope), out);
    }

    private void renderSet(Node.Set n, Scope scope) {
        Object value;
        if (n.body() != null) {
            StringBuilder inner = new StringBuilder();
            renderAll(n.body(), new Scope(scope), inner);
            value = inner.toString();
            for (Expr.Filter f : n.filters()) value = applyFilter(f, value, scope);
        } else {
            value = eval(n.value(), scope);
        }
        assign(n.target(), value, scope);
    }

    private void assign(Expr target, Object value, Scope scope) {
        switch (target) {
            case Expr.Name name -> scope.set(name.name(), value);
            case Expr.TupleLiteral tuple -> {
                List<Object> values = Values.iterate(value);
                if (values.size() != tuple.items().size()) {
                    throw new TemplateException((values.size() > tuple.items().size() ? "too many" : "not enough")
                            + " values to unpack (expected " + tuple.items().size() + ", got " + values.size() + ")");
                }
                for (int i = 0; i < values.size(); i++) assign(tuple.items().get(i), values.get(i), scope);
            }
            case Expr.Attribute attr -> {
                Object object = eval(attr.object(), scope);
                if (!(object instanceof Namespace ns)) throw new TemplateException("cannot assign attribute on non-namespace object");
                ns.attributes.put(attr.name(), value);
            }
            default -> throw new TemplateException("cannot assign to this expression");
        }
    }

    private Callable macro(String name, List<String> params, List<Expr> defaults, List<Node> body, Scope definedIn) {
        return (args, kwargs) -> {
            Scope scope = new Scope(definedIn);
            Map<String, Object> remaining = new LinkedHashMap<>(kwargs);
            Object caller = remaining.remove("caller");
            if (caller != null) scope.set("caller", caller);
            for (int i = 0; i < params.size(); i++) {
                String p = params.get(i);
                if (i < args.size()) {
                    if (remaining.containsKey(p)) throw new TemplateException("macro '" + name + "' got multiple values for argument '" + p + "'");
                    scope.set(p, args.get(i));
                } else if (remaining.containsKey(p)) {
                    scope.set(p, remaining.remove(p));
                } else if (defaults.get(i) != null) {
                    scope.set(p, eval(defaults.get(i), scope));
                } else {
                    scope.set(p, new Undefined("parameter '" + p + "' was not provided"));
                }
            }
            scope.set("varargs", args.size() > params.size() ? new ArrayList<>(args.subList(params.size(), args.size())) : new ArrayList<>());
            scope.set("kwargs", new LinkedHashMap<Object, Object>(remaining));
            StringBuilder out = new StringBuilder();
            int line = currentLine;
            try {
                renderAll(body, scope, out);
            } finally {
                currentLine = line;
            }
            return out.toString();
        };
    }

    // ---------------------------------------------------------------- expressions

    Object eval(Expr expr, Scope scope) {
        return switch (expr) {
            case Expr.Literal l -> l.value();
            case Expr.Name n -> scope.lookup(n.name());
            case Expr.ListLiteral l -> evalAll(l.items(), scope);
            case Expr.TupleLiteral t -> new Tuple(evalAll(t.items(), scope));
            case Expr.DictLiteral d -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) map.put(eval(d.keys().get(i), scope), eval(d.values().get(i), scope));
                yield map;
            }
            case Expr.Attribute a -> Builtins.getAttribute(eval(a.object(), scope), a.name());
            case Expr.Item i -> Builtins.getItem(eval(i.object(), scope), eval(i.key(), scope));
            case Expr.Slice s -> Builtins.slice(eval(s.object(), scope), evalOrNull(s.start(), scope),
                    evalOrNull(s.stop(), scope), evalOrNull(s.step(), scope));
            case Expr.Call c -> call(eval(c.callee(), scope), evalAll(c.args(), scope),
                    evalKeywords(c.kwargNames(), c.kwargValues(), scope));
            case Expr.Filter f -> applyFilter(f, eval(f.operand(), scope), scope);
            case Expr.Test t -> {
                boolean result = Builtins.test(t.name(), eval(t.operand(), scope), evalAll(t.args(), scope), this);
                yield t.negated() != result;
            }
            case Expr.Unary u -> unary(u.op(), eval(u.operand(), scope));
            case Expr.Binary b -> binary(b, scope);
            case Expr.Compare c -> {
                Object left = eval(c.first(), scope);
                for (int i = 0; i < c.ops().size(); i++) {
                    Object right = eval(c.operands().get(i), scope);
                    if (!Builtins.compare(c.ops().get(i), left, right)) yield false;
                    left = right;
                }
                yield true;
            }
            case Expr.Conditional c -> Values.truthy(eval(c.condition(), scope)) ? eval(c.whenTrue(), scope)
                    : c.whenFalse() == null ? new Undefined("the conditional expression evaluated to false and had no else")
                    : eval(c.whenFalse(), scope);
        };
    }

    private Object evalOrNull(Expr e, Scope scope) {
        return e == null ? null : eval(e, scope);
    }

    private List<Object> evalAll(List<Expr> exprs, Scope scope) {
        List<Object> values = new ArrayList<>(exprs.size());
        for (Expr e : exprs) values.add(eval(e, scope));
        return values;
    }

    private Map<String, Object> evalKeywords(List<String> names, List<Expr> values, Scope scope) {
        Map<String, Object> kwargs = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            if (kwargs.containsKey(names.get(i))) throw new TemplateException("keyword argument repeated: " + names.get(i));
            kwargs.put(names.get(i), eval(values.get(i), scope));
        }
        return kwargs;
    }

    Object call(Object callee, List<Object> args, Map<String, Object> kwargs) {
        if (callee instanceof Callable c) return c.call(args, kwargs);
        if (callee instanceof Undefined u) throw u.error();
        if (callee instanceof Loop loop && loop.recurse != null) return loop.recurse.call(args, kwargs);
        throw new TemplateException("'" + Values.typeName(callee) + "' object is not callable");
    }

    private Object applyFilter(Expr.Filter f, Object operand, Scope scope) {
        return Builtins.filter(f.name(), operand, evalAll(f.args(), scope), evalKeywords(f.kwargNames(), f.kwargValues(), scope), this);
    }

    private static Object unary(String op, Object v) {
        if (op.equals("not")) return !Values.truthy(v);
        if (v instanceof Undefined u) throw u.error();
        if (!Values.isNumber(v)) throw new TemplateException("bad operand type for unary " + op + ": '" + Values.typeName(v) + "'");
        if (v instanceof Double d) return op.equals("-") ? -d : d;
        long l = Values.toLong(v);
        return op.equals("-") ? -l : l;
    }

    private Object binary(Expr.Binary b, Scope scope) {
        Object left = eval(b.left(), scope);
        switch (b.op()) {
            case "and": return Values.truthy(left) ? eval(b.right(), scope) : left;
            case "or": return Values.truthy(left) ? left : eval(b.right(), scope);
            default: break;
        }
        Object right = eval(b.right(), scope);
        if (b.op().equals("~")) return Values.str(left) + Values.str(right);
        return Builtins.arithmetic(b.op(), left, right);
    }
}

package neurosteer.engine.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Feature-by-feature checks of the interpreter against Jinja2's documented behaviour. */
class InterpreterTest {

    private static final Map<String, Object> VARS = vars();

    private static Map<String, Object> vars() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("messages", List.of(Map.of("role", "system", "content", "S"), Map.of("role", "user", "content", "U1"),
                Map.of("role", "assistant", "content", "A1"), Map.of("role", "user", "content", "U2")));
        v.put("d", new LinkedHashMap<>(Map.of("b", 2)));
        ((Map<String, Object>) v.get("d")).put("a", 1);
        v.put("xs", List.of(3, 1, 2));
        v.put("s", "  Hello World  ");
        v.put("n", null);
        v.put("f", 2.5);
        v.put("t", true);
        return v;
    }

    private static String render(String template) {
        return ChatTemplate.parse(template).renderVariables(VARS);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '`', value = {
        // literals and output
        "{{ 'a\\nb' }} => `a\nb`",
        "{{ \"it's\" }} => it's",
        "{{ '\\u00e9\\x41' }} => éA",
        "{{ 42 }} {{ 1.5 }} {{ 1e3 }} {{ 10 / 4 }} {{ 7 // 2 }} {{ -7 % 3 }} {{ 2 ** 10 }} => 42 1.5 1000.0 2.5 3 2 1024",
        "{{ true }} {{ False }} {{ none }} {{ n }} => True False None None",
        "{{ [1, 'a', none] }} {{ {'k': 'v'} }} {{ (1,) }} => [1, 'a', None] {'k': 'v'} (1,)",
        "{{ undefined_thing }} => ``",
        "{{ 'a' ~ 1 ~ none ~ nothing }} => a1None",
        "{{ 'ab' * 2 }} {{ [1] + [2] }} => abab [1, 2]",
        // access and slicing
        "{{ messages[1]['content'] }} {{ messages[1].role }} {{ messages[-1].content }} => U1 user U2",
        "{{ messages[1:] | length }} {{ xs[::-1] }} {{ 'hello'[1:3] }} {{ xs[:-1] }} => 3 [2, 1, 3] el [3, 1]",
        "{{ messages[9] is defined }} {{ d.missing is defined }} => False False",
        "{{ d.get('a') }} {{ d.get('z', 'dflt') }} {{ d.get('z') }} => 1 dflt None",
        "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %} => b=2;a=1;",
        "{{ d.keys() | list }} {{ d.values() | list }} => ['b', 'a'] [2, 1]",
        // comparisons and logic
        "{{ 1 < 2 < 3 }} {{ 1 == 1.0 }} {{ 'a' != 'b' }} {{ 'ell' in 'hello' }} {{ 4 not in xs }} => True True True True True",
        "{{ 0 or 'x' }} {{ 1 and 'y' }} {{ not [] }} {{ 'b' in d }} => x y True True",
        "{{ 'yes' if t else 'no' }} {{ 'yes' if n else 'no' }} [{{ 'x' if false }}] => yes no []",
        // tests
        "{{ n is none }} {{ s is string }} {{ d is mapping }} {{ xs is iterable }} {{ xs is sequence }} => True True True True True",
        "{{ f is number }} {{ t is boolean }} {{ t is true }} {{ t is false }} {{ nope is undefined }} => True True True False True",
        "{{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 1 is not none }} {{ 'A' is upper }} => True True True True True",
        // filters
        "[{{ s | trim }}] [{{ s | upper }}] [{{ s | lower }}] => [Hello World] [  HELLO WORLD  ] [  hello world  ]",
        "{{ 'hello wORLD-foo' | title }} {{ 'hELLO' | capitalize }} => Hello World-Foo Hello",
        "{{ xs | join(', ') }} {{ xs | first }} {{ xs | last }} {{ xs | length }} {{ 'abc' | list }} => 3, 1, 2 3 2 3 ['a', 'b', 'c']",
        "{{ nope | default('dflt') }} {{ '' | default('e', true) }} {{ n | default('kept') }} => dflt e None",
        "{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | join('+') }} => U1+U2",
        "{{ messages | rejectattr('role', 'equalto', 'user') | map(attribute='content') | list }} => ['S', 'A1']",
        "{{ 'a-b-c' | replace('-', '+') }} {{ 'aaa' | replace('a', 'b', 2) }} => a+b+c bba",
        "{{ 3 | string ~ '!' }} {{ '12' | int + 1 }} {{ '2.5' | float }} {{ 'x' | int(7) }} {{ 3.9 | int }} => 3! 13 2.5 7 3",
        "{{ 'a\\nb\\n\\nc' | indent(2) }} => `a\n  b\n\n  c`",
        "{{ 'a\\nb' | indent(2, true) }} => `  a\n  b`",
        "{{ [1, 2, 1, 'A', 'a'] | unique | list }} => [1, 2, 'A']",
        "{{ {'b': 1, 'A': 2, 'c': 0} | dictsort }} {{ {'b': 1, 'a': 2} | dictsort(by='value') }} => [('A', 2), ('b', 1), ('c', 0)] [('b', 1), ('a', 2)]",
        "{{ 2.5 | round }} {{ 3.14159 | round(2) }} {{ 2.1 | round(0, 'ceil') }} {{ -3 | abs }} {{ -2.5 | abs }} => 2.0 3.14 3.0 3 2.5",
        "{{ xs | sort }} {{ xs | sort(reverse=true) }} {{ xs | sum }} {{ xs | max }} {{ xs | reverse | list }} => [1, 2, 3] [3, 2, 1] 6 3 [2, 1, 3]",
        "{{ d | items | list }} {{ d | length }} {{ s | safe | trim }} => [('b', 2), ('a', 1)] 2 Hello World",
        "{{ {'k': 'ü\"', 'n': [1, 2.0, none, true]} | tojson }} => {\"k\": \"ü\\\"\", \"n\": [1, 2.0, null, true]}",
        "{{ {'a': [1, {}], 'b': []} | tojson(indent=2) }} => `{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": []\n}`",
        "{{ {'b': 1, 'a': 'é'} | tojson(sort_keys=true, ensure_ascii=true) }} => {\"a\": \"\\u00e9\", \"b\": 1}",
        // string methods
        "{{ 'abc'.startswith('a') }} {{ 'abc'.endswith(('x', 'c')) }} [{{ '--x--'.strip('-') }}] [{{ '  x '.lstrip() }}] [{{ 'x\\n\\n'.rstrip('\\n') }}] => True True [x] [x ] [x]",
        "{{ 'a b  c'.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a,b,c'.split(',', 1) }} {{ 'x</t>y'.split('</t>')[-1] }} => ['a', 'b', 'c'] ['a', 'b', '', 'c'] ['a', 'b,c'] y",
        "{{ 'ab'.upper() }} {{ 'AB'.lower() }} {{ 'hello world'.title() }} {{ 'aXa'.replace('a', 'b') }} => AB ab Hello World bXb",
        // statements
        "{% if false %}a{% elif nope %}b{% else %}c{% endif %} => c",
        "`{% for m in messages %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.first }}{{ loop.last }}{{ loop.length }} {% endfor %}` => `104TrueFalse4 213FalseFalse4 322FalseFalse4 431FalseTrue4 `",
        "{% for m in messages if m.role == 'user' %}{{ loop.index }}:{{ m.content }}{{ ',' if not loop.last }}{% endfor %} => 1:U1,2:U2",
        "{% for x in [] %}x{% else %}empty{% endfor %} => empty",
        "{% for x in xs %}{% if x == 1 %}{% continue %}{% endif %}{% if x == 2 %}{% break %}{% endif %}{{ x }}{% endfor %} => 3",
        "{% for x in nope %}x{% endfor %}ok => ok",
        "{% set x = 1 %}{% for i in xs %}{% set x = i %}{% endfor %}{{ x }} => 1",
        "{% set ns = namespace(total=0, found=false) %}{% for i in xs %}{% set ns.total = ns.total + i %}{% endfor %}{{ ns.total }} {{ ns.found }} => 6 False",
        "{% set a, b = 1, 2 %}{{ a }}{{ b }} => 12",
        "{% set block %}  Hi {{ 1 + 1 }}  {% endset %}[{{ block }}] => [  Hi 2  ]",
        "{% set block | trim | upper %}  hi  {% endset %}[{{ block }}] => [HI]",
        "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Bob') }} {{ greet('Al', punct='?') }} => Hi Bob! Hi Al?",
        "{% macro wrap() %}[{{ caller() }}]{% endmacro %}{% call wrap() %}inner{% endcall %} => [inner]",
        "{% filter upper %}shout{% endfilter %} => SHOUT",
        "{% raw %}{{ not evaluated }}{% endraw %} => {{ not evaluated }}",
        "{# a comment #}x{# another -#}   y => xy",
        "{% generation %}gen{% endgeneration %} => gen",
        "{{ range(3) | list }} {{ range(1, 7, 2) | list }} {{ range(3, 0, -1) | list }} => [0, 1, 2] [1, 3, 5] [3, 2, 1]",
        // whitespace control, trim_blocks and lstrip_blocks
        "`a\n  {% if true %}\n  b\n  {% endif %}\nc` => `a\n  b\nc`",
        "`a  {%- if true -%}  b  {%- endif -%}  c` => abc",
        "`x {{- ' y ' -}} z` => x y z",
        "`{{ 'v' }}\nnext` => `v\nnext`",
        "`line\n` => line",
    })
    void rendersLikeJinja2(String template, String expected) {
        assertEquals(expected, render(template));
    }

    @Test
    void raiseExceptionCarriesTheTemplateMessageAndLine() {
        ChatTemplate t = ChatTemplate.parse("line one\n{% if true %}{{ raise_exception('Roles must alternate!') }}{% endif %}");
        TemplateException e = assertThrows(TemplateException.class, () -> t.render(List.of(), false, Map.of()));
        assertTrue(e.raisedByTemplate());
        assertEquals("Roles must alternate!", e.templateMessage());
        assertEquals(2, e.line());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '`', value = {
        "`{% if x %}\nno end` => 2 => unexpected end of template",
        "`ok\n{{ 1 + }}` => 2 => unexpected",
        "`{% frobnicate %}` => 1 => unknown statement 'frobnicate'",
        "`a\n\n  {{ 'unterminated }}` => 3 => unterminated string",
        "`{{ x ] }}` => 1 => unexpected ']'",
        "`{% for x in y %}{% endif %}` => 1 => unexpected 'endif'",
    })
    void syntaxErrorsGiveLineAndColumn(String template, int line, String fragment) {
        TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.parse(template));
        assertEquals(line, e.line(), e.getMessage());
        assertTrue(e.column() > 0, e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void undefinedSemanticsFollowJinja2Default() {
        assertEquals("", render("{{ nope }}{{ nope | length }}".replace("{{ nope | length }}", "")));
        assertEquals("0", render("{{ nope | length }}"));
        assertEquals("False", render("{{ nope == 1 }}"));
        TemplateException attr = assertThrows(TemplateException.class, () -> render("{{ nope.attr }}"));
        assertTrue(attr.getMessage().contains("'nope' is undefined"), attr.getMessage());
        TemplateException add = assertThrows(TemplateException.class, () -> render("{{ nope + 1 }}"));
        assertTrue(add.getMessage().contains("'nope' is undefined"), add.getMessage());
        TemplateException ns = assertThrows(TemplateException.class, () -> render("{% set d.x = 1 %}"));
        assertTrue(ns.getMessage().contains("non-namespace"), ns.getMessage());
    }

    @Test
    void strftimeNowFormatsTodayInTheCLocale() {
        String today = LocalDate.now().format(DateTimeFormatter.ofPattern("dd MMM yyyy", Locale.ENGLISH));
        String rendered = render("{{ strftime_now('%d %b %Y') }}");
        String after = LocalDate.now().format(DateTimeFormatter.ofPattern("dd MMM yyyy", Locale.ENGLISH));
        assertTrue(rendered.equals(today) || rendered.equals(after), rendered + " vs " + today);
    }

    @Test
    void tokenizerConfigForms(@TempDir Path dir) throws IOException {
        Path plain = dir.resolve("plain.json");
        Files.writeString(plain, "{\"chat_template\": \"{{ bos_token }}{{ messages[0].content }}{{ eos_token }}\","
                + " \"bos_token\": {\"content\": \"<s>\", \"lstrip\": false}, \"eos_token\": \"</s>\"}");
        assertEquals("<s>hi</s>", ChatTemplate.fromTokenizerConfig(plain).render(List.of(Map.of("role", "user", "content", "hi")), false, Map.of()));

        Path named = dir.resolve("named.json");
        Files.writeString(named, "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"T\"},"
                + " {\"name\": \"default\", \"template\": \"D{{ add_generation_prompt }}\"}]}");
        assertEquals("DTrue", ChatTemplate.fromTokenizerConfig(named).render(List.of(), true, Map.of()));

        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"chat_template\": \"ok\\n{% if %}\"}");
        TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.fromTokenizerConfig(broken));
        assertTrue(e.getMessage().contains(broken.toString()) && e.line() == 2, e.getMessage());

        Path missing = dir.resolve("missing.json");
        Files.writeString(missing, "{\"bos_token\": \"<s>\"}");
        TemplateException m = assertThrows(TemplateException.class, () -> ChatTemplate.fromTokenizerConfig(missing));
        assertTrue(m.getMessage().contains("'chat_template' is missing"), m.getMessage());
    }

    @Test
    void extraVariablesOverrideDefaultsAndToolsDefaultToNone() {
        ChatTemplate t = ChatTemplate.parse("{{ tools is none }} {{ enable_thinking }} {{ messages | length }}");
        assertEquals("True False 1", t.render(List.of(Map.of("role", "user", "content", "x")), false, Map.of("enable_thinking", false)));
    }
}

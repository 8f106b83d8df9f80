package neurosteer.engine.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Deterministic, varied test strings: many scripts, code, LaTeX, emoji, whitespace runs, digits, special tokens. */
final class TextSamples {
    private static final String[] PIECES = {
            "Hello", "world", "the", "The", "THE", "tokenizer", "Tokenization", "naïve", "café", "résumé",
            "I'm", "I'M", "don't", "DON'T", "we've", "We'Ve", "they'll", "THEY'LL", "she'd", "you're", "YOU'RE",
            "it's", "IT'S", "'s", "'t", "'re", "'ll", "o'clock", "rock'n'roll",
            "\\frac{a}{b}", "$x^2 + y_{i,j}$", "\\begin{align} E &= mc^2 \\\\ \\end{align}", "\\sum_{k=1}^{\\infty} \\frac{1}{k^2}",
            "\\mathbb{R}^n", "\\alpha\\beta\\gamma", "$$\\int_0^1 f(x)\\,dx$$",
            "def f(x):\n\treturn x**2  # square", "for (int i = 0; i < n; i++) {\n    sum += a[i];\n}",
            "{\"key\": [1, 2, 3], \"nested\": {\"a\": null}}", "<div class=\"x\">text</div>", "SELECT * FROM t WHERE id=42;",
            "x->y", "a::b", "#include <stdio.h>", "if __name__ == \"__main__\":", "    ", "\t\t", "=>", "!==", "&&", "||",
            "你好世界", "这是一个测试。", "中文文本，标点符号！", "日本語のテキスト", "こんにちは", "カタカナ", "안녕하세요", "한국어",
            "مرحبا بالعالم", "العربية", "שלום עולם", "नमस्ते दुनिया", "हिन्दी", "Привет, мир!", "Русский", "Ελληνικά",
            "สวัสดีชาวโลก", "ภาษาไทย", "தமிழ்", "বাংলা", "Tiếng Việt", "ქართული", "Հայերեն", "ᐃᓄᒃᑎᑐᑦ", "ꦧꦱꦗꦮ",
            "e\u0301", "a\u0308", "Å", "ﬁ", "①②③", "Ⅻ", "½", "²", "٣٤٥", "१२३",
            "😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "❤️", "🇫🇷", "🇯🇵", "🧑🏿‍💻", "✨", "🤖🤖🤖", "©", "™", "€", "∑∫√∞",
            " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", "   \n  ", " \t \n", "\u00A0", "\u3000", "\u2003", "\u200B",
            "...", "!!!", "?!", "—", "–", "«guillemets»", "“quotes”", "‘single’", "(parens)", "[brackets]", "@user", "#tag",
            "3.14159", "1,000,000", "2024-01-31", "0x1F", "1e-10", "-42", "+7",
            "<", "<|", "|>", "<s", "</", "<|im_start", "<think>", "</think>", "<tool_call>", "<<", ">>",
    };

    private TextSamples() {}

    /** {@code count} strings from {@code seed}; the first is empty; {@code specials} are mixed in. */
    static List<String> generate(long seed, int count, List<String> specials) {
        Random random = new Random(seed);
        List<String> out = new ArrayList<>(count);
        out.add("");
        while (out.size() < count) {
            StringBuilder sb = new StringBuilder();
            int parts = random.nextInt(12);
            for (int p = 0; p < parts; p++) {
                int kind = random.nextInt(20);
                if (kind < 12) sb.append(PIECES[random.nextInt(PIECES.length)]);
                else if (kind < 14) appendDigits(sb, random);
                else if (kind < 15) appendWhitespace(sb, random);
                else if (kind < 16 && !specials.isEmpty()) sb.append(specials.get(random.nextInt(specials.size())));
                else if (kind < 17) appendRandomLetters(sb, random);
                else if (kind < 18) sb.append(mixCase(PIECES[random.nextInt(PIECES.length)], random));
                else sb.append(' ');
                if (random.nextInt(3) == 0) sb.append(' ');
            }
            out.add(sb.toString());
        }
        return out;
    }

    private static void appendDigits(StringBuilder sb, Random random) {
        int length = 1 + random.nextInt(random.nextBoolean() ? 4 : 40);
        for (int i = 0; i < length; i++) sb.append((char) ('0' + random.nextInt(10)));
    }

    private static void appendWhitespace(StringBuilder sb, Random random) {
        String[] ws = {" ", "\t", "\n", "\r\n"};
        int length = 1 + random.nextInt(8);
        for (int i = 0; i < length; i++) sb.append(ws[random.nextInt(ws.length)]);
    }

    private static void appendRandomLetters(StringBuilder sb, Random random) {
        int[][] ranges = {{0x41, 0x5A}, {0x61, 0x7A}, {0xC0, 0x17F}, {0x391, 0x3C9}, {0x410, 0x44F}, {0x4E00, 0x4FFF},
                {0x3041, 0x3096}, {0xAC00, 0xACFF}, {0x0627, 0x064A}, {0x0905, 0x0939}, {0x0E01, 0x0E2E}, {0x1F600, 0x1F64F}};
        int[] range = ranges[random.nextInt(ranges.length)];
        int length = 1 + random.nextInt(10);
        for (int i = 0; i < length; i++) sb.appendCodePoint(range[0] + random.nextInt(range[1] - range[0] + 1));
    }

    private static String mixCase(String s, Random random) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(cp -> sb.appendCodePoint(random.nextBoolean() ? Character.toUpperCase(cp) : Character.toLowerCase(cp)));
        return sb.toString();
    }
}

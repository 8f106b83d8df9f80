package neurosteer.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import neurosteer.engine.Model;
import neurosteer.engine.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "tokenize", description = "Token ids of TEXT as JSON, as Hugging Face's encode gives them (special tokens added as the tokenizer's post-processor says).")
final class TokenizeCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "Model folder (or a folder with only the tokenizer files), model id, or .gguf file")
    String model;

    @Parameters(index = "1", paramLabel = "TEXT")
    String text;

    @Option(names = "--no-special", description = "Do not add BOS/EOS (add_special_tokens=False)")
    boolean noSpecial;

    @Option(names = "--pieces", description = "Also print each token's text")
    boolean pieces;

    @Override
    public void run() {
        Tokenizer t = Model.loadTokenizer(model);
        int[] ids = t.encode(text, !noSpecial);
        if (!pieces) {
            Json.print(spec.commandLine().getOut(), ids, false);
            return;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ids", ids);
        String[] texts = new String[ids.length];
        for (int i = 0; i < ids.length; i++) texts[i] = t.token(ids[i]);
        out.put("tokens", texts);
        Json.print(spec.commandLine().getOut(), out, false);
    }
}

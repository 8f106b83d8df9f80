package neurosteer.engine.hooks;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A named place in the forward pass, with TransformerLens's names:
 * {@code blocks.{l}.hook_resid_pre}, {@code blocks.{l}.hook_attn_out}, {@code blocks.{l}.hook_resid_mid},
 * {@code blocks.{l}.mlp.hook_pre} (gate projection, before the activation function),
 * {@code blocks.{l}.mlp.hook_pre_linear} (up projection), {@code blocks.{l}.mlp.hook_post}
 * (act(gate)·up: the neuron activations), {@code blocks.{l}.hook_mlp_out}, {@code blocks.{l}.hook_resid_post},
 * {@code ln_final.hook_normalized}.
 */
public record HookPoint(Kind kind, int layer) {
    public enum Kind {
        RESID_PRE("hook_resid_pre"),
        ATTN_OUT("hook_attn_out"),
        RESID_MID("hook_resid_mid"),
        MLP_PRE("mlp.hook_pre"),
        MLP_PRE_LINEAR("mlp.hook_pre_linear"),
        MLP_POST("mlp.hook_post"),
        MLP_OUT("hook_mlp_out"),
        RESID_POST("hook_resid_post"),
        FINAL_NORMALIZED("ln_final.hook_normalized");

        final String suffix;

        Kind(String suffix) {
            this.suffix = suffix;
        }
    }

    private static final Pattern BLOCK = Pattern.compile("blocks\\.(\\d+)\\.(.+)");

    public static HookPoint parse(String name) {
        if (name.equals(Kind.FINAL_NORMALIZED.suffix)) return new HookPoint(Kind.FINAL_NORMALIZED, -1);
        Matcher m = BLOCK.matcher(name);
        if (m.matches()) {
            for (Kind k : Kind.values())
                if (k != Kind.FINAL_NORMALIZED && k.suffix.equals(m.group(2))) return new HookPoint(k, Integer.parseInt(m.group(1)));
        }
        throw new IllegalArgumentException("unknown hook point '" + name + "' (expected e.g. blocks.3.mlp.hook_post, "
                + "blocks.0.hook_resid_pre, ln_final.hook_normalized)");
    }

    public static HookPoint mlpPost(int layer) { return new HookPoint(Kind.MLP_POST, layer); }

    public static HookPoint residPost(int layer) { return new HookPoint(Kind.RESID_POST, layer); }

    public static HookPoint residPre(int layer) { return new HookPoint(Kind.RESID_PRE, layer); }

    public String name() {
        return kind == Kind.FINAL_NORMALIZED ? kind.suffix : "blocks." + layer + "." + kind.suffix;
    }

    @Override
    public String toString() { return name(); }
}

package neurosteer.engine.format;

/** Where each weight of a Llama-family model lives in one checkpoint layout. */
public interface TensorNames {
    String embedding();
    String attnNorm(int l);
    String wq(int l);
    String wk(int l);
    String wv(int l);
    String wo(int l);
    String bq(int l);
    String bk(int l);
    String bv(int l);
    String ffnNorm(int l);
    String gate(int l);
    String up(int l);
    String down(int l);
    String finalNorm();
    String output();

    TensorNames HUGGING_FACE = new TensorNames() {
        public String embedding() { return "model.embed_tokens.weight"; }
        public String attnNorm(int l) { return "model.layers." + l + ".input_layernorm.weight"; }
        public String wq(int l) { return "model.layers." + l + ".self_attn.q_proj.weight"; }
        public String wk(int l) { return "model.layers." + l + ".self_attn.k_proj.weight"; }
        public String wv(int l) { return "model.layers." + l + ".self_attn.v_proj.weight"; }
        public String wo(int l) { return "model.layers." + l + ".self_attn.o_proj.weight"; }
        public String bq(int l) { return "model.layers." + l + ".self_attn.q_proj.bias"; }
        public String bk(int l) { return "model.layers." + l + ".self_attn.k_proj.bias"; }
        public String bv(int l) { return "model.layers." + l + ".self_attn.v_proj.bias"; }
        public String ffnNorm(int l) { return "model.layers." + l + ".post_attention_layernorm.weight"; }
        public String gate(int l) { return "model.layers." + l + ".mlp.gate_proj.weight"; }
        public String up(int l) { return "model.layers." + l + ".mlp.up_proj.weight"; }
        public String down(int l) { return "model.layers." + l + ".mlp.down_proj.weight"; }
        public String finalNorm() { return "model.norm.weight"; }
        public String output() { return "lm_head.weight"; }
    };

    TensorNames GGUF = new TensorNames() {
        public String embedding() { return "token_embd.weight"; }
        public String attnNorm(int l) { return "blk." + l + ".attn_norm.weight"; }
        public String wq(int l) { return "blk." + l + ".attn_q.weight"; }
        public String wk(int l) { return "blk." + l + ".attn_k.weight"; }
        public String wv(int l) { return "blk." + l + ".attn_v.weight"; }
        public String wo(int l) { return "blk." + l + ".attn_output.weight"; }
        public String bq(int l) { return "blk." + l + ".attn_q.bias"; }
        public String bk(int l) { return "blk." + l + ".attn_k.bias"; }
        public String bv(int l) { return "blk." + l + ".attn_v.bias"; }
        public String ffnNorm(int l) { return "blk." + l + ".ffn_norm.weight"; }
        public String gate(int l) { return "blk." + l + ".ffn_gate.weight"; }
        public String up(int l) { return "blk." + l + ".ffn_up.weight"; }
        public String down(int l) { return "blk." + l + ".ffn_down.weight"; }
        public String finalNorm() { return "output_norm.weight"; }
        public String output() { return "output.weight"; }
    };
}

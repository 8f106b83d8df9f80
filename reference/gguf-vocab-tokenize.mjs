// Tokenizes strings with llama.cpp (node-llama-cpp) using a vocab-only GGUF made from a tokenizer.json.
// usage: node gguf-vocab-tokenize.mjs <jobs.json>
//   jobs.json: [{"tokenizer": path, "model": "gpt2"|"llama", "pre": name, "samples": path, "out": path, "gguf": scratch path}]
//   samples: JSON array of strings; out: JSON array of token id arrays (special tokens parsed, no BOS added).
// Token types and scores follow the Java test's conversion (GgufTokenizerTest.metadataFrom).
import fs from "node:fs";
import { getLlama } from "node-llama-cpp";

function writeVocabGguf(tokenizerPath, ggufModel, pre, ggufPath) {
const tj = JSON.parse(fs.readFileSync(tokenizerPath, "utf8"));
const vocab = tj.model.vocab;
let size = Object.keys(vocab).length;
for (const a of tj.added_tokens) size = Math.max(size, a.id + 1);
const tokens = new Array(size), types = new Int32Array(size), scores = new Float32Array(size);
const isByteToken = (t) => /^<0x[0-9A-Fa-f]{2}>$/.test(t);
for (const [t, id] of Object.entries(vocab)) {
  tokens[id] = t;
  types[id] = ggufModel === "llama" && isByteToken(t) ? 6 : 1;
  scores[id] = -id;
}
for (const a of tj.added_tokens) {
  tokens[a.id] = a.content;
  types[a.id] = a.content === "<unk>" ? 2 : a.special ? 3 : 4;
  scores[a.id] = 0;
}

const chunks = [];
const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); chunks.push(b); };
const u64 = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); chunks.push(b); };
const str = (s) => { const b = Buffer.from(s, "utf8"); u64(b.length); chunks.push(b); };
const kvs = [];
const kv = (key, write) => kvs.push([key, write]);
const T = { UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9 };
const kvU32 = (k, v) => kv(k, () => { u32(T.UINT32); u32(v); });
const kvF32 = (k, v) => kv(k, () => { u32(T.FLOAT32); const b = Buffer.alloc(4); b.writeFloatLE(v); chunks.push(b); });
const kvStr = (k, v) => kv(k, () => { u32(T.STRING); str(v); });
const kvBool = (k, v) => kv(k, () => { u32(T.BOOL); chunks.push(Buffer.from([v ? 1 : 0])); });

kvStr("general.architecture", "llama");
kvU32("llama.context_length", 4096);
kvU32("llama.embedding_length", 64);
kvU32("llama.block_count", 1);
kvU32("llama.feed_forward_length", 128);
kvU32("llama.attention.head_count", 2);
kvU32("llama.attention.head_count_kv", 2);
kvU32("llama.rope.dimension_count", 32);
kvF32("llama.attention.layer_norm_rms_epsilon", 1e-5);
kvStr("tokenizer.ggml.model", ggufModel);
if (ggufModel === "gpt2") kvStr("tokenizer.ggml.pre", pre);
kv("tokenizer.ggml.tokens", () => { u32(T.ARRAY); u32(T.STRING); u64(size); for (const t of tokens) str(t); });
kv("tokenizer.ggml.token_type", () => { u32(T.ARRAY); u32(T.INT32); u64(size); chunks.push(Buffer.from(types.buffer)); });
if (ggufModel === "llama") {
  kv("tokenizer.ggml.scores", () => { u32(T.ARRAY); u32(T.FLOAT32); u64(size); chunks.push(Buffer.from(scores.buffer)); });
  kvU32("tokenizer.ggml.bos_token_id", 1);
  kvU32("tokenizer.ggml.eos_token_id", 2);
  kvU32("tokenizer.ggml.unknown_token_id", 0);
} else {
  const merges = tj.model.merges.map((m) => (Array.isArray(m) ? m.join(" ") : m));
  kv("tokenizer.ggml.merges", () => { u32(T.ARRAY); u32(T.STRING); u64(merges.length); for (const m of merges) str(m); });
}
kvBool("tokenizer.ggml.add_bos_token", false);

chunks.push(Buffer.from("GGUF", "ascii"));
u32(3);
u64(0);
u64(kvs.length);
for (const [key, write] of kvs) { str(key); write(); }
let total = chunks.reduce((n, c) => n + c.length, 0);
chunks.push(Buffer.alloc((32 - (total % 32)) % 32));
fs.writeFileSync(ggufPath, Buffer.concat(chunks));
}

const jobs = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const llama = await getLlama({ gpu: false, logLevel: "error" });
for (const job of jobs) {
  writeVocabGguf(job.tokenizer, job.model, job.pre, job.gguf);
  const model = await llama.loadModel({ modelPath: job.gguf, vocabOnly: true });
  const samples = JSON.parse(fs.readFileSync(job.samples, "utf8"));
  const out = samples.map((s) => Array.from(model.tokenize(s, true)));
  fs.writeFileSync(job.out, JSON.stringify(out));
  await model.dispose();
}
await llama.dispose();

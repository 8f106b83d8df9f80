// llama.cpp (node-llama-cpp, CPU prebuilt) speed on one GGUF, for side-by-side tables with `neurosteer bench`.
//
//   node reference/llamacpp-bench.mjs MODEL.gguf [--prompt-tokens 512] [--gen-tokens 64] [--threads 2] [--repeat 1]
//     -> one JSON line: prefill tokens/s (all prompt tokens in one batch), decode tokens/s (greedy, after
//        an 8-token prompt), peak resident memory. Flash attention off, F16 KV cache (llama.cpp's default).
//        After one warm-up round, the best of --repeat rounds is reported.
import fs from "node:fs";
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

function usage(message) {
    process.stderr.write(`${message}\nusage: node llamacpp-bench.mjs MODEL.gguf [--prompt-tokens N] [--gen-tokens N] [--threads N] [--repeat N]\n`);
    process.exit(2);
}

const [modelPath, ...rest] = process.argv.slice(2);
if (!modelPath) usage("missing model");
if (!fs.existsSync(modelPath)) usage(`model file not found: ${modelPath}`);
const options = {promptTokens: 512, genTokens: 64, threads: 2, repeat: 1};
const names = {"--prompt-tokens": "promptTokens", "--gen-tokens": "genTokens", "--threads": "threads", "--repeat": "repeat"};
for (let i = 0; i < rest.length; i++) {
    const key = names[rest[i]];
    if (!key) usage(`unknown argument ${rest[i]}`);
    const value = Number(rest[++i]);
    if (!Number.isInteger(value) || value < (key === "repeat" ? 0 : 1)) usage(`bad ${rest[i - 1]} ${rest[i]}`);
    options[key] = value;
}

// the same pseudo-random prompt as `neurosteer bench` would not matter for speed; any ids below 1000 (and
// below the vocabulary size) do
let idLimit = 1000;
function prompt(n, seed) {
    const out = [];
    let s = seed >>> 0;
    for (let i = 0; i < n; i++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        out.push(s % idLimit);
    }
    return out;
}

try {
    const llama = await getLlama({gpu: false, build: "never", usePrebuiltBinaries: true, skipDownload: true,
        progressLogs: false, maxThreads: options.threads, logLevel: LlamaLogLevel.error});
    const model = await llama.loadModel({modelPath, gpuLayers: 0, useMmap: true, defaultContextFlashAttention: false});
    const vocabulary = model.fileInfo?.metadata?.tokenizer?.ggml?.tokens?.length;
    if (Number.isInteger(vocabulary) && vocabulary > 0) idLimit = Math.min(idLimit, vocabulary);
    const context = await model.createContext({
        contextSize: options.promptTokens + options.genTokens + 16,
        batchSize: options.promptTokens,
        sequences: 1,
        flashAttention: false,
        threads: options.threads
    });
    const sequence = context.getSequence();
    let bestPrefill = 0, bestDecode = 0;
    for (let round = 0; round <= options.repeat; round++) {
        await sequence.clearHistory();
        const tokens = prompt(options.promptTokens, round + 1);
        const t0 = process.hrtime.bigint();
        await sequence.evaluateWithoutGeneratingNewTokens(tokens);
        const prefill = options.promptTokens / (Number(process.hrtime.bigint() - t0) / 1e9);

        await sequence.clearHistory();
        let generated = 0;
        const t1 = process.hrtime.bigint();
        for await (const token of sequence.evaluate(prompt(8, round + 100), {temperature: 0})) {
            if (++generated >= options.genTokens) break;
        }
        const decode = generated / (Number(process.hrtime.bigint() - t1) / 1e9);
        if (round > 0 || options.repeat === 0) {
            bestPrefill = Math.max(bestPrefill, prefill);
            bestDecode = Math.max(bestDecode, decode);
        }
    }
    const weightBytes = fs.statSync(modelPath).size;
    const peakRss = process.resourceUsage().maxRSS * 1024;
    const result = {engine: "llama.cpp", model: modelPath, threads: options.threads, prompt_tokens: options.promptTokens,
        gen_tokens: options.genTokens, prefill_tokens_per_s: bestPrefill, decode_tokens_per_s: bestDecode,
        weight_bytes: weightBytes, peak_rss_bytes: peakRss, peak_rss_over_weights: peakRss / weightBytes};
    await context.dispose();
    await model.dispose();
    process.stdout.write(JSON.stringify(result) + "\n", () => process.exit(0));
} catch (e) {
    process.stderr.write(`llamacpp-bench.mjs ${modelPath}: ${e?.stack ?? e}\n`);
    process.exit(1);
}

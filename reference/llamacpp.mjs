// llama.cpp (through node-llama-cpp, CPU only) as a reference for the engine's tests.
//
//   node reference/llamacpp.mjs logits MODEL.gguf --tokens 1,2,3 [--threads 2]
//     -> JSON [[p_0 ... p_{V-1}], ...]: for every input position, softmax of the next-token logits
//        (temperature 1, no sampling filters), indexed by token id.
//   node reference/llamacpp.mjs logits-many A.gguf B.gguf ... --tokens 1,2,3 [--threads 2]
//     -> JSON [rows of A, rows of B, ...]: the same for several models in one process (saves startup).
//   node reference/llamacpp.mjs tokenize MODEL.gguf --text-file F [--special]
//     -> F holds a JSON array of strings: JSON array of token id arrays;
//        otherwise F is one text (one trailing newline dropped): one JSON array of ids.
//        No BOS/EOS is added; --special parses special-token text such as <|begin_of_text|>.
//
// Only the JSON result goes to stdout; llama.cpp's own messages go to stderr at error level.
import fs from "node:fs";
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

function usage(message) {
    process.stderr.write(`${message}\nusage: node llamacpp.mjs logits MODEL.gguf --tokens 1,2,3 [--threads N]\n` +
        "       node llamacpp.mjs tokenize MODEL.gguf --text-file F [--special]\n");
    process.exit(2);
}

function parseArgs(argv) {
    const [command, model, ...rest] = argv;
    if (!command || !model) usage("missing command or model");
    const options = {command, model, models: [model], threads: 2, special: false};
    for (let i = 0; i < rest.length; i++) {
        const arg = rest[i];
        if (!arg.startsWith("--") && command === "logits-many") options.models.push(arg);
        else if (arg === "--tokens") options.tokens = rest[++i];
        else if (arg === "--threads") options.threads = Number(rest[++i]);
        else if (arg === "--text-file") options.textFile = rest[++i];
        else if (arg === "--special") options.special = true;
        else usage(`unknown argument ${arg}`);
    }
    for (const m of options.models) if (!fs.existsSync(m)) usage(`model file not found: ${m}`);
    if (!Number.isInteger(options.threads) || options.threads < 1) usage(`bad --threads ${options.threads}`);
    return options;
}

async function loadLlama(threads) {
    return getLlama({
        gpu: false,
        build: "never",
        usePrebuiltBinaries: true,
        skipDownload: true,
        progressLogs: false,
        maxThreads: threads,
        logLevel: LlamaLogLevel.error,
        logger: (level, message) => process.stderr.write(`[llama.cpp ${level}] ${message}${message.endsWith("\n") ? "" : "\n"}`)
    });
}

function parseTokens(options) {
    if (!options.tokens) usage(`${options.command} needs --tokens`);
    const tokens = options.tokens.split(",").map(s => {
        const t = Number(s.trim());
        if (!Number.isInteger(t) || t < 0) usage(`bad token id "${s}"`);
        return t;
    });
    if (tokens.length === 0) usage("no tokens");
    return tokens;
}

async function logits(llama, modelPath, tokens, threads) {
    const model = await llama.loadModel({modelPath, gpuLayers: 0, useMmap: true,
        defaultContextFlashAttention: false});
    const context = await model.createContext({
        contextSize: Math.max(32, tokens.length),
        batchSize: Math.max(32, tokens.length),
        sequences: 1,
        flashAttention: false,
        threads,
        experimentalKvCacheKeyType: "F32",
        experimentalKvCacheValueType: "F32"
    });
    const sequence = context.getSequence();
    // With the default sampler settings (temperature 0) node-llama-cpp keeps every candidate with its
    // raw logit, and "probabilities" is the softmax of all of them: the temperature-1 distribution.
    const results = await sequence.controlledEvaluate(tokens.map(t => [t, {generateNext: {probabilities: true}}]));
    const rows = [];
    for (let i = 0; i < tokens.length; i++) {
        const probabilities = results[i]?.next?.probabilities;
        if (probabilities == null) throw new Error(`no probabilities for position ${i}`);
        const dense = new Float64Array(probabilities.size);
        for (const [token, p] of probabilities) {
            if (token >= dense.length) throw new Error(`token id ${token} outside the ${dense.length} candidates`);
            dense[token] = p;
        }
        rows.push("[" + Array.from(dense, p => p === 0 ? "0" : p.toPrecision(9)).join(",") + "]");
    }
    await context.dispose();
    await model.dispose();
    return "[" + rows.join(",\n") + "]";
}

async function tokenize(options) {
    if (!options.textFile) usage("tokenize needs --text-file");
    const content = fs.readFileSync(options.textFile, "utf8");
    let texts = null;
    if (content.trimStart().startsWith("[")) {
        texts = JSON.parse(content);
        if (!Array.isArray(texts) || !texts.every(t => typeof t === "string"))
            usage(`${options.textFile}: expected a JSON array of strings`);
    }
    const llama = await loadLlama(options.threads);
    const model = await llama.loadModel({modelPath: options.model, vocabOnly: true, gpuLayers: 0});
    const encode = text => Array.from(model.tokenize(text, options.special));
    const out = texts == null ? encode(content.endsWith("\n") ? content.slice(0, -1) : content) : texts.map(encode);
    await model.dispose();
    return JSON.stringify(out);
}

const options = parseArgs(process.argv.slice(2));
try {
    let json;
    if (options.command === "logits" || options.command === "logits-many") {
        const tokens = parseTokens(options);
        const llama = await loadLlama(options.threads);
        const results = [];
        for (const m of options.models) results.push(await logits(llama, m, tokens, options.threads));
        json = options.command === "logits" ? results[0] : "[" + results.join(",\n") + "]";
    } else if (options.command === "tokenize") json = await tokenize(options);
    else usage(`unknown command ${options.command}`);
    process.stdout.write(json + "\n", () => process.exit(0));
} catch (e) {
    process.stderr.write(`llamacpp.mjs ${options.command} ${options.models.join(" ")}: ${e?.stack ?? e}\n`);
    process.exit(1);
}

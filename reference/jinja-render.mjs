// Renders chat templates with @huggingface/jinja (the engine transformers.js uses), as the reference
// for neurosteer's Java template interpreter.
// Usage: node reference/jinja-render.mjs jobs.json
//   jobs.json: [{"template": "...", "variables": {"messages": [...], "add_generation_prompt": true, ...}}, ...]
// Prints a JSON array with, per job, {"ok": true, "text": "..."} or {"ok": false, "error": "..."}.
import { readFileSync } from "node:fs";
import { Template } from "@huggingface/jinja";

const jobs = JSON.parse(readFileSync(process.argv[2], "utf8"));
const results = jobs.map((job) => {
  try {
    const text = new Template(job.template).render(job.variables);
    return { ok: true, text };
  } catch (e) {
    return { ok: false, error: String(e && e.message ? e.message : e) };
  }
});
process.stdout.write(JSON.stringify(results));

package neurosteer.method.run;

import java.nio.file.Path;

/** Where each step of a study reads and writes (see docs: one file per step, so steps can be rerun, resumed or run elsewhere). */
public record RunFolder(Path root) {
    public Path studyJson() { return root.resolve("study.json"); }
    public Path samples() { return root.resolve("samples.jsonl"); }
    public Path contrast() { return root.resolve("contrast.jsonl"); }
    public Path contrastSummary() { return root.resolve("contrast.summary.json"); }
    public Path review() { return root.resolve("review.jsonl"); }
    public Path stats() { return root.resolve("stats.safetensors"); }
    public Path statsShard(int index, int count) { return root.resolve("stats.shard-" + index + "-of-" + count + ".safetensors"); }
    public Path statsPartial(String name) { return root.resolve(name + ".partial.safetensors"); }
    public Path neurons(String name) { return root.resolve("neurons").resolve(name + ".json"); }
    public Path eval(String name) { return root.resolve("eval").resolve(name + ".jsonl"); }
    public Path evalSummary(String name) { return root.resolve("eval").resolve(name + ".summary.json"); }
    public Path table1Csv() { return root.resolve("table1.csv"); }
    public Path table1Md() { return root.resolve("table1.md"); }
}

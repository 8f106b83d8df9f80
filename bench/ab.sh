#!/usr/bin/env bash
# One matrix product timed with two builds of the engine in one JVM, in turn (neurosteer.bench.KernelAB):
#
#   bench/ab.sh REV_A REV_B TYPE ROWS COLS [THREADS=1] [BATCH=1] [ROUNDS=20]
#
# REV_A / REV_B: a git revision (built from `git archive` in a scratch folder) or WORKTREE (this checkout).
# Example: bench/ab.sh HEAD~1 WORKTREE Q4_0 2048 8192 1 1 20
set -euo pipefail
shopt -s inherit_errexit  # a failure inside $(build ...) stops the script
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/.ci/java-env.sh"
[[ $# -ge 5 ]] || { sed -n 2,7p "$0" >&2; exit 2; }
scratch="${TMPDIR:-/tmp}/neurosteer-ab"
mkdir -p "$scratch"
build() {  # revision -> folder of engine classes
  local rev="$1"
  if [[ "$rev" == WORKTREE ]]; then
    (cd "$here" && mvn -q -o -pl engine -DskipTests package >&2 2>/dev/null || mvn -q -pl engine -DskipTests package >&2)
    echo "$here/engine/target/classes"; return
  fi
  local sha
  sha="$(git -C "$here" rev-parse --verify --quiet "$rev^{commit}")" || { echo "bench/ab.sh: no commit $rev" >&2; exit 2; }
  local dir="$scratch/$sha"
  if [[ ! -d "$dir/engine/target/classes" ]]; then
    rm -rf "$dir" && mkdir -p "$dir"
    git -C "$here" archive "$sha" | tar -x -C "$dir"
    (cd "$dir" && mvn -q -o -pl engine -DskipTests package >&2 2>/dev/null || mvn -q -pl engine -DskipTests package >&2)
  fi
  [[ -d "$dir/engine/target/classes/neurosteer" ]] || { echo "bench/ab.sh: building the engine of $rev failed" >&2; exit 1; }
  echo "$dir/engine/target/classes"
}
a="$(build "$1")"; b="$(build "$2")"
(cd "$here" && mvn -q -o -P bench -pl bench -am package -DskipTests >&2 2>/dev/null || mvn -q -P bench -pl bench -am package -DskipTests >&2)
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xmn64m -XX:PerMethodTrapLimit=100000 \
  -cp "$here/bench/target/neurosteer-bench-0.1.0-SNAPSHOT.jar" neurosteer.bench.KernelAB "$a" "$b" "$3" "$4" "$5" "${6:-1}" "${7:-1}" "${8:-20}"

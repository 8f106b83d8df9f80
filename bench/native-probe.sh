#!/usr/bin/env bash
# A plain C kernel (bench/native-probe/matvec.c, AVX2 + FMA + F16C, built here with gcc) and the engine's
# own kernel on the same shape, one after the other: what native decode kernels would gain.
#
#   bench/native-probe.sh q4_k|bf16 ROWS COLS [THREADS=2] [ROUNDS=10]     # e.g. bench/native-probe.sh q4_k 65536 2048 2
#
# The C probe prints G multiply-adds/s and GB/s of its best round; the engine's figure comes from
# bench/ab.sh (this checkout against itself, so its two rates also show the noise of the run).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ $# -ge 3 ]] || { sed -n 2,8p "$0" >&2; exit 2; }
type="$1" rows="$2" cols="$3" threads="${4:-2}" rounds="${5:-10}"
grep -qw avx2 /proc/cpuinfo && grep -qw f16c /proc/cpuinfo || { echo "native-probe: this CPU has no AVX2/F16C" >&2; exit 1; }
command -v gcc >/dev/null || { echo "native-probe: gcc not found (Debian: apt-get install gcc)" >&2; exit 1; }
probe="${TMPDIR:-/tmp}/neurosteer-native-probe/matvec"
mkdir -p "$(dirname "$probe")"
gcc -O3 -mavx2 -mfma -mf16c -pthread -Wall -Wextra -o "$probe" "$here/bench/native-probe/matvec.c" -lm
echo "C probe:"
"$probe" "$type" "$rows" "$cols" "$threads" "$rounds"
echo "engine (bench/ab.sh WORKTREE WORKTREE):"
"$here/bench/ab.sh" WORKTREE WORKTREE "$(tr a-z A-Z <<<"$type")" "$rows" "$cols" "$threads" 1 "$rounds" 2>&1 | tail -1

#!/usr/bin/env bash
# What C2 made of a kernel: its inlining decisions, its machine code, and where the time goes in it.
#
#   bench/jit.sh inlining TYPE ROWS COLS CLASS::METHOD [THREADS=1] [BATCH=1]     # e.g. bench/jit.sh inlining Q4_K 4096 2048 InterleavedQ4_KTensor::groupDot
#   bench/jit.sh profile  TYPE ROWS COLS CLASS::METHOD [THREADS=1] [BATCH=1]
#
# Both run this checkout's kernel through neurosteer.bench.KernelAB (bench/ab.sh WORKTREE WORKTREE).
# inlining: the calls C2 did not inline into METHOD. "NodeCountInliningCutoff" is the one to watch: past
#   a node budget C2 stops inlining our small helpers (toFloats, halfToFloats, ...) though it still
#   inlines the Vector API's own (forced) methods, and a vector passed to a helper that is not inlined is
#   allocated on the heap: the kernel runs 2x slower with no other sign.
# profile: -XX:+PrintAssembly through a plug-in that hands the code to GNU objdump (bench/jit/hsdis-objdump.c,
#   built here with gcc), perf sampling (cpu-clock), and the samples of every instruction of METHOD's
#   hottest compile. A stalled load is usually blamed on the instruction after it.
# Needs gcc, objdump and perf (Debian: gcc binutils linux-perf) for profile.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ $# -ge 5 ]] || { sed -n 2,18p "$0" >&2; exit 2; }
mode="$1" type="$2" rows="$3" cols="$4" method="$5" threads="${6:-1}" batch="${7:-1}"
[[ "$method" == *::* ]] || { echo "bench/jit.sh: METHOD is Class::method, e.g. InterleavedQ4_KTensor::groupDot" >&2; exit 2; }
work="${TMPDIR:-/tmp}/neurosteer-jit"
mkdir -p "$work"
pattern="*${method%%::*}.${method##*::}"
case "$mode" in
  inlining)
    JAVA_TOOL_OPTIONS="-XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=option,$pattern,PrintInlining" \
      "$here/bench/ab.sh" WORKTREE WORKTREE "$type" "$rows" "$cols" "$threads" "$batch" 3 > "$work/inlining.txt" 2>&1
    grep 'G/s' "$work/inlining.txt" || { tail -20 "$work/inlining.txt" >&2; exit 1; }
    echo "calls not inlined (count, call):"
    grep -E 'failed to inline' "$work/inlining.txt" | grep -v -E 'no static binding|callee is too large|too big|low call site frequency|too much stack' \
      | sed 's/^ *//' | sort | uniq -c | sort -rn | head -20 || true
    if grep -q NodeCountInliningCutoff "$work/inlining.txt"; then
      echo "bench/jit.sh: $method passed C2's node budget (NodeCountInliningCutoff above)"; exit 3
    fi
    echo "no NodeCountInliningCutoff" ;;
  profile)
    for tool in gcc objdump perf; do command -v "$tool" >/dev/null || { echo "bench/jit.sh: $tool not found" >&2; exit 1; }; done
    gcc -O2 -Wall -Wextra -shared -fPIC -o "$work/hsdis-amd64.so" "$here/bench/jit/hsdis-objdump.c"
    LD_LIBRARY_PATH="$work" JAVA_TOOL_OPTIONS="-XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=print,$pattern -XX:PrintAssemblyOptions=intel" \
      perf record -q -F 4000 -o "$work/perf.data" -- "$here/bench/ab.sh" WORKTREE WORKTREE "$type" "$rows" "$cols" "$threads" "$batch" 40 \
      > "$work/listing.txt" 2>&1
    grep 'G/s' "$work/listing.txt" || { tail -20 "$work/listing.txt" >&2; exit 1; }
    perf script -i "$work/perf.data" -F ip 2>/dev/null | sort | uniq -c | sort -rn > "$work/samples.txt"
    python3 "$here/bench/jit/hot-instructions.py" "$work/listing.txt" "$work/samples.txt" "$method" > "$work/hot.txt"
    tail -27 "$work/hot.txt"
    echo "(every instruction: $work/hot.txt; the whole listing: $work/listing.txt)" ;;
  *) sed -n 2,18p "$0" >&2; exit 2 ;;
esac

"""Per-instruction perf samples of one C2-compiled method (used by bench/jit.sh profile).

usage: hot-instructions.py LISTING SAMPLES METHOD [TOP]
LISTING: HotSpot's -XX:+PrintAssembly output (through hsdis-objdump); SAMPLES: `perf script -F ip`
counted by `sort | uniq -c`; METHOD: Class::method as HotSpot prints it. Prints the compile of METHOD
with the most samples, every instruction with its count, then the TOP hottest.
"""
import collections
import re
import sys

listing, samples, method = sys.argv[1:4]
top = int(sys.argv[4]) if len(sys.argv) > 4 else 25
instructions, compile_id = {}, None
for line in open(listing, errors="replace"):
    if line.startswith("Compiled method"):
        compile_id = line.split()[3] if "(c2)" in line and method in line else None
        continue
    m = re.match(r"\s+([0-9a-f]{8,}):\s+(.*)", line)
    if m and compile_id:
        instructions[int(m.group(1), 16)] = (compile_id, m.group(2).strip())
counts = collections.Counter()
for line in open(samples):
    count, ip = line.split()
    address = int(ip, 16)
    if address in instructions:
        counts[address] = int(count)
if not counts:
    sys.exit(f"hot-instructions: no samples fell in a C2 compile of {method}")
per_compile = collections.Counter()
for address, count in counts.items():
    per_compile[instructions[address][0]] += count
best, total = per_compile.most_common(1)[0]
print(f"{method}: compile {best}, {total} samples")
rows = [(address, counts.get(address, 0), text) for address, (cid, text) in sorted(instructions.items()) if cid == best]
for address, count, text in rows:
    print(f"{count:7d}  {address:x}  {text}")
print(f"\nhottest {top}:")
for address, count, text in sorted(rows, key=lambda r: -r[1])[:top]:
    print(f"{count:7d} {100 * count / total:5.1f}%  {address:x}  {text}")

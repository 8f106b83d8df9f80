#!/usr/bin/env bash
# Builds the JMH module (profile "bench") and runs its kernel benchmarks; extra arguments go to JMH,
# e.g. bench/jmh.sh MatmulBenchmark -p type=Q8_0,Q4_K -p batch=64 -wi 2 -i 3
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/.ci/java-env.sh"
(cd "$here" && mvn -q -o -P bench -pl bench -am package -DskipTests >&2 2>/dev/null || mvn -q -P bench -pl bench -am package -DskipTests >&2)
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$here/bench/target/neurosteer-bench-0.1.0-SNAPSHOT.jar:$here/bench/target/lib/*" \
  org.openjdk.jmh.Main "$@"

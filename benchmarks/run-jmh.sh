#!/usr/bin/env bash
# Runs Cairn's JMH benchmarks on a JDK 25 with the GC profiler on (gc.alloc.rate.norm must stay ~0 B/op on hot
# paths). Finds the JDK like the cairn launcher (JAVA_HOME if it is 25 or newer, else /usr/lib/jvm), builds
# benchmarks/target/benchmarks.jar when it is missing or older than the sources, and passes all other arguments to
# JMH (org.openjdk.jmh.Main).
#
#   benchmarks/run-jmh.sh ZeroDetection -f 1 -wi 2 -i 3
#   benchmarks/run-jmh.sh --json results.json 'Zstd|BlockHash' -wi 1 -i 2 -w 2s -r 2s
#   benchmarks/run-jmh.sh -l                       (list benchmarks; -h for JMH's options)
#
# --json FILE   write JMH's JSON results to FILE (same as passing -rf json -rff FILE)
# --no-build    use the jar as it is
#
# Every benchmark forks with the JVM flags Cairn needs (io.cairn.bench.JvmFlags). Passing -jvmArgsAppend here
# would replace them: add JVM options with -jvmArgsPrepend instead. JMH_JAVA_OPTS go to the JMH host JVM, and
# JMH copies the host's options into every fork unless -jvmArgs is given. Benchmark files go to /tmp unless you add -jvmArgsPrepend -Dcairn.bench.dir=DIR; the 1 GiB file
# of DirectReadBenchmark is kept there for later runs.
set -euo pipefail
HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
ROOT="$(dirname "$HERE")"
JAR="$HERE/target/benchmarks.jar"

java_major() { # prints the major version of a java binary, or 0
  "$1" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}' || echo 0
}

find_java() {
  local cand
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(java_major "$JAVA_HOME/bin/java")" -ge 25 ]; then
    echo "$JAVA_HOME"; return 0
  fi
  for cand in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25* /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
    if [ -x "$cand/bin/java" ] && [ "$(java_major "$cand/bin/java")" -ge 25 ]; then
      echo "$cand"; return 0
    fi
  done
  if command -v java >/dev/null 2>&1 && [ "$(java_major java)" -ge 25 ]; then
    dirname "$(dirname "$(readlink -f "$(command -v java)")")"; return 0
  fi
  return 1
}

build=1
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --json)
      [ $# -ge 2 ] || { echo "run-jmh: error: --json needs a file name" >&2; exit 2; }
      args+=(-rf json -rff "$2"); shift 2 ;;
    --no-build) build=0; shift ;;
    *) args+=("$1"); shift ;;
  esac
done

JDK="$(find_java)" || { echo "run-jmh: error: no JDK 25 or newer found (set JAVA_HOME or install one under /usr/lib/jvm)" >&2; exit 1; }

needs_build() {
  [ -f "$JAR" ] || return 0
  [ -n "$(find "$ROOT" \( -name target -o -name .git \) -prune -o \( -path '*/src/main/*' -o -name pom.xml \) \
      -type f -newer "$JAR" -print -quit 2>/dev/null)" ]
}
if [ "$build" = 1 ] && needs_build; then
  command -v mvn >/dev/null 2>&1 || { echo "run-jmh: error: Maven (mvn) is needed to build the benchmarks" >&2; exit 1; }
  echo "run-jmh: building $JAR ..." >&2
  if ! (cd "$ROOT" && mvn -B -q -Dmaven.test.skip=true package -pl benchmarks -am) >&2; then
    echo "run-jmh: error: build failed (output above)" >&2; exit 1
  fi
fi
[ -f "$JAR" ] || { echo "run-jmh: error: $JAR is missing" >&2; exit 1; }

# The host JVM only drives the forks, which run on the same JDK; these flags keep it quiet on JDK 25.
# shellcheck disable=SC2086
exec "$JDK/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow ${JMH_JAVA_OPTS:-} \
  -jar "$JAR" -prof gc "${args[@]}"

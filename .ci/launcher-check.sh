#!/usr/bin/env bash
# End-to-end check of the ./cairn launcher from the built tree (the Java tests run the CLI with java directly):
# init, backup --json, restore and a byte comparison, run
#   1. without a start-up cache (the launcher makes it: one line on stderr, cache file afterwards),
#   2. with it (the classes come from the cache),
#   3. with a cache whose bytes were damaged behind the launcher's back (the JVM rejects it; silent fallback),
#   4. with a truncated cache, by two launchers at once (one remakes it, the other runs without it),
# asserting each time that stdout of backup --json is exactly one JSON object and nothing else; then the JIT
# the launcher picks (C1 only with native block ids, tiered with the Java hasher).
# Leaves a valid cache behind. Needs python3 (json) and cmp.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CAIRN="$ROOT/cairn"
TARGET="$ROOT/tools/target"
AOT="$TARGET/cairn.aot"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "launcher-check: FAIL: $*" >&2; exit 1; }
step() { echo "launcher-check: [${SECONDS}s] $*" >&2; }

# Just built by mvn: tell the launcher so, unless a source is newer than the jar (then it rebuilds, as it should).
jar="$(ls "$TARGET"/cairn-tools-*.jar 2>/dev/null | head -1)" || true
[ -n "$jar" ] || fail "no tools/target/cairn-tools-*.jar: build first (mvn -B verify)"
if [ ! -f "$TARGET/.cairn-built" ] && [ -z "$(find "$ROOT" \( -name target -o -name .git \) -prune -o \
    \( -path '*/src/main/*' -o -name pom.xml \) -type f -newer "$jar" -print -quit)" ]; then
  touch "$TARGET/.cairn-built"
fi

# 24 MiB: zero, text-like and random MiB blocks, and a tail that is not a whole block.
python3 - "$work/disk.img" <<'EOF'
import os, sys
with open(sys.argv[1], "wb") as f:
    for i in range(24):
        kind = i % 3
        if kind == 0:
            f.write(bytes(1 << 20))
        elif kind == 1:
            line = b"cairn launcher check %d: text-like block that compresses\n" % i
            f.write((line * ((1 << 20) // len(line) + 1))[: 1 << 20])
        else:
            f.write(os.urandom(1 << 20))
    f.write(os.urandom(12345))
EOF

# One round in directory $1: init, backup --json, restore, cmp. Extra launcher environment comes from the caller.
round() {
  local d="$1"
  mkdir -p "$d"
  "$CAIRN" init --repo "$d/repo" >"$d/init.out" 2>"$d/init.err" || fail "$d: init: $(cat "$d/init.err")"
  "$CAIRN" backup --repo "$d/repo" --disk vm "$work/disk.img" --json >"$d/backup.out" 2>"$d/backup.err" \
    || fail "$d: backup: $(cat "$d/backup.err")"
  python3 - "$d/backup.out" <<'EOF' || fail "$d: stdout of backup --json is not exactly one JSON object"
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
if not text.endswith("\n") or text.count("\n") != 1:
    sys.exit("expected one line, got: %r" % text[:2000])
obj = json.loads(text)
if not isinstance(obj, dict) or obj.get("type") != "full" or obj.get("disk") != "vm":
    sys.exit("unexpected object: %r" % obj)
EOF
  "$CAIRN" restore --repo "$d/repo" --disk vm --to "$d/restored.img" >"$d/restore.out" 2>"$d/restore.err" \
    || fail "$d: restore: $(cat "$d/restore.err")"
  cmp "$work/disk.img" "$d/restored.img" || fail "$d: restored image differs"
  if grep -E '\[(warning|error|info)\]' "$d"/*.err "$d"/*.out; then fail "$d: JVM log lines above"; fi
  rm -f "$d/restored.img"
}

step "1/4 no start-up cache: the launcher makes it"
rm -f "$AOT" "$AOT.key" "$AOT.failed"
round "$work/r1"
grep -q "preparing start-up cache" "$work/r1/init.err" || fail "r1: no 'preparing start-up cache' line on stderr"
[ "$(grep -c . "$work/r1/init.err")" -le 2 ] || fail "r1: init printed more than expected: $(cat "$work/r1/init.err")"
[ -s "$AOT" ] && [ -s "$AOT.key" ] || fail "no cache after the first run (see $TARGET/cairn-aot.log)"

step "2/4 with the cache: classes come from it"
CAIRN_JAVA_OPTS="-Xlog:class+load=info:file=$work/classes.log" round "$work/r2"
grep -q "preparing start-up cache" "$work/r2"/*.err && fail "r2: the cache was made again"
grep -q "io.cairn.tools.BackupCommand source: shared objects file" "$work/classes.log" \
  || fail "r2: BackupCommand was not loaded from the AOT cache"

step "3/4 cache damaged in place (same size and mtime): the JVM rejects it, output stays clean"
touch -r "$AOT" "$work/mtime"
printf 'not an AOT cache' | dd of="$AOT" bs=1 seek=0 conv=notrunc status=none
touch -r "$work/mtime" "$AOT"
CAIRN_JAVA_OPTS="-Xlog:class+load=info:file=$work/classes3.log" round "$work/r3"
grep -q "preparing start-up cache" "$work/r3"/*.err && fail "r3: the launcher noticed the damage (test is void)"
grep -q "io.cairn.tools.BackupCommand source: file:" "$work/classes3.log" \
  || fail "r3: BackupCommand did not come from its jar: the damaged cache was used"

step "4/4 truncated cache, two launchers at once: one remakes it, both succeed"
truncate -s 100000 "$AOT"
round "$work/r4a" & pid_a=$!
round "$work/r4b" & pid_b=$!
wait "$pid_a" || fail "r4a failed"
wait "$pid_b" || fail "r4b failed"
[ "$(cat "$work"/r4?/*.err | grep -c "preparing start-up cache")" = 1 ] \
  || fail "r4: expected exactly one launcher to prepare the cache: $(cat "$work"/r4?/*.err)"
[ "$(stat -c %s "$AOT")" -gt 1000000 ] || fail "r4: cache not remade"
step "JIT: C1 only when libxxhash hashes the block ids, tiered when the Java hasher does"
ver="$("$CAIRN" --version)" || fail "cairn --version failed"
if grep -q "^block ids: xxh3-128, native" <<<"$ver"; then
  grep -qx "jit: C1 only (-XX:TieredStopAtLevel=1)" <<<"$ver" || fail "native block ids but not C1 only: $ver"
else
  grep -qx "jit: tiered (C1 and C2)" <<<"$ver" || fail "Java block ids but not tiered: $ver"
fi
ver="$(CAIRN_JAVA_OPTS=-Dcairn.xxhash.native=false "$CAIRN" --version)" || fail "cairn --version failed"
grep -qx "jit: tiered (C1 and C2)" <<<"$ver" || fail "-Dcairn.xxhash.native=false but not tiered: $ver"
step "OK"

#!/usr/bin/env bash
# Compact measurement (issue #5's closing figure): how long `cairn compact` takes to reclaim ~1 GiB of garbage from
# a ~4 GiB repository, beside the time to write that repository and a same-run baseline of plain copying.
#   1. a 4 GiB image of incompressible bytes (AES-CTR keystream, deterministic), full backup (timed)
#   2. every 4th 1 MiB block overwritten (1 GiB), incremental backup (timed)
#   3. `cairn retention --keep-last 1` removes the first point: 1 GiB of garbage, spread so that every 64 MiB pack
#      is a quarter garbage (compact must rewrite all of them: the worst case, 3 GiB copied)
#   4. `cairn compact --json` (timed, peak RSS), then verify and a bit-exact restore of the remaining point
#   5. baseline: dd of 3 GiB (the bytes compact copies) file to file with fdatasync, cold cache
# Usage: benchmarks/compact-bench.sh [WORKDIR]   (root needed to drop the page cache)
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
WORK="$(readlink -f "${1:-/tmp/cairn-compact-bench}")"
CAIRN="$ROOT/cairn"
SIZE=$((4 << 30))
rm -rf "$WORK"; mkdir -p "$WORK"
"$CAIRN" --version >/dev/null   # build first, outside the timings

drop() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || echo "warning: cannot drop caches (not root)" >&2; }
declare -A SEC RSS
timed() { # name cmd...   -> SEC[name], RSS[name] (MiB)
  local name="$1"; shift
  drop
  /usr/bin/time -f "%e %M" -o "$WORK/time.$name" "$@"
  read -r s k < "$WORK/time.$name"; SEC[$name]=$s; RSS[$name]=$((k / 1024))
}
keystream() { (openssl enc -aes-128-ctr -nosalt -pass "pass:$1" -pbkdf2 < /dev/zero 2>/dev/null || true) | head -c "$2"; }

keystream cairn-bench-1 "$SIZE" > "$WORK/disk.img"
"$CAIRN" init --repo "$WORK/repo" >/dev/null 2>&1
timed full "$CAIRN" backup --repo "$WORK/repo" --disk bench "$WORK/disk.img" --json > "$WORK/full.json"
python3 - "$WORK/disk.img" <<'PY'
import subprocess, sys
mib = 1 << 20
src = subprocess.Popen("openssl enc -aes-128-ctr -nosalt -pass pass:cairn-bench-2 -pbkdf2 < /dev/zero 2>/dev/null",
                       shell=True, stdout=subprocess.PIPE)
with open(sys.argv[1], 'r+b') as f:
    for b in range(0, 4096, 4):
        f.seek(b * mib); f.write(src.stdout.read(mib))
src.kill()
PY
SHA2=$(sha256sum "$WORK/disk.img" | cut -d' ' -f1)
timed incr "$CAIRN" backup --repo "$WORK/repo" --disk bench "$WORK/disk.img" --json > "$WORK/incr.json"
"$CAIRN" retention --repo "$WORK/repo" --keep-last 1 >/dev/null
REPO_BEFORE=$(du -sb "$WORK/repo" | cut -f1)
timed compact "$CAIRN" compact --repo "$WORK/repo" --json > "$WORK/compact.json"
REPO_AFTER=$(du -sb "$WORK/repo" | cut -f1)
"$CAIRN" verify --repo "$WORK/repo" --json > "$WORK/verify.json" 2>"$WORK/verify.err"
"$CAIRN" restore --repo "$WORK/repo" --disk bench --to "$WORK/restored.img" 2>/dev/null
RESTORED_OK=$([ "$(sha256sum "$WORK/restored.img" | cut -d' ' -f1)" = "$SHA2" ] && echo true || echo false)
rm -f "$WORK/restored.img"
timed dd3g dd if="$WORK/disk.img" of="$WORK/copy.img" bs=4M count=768 iflag=direct conv=fdatasync status=none
rm -f "$WORK/copy.img"

printf '%-28s %10s %10s\n' step seconds peak_MiB
for s in full incr compact dd3g; do printf '%-28s %10s %10s\n' "$s" "${SEC[$s]}" "${RSS[$s]}"; done
echo "repository before compact: $REPO_BEFORE bytes, after: $REPO_AFTER bytes"
echo "compact: $(cat "$WORK/compact.json")"
echo "verify after compact: $(tail -1 "$WORK/verify.err"); remaining point restores bit-exact: $RESTORED_OK"
python3 - "$WORK" "$REPO_BEFORE" "$REPO_AFTER" "$RESTORED_OK" \
  "${SEC[full]}" "${SEC[incr]}" "${SEC[compact]}" "${SEC[dd3g]}" "${RSS[compact]}" <<'PY'
import json, sys
w, before, after, ok, full, incr, compact, dd, rss = sys.argv[1:]
out = {"repo_bytes_before": int(before), "repo_bytes_after": int(after), "restore_bit_exact": ok == "true",
       "full_backup_s": float(full), "incremental_backup_s": float(incr), "compact_s": float(compact),
       "dd_3gib_copy_s": float(dd), "compact_peak_rss_mib": int(rss),
       "compact": json.load(open(w + "/compact.json"))}
json.dump(out, open(w + "/results.json", "w"), indent=1)
PY
echo "results: $WORK/results.json"

#!/usr/bin/env bash
# Foundation end-to-end measurement (issue #2's closing figures), cold cache, in one run on one image:
#   dd (O_DIRECT read, the hardware bound), zstd -1 -T2 of the image and zstd -d of that file (the restore
#   baseline; it writes into the page cache and does not sync, while cairn restore ends with an fdatasync),
#   cairn full backup, 2% of blocks changed, cairn incremental, cairn restore of both points (checked bit-exact
#   by SHA-256), verify --deep.
# Usage: benchmarks/foundation-bench.sh IMAGE [WORKDIR]      (root needed to drop the page cache)
# The image is copied into WORKDIR (it is modified there); prints one table and writes WORKDIR/results.json.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
IMAGE="$(readlink -f "$1")"
WORK="$(readlink -f "${2:-/tmp/cairn-foundation-bench}")"
CAIRN="$ROOT/cairn"
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
SIZE=$(stat -c %s "$IMAGE")
cp --sparse=auto "$IMAGE" "$WORK/disk.img"   # keeps the image as dense or sparse as it is
SHA1=$(sha256sum "$WORK/disk.img" | cut -d' ' -f1)

timed dd dd if="$WORK/disk.img" of=/dev/null bs=4M iflag=direct status=none
timed zstd zstd -q -1 -T2 -f "$WORK/disk.img" -o "$WORK/disk.img.zst"
ZSTD_SIZE=$(stat -c %s "$WORK/disk.img.zst")
timed zstd_d zstd -q -d -f "$WORK/disk.img.zst" -o "$WORK/zstd-d.img"
rm -f "$WORK/disk.img.zst" "$WORK/zstd-d.img"
"$CAIRN" init --repo "$WORK/repo" >/dev/null 2>&1
timed full "$CAIRN" backup --repo "$WORK/repo" --disk bench "$WORK/disk.img" --json > "$WORK/full.json"
# change 2% of the 1 MiB blocks: 64 KiB of random data at the start of each chosen block (deterministic)
python3 - "$WORK/disk.img" "$SIZE" <<'PY'
import os, random, sys
path, size = sys.argv[1], int(sys.argv[2]); blocks = size // (1 << 20); r = random.Random(2)
with open(path, 'r+b') as f:
    for b in r.sample(range(blocks), max(1, blocks * 2 // 100)):
        f.seek(b << 20); f.write(r.randbytes(64 << 10))
PY
SHA2=$(sha256sum "$WORK/disk.img" | cut -d' ' -f1)
timed incr "$CAIRN" backup --repo "$WORK/repo" --disk bench "$WORK/disk.img" --json > "$WORK/incr.json"
FULL_ID=$(python3 -c "import json;print(json.load(open('$WORK/full.json'))['id'])")
timed restore "$CAIRN" restore --repo "$WORK/repo" --disk bench --to "$WORK/restore-incr.img" >/dev/null 2>"$WORK/restore.log"
cat "$WORK/restore.log" >&2
R2=$(sha256sum "$WORK/restore-incr.img" | cut -d' ' -f1); rm -f "$WORK/restore-incr.img"
timed restore_full "$CAIRN" restore --repo "$WORK/repo" --disk bench --point "$FULL_ID" --to "$WORK/restore-full.img" >/dev/null
R1=$(sha256sum "$WORK/restore-full.img" | cut -d' ' -f1); rm -f "$WORK/restore-full.img"
timed verify "$CAIRN" verify --repo "$WORK/repo" --deep >/dev/null
REPO_SIZE=$(du -sb "$WORK/repo" | cut -f1)

mbs() { python3 -c "print(f'{$SIZE/1e6/max($1,1e-9):.0f}')"; }
printf "\nimage %s: %s bytes (%s allocated)\n" "$IMAGE" "$SIZE" "$(du -B1 "$IMAGE" | cut -f1)"
printf "%-22s %8s %9s %9s\n" step seconds "MB/s" "RSS MiB"
for s in dd zstd zstd_d full incr restore restore_full verify; do
  printf "%-22s %8s %9s %9s\n" "$s" "${SEC[$s]}" "$(mbs "${SEC[$s]}")" "${RSS[$s]}"
done
printf "bit-exact: full %s, incremental %s\n" "$([ "$R1" = "$SHA1" ] && echo yes || echo NO)" "$([ "$R2" = "$SHA2" ] && echo yes || echo NO)"
printf "repository %s bytes; zstd -1 file %s bytes\n" "$REPO_SIZE" "$ZSTD_SIZE"
python3 - "$WORK" <<PY
import json, sys
work = sys.argv[1]
out = {"image": "$IMAGE", "size": $SIZE, "repo_bytes": $REPO_SIZE, "zstd_bytes": $ZSTD_SIZE,
       "bit_exact_full": "$R1" == "$SHA1", "bit_exact_incremental": "$R2" == "$SHA2",
       "steps": {s: {"seconds": float(v.split()[0]), "rss_mib": int(v.split()[1]) // 1024}
                 for s, v in ((s, open(f"{work}/time.{s}").read()) for s in
                 ["dd", "zstd", "zstd_d", "full", "incr", "restore", "restore_full", "verify"])},
       "full": json.load(open(f"{work}/full.json")), "incremental": json.load(open(f"{work}/incr.json"))}
json.dump(out, open(f"{work}/results.json", "w"), indent=1)
PY

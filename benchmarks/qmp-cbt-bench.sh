#!/usr/bin/env bash
# Issue #4's closing figures: the incremental backup of a running 4 GiB qcow2 disk (qemu-storage-daemon) with 2 %
# of its 1 MiB blocks changed through NBD, once through QEMU's dirty bitmap (cairn backup --qmp, CBT) and once by
# hash comparison (cairn backup of the same NBD export without a bitmap), in the same run, each cold
# (page cache dropped before it). Both repositories get their full backup first; both incrementals then read the
# same changed disk. Each restore is compared with the disk (qemu-img compare).
# Usage: benchmarks/qmp-cbt-bench.sh RAW_IMAGE [WORKDIR]     (root needed to drop the page cache)
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
IMAGE="$(readlink -f "$1")"
WORK="$(readlink -f "${2:-/tmp/cairn-qmp-bench}")"
CAIRN="$ROOT/cairn"
rm -rf "$WORK"; mkdir -p "$WORK"
"$CAIRN" --version >/dev/null   # build first, outside the timings
drop() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || echo "warning: cannot drop caches (not root)" >&2; }

qemu-img convert -f raw -O qcow2 "$IMAGE" "$WORK/disk.qcow2"
SIZE=$(stat -c %s "$IMAGE")
qemu-storage-daemon --blockdev driver=file,node-name=file,filename="$WORK/disk.qcow2" \
  --blockdev driver=qcow2,node-name=fmt,file=file \
  --nbd-server addr.type=unix,addr.path="$WORK/nbd.sock" \
  --export type=nbd,id=e,node-name=fmt,name=disk,writable=on \
  --chardev socket,id=m,path="$WORK/qmp.sock",server=on,wait=off --monitor chardev=m \
  --pidfile "$WORK/qsd.pid" >"$WORK/qsd.log" 2>&1 &
trap 'kill $(cat "$WORK/qsd.pid") 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$WORK/qsd.pid" ] && break; sleep 0.1; done
URL="nbd+unix:///disk?socket=$WORK/nbd.sock"

"$CAIRN" init --repo "$WORK/repo-cbt" >/dev/null 2>&1
"$CAIRN" init --repo "$WORK/repo-hash" >/dev/null 2>&1
"$CAIRN" backup --repo "$WORK/repo-cbt" --disk vm --qmp "$WORK/qmp.sock" --node fmt --nbd "$WORK/nbd.sock" \
  --json > "$WORK/full-cbt.json" 2>/dev/null
"$CAIRN" backup --repo "$WORK/repo-hash" --disk vm "$URL" --json > "$WORK/full-hash.json" 2>/dev/null

# 2 % of the 1 MiB blocks: 64 KiB of fresh random bytes at a random place inside each chosen block
BLOCKS=$((SIZE / 1048576)); CHANGED=$((BLOCKS * 2 / 100))
head -c $((CHANGED * 65536)) /dev/urandom > "$WORK/random.bin"
python3 - "$BLOCKS" "$CHANGED" > "$WORK/writes.txt" <<'PY'
import random, sys
blocks, changed = int(sys.argv[1]), int(sys.argv[2])
rnd = random.Random(42)
for i, b in enumerate(sorted(rnd.sample(range(blocks), changed))):
    print(b * 1048576 + rnd.randrange(16) * 65536, i)
PY
ARGS=()
while read -r off i; do
  dd if="$WORK/random.bin" of="$WORK/chunk.$i" bs=65536 skip="$i" count=1 status=none
  ARGS+=(-c "write -s $WORK/chunk.$i $off 65536")
done < "$WORK/writes.txt"
qemu-io -f raw "${ARGS[@]}" "$URL" >/dev/null
rm -f "$WORK"/chunk.*

run() { # name cmd...
  local name="$1"; shift
  drop
  /usr/bin/time -v -o "$WORK/time.$name" "$@" > "$WORK/incr-$name.json" 2> "$WORK/incr-$name.err"
}
run hash "$CAIRN" backup --repo "$WORK/repo-hash" --disk vm "$URL" --json
run cbt "$CAIRN" backup --repo "$WORK/repo-cbt" --disk vm --qmp "$WORK/qmp.sock" --node fmt --nbd "$WORK/nbd.sock" --json

for r in cbt hash; do
  "$CAIRN" restore --repo "$WORK/repo-$r" --disk vm --to "$WORK/restored-$r.raw" >/dev/null 2>&1
  qemu-img compare -q -f raw -F raw "$WORK/restored-$r.raw" "$URL" && echo "restore $r: identical to the disk"
  rm -f "$WORK/restored-$r.raw"
done

printf '%-6s %9s %14s %10s %-32s\n' mode seconds bytes_read rss_mib change_detection
for r in cbt hash; do
  SEC=$(grep "Elapsed (wall clock)" "$WORK/time.$r" | awk '{print $NF}')
  RSS=$(($(grep "Maximum resident set size" "$WORK/time.$r" | awk '{print $NF}') / 1024))
  python3 - "$WORK/incr-$r.json" "$r" "$SEC" "$RSS" <<'PY'
import json, sys
j = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
print("%-6s %9s %14d %10s %-32s  (job %.2f s, blocks_changed %d, warnings %d)" % (sys.argv[2], sys.argv[3],
      j["bytes_read"], sys.argv[4], j["change_detection"], j["duration_s"], j["blocks_changed"], len(j["warnings"])))
PY
done

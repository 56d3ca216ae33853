#!/usr/bin/env bash
# End-to-end benchmark of Cairn against the tools users would pick instead (issue #3), cold cache, in one run
# on the same deterministic images:
#   fs      ext4 file system filled to ~40 % with real files from this machine, the rest free, made dense
#   random  incompressible bytes (SHAKE-128 of seed and block number)
#   sparse  mostly holes, some data regions (half random, half text)
# For each image: dd and fio O_DIRECT reads (the hardware bound), zstd -1 -T2 of the image and zstd -d, then
# for cairn, restic, borg (default chunker) and borg with fixed 4 MiB chunks (both zstd,1, no encryption):
# full backup, a 2 % change (64 KiB at the start of 2 % of the 1 MiB blocks, the same for every tool, undone
# after each tool), incremental backup, restore of the latest point to a file, checked against the image by
# SHA-256; Cairn's restore also once more with --no-sync (no fsync at all, as the peers and zstd -d restore).
# The page cache is dropped before every timed step. Per step: seconds, MB/s (image bytes / s,
# MB = 10^6), CPU seconds per GB (user + sys), peak RSS, repository size after the step (du -sb).
# Prints one table per image and Cairn's ratio to each peer; writes the same to WORK/results.json.
#
# Usage: benchmarks/peer-bench.sh [--size 4G] [--work DIR] [--only cairn,restic,borg,borg-fixed,zstd,dd,fio]
#                                 [--images fs,random,sparse] [--seed N] [--keep] [--cairn PATH]
#   --size    image size (default 4G; whole MiB, at least 64M)
#   --work    work directory (default /work/bench-peer, or $TMPDIR/bench-peer when /work does not exist);
#             images are kept in WORK/images and reused while their recorded kind/size/seed match
#   --only    tools to run (default all); "borg" is the default chunker, "borg-fixed" fixed 4 MiB chunks
#   --images  images to use (default fs,random,sparse)
#   --seed    seed of the images and of the 2 % change (default 1)
#   --keep    keep repositories and restored files (default: removed after each tool, to save space)
#   --cairn   the cairn launcher to measure (default: ./cairn of this checkout, which builds itself first)
# Needs root (to drop the page cache and apt-get install missing peers: restic borgbackup fio zstd). A peer
# that is missing and cannot be installed is skipped with a note. Needs about 2.5x SIZE free in WORK.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
HELP="$(dirname "$(readlink -f "$0")")/peer"
CAIRN="$ROOT/cairn"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
die() { echo "peer-bench: error: $*" >&2; exit 1; }

SIZE=4G
if [ -d /work ]; then WORK=/work/bench-peer; else WORK="${TMPDIR:-/tmp}/bench-peer"; fi
ONLY="cairn,restic,borg,borg-fixed,zstd,dd,fio"
IMAGES="fs,random,sparse"
SEED=1
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --size) [ $# -ge 2 ] || die "--size needs a value"; SIZE="$2"; shift 2 ;;
    --work) [ $# -ge 2 ] || die "--work needs a value"; WORK="$2"; shift 2 ;;
    --only) [ $# -ge 2 ] || die "--only needs a value"; ONLY="$2"; shift 2 ;;
    --images) [ $# -ge 2 ] || die "--images needs a value"; IMAGES="$2"; shift 2 ;;
    --seed) [ $# -ge 2 ] || die "--seed needs a value"; SEED="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --cairn) [ $# -ge 2 ] || die "--cairn needs a value"; CAIRN="$(readlink -f "$2")"; shift 2 ;;
    *) echo "peer-bench: error: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
[[ "$SEED" =~ ^[0-9]+$ ]] || die "--seed must be a non-negative integer"
for t in ${ONLY//,/ }; do
  case "$t" in cairn|restic|borg|borg-fixed|zstd|dd|fio) ;; *) die "unknown tool '$t' in --only (cairn,restic,borg,borg-fixed,zstd,dd,fio)" ;; esac
done
for i in ${IMAGES//,/ }; do
  case "$i" in fs|random|sparse) ;; *) die "unknown image '$i' in --images (fs,random,sparse)" ;; esac
done
command -v python3 >/dev/null || die "python3 is needed"
mkdir -p "$WORK"; WORK="$(readlink -f "$WORK")"
IMGDIR="$WORK/images"; RUNS="$WORK/run"
mkdir -p "$IMGDIR"
rm -rf "$RUNS"; mkdir -p "$RUNS"
: > "$WORK/steps.tsv"; : > "$WORK/notes.txt"
note() { echo "peer-bench: note: $*" >&2; echo "$*" >> "$WORK/notes.txt"; }
log() { echo "peer-bench: $*" >&2; }
[ "$(id -u)" = 0 ] || note "not root: the page cache cannot be dropped (timings are not cold) and peers cannot be installed"

# ---- peers -------------------------------------------------------------------------------------------------
declare -A HAVE
want() { [[ ",$ONLY," == *",$1,"* ]]; }
install_missing() {
  local pkgs=() t
  command -v /usr/bin/time >/dev/null 2>&1 || pkgs+=(time)
  want restic && ! command -v restic >/dev/null && pkgs+=(restic)
  { want borg || want borg-fixed; } && ! command -v borg >/dev/null && pkgs+=(borgbackup)
  want fio && ! command -v fio >/dev/null && pkgs+=(fio)
  want zstd && ! command -v zstd >/dev/null && pkgs+=(zstd)
  command -v mkfs.ext4 >/dev/null || pkgs+=(e2fsprogs)
  if [ ${#pkgs[@]} -gt 0 ]; then
    log "installing ${pkgs[*]} (apt-get)"
    if [ "$(id -u)" = 0 ]; then
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}"; } >"$WORK/apt.log" 2>&1 \
        || log "apt-get failed (see $WORK/apt.log); missing peers will be skipped"
    fi
  fi
  [ -x /usr/bin/time ] || die "/usr/bin/time is needed (apt-get install time)"
  for t in ${ONLY//,/ }; do
    case "$t" in
      cairn) HAVE[$t]=1 ;;
      borg|borg-fixed) command -v borg >/dev/null && HAVE[$t]=1 || note "borg is not installed and could not be installed: $t skipped" ;;
      *) command -v "$t" >/dev/null && HAVE[$t]=1 || note "$t is not installed and could not be installed: skipped" ;;
    esac
  done
}
install_missing
if [ -n "${HAVE[cairn]:-}" ]; then
  log "building cairn if needed (outside the timings)"
  if ! "$CAIRN" --version >"$RUNS/cairn-version.log" 2>&1; then
    note "cairn ($CAIRN) does not build or run, skipped: $(grep -m1 -E 'ERROR|error:' "$RUNS/cairn-version.log" || tail -1 "$RUNS/cairn-version.log")"
    unset 'HAVE[cairn]'
  fi
fi
FIO_ENGINE=io_uring
if [ -n "${HAVE[fio]:-}" ]; then
  head -c 1048576 /dev/zero > "$RUNS/fio-probe"
  if ! fio --name=p --filename="$RUNS/fio-probe" --rw=read --bs=64k --ioengine=io_uring --direct=1 >/dev/null 2>&1; then
    FIO_ENGINE=libaio; note "fio io_uring engine failed here; using libaio"
  fi
  rm -f "$RUNS/fio-probe"
fi
versions() {
  local t
  for t in cairn restic borg zstd fio; do
    case "$t" in
      cairn) [ -n "${HAVE[cairn]:-}" ] && echo "cairn=$("$CAIRN" --version 2>/dev/null | head -1)" ;;
      restic) [ -n "${HAVE[restic]:-}" ] && echo "restic=$(restic version | head -1)" ;;
      borg) command -v borg >/dev/null && echo "borg=$(borg --version)" ;;
      zstd) command -v zstd >/dev/null && echo "zstd=$(zstd --version)" ;;
      fio) command -v fio >/dev/null && echo "fio=$(fio --version) engine $FIO_ENGINE" ;;
    esac
  done || true
}

# ---- timing ------------------------------------------------------------------------------------------------
drop() { sync; if [ "$(id -u)" = 0 ]; then echo 3 > /proc/sys/vm/drop_caches; fi; }
# timed IMAGE TOOL STEP REPO|- CMD...  -> runs CMD cold, sets T_STATUS, appends nothing yet (see record)
timed() {
  local image="$1" tool="$2" step="$3" repo="$4"; shift 4
  local tf="$RUNS/time.$image.$tool.$step" lf="$RUNS/log.$image.$tool.$step"
  drop
  T_LOAD=$(cut -d' ' -f1 /proc/loadavg)
  log "$image: $tool $step"
  if /usr/bin/time -f "%e %U %S %M" -o "$tf" "$@" >"$lf" 2>&1; then T_STATUS=ok; else
    T_STATUS="failed:$(head -1 "$tf" | grep -oE '(status|signal) [0-9]+' | tr ' ' '-' || true)"
    log "$image: $tool $step FAILED ($T_STATUS); last lines of $lf:"; tail -5 "$lf" | sed 's/^/    /' >&2
  fi
  read -r T_SEC T_USER T_SYS T_RSS < <(tail -1 "$tf")
  T_REPO=-
  if [ "$repo" != - ] && [ -e "$repo" ]; then T_REPO=$(du -sb "$repo" | cut -f1); fi
  T_IMAGE=$image; T_TOOL=$tool; T_STEP=$step
}
# record VERIFIED(yes|NO|-)  -> one line of steps.tsv for the last timed step
record() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$T_IMAGE" "$T_TOOL" "$T_STEP" "$T_STATUS" "$T_SEC" \
    "$T_USER" "$T_SYS" "$T_RSS" "$T_REPO" "$1" "$T_LOAD" >> "$WORK/steps.tsv"
}
same_as() { # FILE SHA -> yes|NO
  [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ] && echo yes || echo NO
}

# ---- the 2 % change, the same for every tool, undone afterwards ----------------------------------------------
# The undo record lives next to the image: a run that dies or is interrupted between change and revert leaves it,
# and the EXIT trap (or the next run, before it checks the image) puts the image back.
PENDING_UNDO=""
undo_pending() { # IMAGE_PATH
  if [ -f "$1.undo/undo.json" ]; then
    log "undoing an unfinished 2 % change of $1"
    python3 "$HELP/images.py" revert "$1" "$1.undo" >/dev/null
  fi
  rm -rf "$1.undo"
}
trap 'if [ -n "$PENDING_UNDO" ]; then undo_pending "$PENDING_UNDO" || true; fi' EXIT
trap 'exit 130' INT TERM
change() { # IMAGE_PATH -> applies the change, checks the result is the same as for the other tools
  PENDING_UNDO="$1"
  python3 "$HELP/images.py" change "$1" "$((SEED + 1))" "$1.undo" >/dev/null
  local sha; sha=$(sha256sum "$1" | cut -d' ' -f1)
  if [ -z "$CHANGED_SHA" ]; then CHANGED_SHA=$sha
  elif [ "$sha" != "$CHANGED_SHA" ]; then die "the 2 % change gave a different image than for the previous tool"; fi
}
revert() { # IMAGE_PATH BASE_SHA
  python3 "$HELP/images.py" revert "$1" "$1.undo" >/dev/null
  PENDING_UNDO=""
  [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ] || die "$1 differs from its recorded SHA-256 after undoing the change"
}
cleanup() { [ "$KEEP" = 1 ] || rm -rf "$@"; }

# ---- one tool on one image ---------------------------------------------------------------------------------
run_reads() { # NAME IMG
  if [ -n "${HAVE[dd]:-}" ]; then
    timed "$1" dd read - dd if="$2" of=/dev/null bs=4M iflag=direct status=none; record -
  fi
  if [ -n "${HAVE[fio]:-}" ]; then
    timed "$1" fio read - fio --name=r --filename="$2" --rw=read --bs=1M --iodepth=8 --ioengine="$FIO_ENGINE" \
      --direct=1; record -
  fi
}
run_zstd() { # NAME IMG BASE_SHA
  local d="$RUNS/$1.zstd"; mkdir -p "$d"
  timed "$1" zstd compress "$d/image.zst" zstd -q -1 -T2 -f "$2" -o "$d/image.zst"; record -
  [ "$T_STATUS" = ok ] || { cleanup "$d"; return 0; }
  timed "$1" zstd decompress - zstd -q -d -f "$d/image.zst" -o "$d/restored.img"; record "$(same_as "$d/restored.img" "$3")"
  cleanup "$d"
}
# backup_cycle NAME IMG BASE_SHA TOOL REPO FULL_CMD... -- INCR_CMD... -- RESTORE_CMD... ; RESTORED path in $OUT
backup_cycle() {
  local name="$1" img="$2" base="$3" tool="$4" repo="$5"; shift 5
  local full=() incr=() rest=()
  while [ "$1" != -- ]; do full+=("$1"); shift; done; shift
  while [ "$1" != -- ]; do incr+=("$1"); shift; done; shift
  rest=("$@")
  timed "$name" "$tool" full "$repo" "${full[@]}"; record -
  [ "$T_STATUS" = ok ] || return 0
  change "$img"
  timed "$name" "$tool" incr "$repo" "${incr[@]}"; local ok=$T_STATUS; record -
  if [ "$ok" = ok ]; then
    timed "$name" "$tool" restore "$repo" "${rest[@]}"
    local out; out=$(restored_file "$tool")
    record "$(same_as "$out" "$CHANGED_SHA")"
  fi
  revert "$img" "$base"
}
restored_file() { # TOOL -> path of the file its restore wrote
  case "$1" in
    cairn) echo "$OUT/restored.img" ;;
    *) find "$OUT" -type f -name "$(basename "$IMG")" 2>/dev/null | head -1 ;;
  esac
}
run_tool() { # TOOL NAME IMG BASE_SHA
  local tool="$1" name="$2" d="$RUNS/$2.$1"
  IMG="$3"; OUT="$d/out"
  rm -rf "$d"; mkdir -p "$d" "$OUT"
  case "$tool" in
    cairn)
      "$CAIRN" init --repo "$d/repo" >"$d/init.log" 2>&1 || { note "cairn init failed on $name: $(tail -1 "$d/init.log")"; return 0; }
      backup_cycle "$name" "$IMG" "$4" cairn "$d/repo" \
        "$CAIRN" backup --repo "$d/repo" --disk bench "$IMG" -- \
        "$CAIRN" backup --repo "$d/repo" --disk bench "$IMG" -- \
        "$CAIRN" restore --repo "$d/repo" --disk bench --to "$OUT/restored.img"
      # the same restore without any fsync, as zstd -d, borg extract and restic restore run (like for like)
      if [ -n "$CHANGED_SHA" ] && [ -d "$d/repo" ]; then
        rm -f "$OUT/restored.img"
        timed "$name" cairn restore-nosync "$d/repo" \
          "$CAIRN" restore --repo "$d/repo" --disk bench --to "$OUT/restored-nosync.img" --no-sync
        record "$(same_as "$OUT/restored-nosync.img" "$CHANGED_SHA")"
      fi ;;
    restic)
      export RESTIC_PASSWORD=peer-bench RESTIC_CACHE_DIR="$d/cache"
      restic init --repo "$d/repo" >"$d/init.log" 2>&1 || { note "restic init failed on $name: $(tail -1 "$d/init.log")"; return 0; }
      backup_cycle "$name" "$IMG" "$4" restic "$d/repo" \
        restic --repo "$d/repo" backup "$IMG" -- \
        restic --repo "$d/repo" backup "$IMG" -- \
        restic --repo "$d/repo" restore latest --target "$OUT" ;;
    borg|borg-fixed)
      export BORG_BASE_DIR="$d/home" BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=yes BORG_RELOCATED_REPO_ACCESS_IS_OK=yes
      local chunker=()
      [ "$tool" = borg-fixed ] && chunker=(--chunker-params fixed,4194304)
      borg init -e none "$d/repo" >"$d/init.log" 2>&1 || { note "borg init failed on $name: $(tail -1 "$d/init.log")"; return 0; }
      backup_cycle "$name" "$IMG" "$4" "$tool" "$d/repo" \
        borg create --compression zstd,1 "${chunker[@]}" "$d/repo::full" "$IMG" -- \
        borg create --compression zstd,1 "${chunker[@]}" "$d/repo::incr" "$IMG" -- \
        env -C "$OUT" borg extract "$d/repo::incr" ;;
  esac
  cleanup "$d"
}

# ---- main --------------------------------------------------------------------------------------------------
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
STARTED="$(date -Is)"
log "work dir $WORK, size $SIZE, images $IMAGES, tools $ONLY; load average $LOAD_START"
REUSED=()
for name in ${IMAGES//,/ }; do
  img="$IMGDIR/$name.img"
  log "$name: preparing image (reused when its recorded kind/size/seed match)"
  undo_pending "$img"
  meta=$(python3 "$HELP/images.py" ensure "$name" "$img" "$SIZE" "$SEED") || die "could not build the $name image"
  base=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["sha256"])' "$meta")
  python3 -c 'import json,sys; sys.exit(0 if json.loads(sys.argv[1])["reused"] else 1)' "$meta" && REUSED+=("$name")
  [ "$(same_as "$img" "$base")" = yes ] || die "$img does not match its recorded SHA-256; delete it to rebuild"
  CHANGED_SHA=""
  run_reads "$name" "$img"
  if [ -n "${HAVE[zstd]:-}" ]; then run_zstd "$name" "$img" "$base"; fi
  for tool in cairn restic borg borg-fixed; do
    if [ -n "${HAVE[$tool]:-}" ]; then run_tool "$tool" "$name" "$img" "$base"; fi
  done
done

versions > "$WORK/versions.txt"
LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$WORK" "$SIZE" "$IMGDIR" "$IMAGES" "$STARTED" "$LOAD_START" "$LOAD_END" "${REUSED[*]:-}" <<'PY'
import json, os, socket, sys
work, size, imgdir, images, started, l0, l1, reused = sys.argv[1:9]
run = {"size": size, "image_dir": imgdir, "images": images.split(","), "started": started, "host": socket.gethostname(),
       "cpus": os.cpu_count(), "load_start": l0, "load_end": l1, "reused_images": reused.split(),
       "versions": dict(l.rstrip("\n").split("=", 1) for l in open(os.path.join(work, "versions.txt")) if "=" in l),
       "notes": [l.rstrip("\n") for l in open(os.path.join(work, "notes.txt")) if l.strip()]}
json.dump(run, open(os.path.join(work, "run.json"), "w"), indent=1)
PY
python3 "$HELP/report.py" "$WORK"

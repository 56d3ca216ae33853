#!/usr/bin/env python3
"""Deterministic test images for benchmarks/peer-bench.sh, and the 2 % change applied to them.

Subcommands (all print one line of JSON on success, errors are one line on stderr and exit 1):
  ensure KIND PATH SIZE SEED   build PATH unless PATH.meta.json records the same kind/size/seed/version;
                               KIND is fs (ext4 filled with real files to ~40 %, dense), random
                               (incompressible) or sparse (mostly holes, some data regions)
  change PATH SEED UNDO_DIR    overwrite the first 64 KiB of 2 % of the 1 MiB blocks (chosen by SEED) with
                               seeded random bytes; keeps the original bytes and hole map in UNDO_DIR
  revert PATH UNDO_DIR         put back exactly what `change` replaced (holes are punched again)

Every byte comes from a seeded generator (random.Random, or SHAKE-128 keyed by seed and block number where
speed matters), so the same arguments give the same bytes; the fs image copies files from this machine in
sorted order, so it is the same for as long as those files are.
"""
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

MIB = 1 << 20
VERSION = 1  # bump when an image recipe changes, so old images are rebuilt
FS_SOURCES = ["/usr/share", "/usr/bin", "/usr/lib/x86_64-linux-gnu", "/usr/lib", "/usr/libexec", "/usr/sbin"]
FS_FILL = 0.40
CHANGE_FRACTION = 0.02
CHANGE_BYTES = 64 << 10


def die(msg):
    print(f"images.py: error: {msg}", file=sys.stderr)
    sys.exit(1)


def parse_size(text):
    m = re.fullmatch(r"(\d+)([KMGT]?)(?:I?B)?", text.strip().upper())
    if not m:
        die(f"bad size '{text}' (expected e.g. 512M, 4G)")
    size = int(m.group(1)) << {"": 0, "K": 10, "M": 20, "G": 30, "T": 40}[m.group(2)]
    if size < 64 * MIB or size % MIB:
        die(f"size {text} must be a whole number of MiB and at least 64M")
    return size


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb", buffering=0) as f:
        buf = bytearray(4 * MIB)
        view = memoryview(buf)
        while n := f.readinto(buf):
            h.update(view[:n])
    return h.hexdigest()


def zero_fraction(path, size):
    """Fraction of 1 MiB blocks that are all zero (holes count as zero), read without the page cache's help."""
    zero = bytes(MIB)
    blocks = zeros = 0
    with open(path, "rb", buffering=0) as f:
        buf = bytearray(MIB)
        while n := f.readinto(buf):
            blocks += 1
            if n == MIB and buf == zero or n < MIB and bytes(buf[:n]) == zero[:n]:
                zeros += 1
    return zeros / max(blocks, 1)


def copy_tree_budget(staging, budget):
    """Copies regular files and symlinks from FS_SOURCES in sorted order until `budget` bytes; returns (bytes, files)."""
    used = files = 0
    seen = set()
    for src in FS_SOURCES:
        if not os.path.isdir(src) or used >= budget:
            continue
        for root, dirs, names in os.walk(src):
            dirs.sort()
            names.sort()
            if used >= budget:
                break
            rst = os.lstat(root)
            if (rst.st_dev, rst.st_ino) in seen:
                dirs[:] = []
                continue
            seen.add((rst.st_dev, rst.st_ino))
            dst_dir = os.path.join(staging, root.lstrip("/"))
            os.makedirs(dst_dir, exist_ok=True)
            for name in names:
                p = os.path.join(root, name)
                try:
                    st = os.lstat(p)
                    dst = os.path.join(dst_dir, name)
                    if os.path.islink(p):
                        if not os.path.lexists(dst):
                            os.symlink(os.readlink(p), dst)
                            files += 1
                    elif os.path.isfile(p) and (st.st_dev, st.st_ino) not in seen:
                        if used + st.st_size > budget:
                            continue
                        seen.add((st.st_dev, st.st_ino))
                        shutil.copy2(p, dst)
                        used += st.st_size
                        files += 1
                except OSError:
                    continue  # unreadable or vanished: skip, the order of the rest stays fixed
            os.utime(dst_dir, ns=(rst.st_atime_ns, rst.st_mtime_ns))
    return used, files


def build_fs(path, size, seed):
    staging = tempfile.mkdtemp(prefix="staging-fs.", dir=os.path.dirname(path))
    tmp = path + ".sparse-tmp"
    try:
        used, files = copy_tree_budget(staging, int(size * FS_FILL))
        rnd = random.Random(seed)
        uuid = "%08x-%04x-%04x-%04x-%012x" % tuple(rnd.getrandbits(b) for b in (32, 16, 16, 16, 48))
        with open(tmp, "wb") as f:
            f.truncate(size)
        env = dict(os.environ, E2FSPROGS_FAKE_TIME="1700000000", SOURCE_DATE_EPOCH="1700000000")
        inodes = files + files // 4 + 4096
        cmd = ["mkfs.ext4", "-q", "-F", "-N", str(inodes), "-U", uuid, "-E", f"hash_seed={uuid}",
               "-d", staging, tmp]
        r = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if r.returncode != 0:
            die(f"mkfs.ext4 failed: {r.stderr.strip() or r.stdout.strip()}")
        # dense: every tool reads the same bytes, none can skip holes
        subprocess.run(["cp", "--sparse=never", tmp, path], check=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if os.path.exists(tmp):
            os.unlink(tmp)
    return {"content_bytes": used, "content_files": files}


def build_random(path, size, seed):
    key = b"cairn-peer-bench:%d:" % seed
    with open(path, "wb") as f:
        for block in range(size // MIB):
            f.write(hashlib.shake_128(key + b"%d" % block).digest(MIB))
    return {}


def build_sparse(path, size, seed):
    rnd = random.Random(seed)
    words = [bytes(rnd.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(2, 9))) for _ in range(512)]
    regions = max(8, size // (64 * MIB))
    data = 0
    with open(path, "wb") as f:
        f.truncate(size)
        for _ in range(regions):
            length = rnd.randint(64, 2048) * 4096  # 256 KiB .. 8 MiB
            offset = rnd.randrange(0, (size - length) // 4096) * 4096
            half = length // 2
            text = bytearray()
            while len(text) < length - half:
                text += rnd.choice(words) + b" "
            f.seek(offset)
            f.write(rnd.randbytes(half) + bytes(text[: length - half]))
            data += length
    return {"data_regions": regions, "data_bytes_written": data}


BUILDERS = {"fs": build_fs, "random": build_random, "sparse": build_sparse}


def ensure(kind, path, size_text, seed_text):
    if kind not in BUILDERS:
        die(f"unknown image kind '{kind}' (fs, random, sparse)")
    size, seed = parse_size(size_text), int(seed_text)
    meta_path = path + ".meta.json"
    want = {"kind": kind, "size": size, "seed": seed, "version": VERSION}
    if os.path.exists(meta_path) and os.path.exists(path):
        try:
            meta = json.load(open(meta_path))
            if all(meta.get(k) == v for k, v in want.items()) and os.path.getsize(path) == size:
                meta["reused"] = True
                print(json.dumps(meta))
                return
        except (OSError, ValueError):
            pass
    for p in (meta_path, path):
        if os.path.exists(p):
            os.unlink(p)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    extra = BUILDERS[kind](path, size, seed)
    os.sync()
    meta = dict(want, **extra)
    meta["sha256"] = sha256_file(path)
    meta["zero_block_fraction"] = round(zero_fraction(path, size), 4)
    meta["allocated_bytes"] = os.stat(path).st_blocks * 512
    with open(meta_path + ".tmp", "w") as f:
        json.dump(meta, f, indent=1)
    os.replace(meta_path + ".tmp", meta_path)
    meta["reused"] = False
    print(json.dumps(meta))


def hole_ranges(fd, start, end):
    """Sub-ranges of [start, end) that are holes, via SEEK_DATA/SEEK_HOLE."""
    holes, pos = [], start
    while pos < end:
        try:
            data = os.lseek(fd, pos, os.SEEK_DATA)
        except OSError:  # ENXIO: no data after pos
            data = end
        data = min(data, end)
        if data > pos:
            holes.append((pos, data - pos))
        if data >= end:
            break
        pos = min(os.lseek(fd, data, os.SEEK_HOLE), end)
    return holes


def change(path, seed_text, undo_dir):
    if os.path.exists(os.path.join(undo_dir, "undo.json")):
        die(f"{undo_dir} holds an earlier change that was not undone (run revert first)")
    size = os.path.getsize(path)
    blocks = size // MIB
    rnd = random.Random(int(seed_text))
    chosen = sorted(rnd.sample(range(blocks), max(1, int(blocks * CHANGE_FRACTION))))
    os.makedirs(undo_dir, exist_ok=True)
    regions = []
    fd = os.open(path, os.O_RDWR)
    try:
        # the undo record is durable before the first byte changes, so an interrupted run can always be undone
        with open(os.path.join(undo_dir, "undo.bin"), "wb") as undo:
            for b in chosen:
                off = b * MIB
                length = min(CHANGE_BYTES, size - off)
                regions.append({"offset": off, "length": length, "holes": hole_ranges(fd, off, off + length)})
                undo.write(os.pread(fd, length, off))
            undo.flush()
            os.fsync(undo.fileno())
        with open(os.path.join(undo_dir, "undo.json.tmp"), "w") as f:
            json.dump(regions, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(os.path.join(undo_dir, "undo.json.tmp"), os.path.join(undo_dir, "undo.json"))
        for region in regions:
            os.pwrite(fd, rnd.randbytes(region["length"]), region["offset"])
        os.fsync(fd)
    finally:
        os.close(fd)
    print(json.dumps({"changed_blocks": len(chosen), "blocks": blocks, "bytes_written": sum(r["length"] for r in regions)}))


def revert(path, undo_dir):
    regions = json.load(open(os.path.join(undo_dir, "undo.json")))
    fd = os.open(path, os.O_RDWR)
    try:
        with open(os.path.join(undo_dir, "undo.bin"), "rb") as undo:
            for region in regions:
                os.pwrite(fd, undo.read(region["length"]), region["offset"])
        os.fsync(fd)
    finally:
        os.close(fd)
    punched = 0
    for region in regions:
        for off, length in region["holes"]:
            subprocess.run(["fallocate", "--punch-hole", "--keep-size", "--offset", str(off), "--length", str(length),
                            path], check=True)
            punched += length
    shutil.rmtree(undo_dir)
    print(json.dumps({"reverted_regions": len(regions), "punched_bytes": punched}))


def main(argv):
    cmds = {"ensure": (ensure, 4), "change": (change, 3), "revert": (revert, 2)}
    if len(argv) < 2 or argv[1] not in cmds or len(argv) - 2 != cmds[argv[1]][1]:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    cmds[argv[1]][0](*argv[2:])


if __name__ == "__main__":
    main(sys.argv)

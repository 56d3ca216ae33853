#!/usr/bin/env python3
"""Tables and results.json for benchmarks/peer-bench.sh.

Usage: report.py WORK_DIR
Reads WORK_DIR/run.json (run settings, images, notes) and WORK_DIR/steps.tsv (one timed step per line:
image tool step status seconds user_s sys_s rss_kb repo_bytes verified load1), prints one table per image
and Cairn's ratio to each peer, and writes the same as WORK_DIR/results.json.

Ratios: for full, incremental and restore, peer seconds / Cairn seconds (throughput ratio, > 1 means Cairn is
faster); for peak RSS, repository size and CPU seconds per GB, Cairn / peer (< 1 means Cairn uses less).
dd and fio read steps count as "full" (the hardware bound); zstd's compress and decompress as full and restore.
"""
import json
import os
import sys

TOOLS = ["dd", "fio", "zstd", "cairn", "restic", "borg", "borg-fixed"]
LABEL = {"dd": "dd O_DIRECT", "fio": "fio qd8", "zstd": "zstd -1 -T2", "cairn": "cairn", "restic": "restic",
         "borg": "borg default", "borg-fixed": "borg fixed 4M"}
KIND = {"read": "full", "compress": "full", "full": "full", "incr": "incr", "restore": "restore",
        "decompress": "restore"}
COLUMNS = ["full", "incr", "restore"]


def read_steps(path):
    steps = []
    if not os.path.exists(path):
        return steps
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if len(f) != 11:
            continue
        image, tool, step, status, sec, user, sys_s, rss, repo, verified, load1 = f
        s = {"image": image, "tool": tool, "step": step, "status": status, "seconds": float(sec),
             "user_s": float(user), "sys_s": float(sys_s), "rss_mib": round(int(rss) / 1024, 1),
             "repo_bytes": int(repo) if repo != "-" else None, "verified": None if verified == "-" else verified == "yes",
             "load1": float(load1)}
        steps.append(s)
    return steps


def derive(step, size):
    gb = size / 1e9
    ok = step["status"] == "ok" and step["seconds"] > 0
    step["mb_per_s"] = round(size / 1e6 / step["seconds"], 1) if ok else None
    step["cpu_s_per_gb"] = round((step["user_s"] + step["sys_s"]) / gb, 2) if ok else None


def by_kind(steps, tool):
    out = {}
    for s in steps:
        if s["tool"] == tool and s["status"] == "ok":
            out[KIND.get(s["step"], s["step"])] = s
    return out


def ratio(a, b):
    return round(a / b, 2) if a is not None and b not in (None, 0) else None


def ratios(steps):
    cairn = by_kind(steps, "cairn")
    if not cairn:
        return {}
    c_rss = max(s["rss_mib"] for s in cairn.values())
    c_repo = final_repo(cairn)
    out = {}
    for tool in TOOLS:
        if tool == "cairn":
            continue
        peer = by_kind(steps, tool)
        if not peer:
            continue
        r = {}
        for col in COLUMNS:
            if col in cairn and col in peer:
                r[col] = ratio(peer[col]["seconds"], cairn[col]["seconds"])
        if tool not in ("dd", "fio"):
            r["rss"] = ratio(c_rss, max(s["rss_mib"] for s in peer.values()))
            r["repo"] = ratio(c_repo, final_repo(peer))
            if "full" in cairn and "full" in peer:
                r["cpu_per_gb_full"] = ratio(cairn["full"]["cpu_s_per_gb"], peer["full"]["cpu_s_per_gb"])
        nosync = next((s for s in steps if s["tool"] == "cairn" and s["step"] == "restore-nosync"
                       and s["status"] == "ok"), None)
        if nosync is not None and "restore" in peer:
            r["restore_nosync"] = ratio(peer["restore"]["seconds"], nosync["seconds"])
        out[tool] = r
    return out


def final_repo(kinds):
    for col in ("incr", "full"):
        if col in kinds and kinds[col]["repo_bytes"] is not None:
            return kinds[col]["repo_bytes"]
    return None


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def print_image(name, meta, steps, rat, loads):
    size = meta["size"]
    print(f"\n=== image {name}: {meta['kind']}, {size} bytes ({size / 2**30:.2f} GiB), "
          f"zero 1 MiB blocks {meta['zero_block_fraction'] * 100:.1f} %, allocated {meta['allocated_bytes']} bytes, "
          f"sha256 {meta['sha256'][:16]}…{' (reused)' if meta.get('reused') else ''}")
    if loads:
        print(f"    load average (1 min) during this image's steps: {min(loads):.2f} .. {max(loads):.2f}")
    print(f"{'tool':<14}{'step':<15}{'seconds':>9}{'MB/s':>9}{'CPU s/GB':>10}{'RSS MiB':>9}"
          f"{'repo MB':>10}  {'restore = image':<16}{'load':>6}")
    for s in steps:
        ver = "-" if s["verified"] is None else ("yes" if s["verified"] else "NO (differs)")
        if s["status"] != "ok":
            ver = f"FAILED ({s['status']})"
        repo = None if s["repo_bytes"] is None else s["repo_bytes"] / 1e6
        print(f"{LABEL.get(s['tool'], s['tool']):<14}{s['step']:<15}{s['seconds']:>9.2f}{fmt(s['mb_per_s'], '.0f'):>9}"
              f"{fmt(s['cpu_s_per_gb'], '.2f'):>10}{s['rss_mib']:>9.0f}{fmt(repo, '.1f'):>10}  {ver:<16}"
              f"{s['load1']:>6.2f}")
    if rat:
        print("Cairn's ratio (throughput: peer s / Cairn s, >1 = Cairn faster; RSS, repo, CPU/GB: Cairn / peer, "
              "<1 = Cairn less)")
        print(f"{'vs':<14}{'full':>8}{'incr':>8}{'restore':>9}{'RSS':>8}{'repo':>8}{'CPU/GB':>8}")
        for tool, r in rat.items():
            cells = [fmt(r.get(k), '.2f') + ("x" if r.get(k) is not None else "")
                     for k in ("full", "incr", "restore", "rss", "repo", "cpu_per_gb_full")]
            print(f"{LABEL.get(tool, tool):<14}{cells[0]:>8}{cells[1]:>8}{cells[2]:>9}{cells[3]:>8}{cells[4]:>8}"
                  f"{cells[5]:>8}")
        nosync = {tool: r["restore_nosync"] for tool, r in rat.items() if r.get("restore_nosync") is not None}
        if nosync:
            print("Cairn restore --no-sync (no fsync, as the peers' restores and zstd -d run): "
                  + ", ".join(f"{v:.2f}x {LABEL.get(t, t)}" for t, v in nosync.items()))


def main(work):
    run = json.load(open(os.path.join(work, "run.json")))
    steps = read_steps(os.path.join(work, "steps.tsv"))
    result = {"run": run, "images": {}}
    print(f"\nCairn peer benchmark: size {run['size']}, {run['cpus']} CPUs, host {run['host']}, "
          f"started {run['started']}, load average at start {run['load_start']}, at end {run.get('load_end', '?')}")
    for name in run["images"]:
        meta_path = os.path.join(run["image_dir"], f"{name}.img.meta.json")
        if not os.path.exists(meta_path):
            continue
        meta = json.load(open(meta_path))
        meta["reused"] = name in run.get("reused_images", [])
        img_steps = [s for s in steps if s["image"] == name]
        for s in img_steps:
            derive(s, meta["size"])
        rat = ratios(img_steps)
        print_image(name, meta, img_steps, rat, [s["load1"] for s in img_steps])
        result["images"][name] = {"meta": meta, "steps": img_steps, "cairn_ratio": rat}
    for note in run.get("notes", []):
        print(f"note: {note}")
    with open(os.path.join(work, "results.json.tmp"), "w") as f:
        json.dump(result, f, indent=1)
    os.replace(os.path.join(work, "results.json.tmp"), os.path.join(work, "results.json"))
    print(f"\nresults: {os.path.join(work, 'results.json')}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1])

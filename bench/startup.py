"""Start-up of the packaged program: launch to the window's first paint, and the bundle's size on disk.

    python bench/startup.py [--exe dist/GenLab/GenLab] [--rounds 3] [--source]

Each round launches the frozen executable with ``GENLAB_EXIT_AFTER_PAINT=1``: the window prints
``GENLAB_FIRST_PAINT_S=<seconds since the process started>`` when it first paints, then closes. Two
figures per round: the program's own (from its process start time, as the Log dock reports it) and
this script's wall clock from just before launching to reading that line (what a person waits).

"Cold" rounds first evict the bundle's files from the page cache (``posix_fadvise(DONTNEED)`` on every
file; no root needed, nothing else on the machine is touched), so the loader reads them from disk as
on the first launch after a reboot. System libraries (libc, X, fonts) stay cached, as on a desktop.
"Warm" rounds follow a cold one with nothing evicted. ``--source`` adds ``python main.py`` rounds
for comparison. Every launch gets a fresh temporary HOME, settings and workspace, and runs offscreen
unless DISPLAY is set (under ``xvfb-run`` it paints through X). The load average is reported with the
figures: on a shared machine it says as much as they do.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, emit_json, print_table

MARK = "GENLAB_FIRST_PAINT_S="
TARGET_COLD_S = 4.0


def default_exe() -> Path:
    name = "GenLab.exe" if sys.platform == "win32" else "GenLab"
    return ROOT / "dist" / "GenLab" / name


def bundle_size(folder: Path) -> dict:
    """Apparent bytes, bytes allocated on disk, file count, and the biggest top-level parts."""
    apparent = allocated = files = 0
    parts: dict[str, int] = {}
    internal = folder / "_internal"
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        st = path.stat()
        files += 1
        apparent += st.st_size
        allocated += getattr(st, "st_blocks", 0) * 512 or st.st_size
        rel = path.relative_to(internal if internal in path.parents else folder)
        key = rel.parts[0] if len(rel.parts) > 1 else "(top-level files)"
        parts[key] = parts.get(key, 0) + st.st_size
    biggest = sorted(parts.items(), key=lambda kv: -kv[1])[:8]
    return {"apparent_mb": apparent / 1e6, "on_disk_mb": allocated / 1e6, "files": files,
            "biggest_mb": {k: round(v / 1e6, 1) for k, v in biggest}}


def evict_page_cache(folder: Path) -> int | None:
    """Drop the bundle's files from the page cache; returns how many files, or None where unsupported."""
    fadvise = getattr(os, "posix_fadvise", None)
    if fadvise is None:
        return None
    count = 0
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        fd = os.open(path, os.O_RDONLY)
        try:
            fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            count += 1
        finally:
            os.close(fd)
    return count


def launch_env(home: Path) -> dict:
    """A small, fresh environment: nothing from this shell's Python or GenLab settings leaks in."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CACHE_HOME": str(home / "cache"), "XDG_STATE_HOME": str(home / "state"),
           "GENLAB_WORKSPACE": str(home / "runs"), "GENLAB_EXIT_AFTER_PAINT": "1"}
    for name in ("DISPLAY", "XAUTHORITY", "SYSTEMROOT", "WINDIR"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    env["QT_QPA_PLATFORM"] = os.environ.get("QT_QPA_PLATFORM") or ("xcb" if env.get("DISPLAY") else "offscreen")
    if sys.platform == "win32" or sys.platform == "darwin":
        env.pop("QT_QPA_PLATFORM")  # their native platform; offscreen only where there may be no display
    return env


def one_launch(cmd: list[str], timeout: float = 120.0) -> dict:
    """Launch, wait for the first-paint line, then for the program to close itself."""
    home = Path(tempfile.mkdtemp(prefix="genlab-startup-"))
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=home, env=launch_env(home), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace")
    reported = wall = None
    try:
        for line in proc.stdout:  # the program prints one line; reading blocks until it does or exits
            if line.startswith(MARK):
                wall = time.perf_counter() - t0
                reported = float(line[len(MARK):])
                break
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        stderr = proc.stderr.read()
    finally:
        proc.stdout.close()
        proc.stderr.close()
        shutil.rmtree(home, ignore_errors=True)
    return {"wall_s": wall, "reported_s": reported, "exit_code": proc.returncode,
            "closed_after_s": time.perf_counter() - t0,
            "error": None if wall is not None else (stderr.strip().splitlines() or ["no output"])[-1]}


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--exe", type=Path, default=default_exe(), help="the frozen executable (default dist/GenLab/GenLab)")
    ap.add_argument("--rounds", type=int, default=3, help="cold and warm launches of each kind (default 3)")
    ap.add_argument("--source", action="store_true", help="also time 'python main.py' from the source tree")
    args = ap.parse_args()
    exe = args.exe.resolve()
    if not exe.is_file():
        print(f"startup: {exe} does not exist; build it first: pyinstaller --noconfirm build.spec", file=sys.stderr)
        return 2
    folder = exe.parent
    size = bundle_size(folder)
    load_before = load_average()
    rows, results = [], {"frozen_cold": [], "frozen_warm": [], "source_warm": []}
    for _ in range(args.rounds):
        evicted = evict_page_cache(folder)
        results["frozen_cold"].append(dict(one_launch([str(exe)]), evicted_files=evicted, load=load_average()))
        results["frozen_warm"].append(dict(one_launch([str(exe)]), load=load_average()))
        if args.source:
            results["source_warm"].append(dict(one_launch([sys.executable, str(ROOT / "main.py")]),
                                               load=load_average()))
    for kind, runs in results.items():
        for n, r in enumerate(runs):
            rows.append([kind, n + 1, r["wall_s"] if r["wall_s"] is not None else "failed",
                         r["reported_s"] if r["reported_s"] is not None else "-", r["exit_code"],
                         r["load"][0] if r["load"] else "-", r["error"] or ""])
    print(f"{exe}: {size['apparent_mb']:.0f} MB ({size['on_disk_mb']:.0f} MB on disk), {size['files']} files")
    print("biggest parts (MB):", ", ".join(f"{k} {v}" for k, v in size["biggest_mb"].items()))
    print(f"platform: {platform.platform()}, {os.cpu_count()} CPUs, Qt platform "
          f"{launch_env(Path(tempfile.gettempdir()))['QT_QPA_PLATFORM'] if sys.platform.startswith('linux') else 'native'}")
    print_table(["launch", "round", "to first paint (s, wall)", "reported by app (s)", "exit", "load 1m", "error"], rows)

    def best(kind):
        vals = [r["wall_s"] for r in results[kind] if r["wall_s"] is not None]
        return round(min(vals), 3) if vals else None

    def median(kind):
        vals = sorted(r["wall_s"] for r in results[kind] if r["wall_s"] is not None)
        return round(vals[len(vals) // 2], 3) if vals else None

    cold_median = median("frozen_cold")
    print(f"cold start median {cold_median} s (target <= {TARGET_COLD_S} s), warm median {median('frozen_warm')} s, "
          f"load average before {load_before}, after {load_average()}")
    emit_json({"bench": "startup", "exe": str(exe), "size": size, "rounds": args.rounds,
               "cold_median_s": cold_median, "cold_best_s": best("frozen_cold"),
               "warm_median_s": median("frozen_warm"), "warm_best_s": best("frozen_warm"),
               "source_median_s": median("source_warm"), "target_cold_s": TARGET_COLD_S,
               "cold_target_met": cold_median is not None and cold_median <= TARGET_COLD_S,
               "load_average_before": load_before, "load_average_after": load_average(),
               "cpus": os.cpu_count(), "display": bool(os.environ.get("DISPLAY")),
               "runs": results}, name="startup")
    return 0 if all(r["wall_s"] is not None for runs in results.values() for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())

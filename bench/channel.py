"""What a weight snapshot costs the window when it crosses from the training process.

A snapshot of ``n`` float32 weights is written to a real pipe by a writer thread (as the training
process's forwarding thread does) and read by ``engine.training.channel.read_frame`` (as the window's
reader thread does), two ways: tensors pickled as they are, and NumPy arrays as out-of-band blocks
(``engine.training.snapshot.as_arrays``, what the worker sends). "decode" is the time spent in
``pickle.loads``, when the reader holds the interpreter lock the window's painting needs; the rest of
"read" is spent in system calls, with the lock free.

    python bench/channel.py [--sizes 1e6,1e7,5e7]
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from types import MappingProxyType

from common import emit_json, print_table


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1e6,1e7,5e7", help="numbers of float32 weights")
    args = ap.parse_args()
    import torch

    from engine.events import SnapshotPublished
    from engine.training.channel import read_frame, write_frame
    from engine.training.snapshot import Snapshot, as_arrays
    r, w = os.pipe()
    rf, wf = os.fdopen(r, "rb", buffering=0), os.fdopen(w, "wb")
    rows, out = [], {}
    for n in (int(float(x)) for x in args.sizes.split(",")):
        snap = Snapshot("bench", {}, 1, MappingProxyType({"w": torch.randn(n)}))
        for how, ev in (("tensors", SnapshotPublished(snap)), ("arrays", SnapshotPublished(as_arrays(snap)))):
            writer = threading.Thread(target=write_frame, args=(wf, ("events", [ev], False)))
            writer.start()
            stats: dict = {}
            t0 = time.perf_counter()
            read_frame(rf, stats)
            read_s = time.perf_counter() - t0
            writer.join()
            rows.append([n, how, round(stats["bytes"] / 1e6, 1), round(read_s * 1000, 1),
                         round(stats["decode_s"] * 1000, 2)])
            out[f"{n}-{how}"] = {"read_ms": round(read_s * 1000, 1), "decode_ms": round(stats["decode_s"] * 1000, 2)}
    print(f"channel: one snapshot through a pipe, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print_table(["weights", "as", "MB", "read ms", "decode ms (lock held)"], rows)
    emit_json(out, name="channel")


if __name__ == "__main__":
    main()

"""How fast data loads: procedural shapes, a folder of photos, MNIST from IDX, .npy, and a download.

Usage: python bench/data_loading.py [--photos N]
Prints a table, then one JSON object as its last line. The download runs against a local HTTP server
on 127.0.0.1 serving the shared MNIST test images, so it measures the downloader, not a network.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from common import ROOT, emit_json, print_table  # noqa: E402  (also puts the repo on sys.path)

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from engine.config import DataConfig  # noqa: E402
from engine.data import load_dataset  # noqa: E402

SHARED_MNIST = ROOT.parent / "shared" / "datasets" / "mnist"


def timed(fn, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def make_photos(folder: Path, n: int) -> None:
    rng = np.random.default_rng(0)
    for i in range(n):
        w, h = int(rng.integers(160, 640)), int(rng.integers(120, 480))
        base = rng.integers(0, 256, (h // 8 + 1, w // 8 + 1, 3), dtype=np.uint8)
        img = Image.fromarray(base).resize((w, h), Image.Resampling.BILINEAR)  # photo-like, compressible
        sub = folder / f"class{i % 3}"
        sub.mkdir(parents=True, exist_ok=True)
        img.save(sub / f"{i}.jpg", quality=90)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--photos", type=int, default=300, help="photos in the folder benchmark (default 300)")
    args = ap.parse_args()
    rows, result = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)

        t = timed(lambda: load_dataset(DataConfig(name="shapes", n_train=20000, n_test=5000)))
        rows.append(["shapes 32x32 grey", 25000, t, 25000 / t])
        result["shapes_images_per_s"] = 25000 / t

        make_photos(tmp / "photos", args.photos)
        t = timed(lambda: load_dataset(DataConfig(name=str(tmp / "photos"))))
        rows.append([f"photo folder, JPEG {args.photos} mixed sizes -> 32x32", args.photos, t, args.photos / t])
        result["photo_folder_images_per_s"] = args.photos / t

        if SHARED_MNIST.is_dir():
            t = timed(lambda: load_dataset(DataConfig(name=str(SHARED_MNIST))))
            rows.append(["MNIST IDX folder (.gz)", 70000, t, 70000 / t])
            result["mnist_idx_seconds"] = t

            arr = np.random.default_rng(0).integers(0, 256, (60000, 28, 28), dtype=np.uint8)
            np.save(tmp / "m.npy", arr)
            t = timed(lambda: load_dataset(DataConfig(name=str(tmp / "m.npy"))))
            rows.append([".npy uint8 60000x28x28", 60000, t, 60000 / t])
            result["npy_seconds"] = t

            import os
            handler = partial(_Quiet, directory=str(SHARED_MNIST))
            httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
            th = threading.Thread(target=httpd.serve_forever, daemon=True)
            th.start()
            from engine.data.download import fetch
            from engine.data.remote import MNIST
            f = next(x for x in MNIST.files if x.name == "t10k-images-idx3-ubyte.gz")
            url = f"http://127.0.0.1:{httpd.server_address[1]}/"
            os.environ["GENLAB_CACHE"] = str(tmp / "cache")
            t = timed(lambda: fetch(f, tmp / "dl", [url], "mnist"))
            httpd.shutdown()
            httpd.server_close()
            rows.append(["download 1.6 MB from 127.0.0.1 + SHA-256", f.size, t, f.size / t / 1e6])
            result["download_mb_per_s_localhost"] = f.size / t / 1e6

    print_table(["what", "items/bytes", "seconds", "per second (MB/s for download)"], rows)
    emit_json({"bench": "data_loading", **{k: round(v, 4) for k, v in result.items()}})


if __name__ == "__main__":
    sys.exit(main())

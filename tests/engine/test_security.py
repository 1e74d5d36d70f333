"""Files from elsewhere never execute code. Every planted pickle below would create a marker file if it
were ever unpickled (checked first, so the test can fail); every way the engine opens a run, a
checkpoint, a picture or data is then pointed at it, and the marker never appears."""

import io
import json
import pickle
import re
import socket
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from engine.config import DataConfig
from engine.errors import GenLabError
from tests.engine.runs_helpers import tiny_config, train

ROOT = Path(__file__).resolve().parents[2]


class Payload:
    """Unpickling this opens (creates) ``marker``: proof that code ran."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def payload_bytes(marker: Path) -> bytes:
    return pickle.dumps({"model/weight": Payload(marker)})


def test_the_payload_really_runs_when_unpickled(tmp_path):
    marker = tmp_path / "proof"
    pickle.loads(payload_bytes(marker)).clear()
    assert marker.exists()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A good run, and a copy whose only checkpoint's tensor file was replaced by a pickle (with the
    sidecar's size and SHA-256 updated to match, as a careful attacker would)."""
    import shutil
    root = tmp_path_factory.mktemp("hostile")
    marker = root / "MARKER"
    good = root / "good"
    train(tiny_config("vae", steps=12, checkpoint_every=1000, sample_every=6), good)
    bad = root / "bad"
    shutil.copytree(good, bad)
    sidecar = sorted((bad / "checkpoints").glob("ckpt_*.json"))[-1]
    meta = json.loads(sidecar.read_text())
    blob = io.BytesIO()
    torch.save({"model/weight": Payload(marker)}, blob)           # a real .pt pickle archive
    data = blob.getvalue()
    (bad / "checkpoints" / meta["file"]).write_bytes(data)
    import hashlib
    meta.update(bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
    sidecar.write_text(json.dumps(meta))
    for name in ("model.pt", "weights.pkl", "checkpoints/ckpt_000000099.pt", "checkpoints/latest.pth"):
        (bad / name).write_bytes(payload_bytes(marker))
    return good, bad, marker


def every_way_to_open(run: Path, good: Path, tmp: Path):
    """(name, call) for every engine entry point that reads a run folder."""
    from engine.runs.compare import compare_runs
    from engine.runs.export import export_csv, export_gif, export_png
    from engine.runs.export_model import export_program
    from engine.runs.fork import fork_run
    from engine.runs.load import load_run_model
    from engine.runs.workspace import list_runs, open_run, resume_config
    from engine.training.loop import Trainer
    cfg = tiny_config("vae", steps=20)
    return [
        ("load_run_model", lambda: load_run_model(run)),
        ("resume", lambda: Trainer(cfg, run, resume=True)),
        ("resume_config", lambda: resume_config(run)),
        ("open_run", lambda: open_run(run).snapshot()),
        ("list_runs", lambda: list_runs(run.parent)),
        ("compare", lambda: compare_runs([good, run])),
        ("fork", lambda: fork_run(run, tmp / "fork")),
        ("export png", lambda: export_png(run, tmp / "x.png")),
        ("export gif", lambda: export_gif(run, tmp / "x.gif")),
        ("export csv", lambda: export_csv(run, tmp / "x.csv")),
        ("export torch", lambda: export_program(run, tmp / "x.pt2")),
    ]


def test_a_checkpoint_replaced_by_a_pickle_never_runs(runs, tmp_path):
    good, bad, marker = runs
    refused = []
    for name, call in every_way_to_open(bad, good, tmp_path):
        try:
            call()
        except GenLabError as e:   # refused with a message, never a traceback into pickle
            refused.append(name)
            assert "pickle" not in type(e).__name__.lower()
        assert not marker.exists(), f"{name} executed the payload"
    # everything that needs the weights refuses them; listing and the file exports still work
    assert {"load_run_model", "resume", "open_run", "compare", "fork", "export torch"} <= set(refused)
    assert "list_runs" not in refused and "export csv" not in refused


def test_the_cli_refuses_pickled_configs_and_checkpoints(runs, tmp_path):
    from engine.cli.main import main
    good, bad, marker = runs
    pkl = tmp_path / "config.pkl"
    pkl.write_bytes(payload_bytes(marker))
    assert main(["train", "--config", str(pkl), "--out", str(tmp_path / "r"), "--steps", "1"]) == 2
    assert main(["sample", "--run", str(bad), "-n", "4", "-o", str(tmp_path / "s.npy")]) == 2
    assert main(["eval", "--run", str(bad), "--json"]) == 2
    assert main(["train", "--resume", str(bad), "--steps", "1"]) == 2
    assert not marker.exists()


def test_a_pickled_config_json_and_status_are_refused_or_ignored(runs, tmp_path):
    import shutil

    from engine.runs.folder import RunFolder
    from engine.runs.workspace import list_runs
    good, _, marker = runs
    run = tmp_path / "ws" / "run"
    shutil.copytree(good, run)
    (run / "status.json").write_bytes(payload_bytes(marker))
    rows = list_runs(tmp_path / "ws")
    assert rows and rows[0].family == "vae"
    (run / "config.json").write_bytes(payload_bytes(marker))
    with pytest.raises(GenLabError):
        RunFolder(run).read_config()
    (run / "config.json").write_bytes(b"{" + b" " * 2_000_000 + b"}")   # too large: refused unread
    with pytest.raises(GenLabError, match="1 MB"):
        RunFolder(run).read_config()
    assert not marker.exists()


def test_a_png_whose_config_is_a_pickle_is_refused(runs, tmp_path):
    from engine.render import png_bytes
    from engine.runs.export import config_from_png
    good, _, marker = runs
    img = np.zeros((8, 8), np.uint8)
    picture = tmp_path / "evil.png"
    picture.write_bytes(png_bytes(img, {"genlab.config": payload_bytes(marker).decode("latin-1")}))
    with pytest.raises(GenLabError):
        config_from_png(picture)
    disguised = tmp_path / "evil2.png"
    disguised.write_bytes(payload_bytes(marker))          # a pickle named .png
    with pytest.raises(GenLabError):
        config_from_png(disguised)
    assert not marker.exists()


def test_data_files_holding_pickles_are_refused(tmp_path):
    from engine.data import load_dataset
    marker = tmp_path / "MARKER"
    objects = np.empty(300, dtype=object)
    objects[:] = [Payload(marker)] * 300
    npy = tmp_path / "points.npy"
    np.save(npy, objects, allow_pickle=True)
    npz = tmp_path / "points.npz"
    np.savez(npz, x=objects)
    pkl = tmp_path / "points.pkl"
    pkl.write_bytes(payload_bytes(marker))
    zipped = tmp_path / "images.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("data.pkl", payload_bytes(marker))
    for path in (npy, npz, pkl, zipped):
        with pytest.raises(GenLabError):
            load_dataset(DataConfig(name=str(path)))
        assert not marker.exists(), path.name


def test_no_engine_code_can_unpickle_or_reach_the_network():
    """The code itself: no pickle, no torch.load without weights_only=True, no allow_pickle=True, and
    network modules only in the dataset downloader."""
    network_ok = {"engine/data/download.py", "engine/data/remote.py"}
    for path in sorted((ROOT / "engine").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        code = "\n".join(line.split("#")[0] for line in text.splitlines())
        if rel == "engine/training/channel.py":   # the pipe to its own training process, classes allow-listed
            assert "def find_class" in code and "pickle.loads" not in code and "pickle.load(" not in code, rel
        else:
            assert not re.search(r"^\s*(import|from)\s+(pickle|cPickle|dill|joblib|shelve)\b", code, re.M), rel
        assert "allow_pickle=True" not in code, rel
        for call in re.findall(r"torch\.load\([^)]*\)", code):
            assert "weights_only=True" in call, f"{rel}: {call}"
        if rel not in network_ok:
            assert not re.search(r"^\s*(import|from)\s+(urllib|http|socket|requests|ftplib)\b", code, re.M), rel


def test_training_comparing_and_exporting_open_no_connection(runs, tmp_path, monkeypatch):
    from engine.runs.compare import compare_runs
    from engine.runs.export import export_png
    good, _, _ = runs
    attempts = []

    def refuse(self, address):
        attempts.append(address)
        raise OSError("network access in a test that must not use the network")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    train(tiny_config("gan", steps=5), tmp_path / "gan")
    compare_runs([good, tmp_path / "gan"], n=50)
    export_png(tmp_path / "gan", tmp_path / "g.png")
    assert attempts == []


def test_the_training_channel_refuses_a_frame_that_names_a_callable(tmp_path):
    """The window unpickles its training process's frames with an allow-list: engine events and NumPy
    arrays cross, a frame that would call anything else is refused before it runs."""
    import io
    import pickle

    import numpy as np

    from engine.events import SamplesReady
    from engine.training.channel import ChannelError, read_frame, write_frame

    ev = SamplesReady(step=3, kind="image", data=np.arange(12, dtype=np.float32).reshape(3, 4), path=None, seconds=0.5)
    buf = io.BytesIO()
    write_frame(buf, {"event": ev, "ids": {1, 2}, "note": ("ok", 1.5)})
    back = read_frame(io.BytesIO(buf.getvalue()))
    assert back["event"].step == 3 and np.array_equal(back["event"].data, ev.data) and back["ids"] == {1, 2}

    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            import os
            return os.system, (f"touch {marker}",)

    for payload in (Evil(), {"ok": 1, "bad": [Evil()]}):
        data = pickle.dumps(payload, protocol=5)
        import struct
        frame = struct.pack("<Q", len(data)) + struct.pack("<Q", 0) + data
        with pytest.raises(ChannelError, match="refused"):
            read_frame(io.BytesIO(frame))
    assert not marker.exists()

"""Test set-up: offscreen Qt before Qt loads, seeded torch per test, crash logs in a temp folder,
and a failure for any test that leaves a GenLab thread running."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GENLAB_TEST", "1")
os.environ.setdefault("GENLAB_LANGUAGE", "en")  # English unless a test saves another choice

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402

SHARED_MNIST = ROOT.parent / "shared" / "datasets" / "mnist"


@pytest.fixture(autouse=True)
def _seed_and_isolate(tmp_path_factory, monkeypatch):
    import torch
    torch.manual_seed(0)
    torch.set_num_threads(1)
    crash = tmp_path_factory.mktemp("crash")
    monkeypatch.setenv("GENLAB_CRASH_DIR", str(crash))
    yield


@pytest.fixture(params=[1, 2], ids=["1-thread", "2-threads"])
def threads(request):
    """Run a numerical test on one and on two torch threads (its tolerance must hold on both)."""
    import torch
    before = torch.get_num_threads()
    torch.set_num_threads(request.param)
    yield request.param
    torch.set_num_threads(before)


@pytest.fixture(autouse=True)
def _no_leftover_threads():
    before = {t.ident for t in threading.enumerate()}
    yield
    deadline = time.monotonic() + 5.0
    while True:
        left = [t for t in threading.enumerate()
                if t.ident not in before and t.name.startswith("genlab") and t.is_alive()]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not left, f"test left GenLab threads running: {[t.name for t in left]}"


def pytest_collection_modifyitems(config, items):
    """Tests marked ``cuda`` or ``mps`` skip cleanly, with the reason, on machines without that device."""
    wanted = [item for item in items if item.get_closest_marker("cuda") or item.get_closest_marker("mps")]
    if not wanted:
        return
    import torch
    have = {"cuda": torch.cuda.is_available(),
            "mps": getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()}
    for item in wanted:
        for device, present in have.items():
            if item.get_closest_marker(device) and not present:
                item.add_marker(pytest.mark.skip(reason=f"needs a {device.upper()} device; this machine has none"))

"""Generated hostile inputs for the run-folder readers: status files, checkpoint sidecars, metrics lines
and PNG configs. Shared by tests/engine/test_runs_fuzz.py (a few hundred cases in the suite) and
bench/fuzz_readers.py (ten thousand and more).

Each case starts from a real file of its kind, mutates it (a field replaced by any JSON value, nesting
thousands deep, integers of thousands of digits, fields removed) or replaces it with random text, and
reads it back. The only allowed outcomes are a sound result or GenLab's own error with a message;
any other exception fails the case, and so does a read that hangs (the callers' timeouts)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from hypothesis import strategies as st

HUGE = int("9" * 300)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.sampled_from([HUGE, -HUGE, 0, -1]),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
                    st.sampled_from(["running", "finished", "points", "image", "genlab-status", "genlab-checkpoint"]))
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                              st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                           max_leaves=12)


def _paths(d, prefix=()):
    """Every key path in nested dicts and lists."""
    out = [prefix] if prefix else []
    if isinstance(d, dict):
        for k, v in d.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(d, list):
        for i, v in enumerate(d[:6]):
            out += _paths(v, prefix + (i,))
    return out


@st.composite
def mutated(draw, base: dict):
    """``base`` with a few fields replaced by arbitrary JSON, deleted, or turned into deep nesting."""
    d = json.loads(json.dumps(base))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(d)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = d
        for key in path[:-1]:
            parent = parent[key]
        how = draw(st.sampled_from(["value", "value", "delete", "deep"]))
        if how == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif how == "deep":
            parent[path[-1]] = "@DEEP@"
        else:
            parent[path[-1]] = draw(json_values)
    text = json.dumps(d, allow_nan=True)
    return text.replace('"@DEEP@"', "[" * 3000 + "]" * 3000)


def raw_texts():
    return st.one_of(st.text(max_size=200), st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
                     st.just("[" * 50_000), st.just("{\"a\":" * 5000), st.just("9" * 10_000))


# ---- the readers -----------------------------------------------------------------------------------------------
def check_status(run: Path, text: str) -> str:
    from engine.runs.workspace import list_runs, summarize_run
    (run / "status.json").write_text(text, encoding="utf-8", errors="surrogatepass")
    row = summarize_run(run)
    assert row.state in ("running", "paused", "finished", "stopped", "failed", "killed", "damaged", "unknown")
    assert row.message is None or isinstance(row.message, str)
    assert isinstance(row.step, int) and (row.updated_at is None or isinstance(row.updated_at, str))
    assert run.name in {r.name for r in list_runs(run.parent)}
    return "damaged" if row.state == "damaged" else "accepted"


def check_sidecar(sidecar: Path, text: str) -> str:
    from engine.errors import GenLabError
    from engine.runs.checkpoint import load_checkpoint
    sidecar.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_checkpoint(sidecar)
    except GenLabError as e:
        assert str(e).strip()
        return "refused"
    return "accepted"


def check_metrics(run: Path, lines: list[str]) -> str:
    from engine.runs.workspace import read_curves, summarize_run
    (run / "metrics.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    curves = read_curves(run)
    assert all(isinstance(r, dict) and isinstance(r["step"], int) for r in curves)
    summarize_run(run)
    return "accepted" if curves else "empty"


def check_png(path: Path, text: str) -> str:
    import numpy as np
    from engine.errors import GenLabError
    from engine.render import png_bytes
    from engine.runs.export import config_from_png
    path.write_bytes(png_bytes(np.zeros((4, 4), np.uint8), {"genlab.config": text}))
    try:
        config_from_png(path)
    except GenLabError as e:
        assert str(e).strip()
        return "refused"
    return "accepted"


def make_base_run(folder: Path) -> dict:
    """A real tiny run to mutate; returns the files' texts as bases."""
    from tests.engine.runs_helpers import tiny_config, train
    run = folder / "base"
    train(tiny_config("vae", steps=6, checkpoint_every=6, sample_every=1000), run)
    sidecar = sorted((run / "checkpoints").glob("ckpt_*.json"))[-1]
    return {"run": run, "status": json.loads((run / "status.json").read_text()),
            "sidecar": json.loads(sidecar.read_text()), "sidecar_path": sidecar,
            "metrics": [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines() if x.strip()],
            "config": json.loads((run / "config.json").read_text())}


def fresh_copy(base: dict, dest: Path) -> Path:
    shutil.copytree(base["run"], dest)
    return dest

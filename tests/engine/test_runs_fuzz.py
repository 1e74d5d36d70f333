"""Property-based fuzzing of the run-folder readers (issue 18): status files, checkpoint sidecars,
metrics lines and PNG configs, mutated from real ones or replaced by random text (``reader_fuzz``).
A few hundred cases here; bench/fuzz_readers.py runs ten thousand and more. Run with ``-s`` to see
the counts."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.engine import reader_fuzz as rf

COUNTS: dict[str, int] = {}
FUZZ = settings(max_examples=80, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
_n = itertools.count()


@pytest.fixture(scope="module")
def base():
    with tempfile.TemporaryDirectory(prefix="genlab-rfuzz-") as d:
        b = rf.make_base_run(Path(d))
        b["work"] = rf.fresh_copy(b, Path(d) / "ws" / "work")
        yield b
    print(f"\nreader fuzz cases: {sum(COUNTS.values())} ({', '.join(f'{k} {v}' for k, v in sorted(COUNTS.items()))})")


def count(kind: str, outcome: str) -> None:
    COUNTS[f"{kind}:{outcome}"] = COUNTS.get(f"{kind}:{outcome}", 0) + 1


@pytest.mark.timeout(240)
@FUZZ
@given(data=st.data())
def test_status_files(base, data):
    text = data.draw(st.one_of(rf.mutated(base["status"]), rf.raw_texts()))
    count("status", rf.check_status(base["work"], text))


@pytest.mark.timeout(240)
@FUZZ
@given(data=st.data())
def test_checkpoint_sidecars(base, data):
    text = data.draw(st.one_of(rf.mutated(base["sidecar"]), rf.mutated(base["sidecar"]), rf.raw_texts()))
    sidecar = base["work"] / "checkpoints" / base["sidecar_path"].name
    count("sidecar", rf.check_sidecar(sidecar, text))


@pytest.mark.timeout(240)
@FUZZ
@given(data=st.data())
def test_metrics_lines(base, data):
    lines = data.draw(st.lists(st.one_of(st.sampled_from(base["metrics"]).flatmap(rf.mutated), rf.raw_texts()),
                               max_size=6))
    count("metrics", rf.check_metrics(base["work"], lines))


@pytest.mark.timeout(240)
@FUZZ
@given(data=st.data())
def test_png_configs(base, data, tmp_path_factory):
    text = data.draw(st.one_of(rf.mutated(base["config"]), rf.raw_texts()))
    path = base["work"].parent / f"p{next(_n)}.png"
    count("png", rf.check_png(path, text))
    path.unlink()

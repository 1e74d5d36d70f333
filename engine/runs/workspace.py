"""The workspace: every run in a folder, listed from small files only, and opened or continued.

``list_runs`` reads, per run, ``status.json`` (a few hundred bytes the trainer keeps current), the
head of ``config.json`` (size-checked) and the names in ``checkpoints/``; nothing else. A run made
before ``status.json`` existed falls back to the last 16 KB of ``metrics.jsonl``. Whether a run is
alive is asked of its lock (``engine.runs.status``), so a run whose process was killed shows as
``killed`` with everything up to its last checkpoint.

``read_curves`` gives the metric records as a person should see them: a resumed or rolled-back run
wrote records past the step it went back to, and those are dropped in favour of what followed, so
every curve has one value per step. The window's Runs dock calls ``list_runs``; opening a run is
``open_run``; Continue is ``resume_config`` plus ``Runner(config, run_dir, resume=True)``.
"""

from __future__ import annotations

import math
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from engine.config import RunConfig
from engine.crash import user_dir
from engine.errors import CheckpointError, ConfigError
from engine.runs.checkpoint import latest_checkpoint, load_checkpoint, NAME_RE
from engine.runs.folder import MAX_CONFIG_BYTES, metrics_record, RunFolder
from engine.runs.status import live_state, lock_state, read_status, read_status_checked, RunBusyError
from engine.safe_io import read_json, read_tail, ReadRefused
from engine.training.loop import UNLIMITED_STEPS
from engine.training.snapshot import Snapshot

TAIL_BYTES = 16 * 1024
STATES = ("running", "paused", "finished", "stopped", "failed", "killed", "damaged", "unknown")


def default_workspace() -> Path:
    """Where runs live: ``GENLAB_WORKSPACE``, else ``runs/`` in the platform's user data folder."""
    env = os.environ.get("GENLAB_WORKSPACE")
    return Path(env).expanduser() if env else user_dir("data") / "runs"


@dataclass
class RunSummary:
    """One row of the runs list."""

    path: Path
    name: str
    family: str | None
    data: str | None
    kind: str | None                 # "points" or "image" (None when not known yet)
    state: str                       # one of STATES
    step: int                        # last step the run reported
    total_steps: int | None
    checkpoint_step: int | None      # what a resume continues from
    last_loss: float | None
    best_nll: float | None           # nats per example, lowest held-out figure
    best_bits_per_dim: float | None
    nll_kind: str | None             # "exact", "bound", "ode", "estimate"
    best_step: int | None
    started_at: str | None
    updated_at: str | None
    parent: str | None
    message: str | None = None       # why it failed, or what is damaged
    checkpoints: list[int] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        d["path"] = str(self.path)
        return d


# ---- listing -------------------------------------------------------------------------------------------
def looks_like_run(path: Path) -> bool:
    """A folder holding a ``config.json`` of any kind (a damaged one too: it lists as damaged)."""
    return os.path.lexists(path / "config.json")


def list_runs(folder: str | Path | None = None) -> list[RunSummary]:
    """Every run directly inside ``folder`` (default: the workspace), newest first. Foreign folders are
    left out; a damaged run lists as ``damaged`` with the reason, and never hides the others."""
    root = Path(folder) if folder is not None else default_workspace()
    try:
        entries = list(root.iterdir())
    except OSError:
        return []
    out = []
    for entry in entries:
        try:
            if not (entry.is_dir() and looks_like_run(entry)):
                continue
        except OSError:
            continue
        try:
            out.append(summarize_run(entry))
        except Exception as e:  # whatever one folder holds, the others are still listed
            out.append(damaged_summary(entry, f"{entry}: cannot be read ({type(e).__name__}: {str(e)[:200]})"))
    out.sort(key=lambda r: (r.updated_at or r.started_at or ""), reverse=True)
    return out


def damaged_summary(run: Path, why: str) -> RunSummary:
    """A row for a run folder whose files could not be read at all."""
    return RunSummary(path=run, name=run.name, family=None, data=None, kind=None, state="damaged", step=0,
                      total_steps=None, checkpoint_step=None, last_loss=None, best_nll=None,
                      best_bits_per_dim=None, nll_kind=None, best_step=None, started_at=None,
                      updated_at=_mtime_text(run), parent=None, message=why)


def _checkpoint_steps(run: Path) -> list[int]:
    try:
        names = os.listdir(run / "checkpoints")
    except OSError:
        return []
    return sorted(int(m.group(1)) for m in map(NAME_RE.match, names) if m)


def _small_json(path: Path, limit: int, problems: list | None = None) -> dict:
    """A small JSON object file, read by the guarded reader; what is wrong goes to ``problems``."""
    if not os.path.lexists(path):
        return {}
    try:
        d = read_json(path, limit, path.name)
    except FileNotFoundError:
        return {}
    except OSError as e:
        d, why = None, f"{path}: cannot be read ({e.strerror or e})"
    except ReadRefused as e:
        d, why = None, str(e)
    else:
        why = None if isinstance(d, dict) else f"{path}: is not a JSON object"
    if why and problems is not None:
        problems.append(why)
    return d if isinstance(d, dict) else {}


def _text(v) -> str | None:
    return v if isinstance(v, str) else None


def _num(v):
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None


def _int(v):
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def summarize_run(path: str | Path) -> RunSummary:
    """The runs-list row for one run folder, from small files only."""
    run = Path(path)
    problems: list[str] = []
    raw = _small_json(run / "config.json", MAX_CONFIG_BYTES, problems)
    status, status_problem = read_status_checked(run)
    if status_problem:
        problems.append(status_problem)
    ckpts = _checkpoint_steps(run)
    train = raw.get("train") if isinstance(raw.get("train"), dict) else {}
    data = raw.get("data") if isinstance(raw.get("data"), dict) else {}
    resolved = raw.get("resolved") if isinstance(raw.get("resolved"), dict) else {}
    spec = resolved.get("spec") if isinstance(resolved.get("spec"), dict) else {}
    summary = RunSummary(
        path=run, name=run.name, family=_text(raw.get("family")), data=_text(data.get("name")),
        kind=spec.get("kind") if spec.get("kind") in ("points", "image", "text") else None,
        state="unknown", step=ckpts[-1] if ckpts else 0, total_steps=_int(train.get("steps")),
        checkpoint_step=ckpts[-1] if ckpts else None, last_loss=None, best_nll=None, best_bits_per_dim=None,
        nll_kind=None, best_step=None, started_at=None, updated_at=None,
        parent=_text(raw.get("parent")), checkpoints=ckpts)
    if status is not None:
        _from_status(summary, status)
    else:
        _from_metrics_tail(summary, run)
    if ckpts and ckpts[-1] > summary.step:  # killed between writing a checkpoint and its status
        summary.step = ckpts[-1]
    summary.state = live_state(run, status) if status is not None else _legacy_state(run, summary)
    if problems and summary.state not in ("running", "paused"):  # a live trainer rewrites its files
        summary.state = "damaged"
        summary.message = "; ".join(problems)
    if summary.started_at is None:
        summary.started_at = _text(_small_json(run / "env.json", 64 * 1024).get("started_at"))
    if summary.updated_at is None:
        summary.updated_at = _mtime_text(run)
    return summary


def _from_status(s: RunSummary, st: dict) -> None:
    s.step = _int(st.get("step")) or s.step
    s.total_steps = _int(st.get("total_steps")) or s.total_steps
    s.kind = st.get("kind") or s.kind
    last = st.get("last") if isinstance(st.get("last"), dict) else {}
    s.last_loss = _num(last.get("loss"))
    best = st.get("best") if isinstance(st.get("best"), dict) else {}
    s.best_nll = _num(best.get("test_nll_nats"))
    s.best_bits_per_dim = _num(best.get("bits_per_dim"))
    s.best_step = best.get("step") if isinstance(best.get("step"), int) else None
    last_eval = st.get("last_eval") if isinstance(st.get("last_eval"), dict) else {}
    s.nll_kind = _text(best.get("nll_kind") or last_eval.get("nll_kind"))
    s.started_at = st.get("created_at") or st.get("started_at")
    s.updated_at = st.get("updated_at")
    s.message = st.get("message") if st.get("state") == "failed" else None


def _tail_records(path: Path, limit: int = TAIL_BYTES) -> list[dict]:
    if not os.path.lexists(path):
        return []
    try:
        chunk, cut = read_tail(path, limit)
    except (OSError, ReadRefused):
        return []
    lines = chunk.split(b"\n")
    if cut:
        lines = lines[1:]  # the first line is cut
    out = []
    for line in lines:
        rec = metrics_record(line)
        if rec is not None:
            out.append(rec)
    return out


def _from_metrics_tail(s: RunSummary, run: Path) -> None:
    for rec in _tail_records(run / "metrics.jsonl"):
        step = rec.get("step")
        if _int(step) is not None and step >= 0:
            s.step = step if rec.get("event") in ("train", "eval", "finished") else s.step
        if rec.get("event") == "train":
            s.last_loss = _num(rec.get("loss"))
        elif rec.get("event") == "eval" and _num(rec.get("test_nll_nats")) is not None:
            if s.best_nll is None or rec["test_nll_nats"] < s.best_nll:
                s.best_nll, s.best_step = rec["test_nll_nats"], _int(step)
                s.best_bits_per_dim, s.nll_kind = _num(rec.get("bits_per_dim")), _text(rec.get("nll_kind"))


def _legacy_state(run: Path, s: RunSummary) -> str:
    """A run without ``status.json``: its last metrics record says how it ended, if it did."""
    if lock_state(run):
        return "running"
    records = _tail_records(run / "metrics.jsonl", 4096)
    last = records[-1] if records else {}
    if last.get("event") == "finished":
        return "finished" if last.get("reason") in ("completed", "time limit") else "stopped"
    return "killed" if records else "unknown"


def _mtime_text(run: Path) -> str | None:
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(run.stat().st_mtime))
    except OSError:
        return None


# ---- curves ---------------------------------------------------------------------------------------------
def read_curves(run_dir: str | Path) -> list[dict]:
    """The run's metric records, one per step and event kind, as the run's history now stands.

    A ``resumed`` or ``rollback`` record at step S means everything recorded after step S before it
    was lost or undone, so those records are dropped. A run resumed after a kill (no such record in
    older runs) shows the same thing as a step that goes back, which is handled the same way."""
    records = RunFolder(run_dir).read_metrics()
    out: list[dict] = []
    last_train = -1
    for rec in records:
        step = rec.get("step")
        if _int(step) is None:
            continue
        event = rec.get("event")
        if event in ("resumed", "rollback", "forked"):
            out = [r for r in out if r["step"] <= step]
            last_train = min(last_train, step)
            out.append(rec)
            continue
        if event == "train":
            if step <= last_train:
                out = [r for r in out if r["step"] < step]
            last_train = step
        out.append(rec)
    return out


# ---- opening and continuing -----------------------------------------------------------------------------
@dataclass
class OpenedRun:
    """What the window needs to show a run: its config, curves, sample history and checkpoints."""

    path: Path
    config: RunConfig
    summary: RunSummary
    curves: list[dict]
    samples: list[Path]
    checkpoints: list[int]

    def snapshot(self, step: int | None = None):
        """A ``Snapshot`` of the weights at ``step`` (default: the newest checkpoint that verifies), for
        the samples view and the latent explorer."""
        if step is None:
            ckpt = latest_checkpoint(self.path / "checkpoints")
            if ckpt is None:
                raise CheckpointError(f"{self.path}: has no checkpoint that can be loaded yet")
        else:
            ckpt = load_checkpoint(checkpoint_sidecar(self.path, step))
        return Snapshot(family=ckpt.family, init_args=ckpt.init_args, step=ckpt.step,
                        state=MappingProxyType(dict(ckpt.model_state)))


def checkpoint_sidecar(run_dir: str | Path, step: int) -> Path:
    """The sidecar of the checkpoint at ``step``; a CheckpointError lists the steps there are."""
    folder = Path(run_dir) / "checkpoints"
    path = folder / f"ckpt_{int(step):09d}.json"
    if not os.path.lexists(path):
        have = ", ".join(str(s) for s in _checkpoint_steps(Path(run_dir))) or "none"
        raise CheckpointError(f"{run_dir}: has no checkpoint at step {step} (saved steps: {have})")
    return path


def open_run(run_dir: str | Path) -> OpenedRun:
    """Read a run for display. The config goes through the validated schema; nothing is unpickled."""
    run = RunFolder(run_dir)
    if not run.path.is_dir():
        raise CheckpointError(f"{run.path}: no such run folder")
    config = run.read_config()
    return OpenedRun(path=run.path, config=config, summary=summarize_run(run.path), curves=read_curves(run.path),
                     samples=run.sample_files(), checkpoints=_checkpoint_steps(run.path))


def resume_config(run_dir: str | Path, more_steps: int | None = None, more_time: float | None = None,
                  overrides: list[str] | tuple[str, ...] = ()) -> RunConfig:
    """The config to continue ``run_dir`` with: the one its newest checkpoint trained with (live changes
    included), else ``config.json``; ``more_steps`` or ``more_time`` extend it; ``overrides`` are
    ``--set`` strings. Pass the result to ``Runner(config, run_dir, resume=True)`` or ``Trainer``."""
    run = RunFolder(run_dir)
    config = run.read_config()
    ckpt = _newest_sidecar(run)
    if ckpt is not None and isinstance(ckpt.get("trainer", {}).get("config"), dict):
        try:
            saved = RunConfig.from_dict(ckpt["trainer"]["config"])
            if saved.family == config.family:
                config = saved
        except ConfigError:
            pass  # an older or edited sidecar: config.json is the reference
    done = ckpt["step"] if ckpt is not None else 0
    extra = []
    if more_steps is not None:
        if more_steps < 1:
            raise ConfigError("steps", more_steps, "a positive number of further steps")
        extra += [f"train.steps={done + more_steps}", "train.time_limit=0"]
    if more_time is not None:
        elapsed = float((ckpt or {}).get("trainer", {}).get("elapsed", 0.0) or 0.0)
        extra += [f"train.time_limit={elapsed + more_time}", f"train.steps={UNLIMITED_STEPS}"]
    return config.with_overrides(extra + list(overrides))


def delete_run(run_dir: str | Path) -> None:
    """Remove a run folder (the close-window choice "discard"). Only a GenLab run folder is removed,
    and never one that a process is training right now."""
    run = Path(run_dir)
    if not looks_like_run(run):
        raise CheckpointError(f"{run}: not a GenLab run folder (no config.json); nothing was deleted")
    if lock_state(run):
        raise RunBusyError(f"{run}: is being trained right now; stop it before deleting it")
    try:
        shutil.rmtree(run)
    except OSError as e:
        raise CheckpointError(f"{run}: could not be deleted completely ({e.strerror or e})") from None


def _newest_sidecar(run: RunFolder) -> dict | None:
    for sidecar in reversed(run.checkpoints()):
        try:
            ckpt = load_checkpoint(sidecar)
        except CheckpointError:
            continue
        return {"step": ckpt.step, "trainer": ckpt.trainer}
    return None

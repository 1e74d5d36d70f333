"""Following a run folder that another process is still writing (``genlab train``, a torchrun job).

The window opens a run with ``open_run``; while that run trains elsewhere it keeps a ``RunFollower``
and calls ``poll()`` on a timer. Each poll reads only what was appended to ``metrics.jsonl`` since the
last one (complete lines only: a line the writer is still writing waits for the next poll), lists the
checkpoints and sample pictures that appeared, and says the run's live state. So the curves grow, new
sample grids and checkpoints show up, and the follower knows when the run has finished, was stopped,
or its process died, without re-reading big files.

History is kept as ``read_curves`` keeps it: a ``resumed``/``rollback``/``forked`` record at step S, or
a training record at a step not after the previous one (a run resumed after a kill), drops what was
recorded after S; the update then says ``reset`` and the consumer redraws from ``curves``. A
metrics file that was replaced or shortened is read again from its start, also with ``reset``.
Nothing here writes to the run folder or unpickles anything: checkpoints load through
``load_checkpoint`` (safetensors, size and SHA-256 checked against the sidecar).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from engine.errors import CheckpointError
from engine.runs.checkpoint import NAME_RE, list_checkpoints, load_checkpoint
from engine.runs.folder import metrics_record
from engine.runs.layout import sample_grids
from engine.runs.status import live_state, read_status
from engine.safe_io import open_regular, ReadRefused
from engine.training.snapshot import Snapshot

READ_LIMIT = 8 * 2**20  # bytes of metrics read per poll at most; the rest comes with the next polls
HISTORY_EVENTS = ("resumed", "rollback", "forked")
LIVE_STATES = ("running", "paused")
HEAD_BYTES = 256


@dataclass
class RunUpdate:
    """What changed in the run folder since the previous ``poll``."""

    records: list[dict] = field(default_factory=list)   # new metric records, in the order written
    reset: bool = False              # the history was cut back or the file replaced: redraw from ``curves``
    checkpoints: list[int] = field(default_factory=list)  # steps of checkpoints that appeared
    samples: list[Path] = field(default_factory=list)     # sample pictures that appeared, oldest first
    state: str = "unknown"           # running, paused, finished, stopped, failed, killed, unknown
    more: bool = False               # the metrics file has more than one poll reads: poll again soon

    @property
    def changed(self) -> bool:
        return bool(self.records or self.reset or self.checkpoints or self.samples)


class RunFollower:
    """Incremental reader of one run folder; not thread-safe (one owner polls it)."""

    def __init__(self, run_dir: str | Path, read_limit: int = READ_LIMIT):
        self.path = Path(run_dir)
        self.read_limit = max(1024, int(read_limit))
        self._offset = 0
        self._pending = b""
        self._identity: tuple[int, int] | None = None
        self._head = b""  # the file's first bytes: a file rewritten in place no longer starts with them
        self._curves: list[dict] = []
        self._last_train = -1
        self._checkpoints: set[int] = set()
        self._samples: set[str] = set()
        self.state = "unknown"

    # ---- what is known so far -----------------------------------------------------------------------
    @property
    def curves(self) -> list[dict]:
        """The metric records as the run's history now stands (what ``read_curves`` returns)."""
        return list(self._curves)

    @property
    def checkpoints(self) -> list[int]:
        return sorted(self._checkpoints)

    @property
    def live(self) -> bool:
        """Whether a process is (as far as can be told) still training this run."""
        return self.state in LIVE_STATES

    def latest_snapshot(self):
        """A ``Snapshot`` of the newest checkpoint that verifies, or None when there is none yet (one
        being written, or pruned between listing and reading, is skipped)."""
        for sidecar in reversed(list_checkpoints(self.path / "checkpoints")):
            try:
                ckpt = load_checkpoint(sidecar)
            except CheckpointError:
                continue
            return Snapshot(family=ckpt.family, init_args=ckpt.init_args, step=ckpt.step,
                            state=MappingProxyType(dict(ckpt.model_state)))
        return None

    # ---- polling ----------------------------------------------------------------------------------------
    def poll(self) -> RunUpdate:
        """Read what was appended or added since the previous call."""
        update = RunUpdate()
        self._poll_metrics(update)
        self._poll_checkpoints(update)
        self._poll_samples(update)
        update.state = self.state = live_state(self.path, read_status(self.path))
        return update

    def _poll_metrics(self, update: RunUpdate) -> None:
        path = self.path / "metrics.jsonl"
        try:
            st = path.stat()
        except OSError:
            if self._identity is not None:  # the file went away: whatever was shown is gone too
                self._restart(update)
                self._identity = None
            return
        identity = (st.st_dev, st.st_ino)
        try:
            with open_regular(path) as fh:
                head = fh.read(len(self._head)) if self._head else b""
                if self._identity is not None and (identity != self._identity or st.st_size < self._offset
                                                   or head != self._head):
                    self._restart(update)
                self._identity = identity
                if st.st_size <= self._offset:
                    return
                fh.seek(self._offset)
                chunk = fh.read(self.read_limit)
        except (OSError, ReadRefused):
            return
        if self._offset == 0:
            self._head = chunk[:HEAD_BYTES]
        self._offset += len(chunk)
        update.more = self._offset < st.st_size
        data = self._pending + chunk
        lines = data.split(b"\n")
        self._pending = lines.pop()  # after the last newline: a record still being written, or b""
        for raw in lines:
            rec = _parse(raw)
            if rec is not None and self._add(rec):
                update.reset = True
            if rec is not None:
                update.records.append(rec)

    def _restart(self, update: RunUpdate) -> None:
        self._offset, self._pending, self._head = 0, b"", b""
        self._curves, self._last_train = [], -1
        update.reset = True
        update.records.clear()

    def _add(self, rec: dict) -> bool:
        """Add one record to the history as ``read_curves`` would; True when earlier records were dropped."""
        step = rec.get("step")
        if not isinstance(step, int) or isinstance(step, bool):
            return False
        event = rec.get("event")
        before = len(self._curves)
        if event in HISTORY_EVENTS:
            self._curves = [r for r in self._curves if r["step"] <= step]
            self._last_train = min(self._last_train, step)
            cut = len(self._curves) < before
            self._curves.append(rec)
            return cut
        cut = False
        if event == "train":
            if step <= self._last_train:
                self._curves = [r for r in self._curves if r["step"] < step]
                cut = len(self._curves) < before
            self._last_train = step
        self._curves.append(rec)
        return cut

    def _poll_checkpoints(self, update: RunUpdate) -> None:
        folder = self.path / "checkpoints"
        try:
            names = os.listdir(folder)
        except OSError:
            return
        steps = set()
        for name in names:
            m = NAME_RE.match(name)
            if m and (folder / f"ckpt_{m.group(1)}.safetensors").exists():
                steps.add(int(m.group(1)))
        update.checkpoints = sorted(steps - self._checkpoints)
        self._checkpoints = steps  # pruned ones are forgotten

    def _poll_samples(self, update: RunUpdate) -> None:
        """New sample files, as the samples dock reads them: pictures, or a text run's lists (.txt)."""
        new = [path for _, path in sample_grids(self.path) if path.name not in self._samples]
        self._samples.update(path.name for path in new)
        update.samples = new


def _parse(raw: bytes) -> dict | None:
    """One metrics line as ``RunFolder.read_metrics`` reads it: torn, garbled or hostile lines are skipped."""
    return metrics_record(raw)

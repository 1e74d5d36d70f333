"""A run config as the ``genlab train ...`` line that reproduces it, and training in the background.

``train_command`` is the window's "Copy as command": the family, the data, and then only the settings
that differ from what ``genlab train --model FAMILY`` would use anyway, each as ``--set key=value``,
quoted for a POSIX shell (``shlex``; on Windows ``subprocess.list2cmdline`` quoting). Parsing the line
with the CLI (``engine.cli.train_line.config_from_command``) gives back the same config; a test holds
it to that. This module only writes such lines: reading them is the command line's job.

``continue_in_background`` starts a detached ``genlab train --resume RUN`` that outlives the window
(the close-window choice "keep training headless"), writing its output to ``background.log`` in the
run folder.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

from engine.config import RunConfig
from engine.errors import GenLabError

PROGRAM = "genlab"


def set_value_text(value) -> str:
    """A ``--set`` value the CLI's parser reads back as the same value and type."""
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            return value          # a plain word stays readable: train.device=cpu
        return json.dumps(value)  # "1", "true", "null" as strings must stay strings
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (tuple, list)):
        return json.dumps(json.loads(json.dumps(value)), separators=(",", ":"))
    return json.dumps(value)


def changed_settings(config: RunConfig) -> list[tuple[str, object]]:
    """``(section.key, value)`` for every setting that differs from a fresh run of the same family."""
    default = RunConfig(family=config.family)
    out = []
    for section in ("data", "model", "train"):
        have = dataclasses.asdict(getattr(config, section))
        base = dataclasses.asdict(getattr(default, section))
        for key, value in have.items():
            if json.dumps(value) != json.dumps(base.get(key)):
                out.append((f"{section}.{key}", value))
    return out


def train_args(config: RunConfig, out: str | Path) -> list[str]:
    """The arguments after ``genlab`` that train ``config`` into ``out``."""
    args = ["train", "--model", config.family, "--data", config.data.name]
    for key, value in changed_settings(config):
        if key == "data.name":
            continue
        args += ["--set", f"{key}={set_value_text(value)}"]
    args += ["--out", str(out)]
    return args


def quote_args(args: list[str], windows: bool | None = None) -> str:
    windows = (os.name == "nt") if windows is None else windows
    if windows:
        return subprocess.list2cmdline(args)
    return " ".join(shlex.quote(a) for a in args)


def train_command(config: RunConfig, out: str | Path = "runs/new-run", windows: bool | None = None) -> str:
    """The shell line that trains ``config`` again (the run's ``parent`` is not part of it)."""
    return quote_args([PROGRAM] + train_args(config, out), windows)


# ---- headless continuation -------------------------------------------------------------------------------
def genlab_invocation() -> list[str]:
    """How to start this GenLab's command line: the frozen executable itself, or this Python."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "engine.cli"]


def continue_in_background(run_dir: str | Path, more_steps: int | None = None,
                           extra: list[str] | tuple[str, ...] = ()) -> subprocess.Popen:
    """Start ``genlab train --resume RUN_DIR`` detached from this process (its own session or process
    group), so closing the window does not stop it. Output goes to ``RUN_DIR/background.log``."""
    run = Path(run_dir)
    if not (run / "config.json").is_file():
        raise GenLabError(f"{run}: not a GenLab run folder (no config.json)")
    cmd = genlab_invocation() + ["train", "--resume", str(run), "--quiet"]
    if more_steps is not None:
        cmd += ["--steps", str(int(more_steps))]
    cmd += list(extra)
    log = open(run / "background.log", "ab")
    kwargs: dict = {"stdin": subprocess.DEVNULL, "stdout": log, "stderr": subprocess.STDOUT,
                    "cwd": str(Path(__file__).resolve().parents[2]) if not getattr(sys, "frozen", False) else None}
    if os.name == "nt":
        kwargs["creationflags"] = (getattr(subprocess, "DETACHED_PROCESS", 0)
                                   | getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0))
    else:
        kwargs["start_new_session"] = True
    try:
        return subprocess.Popen(cmd, **kwargs)
    finally:
        log.close()

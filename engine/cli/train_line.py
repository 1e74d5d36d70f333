"""The ``genlab train`` options as a ``RunConfig``, and a pasted ``genlab train ...`` line back into one.

``engine.runs.command.train_command`` writes the line that reproduces a run config (the window's "Copy
as command"); reading such a line is the command line's job, so it lives here, beside the parser: the
command line may use ``engine.runs``, never the other way round (the layers contract in
``pyproject.toml``).
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from engine.cli.parser import build_parser
from engine.config import RunConfig
from engine.data.sources import check_config_sources
from engine.errors import GenLabError
from engine.models.registry import model_class
from engine.runs.command import PROGRAM
from engine.runs.export import config_from_png
from engine.training.loop import UNLIMITED_STEPS


def build_train_config(args) -> RunConfig:
    """Config from --config, then --model/--data/--steps/--time/--seed/--device/--threads, then --set."""
    if args.config and Path(args.config).suffix.lower() == ".png":
        config = config_from_png(args.config)  # a picture exported by GenLab reproduces its run
        config.parent = None
    elif args.config:
        config = RunConfig.load(args.config)
    else:
        config = RunConfig(family=args.model) if args.model else RunConfig()
    from_file = config.data if args.config else None
    if args.model and args.model != config.family:
        config = config.with_family(args.model)
    model_class(config.family)  # a clear error now if the family is not available
    sets = []
    if args.data is not None:
        sets.append(f"data.name={json.dumps(args.data)}")
    if args.steps is not None:
        sets.append(f"train.steps={args.steps}")
        sets.append("train.time_limit=0")
    if args.time is not None:
        sets.append(f"train.time_limit={args.time}")
        sets.append(f"train.steps={UNLIMITED_STEPS}")
    for key in ("seed", "device", "threads"):
        value = getattr(args, key)
        if value is not None:
            sets.append(f"train.{key}={json.dumps(value)}")
    config = config.with_overrides(sets + list(args.set))
    if from_file is not None:  # mirrors and paths from a file need the person's word (engine.data.sources)
        check_config_sources(config, args.config, getattr(args, "trust_config", False), from_file)
    return config


def config_from_command(line: str) -> RunConfig:
    """Parse a ``genlab train ...`` line the way the CLI does (for tests and for pasting a line back)."""
    words = shlex.split(line)
    if words and Path(words[0]).name in (PROGRAM, "main.py", "genlab.exe"):
        words = words[1:]
    if not words or words[0] != "train":
        raise GenLabError(f"not a 'genlab train' command: {line[:80]}")
    args = build_parser().parse_args(words)
    return build_train_config(args)

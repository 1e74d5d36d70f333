"""The CLI's commands. Each returns an exit status; user errors raise ``GenLabError`` subclasses.

This module loads PyTorch; ``engine.cli.main`` imports it only once a command is known, so ``genlab
--help`` and ``--version`` answer without it.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import signal
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np
import torch

from engine.atomic import write_bytes_atomic
from engine.cli.data_progress import DataProgress
from engine.cli.mcmc_command import sample_by_mcmc
from engine.cli.progress import ProgressBar
from engine.cli.text_commands import check_text_output, sample_text
from engine.cli.train_line import build_train_config
from engine.config import DataConfig, RunConfig
from engine.data import load_dataset
from engine.data.download import RemoteFile, check_url, fetch, split_file_url
from engine.data.progress import as_reporter
from engine.data.text import decode_tokens, write_lines
from engine.data.toys import TOYS
from engine.devices import resolve_device, set_torch_threads
from engine.errors import ConfigError, GenLabError
from engine.evaluate import evaluate_nll
from engine.events import (CheckpointSaved, EvaluationCompleted, LogMessage, NonFiniteLoss, StepCompleted,
                           TrainingFinished)
from engine.knobs import coerce_value, parse_scalar
from engine.models.registry import families
from engine.presets import apply_plan, budget_seconds, plan_run
from engine.quality import QualityJudge, quality_of_model
from engine.render import display_scale, image_grid, png_bytes, scatter_image, upscale
from engine.runs import export, export_model
from engine.runs.compare import compare_runs, comparison_picture
from engine.runs.diagnose import diagnose_run
from engine.runs.fork import fork_run, parse_fork_spec
from engine.runs.model_folder import export_model_folder
from engine.runs.tensorboard_export import export_tensorboard
from engine.runs.load import load_run_model
from engine.runs.workspace import default_workspace, list_runs, resume_config
from engine.training.distributed import Distributed
from engine.training.loop import UNLIMITED_STEPS, Controls, Trainer

EXIT_OK, EXIT_INTERRUPTED = 0, 130


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ---- train ------------------------------------------------------------------------------------------
class _StopOnSignal:
    """First Ctrl+C or SIGTERM asks the loop to stop (it saves a checkpoint); a second Ctrl+C aborts."""

    def __init__(self, controls):
        self.controls = controls
        self.signalled = False
        self._previous = {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                try:
                    self._previous[sig] = signal.signal(sig, self._handle)
                except (ValueError, OSError):
                    pass
        return self

    def _handle(self, signum, frame):
        if self.signalled and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.signalled = True
        self.controls.request_stop()

    def __exit__(self, *exc):
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        return False


def cmd_train(args) -> int:
    """``genlab train``; under ``torchrun`` every process runs this and joins the job (rank 0 writes)."""
    dist = Distributed.from_env()  # None unless launched by torchrun
    if dist is None:
        return _train(args, None)
    ok = False
    try:
        status = _train(args, dist)
        ok = True
        return status
    finally:
        dist.close(wait=ok)


def _train(args, dist) -> int:
    writer = dist is None or dist.is_writer
    say = _err if writer else (lambda text: None)  # only rank 0 talks
    if args.resume and args.fork:
        raise GenLabError("genlab train: use --resume RUN_DIR or --fork RUN_DIR[:STEP] --out NEW, not both")
    if args.resume:
        run_dir = Path(args.resume)
        if not (run_dir / "config.json").is_file():
            raise GenLabError(f"{run_dir}: not a GenLab run folder (no config.json)")
        config = resume_config(run_dir, more_steps=args.steps, more_time=args.time, overrides=args.set)
        resume = True
    elif args.fork:
        if not args.out:
            raise GenLabError("genlab train --fork: --out NEW_RUN_DIR is required")
        source, step = parse_fork_spec(args.fork)
        run_dir = Path(args.out)
        if args.time is not None:
            raise GenLabError("genlab train --fork: use --steps N (steps after the fork), not --time")
        config = None
        if writer:  # the other ranks take the fork's config from rank 0 below
            config = fork_run(source, run_dir, step, overrides=args.set, more_steps=args.steps)
            say(f"genlab: forked {source} at its checkpoint into {run_dir}")
        resume = True
    else:
        if not args.out:
            raise GenLabError("genlab train: --out RUN_DIR is required (or --resume RUN_DIR)")
        if not args.model and not args.config:
            raise GenLabError(f"genlab train: --model FAMILY is required ({', '.join(families())})")
        config = build_train_config(args)
        run_dir = Path(args.out)
        if (run_dir / "config.json").exists():
            raise GenLabError(f"{run_dir}: already holds a run; choose a new --out or continue it with --resume {run_dir}")
        resume = False

    if dist is not None:  # every rank trains rank 0's config
        config = RunConfig.from_dict(dist.share_json(config.to_dict() if writer else None))
    say(f"genlab: loading data '{config.data.name}' ...")
    loading = DataProgress() if writer else None
    try:
        dataset = dist.load_dataset_in_turn(config.data, loading) if dist is not None else None
        if getattr(args, "preset", None) and not resume:
            if dataset is None:
                dataset = load_dataset(config.data, progress=loading)
            config = _apply_preset(args, config, dataset.spec, say)
        trainer = Trainer(config, run_dir, dataset=dataset, resume=resume, progress=loading, distributed=dist)
    finally:
        if loading is not None:
            loading.close()
    if dist is not None:
        dist.barrier()  # every rank is built (and checked the run folder) before rank 0 locks it
    tc = config.train
    spec = trainer.dataset.spec
    job = f", {dist.world} processes ({dist.backend})" if dist is not None else ""
    say(f"genlab: {config.family} on {config.data.name} ({spec.kind} {tuple(spec.shape)}, "
        f"{len(trainer.dataset.x_train)} train / {len(trainer.dataset.x_test)} test), device {trainer.device}, "
        f"{trainer.threads} threads, batch {trainer.batch_size}{' per process' if job else ''}{job} -> {run_dir}")
    if writer:
        report_dataset(trainer.dataset)
    bar = None if args.quiet or not writer else ProgressBar(tc.steps, tc.time_limit if tc.steps >= UNLIMITED_STEPS else 0.0)
    controls = Controls(interactive=False)
    final = None
    with _StopOnSignal(controls) as sig:
        for ev in trainer.events(controls):
            if isinstance(ev, StepCompleted) and bar:
                bar.update(ev.step, ev.elapsed, ev.steps_per_second, ev.losses.get("loss"),
                           force=ev.step >= ev.total_steps)
            elif isinstance(ev, LogMessage):
                (bar.message if bar else say)(f"genlab: {ev.level}: {ev.text}")
            elif isinstance(ev, NonFiniteLoss) and bar:
                bar.message(f"genlab: non-finite loss in {', '.join(ev.terms)} at step {ev.step}")
            elif isinstance(ev, CheckpointSaved) and bar and sig.signalled:
                bar.message(f"genlab: checkpoint saved at step {ev.step}")
            elif isinstance(ev, EvaluationCompleted) and bar:
                bar.message(f"genlab: step {ev.step}: {_metric_text(ev.metrics)}")
            elif isinstance(ev, TrainingFinished):
                final = ev
    if bar:
        bar.close()
    if final is not None and writer:
        summary = {"run": str(run_dir), "family": config.family, "data": config.data.name, "step": final.step,
                   "reason": final.reason, **{k: v for k, v in final.metrics.items()
                                             if k in ("test_nll_nats", "nll_kind", "bits_per_dim", "nll_se", "n_test", "nats_per_char")
                                             or k in QUALITY_KEYS + RECOGNISED_KEYS}}
        print(json.dumps(summary))
    if sig.signalled:
        say(f"genlab: stopped at step {trainer.step}; checkpoint saved. Continue with: genlab train --resume {run_dir}")
        return EXIT_INTERRUPTED
    return EXIT_OK


def _apply_preset(args, config, spec, say):
    """``--preset``: size the family's network, batch and schedule for the budget on this machine."""
    if args.steps is not None:
        raise GenLabError("genlab train --preset sizes a run for a time budget; give --time SECONDS, not --steps")
    budget = budget_seconds(args.preset, args.time)
    say(f"genlab: sizing the {config.family} model for {budget:.0f} s on this machine ...")
    plan = plan_run(config.family, spec, budget, device=config.train.device,
                    threads=set_torch_threads(config.train.threads))
    for w in plan.warnings:
        say(f"genlab: warning: {w}")
    say(f"genlab: {plan.summary()}")
    return apply_plan(config, plan, keep=list(args.set))


def report_dataset(ds) -> None:
    """What was loaded (notes such as a resize) and every file left out, with its reason, on stderr."""
    for line in ds.notes:
        _err(f"genlab: data: {line}")
    for path, reason in ds.skipped:
        _err(f"genlab: skipped {path}: {reason}")


def load_data_with_progress(cfg):
    loading = DataProgress()
    try:
        return load_dataset(cfg, progress=loading)
    finally:
        loading.close()


QUALITY_KEYS = ("frechet", "frechet_floor", "frechet_floor_sd", "frechet_ratio", "frechet_n")
RECOGNISED_KEYS = ("recognised", "recognised_real")   # labelled data only (engine.quality)


def _quality_text(m: dict) -> str:
    if m.get("frechet") is None:
        return ""
    ratio = f" = {m['frechet_ratio']:.2f} x floor" if m.get("frechet_ratio") is not None else ""
    # the spread of real images' own distances, so a ratio near 1 can be read against it
    spread = (f", real images {1 - m['frechet_floor_sd'] / m['frechet_floor']:.2f}-"
              f"{1 + m['frechet_floor_sd'] / m['frechet_floor']:.2f} x floor"
              if m.get("frechet_floor_sd") is not None and m.get("frechet_floor") else "")
    # the share of samples the classifier recognises, beside that of real images
    recognised = (f"; recognised {m['recognised']:.0%} (real images {m['recognised_real']:.0%})"
                  if m.get("recognised") is not None and m.get("recognised_real") is not None else "")
    return (f"; quality: Frechet {m['frechet']:.3g} (floor {m['frechet_floor']:.3g}{ratio}{spread}, "
            f"{m['frechet_n']} samples{recognised})")


def _metric_text(m: dict) -> str:
    if m.get("test_nll_nats") is None:
        return "no likelihood for this family" + _quality_text(m)
    text = f"test NLL ({m['nll_kind']}) {m['test_nll_nats']:.4f} nats"
    if m.get("nll_se") is not None:
        text += f" +- {m['nll_se']:.4f}"
    if m.get("bits_per_dim") is not None:
        text += f", {m['bits_per_dim']:.4f} bits/dim"
    if m.get("nats_per_char") is not None:
        text += f", {m['nats_per_char']:.4f} nats/char"
    return text + f" on {m['n_test']} examples" + _quality_text(m)


# ---- export and runs ------------------------------------------------------------------------------------
def cmd_export(args) -> int:
    if args.what == "model":
        if args.step is not None:
            raise GenLabError("genlab export: --step applies to --what png only")
        _err(f"genlab: wrote {export_model_folder(args.run, args.output)}")
        return EXIT_OK
    if args.what == "tensorboard":
        if args.step is not None:
            raise GenLabError("genlab export: --step applies to --what png only")
        _err(f"genlab: wrote {export_tensorboard(args.run, args.output)} (open it with: tensorboard --logdir "
             f"{args.output})")
        return EXIT_OK
    suffix = {"png": ".png", "gif": ".gif", "csv": ".csv", "onnx": ".onnx", "torch-export": ".pt2"}[args.what]
    if Path(args.output).suffix.lower() != suffix:
        raise GenLabError(f"{args.output}: --what {args.what} writes a {suffix} file; name the output so")
    if args.step is not None and args.what != "png":
        raise GenLabError("genlab export: --step applies to --what png only")
    if not (Path(args.run) / "config.json").is_file():
        raise GenLabError(f"{args.run}: not a GenLab run folder (no config.json)")
    if args.what == "png":
        out = export.export_png(args.run, args.output, args.step)
    elif args.what == "gif":
        out = export.export_gif(args.run, args.output)
    elif args.what == "csv":
        out = export.export_csv(args.run, args.output)
    else:
        out = (export_model.export_onnx if args.what == "onnx" else export_model.export_program)(args.run, args.output)
    _err(f"genlab: wrote {out}")
    return EXIT_OK


def cmd_compare(args) -> int:
    if len(args.run) < 2:
        raise GenLabError("genlab compare: give at least two runs (--run A --run B)")
    if args.n is not None and not 1 <= args.n <= 10_000:
        raise GenLabError(f"genlab compare: -n must be from 1 to 10000, got {args.n}")
    out = _check_output(args.output, (".png",)) if args.output else None
    cmp = compare_runs(args.run, n=args.n, seed=args.seed)
    for note in cmp.notes:
        _err(f"genlab: {note}")
    if args.json:
        for row in cmp.table():
            print(json.dumps(row))
    else:
        print(f"{'run':<32} {'family':<9} {'held-out':>12} {'unit':<8} {'kind':<8} {'step':>8}")
        for row in cmp.table():
            value = f"{row['value']:.4f}" if row["value"] is not None else "-"
            print(f"{row['run'][:32]:<32} {row['family']:<9} {value:>12} {cmp.unit:<8} {row['kind'] or '-':<8} "
                  f"{row['step'] if row['step'] is not None else '-':>8}")
    if out is not None:
        write_bytes_atomic(out, png_bytes(comparison_picture(cmp)))
        _err(f"genlab: wrote {out}")
    return EXIT_OK


def cmd_diagnose(args) -> int:
    if args.n is not None and not 16 <= args.n <= 10_000:
        raise GenLabError(f"genlab diagnose: -n must be from 16 to 10000, got {args.n}")
    loading = DataProgress()           # stderr only: stdout stays one JSON object with --json
    try:
        result = diagnose_run(args.run, n=args.n, seed=args.seed, device=str(_resolve(args.device)),
                              progress=loading)
    finally:
        loading.close()
    if args.json:
        print(json.dumps(result))
        return EXIT_OK
    print(f"run      {result['run']}\nfamily   {result['family']}\ndata     {result['data']}\nstep     {result['step']}")
    for f in result["findings"]:
        print(f"\n{'ALARM' if f['alarm'] else 'ok   '}  {f['detector']}: {f['saw']}")
        if f["alarm"]:
            print(f"       try: {f['advice']}")
    for note in result["notes"]:
        _err(f"genlab: {note}")
    return EXIT_OK


def cmd_runs(args) -> int:
    root = Path(args.workspace) if args.workspace else default_workspace()
    runs = list_runs(root)
    if args.json:
        for r in runs:
            print(json.dumps(r.to_dict(), default=str))
        return EXIT_OK
    if not runs:
        _err(f"genlab: no runs in {root}")
        return EXIT_OK
    print(f"{'run':<36} {'family':<9} {'data':<14} {'state':<8} {'step':>9} {'saved':>9} {'best':>18}")
    for r in runs:
        best = "-"
        if r.best_nll is not None:
            best = (f"{r.best_bits_per_dim:.4f} bits/dim" if r.best_bits_per_dim is not None
                    else f"{r.best_nll:.4f} nats")
            best += f" {r.nll_kind or ''}".rstrip()
        print(f"{r.name[:36]:<36} {(r.family or '?'):<9} {(r.data or '?')[:14]:<14} {r.state:<8} {r.step:>9} "
              f"{r.checkpoint_step if r.checkpoint_step is not None else '-':>9} {best:>18}")
    for r in runs:
        if r.state == "damaged":
            _err(f"genlab: {r.name} is damaged: {r.message}")
    return EXIT_OK


# ---- sample -------------------------------------------------------------------------------------------
def _resolve(device: str) -> torch.device:
    return resolve_device(device)


def _check_output(path: str, allowed: tuple[str, ...]) -> Path:
    out = Path(path)
    if out.suffix.lower() not in allowed:
        raise GenLabError(f"{out}: output must end in {' or '.join(allowed)}")
    if out.parent and not out.parent.exists():
        raise GenLabError(f"{out.parent}: folder does not exist")
    return out


def write_output(out: Path, x: torch.Tensor, kind: str, vocab: tuple[str, ...] = ()) -> None:
    if kind == "text" and out.suffix.lower() != ".npy":
        write_lines(out, decode_tokens(x, vocab))
        return
    arr = x.detach().cpu().numpy().astype(np.float32)
    if out.suffix.lower() == ".npy":
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=False)
        write_bytes_atomic(out, buf.getvalue())
    elif kind == "points":
        write_bytes_atomic(out, png_bytes(scatter_image(arr)))
    else:
        write_bytes_atomic(out, png_bytes(upscale(image_grid(arr), display_scale(arr.shape[2]))))


def cmd_sample(args) -> int:
    if getattr(args, "mcmc", None):
        return sample_by_mcmc(args, sys.modules[__name__])
    if args.n < 1 or args.n > 1_000_000:
        raise GenLabError(f"genlab sample: -n must be from 1 to 1000000, got {args.n}")
    out = _check_output(args.output, (".png", ".npy", ".txt"))
    device = _resolve(args.device)
    config, model, ckpt = load_run_model(args.run, device)
    if model.spec.kind == "text" or args.prefix is not None:
        return sample_text(args, out, model, ckpt, device)
    labels = None
    if args.label is not None:
        if not model.conditional:
            raise GenLabError(f"{args.run}: this model is not class-conditional; train it with "
                              "--set model.conditional=true on labelled data to use --label")
        if not 0 <= args.label < model.spec.num_classes:
            raise GenLabError(f"--label: got {args.label}; expected 0 to {model.spec.num_classes - 1}")
        labels = torch.full((args.n,), args.label, dtype=torch.long, device=device)
    gen = torch.Generator(device=device.type if device.type == "cuda" else "cpu").manual_seed(args.seed)
    chunks, done = [], 0
    step = 10_000 if model.spec.kind == "points" else 256
    while done < args.n:
        k = min(step, args.n - done)
        chunks.append(model.sample(k, generator=gen, labels=None if labels is None else labels[:k]).cpu())
        done += k
    x = torch.cat(chunks)
    write_output(out, x, model.spec.kind, model.spec.vocab)
    _err(f"genlab: wrote {args.n} samples of step {ckpt.step} to {out}")
    return EXIT_OK


# ---- eval ----------------------------------------------------------------------------------------------
def cmd_eval(args) -> int:
    if args.limit < 1:
        raise GenLabError(f"genlab eval: --limit must be at least 1, got {args.limit}")
    if args.quality < 0 or args.quality == 1:
        raise GenLabError(f"genlab eval: --quality must be 0 (off) or at least 2 samples, got {args.quality}")
    device = _resolve(args.device)
    config, model, ckpt = load_run_model(args.run, device)
    ds = load_data_with_progress(config.data)
    gen = torch.Generator(device=device.type if device.type == "cuda" else "cpu").manual_seed(args.seed)
    m = evaluate_nll(model, ds.x_test, ds.y_test if model.conditional else None, args.limit, gen)
    result = {"family": config.family, "data": config.data.name, "step": ckpt.step,
              "test_nll_nats": m["test_nll_nats"], "nll_kind": m["nll_kind"], "bits_per_dim": m["bits_per_dim"],
              "nll_se": m["nll_se"], "n_test": m["n_test"]}
    if "nats_per_char" in m:
        result["nats_per_char"] = m["nats_per_char"]
    if ds.spec.kind == "image" and args.quality > 0:  # the sample-quality figure (engine.quality)
        judge = QualityJudge.for_dataset(ds.x_train, ds.y_train, ds.x_test, ds.spec.num_classes)
        q = quality_of_model(model, judge, args.quality, gen, **model.display_options())
        m.update(q)
        result.update({k: q[k] for k in QUALITY_KEYS + RECOGNISED_KEYS if k in q})
    if args.json:
        print(json.dumps({k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                          for k, v in result.items()}))
    else:
        print(f"run        {args.run}")
        print(f"family     {config.family}")
        print(f"data       {config.data.name}")
        print(f"step       {ckpt.step}")
        print(f"test NLL   {_metric_text(m)}")
    return EXIT_OK


# ---- data ------------------------------------------------------------------------------------------------
def cmd_data(args) -> int:
    if args.n < 1:
        raise GenLabError(f"genlab data: -n must be at least 1, got {args.n}")
    out = _check_output(args.output, (".png", ".npy", ".txt"))
    cfg = DataConfig(name=args.data)
    if args.seed is not None:
        cfg.seed = coerce_value(DataConfig, "seed", args.seed, "data")
    for item in args.set:
        if "=" not in item:
            raise ConfigError("--set", item, "key=value, for example data.image_size=32")
        key, value = item.split("=", 1)
        key = key.strip().removeprefix("data.")
        setattr(cfg, key, coerce_value(DataConfig, key, parse_scalar(value.strip()), "data"))
    if args.split == "train" and cfg.name in TOYS:
        cfg.n_train = max(cfg.n_train, args.n)
    if args.split == "test" and cfg.name in TOYS:
        cfg.n_test = max(cfg.n_test, args.n)
    ds = load_data_with_progress(cfg)
    for line in ds.describe():
        _err(f"genlab: {line}")
    for path, reason in ds.skipped:
        _err(f"genlab: skipped {path}: {reason}")
    x = ds.x_train if args.split == "train" else ds.x_test
    x = x[:args.n]
    check_text_output(out, ds.spec.kind)
    write_output(out, x, ds.spec.kind, ds.spec.vocab)
    _err(f"genlab: wrote {len(x)} {args.split} examples of {cfg.name} {tuple(x.shape)} to {out}")
    return EXIT_OK


# ---- download ----------------------------------------------------------------------------------------------
def cmd_download(args) -> int:
    """One file through the datasets' downloader (``engine.data.download``), written only when verified."""
    check_url(args.url, "--url")
    if not re.fullmatch(r"[0-9a-fA-F]{64}", args.sha256):
        raise GenLabError(f"--sha256: got {args.sha256[:80]!r}; expected 64 hexadecimal digits")
    if args.bytes < 0:
        raise GenLabError(f"--bytes: got {args.bytes}; expected the file's size in bytes")
    out = Path(args.output)
    if not out.parent.is_dir():
        raise GenLabError(f"{out.parent}: folder does not exist")
    base, name = split_file_url(args.url)
    rf = RemoteFile(name, args.sha256.lower(), args.bytes)
    progress = DataProgress()
    try:
        with tempfile.TemporaryDirectory(dir=out.parent, prefix=".genlab-download-") as tmp:
            got = fetch(rf, Path(tmp), [base], "download", as_reporter(progress))
            os.replace(got, out)
    finally:
        progress.close()
    _err(f"genlab: wrote {out} ({args.bytes} bytes, SHA-256 checked) from {args.url}")
    return EXIT_OK

"""The whole ``genlab`` command line as an argparse parser: every command, option and help text.

Built from plain catalogues (``engine.catalogue``, ``engine.models.registry``) without PyTorch, so
``genlab --help`` answers at once; ``engine.cli.main`` dispatches what it parses, and
``engine.cli.train_line`` reads a pasted ``genlab train ...`` line with the same parser.
"""

from __future__ import annotations

import argparse

from engine.catalogue import builtin_names
from engine.errors import GenLabError
from engine.models.registry import families as registered_families


class UsageError(GenLabError):
    """Bad command-line arguments (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but an error is one line on stderr and exit status 2."""

    def error(self, message):
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line. Builds without PyTorch (names come from plain catalogues), so ``--help``
    answers at once."""
    families = tuple(registered_families())
    p = _Parser(prog="genlab", description="GenLab: train, sample and evaluate deep generative models. "
                "With no command, opens the window.")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    p.add_argument("--selftest", action="store_true", help="same as 'genlab selftest'")
    # so the packaged program's spelling takes the same options: GenLab --selftest --screenshot shot.png
    p.add_argument("--screenshot", metavar="FILE", help="with --selftest: where to save the PNG of the window")
    p.add_argument("--report", metavar="FILE", help="with --selftest: where to save the JSON report")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    t = sub.add_parser("train", help="train a model headless, writing a run folder",
                       description="Train a model and write a run folder (config, metrics, checkpoints, samples).")
    t.add_argument("--data", help=f"built-in dataset ({', '.join(builtin_names())}) or a path to your data")
    t.add_argument("--model", choices=families, metavar="FAMILY", help=f"model family: {', '.join(families)}")
    g = t.add_mutually_exclusive_group()
    g.add_argument("--steps", type=int, help="number of training steps (default from the config: 2000)")
    g.add_argument("--time", type=float, metavar="SECONDS", help="train for this many seconds instead of a step count")
    t.add_argument("--preset", choices=("auto", "1min", "5min", "30min"),
                   help="size the model, batch and learning-rate schedule for a time budget on this machine "
                        "(--time SECONDS is the budget when given, else the named one; auto: 5 minutes); measures a few candidate sizes once and caches "
                        "the rates. --set still overrides any setting")
    t.add_argument("--config", metavar="FILE", help="a run config JSON (as saved in a run folder), or a PNG exported "
                   "by 'genlab export --what png', to start from")
    t.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override one setting, e.g. --set train.lr=3e-4 --set model.latent_dim=8 (repeatable)")
    t.add_argument("--trust-config", action="store_true", help="allow the download mirrors and the data path "
                   "that the --config file names (without it, such a config is refused)")
    t.add_argument("--out", metavar="RUN_DIR", help="run folder to create (required unless --resume)")
    t.add_argument("--resume", metavar="RUN_DIR", help="continue the run in RUN_DIR from its latest checkpoint")
    t.add_argument("--fork", metavar="RUN_DIR[:STEP]", help="start a new run (--out) from a checkpoint of RUN_DIR "
                   "(the newest, or the one at STEP) with the --set changes; it records its parent")
    t.add_argument("--seed", type=int, help="seed for initialisation and training noise")
    t.add_argument("--device", help="auto, cpu, cuda or mps (default auto)")
    t.add_argument("--threads", type=int, help="torch CPU threads (default: cores - 1)")
    t.add_argument("--quiet", action="store_true", help="no progress bar")

    s = sub.add_parser("sample", help="draw samples from a trained run",
                       description="Draw samples from a run's latest checkpoint into a PNG grid/scatter, a .npy array, "
                                   "or (text) a .txt file with one generated line per line.")
    s.add_argument("--run", required=True, metavar="RUN_DIR", help="run folder written by 'genlab train'")
    s.add_argument("-n", type=int, default=64, help="number of samples (default 64)")
    s.add_argument("-o", "--output", required=True, metavar="FILE", help="output .png (grid or scatter), .npy (raw samples) or .txt (text: one line each)")
    s.add_argument("--prefix", help="text: complete lines that start with this (most likely first)")
    s.add_argument("--temperature", type=float, help="text: sampling temperature (default: the run's)")
    s.add_argument("--top-k", type=int, help="text: draw only among the k most likely characters (0: all)")
    s.add_argument("--label", type=int, help="class to sample (class-conditional models only)")
    s.add_argument("--seed", type=int, default=0, help="seed of the sampling noise (default 0)")
    s.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    s.add_argument("--mcmc", choices=("mh", "langevin", "mala", "annealed"),
                   help="2-D points: sample by MCMC on the model's density or score instead of its own sampler "
                        "(random-walk Metropolis-Hastings, Langevin, Metropolis-adjusted Langevin, annealed "
                        "Langevin); -n is the number of chains")
    s.add_argument("--mcmc-steps", type=int, default=500, help="with --mcmc: transitions per chain (default 500)")
    s.add_argument("--step-size", type=float, help="with --mcmc: the proposal scale (mh, adapted during burn-in) or "
                                                   "Langevin step (default: from the data's spread)")
    s.add_argument("--json", action="store_true", help="with --mcmc: print one JSON object with the figures")

    e = sub.add_parser("eval", help="held-out metrics of a trained run",
                       description="Evaluate a run's latest checkpoint on held-out data.")
    e.add_argument("--run", required=True, metavar="RUN_DIR", help="run folder written by 'genlab train'")
    e.add_argument("--json", action="store_true", help="print one JSON object on stdout and nothing else")
    e.add_argument("--limit", type=int, default=1000, help="evaluate at most this many examples (default 1000)")
    e.add_argument("--seed", type=int, default=0, help="seed of the evaluation noise (default 0)")
    e.add_argument("--quality", type=int, default=256, metavar="N",
                   help="images: samples for the quality figure (Frechet distance to held-out images in a small "
                        "classifier's features, with its real-vs-real floor); 0 skips it (default 256)")
    e.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")

    d = sub.add_parser("data", help="export examples of a dataset",
                       description="Write examples of a dataset exactly as models see them, as .npy or .png (text: .txt or .npy).")
    d.add_argument("--data", required=True, help="built-in dataset name or a path")
    d.add_argument("--split", choices=("train", "test"), default="train", help="which split (default train)")
    d.add_argument("-n", type=int, default=1000, help="number of examples (default 1000)")
    d.add_argument("-o", "--output", required=True, metavar="FILE", help="output .npy or .png (text: .txt, one example per line)")
    d.add_argument("--seed", type=int, help="data seed (2D toys)")
    d.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="data options, e.g. --set data.image_size=32")

    x = sub.add_parser("export", help="export a run: sample PNG (with its config), GIF, CSV, ONNX, torch.export",
                       description="Export a run's samples, metrics or network. png: the newest sample grid with the "
                                   "run's config embedded (genlab train --config FILE.png reproduces it); gif: the "
                                   "sample grids over the run; csv: the metrics; onnx / torch-export: the decoder or "
                                   "generator (VAE decoder, GAN generator, flow inverse, diffusion denoiser).")
    x.add_argument("--run", required=True, metavar="RUN_DIR", help="run folder written by 'genlab train'")
    x.add_argument("--what", required=True, choices=("png", "gif", "csv", "onnx", "torch-export", "tensorboard", "model"),
                   help="what to export (tensorboard: the metrics and sample pictures as TensorBoard event files; "
                        "model: a folder with the weights as safetensors, config.json, a model card and licence)")
    x.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="output file (.png, .gif, .csv, .onnx or .pt2 to match --what; a folder for tensorboard and model)")
    x.add_argument("--step", type=int, help="png: the sample grid of this step (default: the newest)")

    c = sub.add_parser("compare", help="compare runs on the same data: held-out figures and samples from one noise bank",
                       description="Compare two or more runs trained on the same data: their newest held-out figure "
                                   "on one axis (bits/dim for images, nats for points; exact or bound named) and their "
                                   "samples side by side, decoded from the same noise where the latents match.")
    c.add_argument("--run", action="append", required=True, metavar="RUN_DIR", help="a run folder (give two or more)")
    c.add_argument("-o", "--output", metavar="FILE", help="write the samples side by side to this .png")
    c.add_argument("-n", type=int, help="samples per run (default 64 images or 2000 points)")
    c.add_argument("--seed", type=int, default=0, help="seed of the shared noise bank (default 0)")
    c.add_argument("--json", action="store_true", help="one JSON object per run on stdout")

    dg = sub.add_parser("diagnose", help="should you believe a run's samples? copying, collapse, training trouble",
                        description="Run every detector that applies to the run's family and data: memorisation "
                                    "(nearest training examples of samples against held-out data, in pixels and in "
                                    "a feature space), mode collapse, posterior collapse, discriminator saturation, "
                                    "exploding or vanishing gradients, a loss that stopped moving. Each says what "
                                    "it saw, the evidence and one thing to try.")
    dg.add_argument("--run", required=True, metavar="RUN_DIR", help="run folder written by 'genlab train'")
    dg.add_argument("--json", action="store_true", help="print one JSON object on stdout and nothing else")
    dg.add_argument("-n", type=int, help="samples to draw (default 256 images or 1000 points)")
    dg.add_argument("--seed", type=int, default=0, help="seed of the samples (default 0)")
    dg.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")

    r = sub.add_parser("runs", help="list the runs in the workspace",
                       description="List the runs in a folder (default: GENLAB_WORKSPACE or the user data folder's "
                                   "runs/) with family, data, steps, state and metrics.")
    r.add_argument("--workspace", metavar="DIR", help="folder holding run folders")
    r.add_argument("--json", action="store_true", help="one JSON object per run on stdout")

    dl = sub.add_parser("download", help="download one file as GenLab downloads datasets (to check a mirror, "
                        "a proxy or the certificates)", description="Download one file through GenLab's downloader: "
                        "http(s) only, redirects included; HTTPS verified with the system's certificate store; "
                        "size and SHA-256 checked before the file is written.")
    dl.add_argument("--url", required=True, help="an http:// or https:// address")
    dl.add_argument("--sha256", required=True, help="the file's SHA-256, in hex")
    dl.add_argument("--bytes", type=int, required=True, help="the file's size in bytes")
    dl.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write it")

    co = sub.add_parser("completion", help="print a shell completion script (bash or zsh)",
                        description="Print a completion script for genlab, made from this parser: Tab then "
                                    "completes commands, options and choices without running GenLab. Install: "
                                    "genlab completion bash > ~/.local/share/bash-completion/completions/genlab")
    co.add_argument("shell", choices=("bash", "zsh"), help="the shell to complete in")

    st = sub.add_parser("selftest", help="open the window offscreen, train briefly and check everything works",
                        description="Open the window offscreen, train every family briefly, sample, and save a screenshot.")
    st.add_argument("--screenshot", metavar="FILE", help="where to save the PNG of the window")
    st.add_argument("--report", metavar="FILE", help="where to save the JSON report")
    sub.add_parser("gui", help="open the window (the default)")
    return p

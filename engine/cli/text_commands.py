"""``genlab sample`` for text models: lines to a .txt file (or tokens to .npy), completions of a prefix
with their log-probabilities, temperature and top-k."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import torch

from engine.atomic import write_bytes_atomic
from engine.data.text import decode_tokens, encode_lines, write_lines
from engine.errors import GenLabError
from engine.latent.text import complete_text

CHUNK = 1024   # lines drawn per call: sampling is one network pass per character for the whole chunk


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def check_text_output(out: Path, kind: str) -> None:
    """Text goes to .txt (one line each) or .npy (tokens); other data never to .txt."""
    suffix = out.suffix.lower()
    if kind == "text" and suffix == ".png":
        raise GenLabError(f"{out}: text is written to .txt (one example per line) or .npy (tokens), not .png")
    if kind != "text" and suffix == ".txt":
        raise GenLabError(f"{out}: .txt holds text; {kind} data goes to .png or .npy")


def sample_text(args, out: Path, model, ckpt, device) -> int:
    check_text_output(out, model.spec.kind)
    if model.spec.kind != "text":
        raise GenLabError(f"--prefix: {args.run} was trained on {model.spec.kind} data; a prefix needs a text model")
    if args.label is not None:
        raise GenLabError("--label: text models are not class-conditional")
    if args.temperature is not None and not 0.05 <= args.temperature <= 5.0:
        raise GenLabError(f"--temperature: got {args.temperature}; expected 0.05 to 5")
    if args.top_k is not None and args.top_k < 0:
        raise GenLabError(f"--top-k: got {args.top_k}; expected 0 (all) or more")
    gen = torch.Generator(device=device.type if device.type == "cuda" else "cpu").manual_seed(args.seed)
    if args.prefix is not None:
        done = complete_text(model, args.prefix, args.n, gen, args.temperature, args.top_k)
        lines = [c.text for c in done]
        for c in done[:5]:
            _err(f"genlab: {c.text}  (log p = {c.log_prob:.3f} nats)")
        x = None
    else:
        chunks, left = [], args.n
        while left > 0:
            k = min(CHUNK, left)
            chunks.append(model.sample(k, generator=gen, temperature=args.temperature, top_k=args.top_k).cpu())
            left -= k
        x = torch.cat(chunks)
        lines = decode_tokens(x, model.spec.vocab)
    if out.suffix.lower() == ".npy":
        if x is None:
            x = encode_lines(lines, model.spec.vocab, model.spec.shape[0])
        buf = io.BytesIO()
        np.save(buf, x.numpy().astype(np.float32), allow_pickle=False)
        write_bytes_atomic(out, buf.getvalue())
    else:
        write_lines(out, lines)
    _err(f"genlab: wrote {len(lines)} lines of step {ckpt.step} to {out}")
    return 0

"""What a person does with a text model besides training it: complete a typed prefix, see the
distribution of the next character (and where the model looked), score a whole line.

Plain functions over any model of text data that declares ``completion`` (and ``next_token``,
``log_likelihood`` for the others): the command line's ``genlab sample --prefix`` and the window's
Latent and Inside docks call the same ones, so both show the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from engine.data.text import END_SHOWN, decode_tokens, encode_lines
from engine.errors import GenLabError


@dataclass(frozen=True)
class Completion:
    text: str            # the whole line: the prefix and what the model wrote after it
    log_prob: float      # log P(line) under the model at temperature 1 (nats), the end token included
    nats_per_char: float


@dataclass(frozen=True)
class NextChar:
    """The distribution of the next token after a prefix."""

    prefix: str
    chars: tuple[str, ...]        # most likely first; the end token shown as END_SHOWN
    probs: tuple[float, ...]
    attention: tuple[float, ...] | None   # last layer's weights over (start, prefix chars...), heads averaged


def _check_text_model(model) -> None:
    if model.spec.kind != "text":
        raise GenLabError(f"this model was trained on {model.spec.kind} data, not text; a prefix needs a text model")


def encode_prefix(model, prefix: str) -> torch.Tensor:
    """A prefix as (1, slots) tokens, refused clearly when a character is unknown or it is too long."""
    _check_text_model(model)
    slots = model.spec.shape[0]
    if len(prefix) > slots - 1:
        raise GenLabError(f"--prefix: '{prefix[:40]}' has {len(prefix)} characters; this model writes lines of at "
                          f"most {slots - 1}")
    unknown = sorted({c for c in prefix if c not in model.spec.vocab})
    if unknown:
        raise GenLabError(f"--prefix: the character(s) {', '.join(repr(c) for c in unknown)} never occur in the "
                          f"training text; the model knows {''.join(model.spec.vocab)[:80]}")
    return encode_lines([prefix], model.spec.vocab, slots).to(model.device)


def complete_text(model, prefix: str, n: int, generator: torch.Generator | None = None,
                  temperature: float | None = None, top_k: int | None = None) -> list[Completion]:
    """``n`` lines that start with ``prefix``, each with its log-probability, most likely first."""
    x = encode_prefix(model, prefix).expand(n, -1).clone()
    known = torch.zeros_like(x, dtype=torch.bool)
    known[:, :len(prefix)] = True
    out = model.complete(x, known, generator=generator, temperature=temperature, top_k=top_k)
    ll = model.log_likelihood(out).cpu()
    lines = decode_tokens(out, model.spec.vocab)
    result = [Completion(text, float(lp), float(-lp) / (len(text) + 1)) for text, lp in zip(lines, ll.tolist())]
    return sorted(result, key=lambda c: -c.log_prob)


def next_char(model, prefix: str, top: int = 10) -> NextChar:
    """The ``top`` most likely next characters after ``prefix`` with their probabilities."""
    x = encode_prefix(model, prefix)
    log_probs, attention = model.next_token(x[:, :len(prefix)])
    probs = log_probs[0].exp().cpu()
    order = torch.argsort(probs, descending=True)[:max(1, top)].tolist()
    chars = tuple(END_SHOWN if i == 0 else model.spec.vocab[i - 1] for i in order)
    att = None if attention is None else tuple(attention[0].mean(0).cpu().tolist())
    return NextChar(prefix, chars, tuple(float(probs[i]) for i in order), att)


def line_log_prob(model, line: str) -> float:
    """log P(line) in nats, the end token included (-inf when a character is unknown)."""
    try:
        x = encode_prefix(model, line)
    except GenLabError:
        return -math.inf
    return float(model.log_likelihood(x)[0])

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


# ---- a latent model of text (the sequence VAE): the plane and the morph ------------------------------------------
@dataclass(frozen=True)
class LatentLine:
    z: tuple[float, ...]
    text: str             # the most likely line the decoder writes from z (greedy)
    nats_per_char: float  # -log p(text) / (characters + 1) by the model's likelihood (a bound for a VAE)


def _lines(model, texts: list[str]) -> torch.Tensor:
    for t in texts:
        encode_prefix(model, t)        # refuses unknown characters and long lines, naming them
    return encode_lines(texts, model.spec.vocab, model.spec.shape[0]).to(model.device)


def encode_text(model, texts: list[str]) -> torch.Tensor:
    """The posterior means of lines, (n, latent size)."""
    return model.encode(_lines(model, texts)).float().cpu()


def decode_text(model, z, samples: int = 16, generator: torch.Generator | None = None) -> list[LatentLine]:
    """What the decoder writes from each latent in ``z`` (n, d), with its likelihood per character."""
    z = torch.as_tensor(z, dtype=torch.float32, device=model.device).reshape(-1, *model.latent_shape())
    x = model.decode(z)
    ll = model.log_likelihood(x, generator=generator, samples=samples).cpu()
    lines = decode_tokens(x, model.spec.vocab)
    return [LatentLine(tuple(float(v) for v in zi.flatten().tolist()), t, float(-lp) / (len(t) + 1))
            for zi, t, lp in zip(z.cpu(), lines, ll.tolist())]


def morph(model, a: str, b: str, steps: int = 9, generator: torch.Generator | None = None) -> list[LatentLine]:
    """From line ``a`` to line ``b`` on the straight path between their posterior means."""
    za, zb = encode_text(model, [a, b])
    t = torch.linspace(0, 1, max(2, steps))[:, None]
    return decode_text(model, (1 - t) * za + t * zb, generator=generator)


def embed_text(model, x: torch.Tensor, vocab: tuple[str, ...], n: int = 400) -> tuple[torch.Tensor, list[str]]:
    """Posterior means of the first ``n`` rows of ``x`` (training lines) and the lines, for the plane."""
    x = x[:n].to(model.device)
    return model.encode(x).float().cpu(), decode_tokens(x, vocab)

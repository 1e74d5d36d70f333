"""The VAE family on text: a sequence VAE (Bowman et al., 2016) with a GRU encoder and a GRU decoder.

The encoder reads the whole line (both directions) and gives the mean and log-variance of q(z | x);
the decoder is a character-level language model whose initial state and every input carry z, so
p(x | z) is an exact distribution over the lines it can write (the end token is the only choice at
the last slot, as in ``engine.models.text_nets``), and the ELBO and the importance-weighted bound
bound log p(x) in nats per line, on the same axis as the autoregressive family's exact likelihood.

A strong decoder can model names without z and then the KL term pushes q(z | x) onto the prior
(posterior collapse). The two classic remedies are here: the VAE's KL warm-up (``kl_warmup``) and word
dropout (``word_dropout``): while training, that share of the decoder's input characters is replaced
by a blank, so it must get what it cannot read from z.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from engine.interrupt import check_interrupt
from engine.models.base import rand, randn

END = 0


class TextEncoder(nn.Module):
    """Tokens (n, slots) -> (n, 2 * latent): a bidirectional GRU's last states through a linear map."""

    def __init__(self, vocab: int, width: int, hidden: int, latent: int):
        super().__init__()
        self.emb = nn.Embedding(vocab, width)
        self.gru = nn.GRU(width, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden, 2 * latent)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _, h = self.gru(self.emb(x.round().long()))
        return self.out(torch.cat([h[0], h[1]], 1))


class TextDecoder(nn.Module):
    """z and the characters so far -> logits of the next one. Input index ``vocab`` is the start token,
    ``vocab + 1`` the blank that word dropout puts in place of a character."""

    def __init__(self, vocab: int, slots: int, width: int, hidden: int, latent: int):
        super().__init__()
        self.vocab, self.slots = vocab, slots
        self.emb = nn.Embedding(vocab + 2, width)
        self.init = nn.Linear(latent, hidden)
        self.gru = nn.GRU(width + latent, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, z: torch.Tensor) -> torch.Tensor:   # the latent -> data map export would use
        return self.greedy(z)

    def _run(self, inp: torch.Tensor, z: torch.Tensor, state=None):
        e = torch.cat([self.emb(inp), z[:, None, :].expand(-1, inp.shape[1], -1)], 2)
        if state is None:
            state = torch.tanh(self.init(z))[None]
        out, state = self.gru(e, state)
        return self.head(out), state

    def log_prob(self, x: torch.Tensor, z: torch.Tensor, word_dropout: float = 0.0,
                 generator: torch.Generator | None = None) -> torch.Tensor:
        """log p(x | z) per line (float32), the end token included."""
        t = x.round().long()
        inp = torch.cat([torch.full_like(t[:, :1], self.vocab), t[:, :-1]], 1)
        if word_dropout > 0:
            drop = rand(inp.shape, generator, inp.device) < word_dropout
            drop[:, 0] = False
            inp = torch.where(drop, torch.full_like(inp, self.vocab + 1), inp)
        logits, _ = self._run(inp, z)
        logits = logits.float()
        logits[:, -1, 1:] = float("-inf")                      # the last slot can only end the line
        logp = F.log_softmax(logits, -1).gather(-1, t[..., None]).squeeze(-1)
        ended = t == END
        length = torch.where(ended.any(1), ended.long().argmax(1), torch.full_like(t[:, 0], t.shape[1] - 1))
        counted = torch.arange(t.shape[1], device=t.device)[None, :] <= length[:, None]
        return (logp * counted).sum(1)

    def generate(self, z: torch.Tensor, generator=None, temperature: float = 1.0, greedy: bool = False) -> torch.Tensor:
        """Float tokens (n, slots): drawn (or the most likely, ``greedy``) character by character."""
        n = z.shape[0]
        out = torch.zeros(n, self.slots, dtype=torch.long, device=z.device)
        done = torch.zeros(n, dtype=torch.bool, device=z.device)
        inp = torch.full((n, 1), self.vocab, dtype=torch.long, device=z.device)
        state = None
        for i in range(self.slots):
            check_interrupt()
            logits, state = self._run(inp, z, state)
            logits = logits[:, -1].float()
            if i == self.slots - 1:
                logits[:, 1:] = float("-inf")
            if greedy:
                tok = logits.argmax(-1)
            else:
                u = rand(logits.shape, generator, z.device).clamp(1e-10, 1 - 1e-7)
                tok = torch.argmax(logits / max(temperature, 1e-4) - torch.log(-torch.log(u)), -1)
            tok = torch.where(done, torch.zeros_like(tok), tok)
            out[:, i] = tok
            done = done | (tok == END)
            if bool(done.all()):
                break
            inp = tok[:, None]
        return out.float()

    def greedy(self, z: torch.Tensor) -> torch.Tensor:
        return self.generate(z, greedy=True)


def build(model, c) -> None:
    """The encoder and decoder of a text VAE, as the model's ``encoder`` and ``decoder``."""
    vocab, slots = model.spec.vocab_size, model.spec.shape[0]
    model.encoder = TextEncoder(vocab, c.width, c.hidden, c.latent_dim)
    model.decoder = TextDecoder(vocab, slots, c.width, c.hidden, c.latent_dim)


def training_step(model, x: torch.Tensor, generator) -> dict[str, torch.Tensor]:
    """One step on the ELBO with word dropout and the KL warm-up; the loss is per character (as the
    autoregressive family's), the reported terms per line."""
    mu, logvar = model.posterior(x)
    z = mu + (0.5 * logvar).exp() * randn(mu.shape, generator, x.device)
    recon = -model.decoder.log_prob(x, z, model.cfg.word_dropout, generator)
    kl = 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(1)
    chars = (x.round() != END).sum(1).float() + 1
    beta = model.cfg.beta * model.kl_ramp()
    loss = (recon + beta * kl).mean()
    model.optimizer_step("main", loss / chars.mean())
    model.steps_done += 1
    return {"loss": loss.detach(), "recon": recon.mean().detach(), "kl": kl.mean().detach()}


def sample(model, n: int, generator, temperature: float = 1.0, **options) -> torch.Tensor:
    z = randn((n, model.cfg.latent_dim), generator, model.device)
    return model.decoder.generate(z, generator, temperature)

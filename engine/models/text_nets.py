"""Character-level sequence networks for text (``spec.kind == "text"``): a causal Transformer and a GRU.

Both read a row of tokens shifted right behind a start token and give the logits of every next token,
so the log-likelihood of a line is exact: the sum of log P(token | earlier tokens) over its characters
and its end token. Token 0 ends a line (``engine.data.text``); the start token is an extra index of
the input embedding only, never predicted. At the last slot of a row only the end token is possible
(the data's longest line leaves room for it), so the model is a proper distribution over the strings
it can write, and its likelihood counts nothing it could never produce.

``TextSequenceModel`` holds either network and does what the autoregressive family asks for text:
negative log-likelihood per line with its token count, sampling with temperature and top-k,
completion of given leading characters, the next-token distribution after a prefix (and, for the
Transformer, its last layer's attention from that position).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from engine.interrupt import check_interrupt
from engine.models.base import rand
from engine.models.transformer import CausalTransformer, keep_known

END = 0
TEXT_NETWORKS = ("transformer", "gru")


class TextTransformer(nn.Module):
    """Token + position embeddings -> ``CausalTransformer`` -> logits; a KV cache for sampling."""

    def __init__(self, vocab: int, slots: int, width: int, layers: int, heads: int, dropout: float):
        super().__init__()
        self.tok_emb = nn.Embedding(vocab + 1, width)          # + the start token
        self.pos_emb = nn.Parameter(torch.zeros(slots, width))
        self.transformer = CausalTransformer(width, layers, heads, dropout)
        self.head = nn.Linear(width, vocab)
        nn.init.normal_(self.tok_emb.weight, std=0.02)
        nn.init.normal_(self.pos_emb, std=0.02)
        nn.init.normal_(self.head.weight, std=0.02)
        nn.init.zeros_(self.head.bias)

    def forward(self, inp: torch.Tensor, state=None):
        """Input tokens (n, t) -> logits (n, t, vocab). ``state`` is a KV cache (or None: no cache)."""
        start = state.length if state is not None else 0
        h = self.tok_emb(inp) + self.pos_emb[start:start + inp.shape[1]]
        return self.head(self.transformer(h, state)), state

    def new_state(self, n: int, slots: int, device):
        return self.transformer.new_cache(n, slots, device)

    def last_attention(self, inp: torch.Tensor) -> torch.Tensor:
        """Attention weights (n, heads, t) of the last block from the last input position to every
        earlier one: what the next token is read from."""
        t = inp.shape[1]
        h = self.tok_emb(inp) + self.pos_emb[:t]
        blocks = self.transformer.blocks
        for block in blocks[:-1]:
            h = block(h)
        last = blocks[-1]
        attn = last.attn
        b, _, d = h.shape
        q, k, _v = attn.qkv(last.ln1(h)).view(b, t, 3, attn.heads, d // attn.heads).permute(2, 0, 3, 1, 4)
        scores = (q[:, :, -1:] @ k.transpose(-1, -2)) / math.sqrt(d // attn.heads)
        return scores.softmax(-1)[:, :, 0]


class TextGRU(nn.Module):
    """Token embeddings -> a GRU -> logits; the hidden state carries the sequence while sampling."""

    def __init__(self, vocab: int, width: int, hidden: int, layers: int, dropout: float):
        super().__init__()
        self.tok_emb = nn.Embedding(vocab + 1, width)
        self.gru = nn.GRU(width, hidden, layers, batch_first=True, dropout=dropout if layers > 1 else 0.0)
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, inp: torch.Tensor, state=None):
        out, state = self.gru(self.tok_emb(inp), state)
        return self.head(self.drop(out)), state

    def new_state(self, n: int, slots: int, device):
        return None


class TextSequenceModel(nn.Module):
    """What the autoregressive family does with text, over one of ``TEXT_NETWORKS``."""

    def __init__(self, vocab: int, slots: int, network: str, width: int, layers: int, heads: int,
                 dropout: float):
        super().__init__()
        if network not in TEXT_NETWORKS:
            raise ValueError(f"model.network must be one of {', '.join(TEXT_NETWORKS)}, not {network!r}")
        self.vocab, self.slots, self.network = vocab, slots, network
        if network == "gru":
            self.net = TextGRU(vocab, width, 2 * width, layers, dropout)
        else:
            self.net = TextTransformer(vocab, slots, width, layers, heads, dropout)

    # ---- tokens ------------------------------------------------------------------------------------
    def _inputs(self, t: torch.Tensor) -> torch.Tensor:
        start = torch.full_like(t[:, :1], self.vocab)
        return torch.cat([start, t[:, :-1]], 1)

    def _mask_last(self, logits: torch.Tensor, first_slot: int) -> torch.Tensor:
        """Only the end token may follow the last slot's position (slots counted from ``first_slot``)."""
        last = self.slots - 1 - first_slot
        if 0 <= last < logits.shape[1]:
            logits = logits.clone()
            logits[:, last, 1:] = float("-inf")
        return logits

    @staticmethod
    def tokens(x: torch.Tensor) -> torch.Tensor:
        return x.round().long()

    # ---- likelihood --------------------------------------------------------------------------------
    def nll(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Negative log-likelihood of each line in nats (float32, (n,)) and the tokens it counts
        (characters + the end token)."""
        t = self.tokens(x)
        logits, _ = self.net(self._inputs(t))
        logp = F.log_softmax(self._mask_last(logits.float(), 0), -1).gather(-1, t[..., None]).squeeze(-1)
        ended = t == END
        length = torch.where(ended.any(1), ended.long().argmax(1), torch.full_like(t[:, 0], t.shape[1] - 1))
        counted = torch.arange(t.shape[1], device=t.device)[None, :] <= length[:, None]
        return -(logp * counted).sum(1), counted.sum(1)

    # ---- generation ----------------------------------------------------------------------------------
    @staticmethod
    def pick(logits: torch.Tensor, generator, temperature: float, top_k: int) -> torch.Tensor:
        """One token per row by the Gumbel-max trick, after temperature and top-k."""
        logits = logits.float() / max(temperature, 1e-4)
        if top_k and 0 < top_k < logits.shape[-1]:
            kth = torch.topk(logits, top_k, dim=-1).values[..., -1:]
            logits = logits.masked_fill(logits < kth, float("-inf"))
        u = rand(logits.shape, generator, logits.device).clamp(1e-10, 1 - 1e-7)
        return torch.argmax(logits - torch.log(-torch.log(u)), -1)

    def generate(self, n: int, generator, temperature: float, top_k: int, given: torch.Tensor | None = None,
                 known: torch.Tensor | None = None, device=None) -> torch.Tensor:
        """Tokens (n, slots): ``given`` kept where ``known`` is True (leading characters), the rest drawn
        in order; every position after a row's end token is the end token too."""
        device = device if device is not None else next(self.parameters()).device
        out = torch.zeros(n, self.slots, dtype=torch.long, device=device)
        out, prefill = keep_known(out, given, known)
        if prefill == self.slots:
            return out
        state = self.net.new_state(n, self.slots, device)
        done = torch.zeros(n, dtype=torch.bool, device=device)
        inp = self._inputs(out)[:, :prefill + 1]
        for i in range(prefill, self.slots):
            check_interrupt()
            logits, state = self.net(inp, state)
            logits = logits[:, -1]
            if i == self.slots - 1:
                logits = logits.clone()
                logits[:, 1:] = float("-inf")
            tok = self.pick(logits, generator, temperature, top_k)
            if known is not None:
                tok = torch.where(known[:, i], out[:, i], tok)
            tok = torch.where(done, torch.zeros_like(tok), tok)
            out[:, i] = tok
            done = done | (tok == END)
            if bool(done.all()) and known is None:
                break
            inp = tok[:, None]
        return out

    def next_token(self, prefix: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Log-probabilities (n, vocab) of the token after each row of ``prefix`` (n, p), and the last
        block's attention (n, heads, p + 1) over the start slot and the prefix (Transformer only)."""
        p = prefix.shape[1]
        if p >= self.slots:
            raise ValueError(f"a prefix of {p} characters leaves no room: this model writes at most {self.slots - 1}")
        inp = torch.cat([torch.full_like(prefix[:, :1], self.vocab), prefix], 1) if p else \
            torch.full((prefix.shape[0], 1), self.vocab, dtype=torch.long, device=prefix.device)
        logits, _ = self.net(inp, self.net.new_state(inp.shape[0], self.slots, inp.device))
        logits = logits[:, -1].float()
        if p == self.slots - 1:
            logits[:, 1:] = float("-inf")
        attention = self.net.last_attention(inp) if isinstance(self.net, TextTransformer) else None
        return F.log_softmax(logits, -1), attention

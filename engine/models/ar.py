"""Autoregressive family: a causal Transformer over tokens, for 2D points, images and text.

Text (``spec.kind == "text"``): characters are tokens, generated left to right until the end token,
by a causal Transformer or a GRU (``model.network``); the networks and what is done with them live in
``engine.models.text_nets``, and this family's hooks hand text to them.

Images: every sub-pixel is a token at the data's grey levels (``spec.levels``), generated in raster
order (row, column, then channel), so the likelihood is an exact discrete probability over the levels
in nats per image. The start slot carries the class embedding when the model is conditional. A PixelCNN
gives each sub-pixel either logits over the levels (softmax) or a mixture of discretised logistics over
them (``model.pixel_output``, ``engine.models.pixel_mixture``; what the presets train), which knows from
the start that neighbouring levels are alike.

Points: each coordinate (in standardised units) is cut into ``bins`` tokens: ``bins - 2`` equal bins
covering [-span, span] plus one tail bin on each side with an exponential density of scale
``TAIL_SCALE``, so the model is a proper density on the whole plane and no held-out point gets zero
probability. It is reported as a continuous density, exactly: log p(x) = sum over coordinates of
log P(bin | earlier bins) + log(density inside the bin), where the density inside an inner bin is
1 / width. Samples are jittered uniformly inside their bin (or drawn from the tail), which is exactly
that density. A token is embedded from its bin's centre through Fourier features, so neighbouring
bins start with similar embeddings and the conditional p(y | x) is shared across neighbouring x.

``complete`` fills unknown positions in generation order, keeping known ones: exact when every
unknown position comes after the known ones (the lower half of an image given the upper); a known
pixel *after* an unknown one is kept but cannot steer it (a raster-order model only looks back).
For points with only the second coordinate known, the first is drawn from the exact posterior
P(bin_x | bin_y), by scoring every bin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import torch
import torch.nn.functional as F
from torch import nn

from engine.errors import ConfigError
from engine.knobs import knob
from engine.interrupt import check_interrupt
from engine.models.base import GenerativeModel, InsideView, ModelConfig, SizeCandidate, Trajectory, rand
from engine.models.pixel_mixture import level_log_probs, level_log_probs_at, outputs_per_subpixel, sample_levels
from engine.models.pixelcnn import PixelCNN
from engine.models.pixelcnn_sampler import draw_in_order
from engine.models.pixelcnn_two_stack import TwoStackPixelCNN
from engine.models.text_nets import TEXT_NETWORKS, TextSequenceModel
from engine.models.transformer import CausalTransformer, keep_known
from engine.i18n import QT_TRANSLATE_NOOP

PIXEL_OUTPUTS = ("softmax", "logistic-mixture")
TAIL_SCALE = 0.5      # scale of the exponential tails beyond +-span (standardised units)
FOURIER_FEATURES = 32  # frequencies of the points' token embedding


@dataclass
class ARConfig(ModelConfig):
    width: int = knob(64, min=16, max=2048, help=QT_TRANSLATE_NOOP("Knob", "Width of the Transformer (embedding size)."), unit=QT_TRANSLATE_NOOP("Knob", "units"))
    layers: int = knob(2, min=1, max=48, help=QT_TRANSLATE_NOOP("Knob", "Transformer blocks (attention + MLP)."))
    heads: int = knob(4, min=1, max=32, help=QT_TRANSLATE_NOOP("Knob", "Attention heads; must divide the width."))
    dropout: float = knob(0.1, min=0.0, max=0.9, help=QT_TRANSLATE_NOOP("Knob", "Dropout in the Transformer, against over-fitting small data sets."))
    weight_decay: float = knob(0.01, min=0.0, max=1.0, help=QT_TRANSLATE_NOOP("Knob", "AdamW weight decay on the weight matrices."), advanced=True)
    bins: int = knob(256, min=8, max=4096, help=QT_TRANSLATE_NOOP("Knob", "Points: tokens per coordinate (bins, including the two tails)."), unit=QT_TRANSLATE_NOOP("Knob", "bins"))
    span: float = knob(4.5, min=0.5, max=50.0, help=QT_TRANSLATE_NOOP("Knob", "Points: the bins cover +-span standard deviations of the data; "
                                                                               "beyond it an exponential tail takes over."), unit=QT_TRANSLATE_NOOP("Knob", "std"))
    temperature: float = knob(1.0, min=0.05, max=5.0, live=True,
                              help=QT_TRANSLATE_NOOP("Knob", "Sampling temperature of the live samples: below 1 is more typical, above 1 more varied."))
    top_k: int = knob(0, min=0, max=4096, live=True, help=QT_TRANSLATE_NOOP("Knob", "Sample only among the k most likely tokens (0: all)."))
    network: str = knob("transformer", choices=TEXT_NETWORKS,
                        help=QT_TRANSLATE_NOOP("Knob", "Text: the sequence network, a causal Transformer or a recurrent GRU "
                                                       "(points and images always use the Transformer)."))
    image_net: str = knob("transformer", choices=("transformer", "pixelcnn"),
                          help=QT_TRANSLATE_NOOP("Knob", "Images: transformer (attention over every sub-pixel) or pixelcnn (a gated "
                                                         "PixelCNN of masked convolutions: width channels, layers residual blocks; "
                                                         "many times cheaper per image on a CPU, the same exact likelihood)."))
    max_dilation: int = knob(1, min=1, max=16,
                             help=QT_TRANSLATE_NOOP("Knob", "PixelCNN: the residual blocks' dilations double from 1 up to this, then start "
                                                            "again: each pixel sees more of the image (a whole digit) at the same cost per "
                                                            "pass. 1: plain 3x3 blocks."))
    stacks: int = knob(1, min=1, max=2,
                       help=QT_TRANSLATE_NOOP("Knob", "PixelCNN: 1, one stack of masked convolutions (it never sees the pixels "
                                                      "above and to the right of each pixel); 2, a vertical and a horizontal "
                                                      "stack that see every pixel above and to the left; a step costs about 1.4 times as much."))
    pixel_output: str = knob("softmax", choices=PIXEL_OUTPUTS,
                             help=QT_TRANSLATE_NOOP("Knob", "PixelCNN: what it says of each sub-pixel's level: softmax, a probability "
                                                            "for every level learned apart; logistic-mixture, a few bell-shaped bumps "
                                                            "over the levels, so neighbouring levels are alike from the start "
                                                            "(photographs; PixelCNN++)."))
    mixtures: int = knob(5, min=1, max=32, help=QT_TRANSLATE_NOOP("Knob", "PixelCNN with logistic-mixture output: bumps per sub-pixel."),
                         advanced=True)

    # Training settings this family starts from (where the run still holds the global defaults):
    # small batches and a high rate, decayed by the loop's cosine schedule, learn most per CPU second.
    train_defaults: ClassVar[dict] = {"batch_size": 32, "lr": 5e-3}

    def validate(self, where: str = "model"):
        if self.width % self.heads:
            raise ConfigError(f"{where}.heads", self.heads, f"a divisor of the width ({self.width})")


class Autoregressive(GenerativeModel):
    """A ``PixelTransformer`` for images, a two-token Transformer over binned coordinates for points."""

    family = "ar"
    capabilities = frozenset({"log_likelihood", "trajectory", "completion"})
    likelihood_kind = "exact"
    config_class = ARConfig
    data_kinds = ("points", "image", "text")
    title = QT_TRANSLATE_NOOP("Family", "Autoregressive model")   # a Transformer, or a PixelCNN on images
    short_name = QT_TRANSLATE_NOOP("Family", "AR")
    reported_terms = ("loss", "nats_per_token")
    sampling_pass = "head"                   # one call per generated token
    inside_view = InsideView(help=QT_TRANSLATE_NOOP("Family", "Heat: the autoregressive model's exact density (each "
                                                              "coordinate binned, then the bins' probabilities "
                                                              "chained)."))
    # Its samples come from a loop of random token draws, one per position, with nothing deterministic
    # from noise to data to export; the step that could be exported (logits of the next token) is only
    # useful with that loop around it.
    export_unavailable = ("the autoregressive family samples by a loop of random token draws; there is no "
                          "deterministic map from noise to data to export")

    @classmethod
    def size_candidates(cls, spec):
        """Images: gated PixelCNNs (convolutions: far more learning per CPU second than attention over
        hundreds of sub-pixels), then the Transformer for long budgets on small images. On MNIST the
        smallest learns faster at lr 5e-3 than at 2e-3: 1.208 against 1.273 bits/dim after 60 CPU seconds,
        1.095 against 1.114 after 300. Sampling is cheap enough for the usual grid and quality counts: the
        PixelCNN's cached sampler draws 64 MNIST images in 0.9 s of one core (the window of pixels that reach
        each one took 36 s), and the Transformer, offered up to 256 sub-pixels, 64 8x8 digits in 0.12 s."""
        if spec.kind != "image":
            return ()
        # Dilated blocks (1, 2, 4, 8) let a pixel see 18 rows up instead of 7: on MNIST after 300 s the Fréchet
        # ratio fell from 10.5 to 5.4 (192 samples; 6.6 to 3.3 at 64), the samples from strokes to digit-like
        # shapes, at 1.106 bits/dim against 1.089; on unseen letters 10.9 against 10.0. The cached sampler's
        # cost does not depend on the dilation, but on unseen 32x32 colour shapes it bought nothing at 300 s
        # (ratio 124.5 against 123.8, 0.438 against 0.423 bits/dim), so colour keeps plain blocks.
        # Two stacks (no blind spot above-right of each pixel) cost 1.44x a step of one stack (346 against 240
        # ms at batch 32, one thread) and still learned more per CPU second: on MNIST after 300 s, in two pairs
        # of runs side by side, ratio 5.29 / 5.59 against 5.42 / 6.78 and 1.096 / 1.083 against 1.105 / 1.101
        # bits/dim, with 790 / 988 steps against 1003 / 1143. On unseen 32x32 colour shapes they bought nothing
        # (ratio 118 against 114, 0.396 against 0.390 bits/dim, 500 against 554 steps), so colour keeps one.
        # With two stacks, smaller batches at a higher rate learned more in 300 s: on MNIST ratio 3.41 at batch
        # 16 and lr 8e-3, 3.59 at 16 and 5e-3, 3.45 at 8 and 5e-3, 3.86 at 32 and 8e-3, against 5.29 / 5.59 at
        # 32 and 5e-3; on unseen letters 7.36 at 16 and 8e-3 (0.977 bits/dim), 7.81 at 16 and 5e-3, against
        # 8.43 (1.062).
        # A mixture of five discretised logistics per sub-pixel (PixelCNN++) instead of a softmax over the
        # levels: neighbouring levels alike from the first step, and 15 outputs where there were 256 (a colour
        # step at batch 16 fell from 348 to 157 ms, one thread). After 300 s, softmax against mixture, ratio
        # and bits/dim: photo patches 40.1 / 4.895 against 9.61 / 3.714 (462 against 1503 steps); grey photo
        # patches 9.72 / 4.347 against 5.68 / 4.162; coloured shapes 121.3 / 0.362 against 66.5 / 0.272;
        # unseen letters 7.36 / 0.977 against 3.54 / 0.958; MNIST 2.78-3.40 / 1.053-1.056 against 2.05 / 1.070
        # (the one set where bits/dim rose a little); at 1800 s on MNIST 1.37 / 1.008 against 1.69 / 0.979.
        # Tried on photo patches: lr 3e-3 35.7, lr 1.2e-2 13.0, width 48 17.7, ten logistics 15.7 (seeds 0 / 1
        # of the preset: 9.61 / 17.4). bench/results/images.md, round 14.
        mixture = {"pixel_output": "logistic-mixture", "mixtures": 5}
        dilate = {"max_dilation": 8, "stacks": 2} if spec.dim <= 1024 else {"max_dilation": 1}
        out = [
            SizeCandidate("pixelcnn-32x4", {"image_net": "pixelcnn", "width": 32, "layers": 4, "dropout": 0.0, **dilate,
                                            **mixture}, {"batch_size": 16, "lr": 8e-3}, steps_needed=3000),
            SizeCandidate("pixelcnn-64x6", {"image_net": "pixelcnn", "width": 64, "layers": 6, "dropout": 0.0, **dilate,
                                            **mixture}, {"batch_size": 32, "lr": 1e-3}, steps_needed=6000),
        ]
        if spec.dim <= 256:
            out.append(SizeCandidate("transformer", {"image_net": "transformer"}, {"batch_size": 32, "lr": 5e-3},
                                     steps_needed=20000))
        return tuple(out)

    @classmethod
    def derived_terms(cls, values, variant):
        """``log_px`` = -loss (the loss is the exact negative log-likelihood)."""
        return {"log_px": -values["loss"]} if "loss" in values else {}

    def __init__(self, spec: dict, config: dict, preprocess: dict | None = None):
        super().__init__(spec, config, preprocess)
        c = self.cfg
        if c.width % c.heads:
            raise ValueError(f"model.heads={c.heads} must divide model.width={c.width}")
        self.points = self.spec.kind == "points"
        self.is_text = self.spec.kind == "text"
        self.pixelcnn = self.spec.kind == "image" and c.image_net == "pixelcnn"
        d = c.width
        if self.is_text:
            self.dims = self.spec.shape[0]
            self.vocab = self.spec.vocab_size
            self.capabilities = type(self).capabilities | {"next_token"}
            self.text = TextSequenceModel(self.vocab, self.dims, c.network, d, c.layers, c.heads, c.dropout)
            self.sampling_pass = "text.net.head"    # one call per generated character
            return
        if self.pixelcnn:
            ch, h, w = self.spec.shape
            self.dims = ch * h * w
            self.vocab = int(self.spec.levels or 256)
            self.n_cond = self.spec.num_classes if self.conditional else 0
            net = TwoStackPixelCNN if c.stacks == 2 else PixelCNN
            self.mixture = c.pixel_output == "logistic-mixture" and self.vocab >= 2   # one level: nothing to spread
            self.outputs = outputs_per_subpixel(c.mixtures) if self.mixture else self.vocab
            self.head = net(ch, self.outputs, c.width, c.layers, self.n_cond, c.max_dilation)
            self.sampling_pass = "head.logits_at"    # one read-out per generated token
            return
        if self.points:
            self.dims = self.spec.dim
            self.vocab = c.bins
            self.bin_width = 2 * c.span / (c.bins - 2)
            centres = -c.span + (torch.arange(c.bins, dtype=torch.float32) - 0.5) * self.bin_width
            centres[0], centres[-1] = -c.span - TAIL_SCALE, c.span + TAIL_SCALE
            freqs = math.pi * torch.arange(1, FOURIER_FEATURES + 1, dtype=torch.float32) / (c.span + TAIL_SCALE)
            feats = torch.cat([torch.sin(centres[:, None] * freqs), torch.cos(centres[:, None] * freqs),
                               centres[:, None] / c.span], 1)
            self.register_buffer("token_features", feats, persistent=False)
            self.token_proj = nn.Linear(feats.shape[1], d)
            self.pos = nn.Parameter(torch.zeros(self.dims, d))
        else:
            ch, h, w = self.spec.shape
            self.dims = ch * h * w
            self.vocab = int(self.spec.levels or 256)
            self.token_emb = nn.Embedding(self.vocab, d)
            # Position i of the raster order (row, column, channel) as the sum of three embeddings.
            self.pos_row = nn.Parameter(torch.zeros(h, d))
            self.pos_col = nn.Parameter(torch.zeros(w, d))
            self.pos_chan = nn.Parameter(torch.zeros(ch, d))
            i = torch.arange(self.dims)
            self.register_buffer("idx_row", i // (w * ch), persistent=False)
            self.register_buffer("idx_col", (i // ch) % w, persistent=False)
            self.register_buffer("idx_chan", i % ch, persistent=False)
            # The already-drawn neighbours of each position (left, above-left, above, above-right in
            # the same channel; the pixel's earlier channels), embedded and added to its slot: local
            # context from the first step, as a PixelCNN's first masked convolution would give.
            self.register_buffer("neighbours", _causal_neighbours(ch, h, w), persistent=False)
            self.neighbour_emb = nn.Embedding(self.neighbours.shape[1] * (self.vocab + 1), d)
        self.bos = nn.Parameter(torch.zeros(1, 1, d))
        self.n_cond = self.spec.num_classes if self.conditional else 0
        if self.n_cond:
            self.class_emb = nn.Embedding(self.n_cond, d)
        self.transformer = CausalTransformer(d, c.layers, c.heads, c.dropout)
        self.head = nn.Linear(d, self.vocab)
        # Small starts for the learned vectors (GPT-2); the token embedding keeps torch's N(0, 1),
        # the points' Fourier projection its default.
        small = [self.bos, self.head.weight]
        small += [self.pos] if self.points else [self.pos_row, self.pos_col, self.pos_chan, self.neighbour_emb.weight]
        small += [self.class_emb.weight] if self.n_cond else []
        for p in small:
            nn.init.normal_(p, std=0.02)
        nn.init.zeros_(self.head.bias)

    # ---- optimisation ---------------------------------------------------------------------------
    def configure_optimizers(self, lr: float):
        decay = [p for n, p in self.named_parameters() if p.requires_grad and p.dim() >= 2 and "pos" not in n
                 and "emb" not in n]
        seen = {id(p) for p in decay}
        rest = [p for p in self.parameters() if p.requires_grad and id(p) not in seen]
        groups = [{"params": decay, "weight_decay": self.cfg.weight_decay}, {"params": rest, "weight_decay": 0.0}]
        self.optimizers = {"main": torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.99))}
        return self.optimizers

    # ---- tokens ------------------------------------------------------------------------------------
    def tokens(self, x: torch.Tensor) -> torch.Tensor:
        """Model-space examples -> (n, dims) int64 tokens in generation order."""
        if self.points:
            c = self.cfg
            inner = torch.floor((x + c.span) / self.bin_width).long() + 1
            inner = inner.clamp(1, self.vocab - 2)
            t = torch.where(x < -c.span, torch.zeros_like(inner), inner)
            return torch.where(x >= c.span, torch.full_like(inner, self.vocab - 1), t)
        levels = self.vocab
        t = torch.round(x.clamp(0, 1) * (levels - 1)).long()
        return t.permute(0, 2, 3, 1).reshape(x.shape[0], -1)

    def _log_density_in_bin(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """Points: log of the density inside each coordinate's bin (per coordinate)."""
        c = self.cfg
        inner = torch.full_like(x, -math.log(self.bin_width))
        tail = -math.log(TAIL_SCALE) - (x.abs() - c.span).clamp_min(0) / TAIL_SCALE
        return torch.where((t == 0) | (t == self.vocab - 1), tail, inner)

    def _from_tokens(self, t: torch.Tensor, generator) -> torch.Tensor:
        """Tokens -> model-space examples (points jittered inside their bin, images on the level grid)."""
        if self.points:
            c = self.cfg
            u = rand(t.shape, generator, t.device).clamp(1e-7, 1 - 1e-7)
            inner = -c.span + (t.float() - 1 + u) * self.bin_width
            low = -c.span + TAIL_SCALE * torch.log(u)
            high = c.span - TAIL_SCALE * torch.log(u)
            return torch.where(t == 0, low, torch.where(t == self.vocab - 1, high, inner))
        ch, h, w = self.spec.shape
        x = t.float() / (self.vocab - 1)
        return x.view(t.shape[0], h, w, ch).permute(0, 3, 1, 2).contiguous()

    # ---- network -----------------------------------------------------------------------------------
    def _embed_tokens(self, t: torch.Tensor) -> torch.Tensor:
        if self.points:
            return self.token_proj(self.token_features[t])
        return self.token_emb(t)

    def _pos(self, start: int, end: int) -> torch.Tensor:
        if self.points:
            return self.pos[start:end]
        return (self.pos_row[self.idx_row[start:end]] + self.pos_col[self.idx_col[start:end]]
                + self.pos_chan[self.idx_chan[start:end]])

    def _start(self, n: int, labels) -> torch.Tensor:
        s = self.bos.expand(n, 1, -1)
        if self.n_cond and labels is not None:
            s = s + self.class_emb(labels)[:, None, :]
        return s

    def _context(self, t: torch.Tensor, start: int, end: int) -> torch.Tensor:
        """Images: the summed neighbour embeddings of slots start..end-1 (tokens before each)."""
        idx = self.neighbours[start:end]                        # (T, K), -1 where there is none
        k = idx.shape[1]
        if t.shape[1] == 0:                                     # only the start slot: no neighbours
            t = torch.zeros(t.shape[0], 1, dtype=torch.long, device=t.device)
        got = t[:, idx.clamp(min=0)]
        got = torch.where(idx >= 0, got, torch.full_like(got, self.vocab))
        offsets = torch.arange(k, device=t.device) * (self.vocab + 1)
        return self.neighbour_emb(got + offsets).sum(2)

    def _slot(self, t: torch.Tensor, i: int) -> torch.Tensor:
        """The input of slot i >= 1 when tokens 0..i-1 of ``t`` are drawn (key/value-cached sampling)."""
        h = self._embed_tokens(t[:, i - 1:i]) + self._pos(i, i + 1)
        return h if self.points else h + self._context(t, i, i + 1)

    def _inputs(self, prefix: torch.Tensor, labels) -> torch.Tensor:
        """Slots 0..P for a (n, P) token prefix: the start slot, then one slot per known token.
        Slot i predicts token i, so it carries token i-1 and the embedding of position i."""
        n, p = prefix.shape
        h = self._start(n, labels)
        if p:
            h = torch.cat([h, self._embed_tokens(prefix)], 1)
        h = h + self._pos(0, p + 1)
        return h if self.points else h + self._context(prefix, 0, p + 1)

    def _pixels(self, t: torch.Tensor, rows: int) -> torch.Tensor:
        """PixelCNN: tokens of ``rows`` whole rows (n, rows * w * ch) -> network input in [-1, 1]."""
        ch, _, w = self.spec.shape
        x = t.view(t.shape[0], rows, w, ch).permute(0, 3, 1, 2).float()
        return x * (2.0 / (self.vocab - 1)) - 1.0

    def _pixel_outputs(self, t: torch.Tensor, rows: int, labels) -> torch.Tensor:
        """PixelCNN: (n, rows * w * ch, outputs) in token order for tokens of whole rows: logits, or the
        mixture's parameters."""
        ch, _, w = self.spec.shape
        with self.autocast():
            out = self.head(self._pixels(t, rows), labels)
        out = out.float().view(t.shape[0], ch, self.outputs, rows, w)
        return out.permute(0, 3, 4, 1, 2).reshape(t.shape[0], rows * w * ch, self.outputs)

    def _level_logits(self, outputs: torch.Tensor) -> torch.Tensor:
        """A PixelCNN's outputs for sub-pixels -> logits over their levels (a mixture's log-probabilities)."""
        return level_log_probs(outputs, self.vocab) if self.pixelcnn and self.mixture else outputs

    def logits(self, t: torch.Tensor, labels=None) -> torch.Tensor:
        """Float32 logits (n, dims, vocab) of every token given the ones before it (teacher forcing)."""
        if self.pixelcnn:
            return self._level_logits(self._pixel_outputs(t, self.spec.shape[1], labels if self.n_cond else None))
        with self.autocast():
            h = self.transformer(self._inputs(t[:, :-1], labels))
            out = self.head(h)
        return out.float()

    def _log_prob(self, x: torch.Tensor, labels) -> torch.Tensor:
        t = self.tokens(x)
        if self.pixelcnn and self.mixture:      # the observed level's probability only: no table of every level
            params = self._pixel_outputs(t, self.spec.shape[1], labels if self.n_cond else None)
            return level_log_probs_at(params, t, self.vocab).sum(1)
        logp = F.log_softmax(self.logits(t, labels), -1).gather(-1, t[..., None]).squeeze(-1)
        ll = logp.sum(1)
        if self.points:
            ll = ll + self._log_density_in_bin(x, t).sum(1)
        return ll

    # ---- protocol hooks --------------------------------------------------------------------------------
    def _training_step(self, x, y, generator):
        if self.is_text:  # the mean over every predicted token (characters and end tokens), as makemore
            nll, counted = self.text.nll(x)
            per_char = nll.sum() / counted.sum()
            self.optimizer_step("main", per_char)
            return {"loss": nll.mean().detach(), "nats_per_token": per_char.detach()}
        nll = -self._log_prob(x, y)
        loss = nll.mean()
        self.optimizer_step("main", loss / self.dims)  # per-token scale: the same lr suits any size
        return {"loss": loss.detach(), "nats_per_token": (loss / self.dims).detach()}

    def _log_likelihood(self, x, labels, generator, **options):
        if self.is_text:
            return -self.text.nll(x)[0]
        return self._log_prob(x, labels)

    def _next_token(self, prefix):
        return self.text.next_token(prefix)

    def _pick(self, logits: torch.Tensor, generator, temperature: float, top_k: int) -> torch.Tensor:
        """One token per row by the Gumbel-max trick (device-safe with any generator)."""
        logits = logits.float() / max(temperature, 1e-4)
        if top_k and 0 < top_k < logits.shape[-1]:
            kth = torch.topk(logits, top_k, dim=-1).values[..., -1:]
            logits = logits.masked_fill(logits < kth, float("-inf"))
        u = rand(logits.shape, generator, logits.device).clamp(1e-10, 1 - 1e-7)
        return torch.argmax(logits - torch.log(-torch.log(u)), -1)

    def _generate(self, n, generator, labels, temperature=None, top_k=None, given=None, known=None):
        """Tokens (n, dims) drawn in order; where ``known`` (n, dims) is True the ``given`` token is kept."""
        temperature = self.cfg.temperature if temperature is None else float(temperature)
        top_k = self.cfg.top_k if top_k is None else int(top_k)
        out = torch.zeros(n, self.dims, dtype=torch.long, device=self.device)
        out, prefill = keep_known(out, given, known)
        if prefill == self.dims:
            return out
        if self.pixelcnn:
            return self._generate_pixels(out, prefill, generator, labels, temperature, top_k, known)
        cache = self.transformer.new_cache(n, self.dims, self.device)
        with self.autocast():
            h = self.transformer(self._inputs(out[:, :prefill], labels), cache)
        for i in range(prefill, self.dims):
            check_interrupt()
            if i > prefill:
                with self.autocast():
                    h = self.transformer(self._slot(out, i), cache)
            with self.autocast():
                logits = self.head(h[:, -1])
            tok = self._pick(logits, generator, temperature, top_k)
            if known is not None:
                tok = torch.where(known[:, i], out[:, i], tok)
            out[:, i] = tok
        return out

    def _generate_pixels(self, out, prefill, generator, labels, temperature, top_k, known):
        """PixelCNN: each sub-pixel from the network evaluated at its pixel alone, on the cached activations
        of the pixels before it (``pixelcnn_sampler``)."""
        labels = labels if self.n_cond else None
        ch, h, w = self.spec.shape
        scale = 2.0 / (self.vocab - 1)

        direct = self.mixture and temperature == 1.0 and not top_k   # no table of every level needed

        def choose(i, outputs):
            if outputs is None:
                return out[:, i]
            if direct:
                tok = sample_levels(outputs.float(), self.vocab, generator)
            else:
                tok = self._pick(self._level_logits(outputs), generator, temperature, top_k)
            if known is not None:
                tok = torch.where(known[:, i], out[:, i], tok)
            out[:, i] = tok
            return tok

        with self.autocast():
            draw_in_order(self.head, out.shape[0], h, w, labels, choose, lambda t: t.float() * scale - 1.0, prefill)
        return out

    def _sample(self, n, generator, labels, temperature=None, top_k=None, **options):
        if self.is_text:
            return self._complete(torch.zeros(n, self.dims, device=self.device), False, generator, labels,
                                  temperature, top_k)
        return self._from_tokens(self._generate(n, generator, labels, temperature, top_k), generator)

    def display_options(self) -> dict:
        return {"temperature": self.cfg.temperature, "top_k": self.cfg.top_k}

    def _trajectory(self, n, generator, labels, frames: int = 16, temperature=None, top_k=None, **options):
        """Frames of the image (or points) as generation proceeds; positions not yet drawn are 0
        (black pixels; for points, the coordinate's mean). ``order`` lists flat (C, H, W) positions
        (point coordinates) in the order they were generated. Text: one frame per character."""
        if self.is_text:
            t = self._sample(n, generator, labels, temperature, top_k)
            cols = torch.arange(self.dims, device=t.device)
            return Trajectory(kind="ar_order", frames=[torch.where(cols < m, t, torch.zeros_like(t))
                                                       for m in range(1, self.dims + 1)],
                              labels=[f"{m} of {self.dims} drawn" for m in range(1, self.dims + 1)],
                              order=torch.arange(self.dims))
        if labels is None:
            labels = self.random_labels(n, generator)
        t = self._generate(n, generator, labels, temperature, top_k)
        full = self._from_tokens(t, generator)
        if self.points:
            steps = list(range(1, self.dims + 1))
            order = torch.arange(self.dims)
        else:
            frames = max(2, min(int(frames), self.dims))
            steps = sorted({math.ceil(k * self.dims / (frames - 1)) for k in range(frames)})
            ch, h, w = self.spec.shape
            i = torch.arange(self.dims)
            order = (i % ch) * h * w + (i // ch)
        shots, labels_out = [], []
        for m in steps:
            done = torch.arange(self.dims, device=t.device) < m
            if self.points:
                shots.append(torch.where(done, full, torch.zeros_like(full)))
            else:
                ch, h, w = self.spec.shape
                mask = done.view(h, w, ch).permute(2, 0, 1)
                shots.append(torch.where(mask, full, torch.zeros_like(full)))
            labels_out.append(f"{m} of {self.dims} drawn")
        return Trajectory(kind="ar_order", frames=shots, labels=labels_out, order=order)

    def _complete(self, x, known, generator, labels, temperature=None, top_k=None, **options):
        known = torch.as_tensor(known, device=x.device).bool().expand_as(x)
        if self.is_text:
            temperature = self.cfg.temperature if temperature is None else float(temperature)
            top_k = self.cfg.top_k if top_k is None else int(top_k)
            t = self.text.generate(x.shape[0], generator, temperature, top_k, self.text.tokens(x),
                                   None if not bool(known.any()) else known, self.device)
            return t.float()
        if labels is None and self.n_cond:
            labels = torch.zeros(x.shape[0], dtype=torch.long, device=x.device)
        if self.points:
            return self._complete_points(x, known, generator, labels, temperature, top_k)
        t_known = self.tokens(known.float()).bool()      # the mask in token order
        t = self._generate(x.shape[0], generator, labels, temperature, top_k, self.tokens(x), t_known)
        out = self._from_tokens(t, generator)
        return torch.where(known, x, out)

    def _complete_points(self, x, known, generator, labels, temperature, top_k):
        given = self.tokens(x)
        out = self._from_tokens(self._generate(x.shape[0], generator, labels, temperature, top_k, given, known),
                                generator)
        out = torch.where(known, x, out)
        if self.dims == 2:
            # Rows that know y but not x: draw x's bin from P(bin_x | bin_y) over every bin.
            rows = (known[:, 1] & ~known[:, 0]).nonzero().flatten()
            if len(rows):
                joint = self._first_bin_posterior(given[rows, 1], labels[rows] if labels is not None else None)
                b = self._pick(joint, generator, 1.0 if temperature is None else float(temperature), 0)
                tb = torch.stack([b, given[rows, 1]], 1)
                out[rows, 0] = self._from_tokens(tb, generator)[:, 0]
        return out

    def _first_bin_posterior(self, second: torch.Tensor, labels) -> torch.Tensor:
        """log P(bin_1 = b, bin_2 = second) for every b, (rows, bins): the unnormalised posterior.
        One pass over every first bin gives the whole joint table (per class when conditional)."""
        all_bins = torch.arange(self.vocab, device=self.device)
        seq = torch.stack([all_bins, torch.zeros_like(all_bins)], 1)
        out = torch.empty(second.shape[0], self.vocab, device=self.device)
        groups = [None] if labels is None else labels.unique().tolist()
        for lab in groups:
            check_interrupt()
            rows = slice(None) if lab is None else (labels == lab)
            lab_t = None if lab is None else torch.full((self.vocab,), lab, device=self.device)
            logp = F.log_softmax(self.logits(seq, lab_t), -1)          # (bins, 2, bins)
            joint = logp[:, 0].diagonal()[None, :] + logp[:, 1, :].T    # [b2, b1]
            out[rows] = joint[second[rows]]
        return out


def _causal_neighbours(ch: int, h: int, w: int) -> torch.Tensor:
    """(dims, K) raster positions of each position's drawn neighbours, -1 where there is none."""
    offsets = [(0, -1, 0), (-1, -1, 0), (-1, 0, 0), (-1, 1, 0)] + [(0, 0, -c) for c in range(1, ch)]
    out = torch.full((ch * h * w, len(offsets)), -1, dtype=torch.long)
    for i in range(ch * h * w):
        r, col, c = i // (w * ch), (i // ch) % w, i % ch
        for k, (dr, dc, dch) in enumerate(offsets):
            rr, cc, chh = r + dr, col + dc, c + dch
            if 0 <= rr < h and 0 <= cc < w and 0 <= chh < ch:
                out[i, k] = (rr * w + cc) * ch + chh
    return out

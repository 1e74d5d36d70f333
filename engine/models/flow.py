"""Normalizing flow: neural-spline couplings for points, a multi-scale Glow for images.

Points (``exact`` likelihood): alternating rational-quadratic spline couplings (each coordinate
warped by a monotone spline whose knots an MLP computes from the other), with an LU-parametrised
invertible linear map before each, on standardised data; the base is N(0, I) (or a learned Gaussian
per class). log p(x) is exact, in nats.

Images (``bound``): RealNVP/Glow. A pixel at level k of L is dequantised to y = (k + u) / L with
u ~ U(0, 1), pushed through a logit (y is squeezed into [a, 1 - a] first, a = LOGIT_ALPHA), then through
``scales`` levels of [squeeze, ``steps`` x (ActNorm, invertible 1x1 conv, affine coupling),
split with a learned prior]. Both Jacobians are included and D log L is subtracted, so
E_u[log p(y)] - D log L is a lower bound on the discrete log-probability of the image over its levels
(Theis et al., 2016): reported NLLs are upper bounds in nats per image, labelled "bound".

The latent is the flat vector of every standard-normal part (the top level and each split), the size
of the data. ``encode`` uses the bin centre (u = 1/2), so ``decode(encode(x)) == x`` exactly on the
level grid; for points it is the analytic inverse.

``trajectory(n, generator, inputs=None, direction="generate")`` shows the warp layer by layer:
``generate`` starts from n base draws, or from ``inputs`` (points only, in data units, read as base
positions through the same standardisation the data gets: pass a grid to see how the plane bends);
``normalize`` starts from data ``inputs`` and moves them towards the base. ``points=`` is an alias of
``inputs``. Every frame is in data units (images: grey values in [0, 1], the logit undone).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import nn

from engine.knobs import knob
from engine.interrupt import check_interrupt
from engine.models.base import (GenerativeModel, InsideView, LatentView, ModelConfig, SizeCandidate, Trajectory, one_hot, rand,
                                randn)
from engine.models.flow_layers import (ActNorm, AffineCoupling, ClassPrior, InvertibleLinear, SplineCoupling,
                                       SplitPrior, squeeze2d, unsqueeze2d)
from engine.i18n import QT_TRANSLATE_NOOP

LOG_2PI = math.log(2 * math.pi)
LOGIT_ALPHA = 0.05


@dataclass
class FlowConfig(ModelConfig):
    layers: int = knob(8, min=1, max=64, help=QT_TRANSLATE_NOOP("Knob", "Points: spline coupling layers (each warps one coordinate)."))
    hidden: int = knob(128, min=8, max=2048, help=QT_TRANSLATE_NOOP("Knob", "Points: width of each coupling's MLP."), unit=QT_TRANSLATE_NOOP("Knob", "units"))
    depth: int = knob(2, min=1, max=8, help=QT_TRANSLATE_NOOP("Knob", "Points: hidden layers of each coupling's MLP."))
    bins: int = knob(32, min=2, max=128, help=QT_TRANSLATE_NOOP("Knob", "Points: segments of each rational-quadratic spline."))
    bound: float = knob(3.5, min=0.5, max=50.0, help=QT_TRANSLATE_NOOP("Knob", "Points: the splines act on +-bound standard deviations; "
                                                                                "the map is the identity beyond."), unit=QT_TRANSLATE_NOOP("Knob", "std"))
    width: int = knob(64, min=8, max=1024, help=QT_TRANSLATE_NOOP("Knob", "Images: channels of each coupling's CNN."), unit=QT_TRANSLATE_NOOP("Knob", "channels"))
    steps: int = knob(8, min=1, max=64, help=QT_TRANSLATE_NOOP("Knob", "Images: flow steps (ActNorm, 1x1 conv, coupling) per scale."))
    scales: int = knob(3, min=1, max=6, help=QT_TRANSLATE_NOOP("Knob", "Images: at most this many squeeze levels (fewer when the size is odd)."))
    eval_samples: int = knob(1, min=1, max=256, help=QT_TRANSLATE_NOOP("Knob", "Images: dequantisation draws averaged per held-out image."))
    temperature: float = knob(1.0, min=0.0, max=2.0, live=True,
                              help=QT_TRANSLATE_NOOP("Knob", "Scale of the base noise for samples: below 1 gives cleaner, less varied samples."))

    # Training settings this family starts from (where the run still holds the global defaults).
    train_defaults: ClassVar[dict] = {"lr": 2e-3}


class AmpSwitch:
    """Mixed precision for the coupling networks only (log-dets and the linear maps stay float32)."""

    def __init__(self):
        self.dtype: torch.dtype | None = None   # the model's ``amp_dtype()``; None: off

    def __call__(self):
        return torch.autocast("cuda", dtype=self.dtype or torch.bfloat16, enabled=self.dtype is not None)


class Level(nn.Module):
    """One scale of the image flow: squeeze, ``steps`` flow steps, then (except the last) a split."""

    def __init__(self, channels: int, hidden: int, steps: int, split: bool, cond: int, amp):
        super().__init__()
        c = channels * 4
        self.layers = nn.ModuleList()
        for _ in range(steps):
            self.layers.extend([ActNorm(c), InvertibleLinear(c), AffineCoupling(c, hidden, cond, amp)])
        self.split = SplitPrior(c // 2, c - c // 2, cond) if split else None
        self.channels = c


class Flow(GenerativeModel):
    """``RealNVP``-style multi-scale flow for images; a neural-spline flow for points."""

    family = "flow"
    capabilities = frozenset({"latent", "encode", "log_likelihood", "trajectory", "score"})
    likelihood_kind = "exact"   # for points; an image model reports "bound" (set per instance)
    config_class = FlowConfig
    data_kind_reasons = {"text": QT_TRANSLATE_NOOP("Family", "an invertible map between continuous spaces has no density on discrete characters")}
    title = QT_TRANSLATE_NOOP("Family", "Normalizing flow")
    short_name = QT_TRANSLATE_NOOP("Family", "Flow")
    reported_terms = ("loss", "log_pz", "log_det")
    sampling_pass = "generate"  # one call runs every layer's inverse
    latent_view = LatentView(caption=QT_TRANSLATE_NOOP("Family", "the flow's base space"), first_plane="pca",
                             chunk=8, embed_points=1500, embed_every_s=12.0)
    inside_view = InsideView(
        help=QT_TRANSLATE_NOOP("Family", "Heat: the flow's exact density. Lines: a regular grid of the base space; "
                                         "the slider carries it through the couplings one by one."),
        frames="layer_warp", frame_options={"direction": "generate"})
    # export: the inverse, base noise z (N, D) -> samples (the exact inverse of ``encode``)
    export_limits = {
        ("points",): "the spline couplings select coordinates with boolean masks, which the exporters cannot "
                     "express for a variable batch",
        ("image", "onnx"): "the 1x1 convolutions invert their matrix on the fly and ONNX has no matrix inverse; "
                           "export it with --what torch-export",
    }

    @classmethod
    def size_candidates(cls, spec):
        """Images: Glow-style multi-scale flows, 6 steps of 32 channels per scale first; the convolutions
        dominate, so cost grows with width squared times steps. On MNIST (bench/results/images.md) the
        cheaper 4 steps of 16 channels made 2.4x the steps and drew only blobs at every budget (Fréchet
        ratio 120 at 60 s, 95 at 300 s), where 6 x 32 drew strokes by 4 minutes (ratio 15 at 265 s) and was
        no worse at 60 s (106). (Sampling at temperature 0.7, Glow's choice for pictures, was measured worse
        at 60 s: ratio 210 against 127 at 1.0, and sparser strokes.)"""
        if spec.kind != "image":
            return ()
        # Gradient norms run at 5-12 on MNIST; at lr 2e-3 without a clip glow-32x6 met one of 700 at step
        # 3,700 of a 30-minute run and its coupling scales collapsed for good (training loss 1.6 -> 24
        # bits/dim, finite all along). A clip at 50 cuts only such spikes, and the loop now rolls a finite
        # blow-up back by itself (engine.training.divergence). With both, glow-32x6 takes 2e-3: at 300 s,
        # ratios 12.4 and 15.5 and 1.60-1.61 bits/dim on MNIST (two seeds) against 17.4 and 20.1 and
        # 1.67-1.69 at 1e-3, and 12.3 against 13.6 on unseen letters (bench/results/images.md, round 5).
        # Batch 32 rather than 64 (round 7, new floor): 1.6x the steps and better on every figure; MNIST at
        # 300 s ratios 3.89 / 4.14 and 1.552 / 1.559 bits/dim (two seeds) against 4.05-5.43 and 1.587-1.611,
        # at 60 s 13.2 against 21.6, unseen letters 16.5 against 18.3; batch 128 was worse (5.49, 1.664).
        clip = {"grad_clip": 50.0}
        return (
            SizeCandidate("glow-32x6", {"width": 32, "steps": 6}, {"batch_size": 32, "lr": 2e-3, **clip},
                          steps_needed=2000),
            SizeCandidate("glow-64x8", {"width": 64, "steps": 8}, {"batch_size": 64, "lr": 1e-3, **clip},
                          steps_needed=25000),
        )

    @classmethod
    def derived_terms(cls, values, variant):
        """``log_px`` = log_pz + log_det (the change of variables)."""
        return {"log_px": values["log_pz"] + values["log_det"]} if "log_pz" in values and "log_det" in values else {}

    def __init__(self, spec: dict, config: dict, preprocess: dict | None = None):
        super().__init__(spec, config, preprocess)
        c = self.cfg
        self.points = self.spec.kind == "points"
        self.n_cond = self.spec.num_classes if self.conditional else 0
        self._amp = AmpSwitch()
        self.dim = self.spec.dim
        if self.points:
            self.likelihood_kind = "exact"
            d = self.dim
            self.layers = nn.ModuleList()
            for i in range(c.layers):
                mask = torch.zeros(d, dtype=torch.bool)
                mask[(i % 2)::2] = True
                self.layers.append(InvertibleLinear(d))
                self.layers.append(SplineCoupling(mask, c.hidden, c.depth, c.bins, c.bound, self.n_cond, self._amp))
            self.part_shapes = [(d,)]
        else:
            self.likelihood_kind = "bound"
            ch, h, w = self.spec.shape
            self.levels = nn.ModuleList()
            self.part_shapes = []
            for i in range(c.scales):
                if h % 2 or w % 2 or (i > 0 and min(h, w) < 4):
                    break
                h, w = h // 2, w // 2
                self.levels.append(Level(ch, c.width, c.steps, True, self.n_cond, self._amp))
                ch = self.levels[-1].channels
                ch_kept = ch // 2
                self.part_shapes.append((ch - ch_kept, h, w))
                ch = ch_kept
            if not len(self.levels):
                raise ValueError(f"images of size {self.spec.shape[1]}x{self.spec.shape[2]} cannot be squeezed; "
                                 "the flow needs an even height and width")
            self.levels[-1].split = None    # the last level keeps everything
            last = self.part_shapes.pop()
            self.part_shapes.append((last[0] * 2, last[1], last[2]))
        top = self.part_shapes[-1]
        self.prior = ClassPrior(self.n_cond, math.prod(top)) if self.n_cond else None

    # ---- helpers --------------------------------------------------------------------------------
    def _cond_map(self, labels, like):
        if not self.n_cond or labels is None:
            return None
        oh = one_hot(labels, self.n_cond, like.dtype)
        if like.dim() == 2:
            return oh
        return oh[:, :, None, None].expand(-1, -1, like.shape[2], like.shape[3])

    def _labels(self, labels, n):
        if self.n_cond and labels is None:
            return torch.zeros(n, dtype=torch.long, device=self.device)
        return labels

    def _flat(self, parts: list[torch.Tensor]) -> torch.Tensor:
        return torch.cat([p.flatten(1) for p in parts], 1)

    def _unflat(self, z: torch.Tensor) -> list[torch.Tensor]:
        parts, at = [], 0
        for shape in self.part_shapes:
            k = math.prod(shape)
            parts.append(z[:, at:at + k].reshape(z.shape[0], *shape))
            at += k
        return parts

    # ---- the bijection (model space <-> base) ----------------------------------------------------
    def _dequantise(self, x, u):
        """Images on the level grid -> logit space, with log|dz/dy| - D log L (per example)."""
        levels = int(self.spec.levels or 256)
        k = torch.round(x.clamp(0, 1) * (levels - 1))
        y = (k + u) / levels
        s = LOGIT_ALPHA + (1 - 2 * LOGIT_ALPHA) * y
        z = torch.log(s) - torch.log1p(-s)
        logdet = (math.log(1 - 2 * LOGIT_ALPHA) - torch.log(s) - torch.log1p(-s)).flatten(1).sum(1)
        return z, logdet - self.dim * math.log(levels)

    def _to_pixels(self, z, quantise: bool = True):
        s = torch.sigmoid(z.float())
        y = ((s - LOGIT_ALPHA) / (1 - 2 * LOGIT_ALPHA)).clamp(0, 1)
        if not quantise:
            return y
        levels = int(self.spec.levels or 256)
        return (torch.floor(y * levels).clamp(0, levels - 1)) / (levels - 1)

    def normalise(self, x, labels=None, record=None):
        """Model-space x (points) or logit-space z (images) -> (list of base parts, log|det|).
        ``record`` (a list) receives the full state after every coupling, in model space."""
        self._amp.dtype = self.amp_dtype()
        logdet = torch.zeros(x.shape[0], device=x.device)
        if self.points:
            cond = self._cond_map(labels, x)
            h = x
            for layer in self.layers:
                h, ld = layer(h, cond)
                logdet = logdet + ld
                if record is not None and isinstance(layer, SplineCoupling):
                    record.append(h)
            parts = [h]
        else:
            h, parts = x, []
            for li, level in enumerate(self.levels):
                h = squeeze2d(h)
                cond = self._cond_map(labels, h)
                for layer in level.layers:
                    h, ld = layer(h, cond)
                    logdet = logdet + ld
                    if record is not None and isinstance(layer, AffineCoupling):
                        record.append((li, h))
                if level.split is not None:
                    kept, out = h[:, :h.shape[1] // 2], h[:, h.shape[1] // 2:]
                    eps, ld = level.split(out, kept, cond)
                    logdet = logdet + ld
                    parts.append(eps)
                    h = kept
            parts.append(h)
        if self.prior is not None:
            parts[-1], ld = self.prior(parts[-1], labels)
            logdet = logdet + ld
        if record is not None and not self.points:
            record[:] = [self._assemble(s, li, parts) for li, s in record]
        return parts, logdet

    def generate(self, parts, labels=None, record=None):
        """The inverse of ``normalise``: base parts -> model-space x (points) or logit-space z."""
        self._amp.dtype = self.amp_dtype()
        parts = list(parts)
        if self.prior is not None:
            parts[-1] = self.prior.inverse(parts[-1], labels)
        if self.points:
            h = parts[0]
            cond = self._cond_map(labels, h)
            for layer in reversed(self.layers):
                h = layer.inverse(h, cond)
                if record is not None and isinstance(layer, InvertibleLinear):   # a whole step undone
                    record.append(h)
            return h
        h = parts[-1]
        for li in range(len(self.levels) - 1, -1, -1):
            level = self.levels[li]
            cond = self._cond_map(labels, h)
            if level.split is not None:
                h = torch.cat([h, level.split.inverse(parts[li], h, cond)], 1)
            for layer in reversed(level.layers):
                h = layer.inverse(h, cond)
                if record is not None and isinstance(layer, ActNorm):   # a whole step undone
                    record.append(self._assemble(h, li, parts))
            h = unsqueeze2d(h)
        return h

    def _assemble(self, h, li, parts):
        """A full level-``li`` state plus the base parts of the levels below -> image layout."""
        x = h
        for lj in range(li, -1, -1):
            if lj < li:
                x = torch.cat([x, parts[lj]], 1)
            x = unsqueeze2d(x)
        return x

    def _base_log_prob(self, parts):
        return sum((-0.5 * (LOG_2PI + p.float() ** 2)).flatten(1).sum(1) for p in parts)

    def _log_prob(self, x, labels, generator):
        log_pz, log_det = self._log_prob_terms(x, labels, generator)
        return log_pz + log_det

    def _log_prob_terms(self, x, labels, generator):
        """The change of variables' two terms per example: (log p(z), log|det dz/dx|), the second with
        the images' dequantisation and logit included, so their sum is ``_log_prob``."""
        if self.points:
            parts, logdet = self.normalise(x, labels)
            return self._base_log_prob(parts), logdet
        z, ld0 = self._dequantise(x, rand(x.shape, generator, x.device))
        parts, logdet = self.normalise(z, labels)
        return self._base_log_prob(parts), logdet + ld0

    # ---- protocol hooks ------------------------------------------------------------------------
    def _training_step(self, x, y, generator):
        log_pz, log_det = self._log_prob_terms(x, y, generator)
        loss = -(log_pz + log_det).mean()
        self.optimizer_step("main", loss / self.dim)   # per-dimension scale: one lr suits any size
        # The two terms of log p(x) = log p(z) + log|det dz/dx| (model space), for the Learn dock.
        return {"loss": loss.detach(), "log_pz": log_pz.mean().detach(), "log_det": log_det.mean().detach()}

    def _log_likelihood(self, x, labels, generator, samples: int | None = None, **options):
        k = samples or (1 if self.points else self.cfg.eval_samples)
        total = 0.0
        for _ in range(k):
            check_interrupt()
            total = total + self._log_prob(x, labels, generator)
        return total / k

    def _latent_shape(self):
        return (self.dim,)

    def _encode(self, x, labels, generator, **options):
        if not self.points:
            x, _ = self._dequantise(x, torch.full_like(x, 0.5))
        parts, _ = self.normalise(x, self._labels(labels, x.shape[0]))
        return self._flat(parts)

    def _decode(self, z, labels, **options):
        out = self.generate(self._unflat(z.float()), self._labels(labels, z.shape[0]))
        return out if self.points else self._to_pixels(out)

    def _sample(self, n, generator, labels, temperature=None, **options):
        t = self.cfg.temperature if temperature is None else float(temperature)
        z = randn((n, self.dim), generator, self.device) * t
        return self._decode(z, labels)

    def display_options(self) -> dict:
        return {"temperature": self.cfg.temperature}

    def _trajectory(self, n, generator, labels, inputs=None, points=None, direction: str = "generate",
                    temperature=None, **options):
        inputs = points if inputs is None else inputs
        if direction not in ("generate", "normalize"):
            raise ValueError(f"direction must be 'generate' or 'normalize', not {direction!r}")
        if inputs is not None:
            inputs = torch.as_tensor(inputs, dtype=torch.float32, device=self.device)
            n = inputs.shape[0]
        if labels is None:
            labels = self.random_labels(n, generator)
        labels = self._labels(labels, n)
        record: list[torch.Tensor] = []
        if direction == "normalize":
            if inputs is None:
                raise ValueError("direction='normalize' needs the data to move: pass inputs=")
            x = self.to_model(inputs)
            start = x if self.points else self._dequantise(x, torch.full_like(x, 0.5))[0]
            parts, _ = self.normalise(start, labels, record)
            states = [start] + record + [self._base_image(parts)]
            names = ["data"] + [f"coupling {i + 1}" for i in range(len(record))] + ["base"]
        else:
            if inputs is not None:
                if not self.points:
                    raise ValueError("direction='generate' starts from base noise for images; pass no inputs")
                z = self.to_model(inputs)
            else:
                t = self.cfg.temperature if temperature is None else float(temperature)
                z = randn((n, self.dim), generator, self.device) * t
            parts = self._unflat(z)
            out = self.generate(parts, labels, record)
            states = [self._base_image(parts)] + record
            names = ["base"] + [f"coupling {len(record) - i}" for i in range(len(record))]
            if not self.points:
                states.append(out)
                names.append("sample")
        if self.points:
            frames = [s.float() for s in states]
        else:
            frames = [self._to_pixels(s, quantise=(name in ("sample", "data"))) for s, name in zip(states, names)]
        return Trajectory(kind="flow_layers", frames=frames, labels=names)

    def _base_image(self, parts):
        if self.points:
            return parts[0]
        return self._assemble(parts[-1], len(self.levels) - 1, parts)

"""Generative adversarial network: two players, two optimisers, an EMA generator for sampling.

Losses: ``non-saturating`` (Goodfellow et al., 2014, the generator maximises log D(G(z))),
``hinge`` (Lim & Ye, 2017; Miyato et al., 2018) and ``wgan-gp`` (Gulrajani et al., 2017, with its
gradient penalty on interpolates). For the first two an optional R1 penalty (Mescheder et al., 2018)
on real data keeps the discriminator smooth; it is what makes the default cover every mode of
8gaussians run after run. Spectral normalisation of the discriminator is an option.

One ``training_step`` is ``d_steps`` discriminator updates (each with fresh noise, on the same real
batch) and then one generator update. The window can also run one player alone:
``model.training_step(batch, generator, phase="d")`` (or ``"g"``); the other player's scores are still
measured so the reported terms keep their meaning. Samples and ``decode`` use an exponential moving
average of the generator's weights, which is much less jittery than the live generator.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from engine.knobs import knob
from engine.models.base import GenerativeModel, InsideView, LatentView, ModelConfig, SizeCandidate, rand, randn
from engine.models.ema import EMA
from engine.models.gan_nets import (FlatImageDiscriminator, FlatImageGenerator, ImageDiscriminator, ImageGenerator,
                                    PointDiscriminator, PointGenerator)
from engine.i18n import QT_TRANSLATE_NOOP

LOSSES = ("non-saturating", "hinge", "wgan-gp")
PLAYERS = ("d", "g")
PHASES = ("both",) + PLAYERS


@dataclass
class GANConfig(ModelConfig):
    loss: str = knob("non-saturating", choices=LOSSES,
                     help=QT_TRANSLATE_NOOP("Knob", "Adversarial loss. non-saturating: d_real/d_fake are probabilities D(x) in [0, 1]; "
                                                    "hinge and wgan-gp: d_real/d_fake are the critic's raw scores."))
    latent_dim: int = knob(16, min=1, max=512, help=QT_TRANSLATE_NOOP("Knob", "Size of the noise vector z the generator maps to data."))
    hidden: int = knob(128, min=8, max=4096, unit=QT_TRANSLATE_NOOP("Knob", "units"), help=QT_TRANSLATE_NOOP("Knob", "Width of both MLPs (points)."))
    depth: int = knob(3, min=1, max=8, help=QT_TRANSLATE_NOOP("Knob", "Hidden layers of the generator and of the discriminator (points)."))
    width: int = knob(16, min=4, max=512, unit=QT_TRANSLATE_NOOP("Knob", "channels"),
                      help=QT_TRANSLATE_NOOP("Knob", "Channels of the discriminator's first conv layer and the generator's last (images)."))
    d_steps: int = knob(1, min=1, max=20, live=True, unit=QT_TRANSLATE_NOOP("Knob", "steps"),
                        help=QT_TRANSLATE_NOOP("Knob", "Discriminator (critic) updates per generator update; wgan-gp usually wants 5. "
                                                       "Safe to change while training."))
    spectral_norm: bool = knob(False, help=QT_TRANSLATE_NOOP("Knob", "Spectral normalisation of every discriminator layer (Lipschitz 1)."))
    r1_weight: float = knob(0.1, min=0.0, max=1000.0, live=True,
                            help=QT_TRANSLATE_NOOP("Knob", "R1 penalty on the discriminator's gradient at real data (non-saturating and "
                                                           "hinge): steadies training and prevents mode collapse. 0 turns it off."))
    gp_weight: float = knob(10.0, min=0.0, max=1000.0, live=True,
                            help=QT_TRANSLATE_NOOP("Knob", "Gradient penalty weight of wgan-gp (on points between real and fake)."))
    d_lr_scale: float = knob(0.0, min=0.0, max=100.0,
                             help=QT_TRANSLATE_NOOP("Knob", "Discriminator learning rate as a multiple of the run's. 0 picks 0.3 for points "
                                                            "(a 2D GAN oscillates at rates a single network takes in its stride) and 1 for "
                                                            "images (where the slower rate costs more than it steadies)."))
    g_lr_scale: float = knob(0.0, min=0.0, max=100.0,
                             help=QT_TRANSLATE_NOOP("Knob", "Generator learning rate as a multiple of the run's; 0 picks as for the "
                                                            "discriminator."))
    beta1: float = knob(0.5, min=0.0, max=0.99, help=QT_TRANSLATE_NOOP("Knob", "Adam's first moment decay for both players (GANs like 0 to 0.5)."))
    image_net: str = knob("conv", choices=("conv", "mlp"),
                          help=QT_TRANSLATE_NOOP("Knob", "Images: conv (DCGAN-style nets of the given width) or mlp (fully connected "
                                                         "nets of the given hidden width and depth over the flattened image: many "
                                                         "times cheaper per image on a CPU)."))
    ema_decay: float = knob(0.99, min=0.0, max=0.99999, live=True,
                            help=QT_TRANSLATE_NOOP("Knob", "Decay of the moving average of the generator used for samples and decoding "
                                                           "(about 1 / (1 - decay) steps of memory; a GAN's generator moves fast, so a long "
                                                           "memory blurs it). Safe to change while training."))


class GAN(GenerativeModel):
    family = "gan"
    capabilities = frozenset({"latent", "critic"})
    likelihood_kind = None
    config_class = GANConfig
    data_kind_reasons = {"text": QT_TRANSLATE_NOOP("Family", "its generator's output must be continuous for the discriminator's gradient to reach it; characters are discrete tokens")}
    title = QT_TRANSLATE_NOOP("Family", "Generative adversarial network")
    short_name = QT_TRANSLATE_NOOP("Family", "GAN")
    training_phases = PLAYERS
    reported_terms = ("d_loss", "g_loss", "penalty", "d_real", "d_fake")   # its "loss" (their sum) is no term
    formula_knobs = ("loss",)
    sampling_pass = "g_ema.shadow"
    latent_view = LatentView(caption=QT_TRANSLATE_NOOP("Family", "the generator's noise"),
                             random_plane_through_draw=True, embed_points=0)
    inside_view = InsideView(
        help=QT_TRANSLATE_NOOP("Family", "Heat: the discriminator. Lines: a regular grid of noise (two latent "
                                         "dimensions, the others 0) after the generator; the slider goes from the "
                                         "grid to its warp."),
        frames="latent_warp")
    # export: the generator (its moving average, which samples use), z (N, latent_dim) -> samples

    @classmethod
    def size_candidates(cls, spec):
        """Images: an MLP pair first (cheap per image on a CPU), then narrow DCGAN-style conv nets. The MLP
        pair takes a stronger R1 penalty: on MNIST with 30 CPU seconds it collapsed onto "1"s at the default
        0.1 (Fréchet ratio 103) and drew varied digits at 2.0 (ratio 22); spectral norm gave 72. Samples come
        from an EMA generator averaging up to 1000 steps (decay 0.999; the warm-up keeps it to the last
        ninth of a young run): with 300 CPU seconds on MNIST, ratios 3.2 and 4.0 (two runs) against 4.6 at
        decay 0.99; at 60 s single runs vary from 10 to 21 either way. The MLP pair learns at 5e-4, not
        DCGAN's 2e-4: 2.65 and 2.45 at 300 s on MNIST (two seeds; under 3 from about 140 s), 3.2 at 1e-3."""
        if spec.kind != "image":
            return ()
        ema = {"ema_decay": 0.999}
        return (
            SizeCandidate("mlp-256", {"image_net": "mlp", "hidden": 256, "depth": 2, "latent_dim": 32, "r1_weight": 2.0,
                                      **ema}, {"batch_size": 64, "lr": 5e-4}, steps_needed=3000),
            SizeCandidate("conv-8", {"image_net": "conv", "width": 8, "latent_dim": 32, **ema},
                          {"batch_size": 64, "lr": 2e-4}, steps_needed=6000),
            SizeCandidate("conv-16", {"image_net": "conv", "width": 16, "latent_dim": 64, **ema},
                          {"batch_size": 64, "lr": 2e-4}, steps_needed=15000),
        )

    @classmethod
    def derived_terms(cls, values, variant):
        """``value`` = V(D, G) = -d_loss (non-saturating), else ``critic_gap`` = E D(x) - E D(G(z)) (raw
        scores)."""
        if variant.get("loss") == "non-saturating":
            return {"value": -values["d_loss"]} if "d_loss" in values else {}
        if "d_real" in values and "d_fake" in values:
            return {"critic_gap": values["d_real"] - values["d_fake"]}
        return {}

    def _critic(self, x, labels):
        """D(x) in [0, 1] for the non-saturating loss, else the critic's raw score."""
        s = self.discriminator(x, labels).float()
        return torch.sigmoid(s) if self.cfg.loss == "non-saturating" else s

    def critic_label(self):
        if self.cfg.loss == "non-saturating":
            return "discriminator D(x): probability the point is real"
        return "critic score (higher: more real)"

    def __init__(self, spec: dict, config: dict, preprocess: dict | None = None):
        super().__init__(spec, config, preprocess)
        c = self.cfg
        k = self.spec.num_classes if self.conditional else 0
        if self.spec.kind == "points":
            d = self.spec.dim
            self.generator = PointGenerator(c.latent_dim, d, c.hidden, c.depth, k)
            self.discriminator = PointDiscriminator(d, c.hidden, c.depth, k, c.spectral_norm)
        elif c.image_net == "mlp":
            shape = tuple(self.spec.shape)
            self.generator = FlatImageGenerator(c.latent_dim, shape, c.hidden, c.depth, k)
            self.discriminator = FlatImageDiscriminator(shape, c.hidden, c.depth, k, c.spectral_norm)
        else:
            shape = tuple(self.spec.shape)
            self.generator = ImageGenerator(c.latent_dim, shape, c.width, k)
            self.discriminator = ImageDiscriminator(shape, c.width, k, c.spectral_norm)
        self.g_ema = EMA(self.generator, c.ema_decay)
        self._phase = "both"

    def lr_scales(self) -> tuple[float, float]:
        """(discriminator, generator) multiples of the run's learning rate, resolving 0 to the default."""
        auto = 0.3 if self.spec.kind == "points" else 1.0
        return self.cfg.d_lr_scale or auto, self.cfg.g_lr_scale or auto

    def configure_optimizers(self, lr):
        betas = (self.cfg.beta1, 0.999)
        d_scale, g_scale = self.lr_scales()
        self.optimizers = {
            "d": torch.optim.Adam([{"params": list(self.discriminator.parameters()), "lr_scale": d_scale}],
                                  lr=lr * d_scale, betas=betas),
            "g": torch.optim.Adam([{"params": list(self.generator.parameters()), "lr_scale": g_scale}],
                                  lr=lr * g_scale, betas=betas),
        }
        return self.optimizers

    def set_live(self, name, value):
        super().set_live(name, value)
        if name == "ema_decay":
            self.g_ema.decay = float(value)

    # ---- one player at a time ----------------------------------------------------------------------
    def training_step(self, batch, generator=None, phase: str = "both"):
        """As the base, plus ``phase``: "d" runs one discriminator update only, "g" one generator update."""
        if phase not in PHASES:
            raise ValueError(f"phase must be one of {', '.join(PHASES)}, got {phase!r}")
        self._phase = phase
        try:
            return super().training_step(batch, generator)
        finally:
            self._phase = "both"

    def _noise(self, n, generator, device):
        return randn((n, self.cfg.latent_dim), generator, device)

    def _scores(self, x, labels):
        with self.autocast():
            return self.discriminator(x, labels).float()

    def _d_update(self, x, y, generator):
        c = self.cfg
        n = x.shape[0]
        with torch.no_grad(), self.autocast():
            fake = self.generator(self._noise(n, generator, x.device), y).float()
        r1 = c.r1_weight if c.loss != "wgan-gp" else 0.0
        # R1 on a quarter of the real batch: an unbiased estimate of the same penalty at a quarter of
        # its cost (it needs a second-order backward pass, the dearest part of a step).
        k = max(1, min(n, max(8, n // 4))) if r1 > 0 else 0
        real_r1 = x[:k].detach().requires_grad_(True)
        s_r1 = self._scores(real_r1, y[:k] if y is not None else None) if k else None
        s_rest = self._scores(x[k:], y[k:] if y is not None else None) if k < n else None
        s_real = torch.cat([s for s in (s_r1, s_rest) if s is not None])
        s_fake = self._scores(fake, y)
        if c.loss == "non-saturating":
            d_loss = F.softplus(-s_real).mean() + F.softplus(s_fake).mean()
        elif c.loss == "hinge":
            d_loss = F.relu(1 - s_real).mean() + F.relu(1 + s_fake).mean()
        else:
            d_loss = s_fake.mean() - s_real.mean()
        penalty = torch.zeros((), device=x.device)
        if k:
            grad, = torch.autograd.grad(s_r1.sum(), real_r1, create_graph=True)
            penalty = 0.5 * r1 * grad.flatten(1).pow(2).sum(1).mean()
        elif c.loss == "wgan-gp" and c.gp_weight > 0:
            shape = (n,) + (1,) * (x.dim() - 1)
            a = rand(shape, generator, x.device)
            mix = (a * x + (1 - a) * fake).requires_grad_(True)
            grad, = torch.autograd.grad(self._scores(mix, y).sum(), mix, create_graph=True)
            penalty = c.gp_weight * (grad.flatten(1).norm(dim=1) - 1).pow(2).mean()
        self.optimizer_step("d", d_loss + penalty)
        return d_loss.detach(), penalty.detach(), s_real.detach(), s_fake.detach()

    def _g_update(self, n, y, generator, device):
        for p in self.discriminator.parameters():
            p.requires_grad_(False)
        try:
            with self.autocast():
                fake = self.generator(self._noise(n, generator, device), y).float()
            s_fake = self._scores(fake, y)
            g_loss = F.softplus(-s_fake).mean() if self.cfg.loss == "non-saturating" else -s_fake.mean()
            self.optimizer_step("g", g_loss)
        finally:
            for p in self.discriminator.parameters():
                p.requires_grad_(True)
        self.g_ema.update(self.generator)
        return g_loss.detach(), s_fake.detach()

    def _measure(self, x, y, generator):
        """Both players' losses and scores without updating anything (for single-player steps)."""
        with torch.no_grad():
            with self.autocast():
                fake = self.generator(self._noise(x.shape[0], generator, x.device), y).float()
            s_real, s_fake = self._scores(x, y), self._scores(fake, y)
        if self.cfg.loss == "non-saturating":
            d_loss = F.softplus(-s_real).mean() + F.softplus(s_fake).mean()
            g_loss = F.softplus(-s_fake).mean()
        elif self.cfg.loss == "hinge":
            d_loss = F.relu(1 - s_real).mean() + F.relu(1 + s_fake).mean()
            g_loss = -s_fake.mean()
        else:
            d_loss, g_loss = s_fake.mean() - s_real.mean(), -s_fake.mean()
        return d_loss, g_loss, s_real, s_fake

    def _training_step(self, x, y, generator):
        phase = self._phase
        penalty = torch.zeros((), device=x.device)
        if phase in ("both", "d"):
            for _ in range(self.cfg.d_steps if phase == "both" else 1):
                d_loss, penalty, s_real, s_fake = self._d_update(x, y, generator)
        if phase == "both":
            g_loss, _ = self._g_update(x.shape[0], y, generator, x.device)
        elif phase == "g":
            g_loss, _ = self._g_update(x.shape[0], y, generator, x.device)
            d_loss, _, s_real, s_fake = self._measure(x, y, generator)
        else:
            _, g_loss, _, _ = self._measure(x, y, generator)
        if self.cfg.loss == "non-saturating":
            d_real, d_fake = torch.sigmoid(s_real).mean(), torch.sigmoid(s_fake).mean()
        else:
            d_real, d_fake = s_real.mean(), s_fake.mean()
        return {"loss": d_loss + g_loss, "d_loss": d_loss, "g_loss": g_loss, "penalty": penalty,
                "d_real": d_real, "d_fake": d_fake}

    # ---- sampling and the latent ----------------------------------------------------------------------
    def _generate(self, z, labels):
        with self.autocast():
            x = self.g_ema.shadow(z, labels).float()
        return x.clamp(0, 1) if self.spec.kind == "image" else x

    def _sample(self, n, generator, labels, **options):
        return self._generate(self._noise(n, generator, self.device), labels)

    def _latent_shape(self):
        return (self.cfg.latent_dim,)

    def _decode(self, z, labels, **options):
        return self._generate(z.to(self.device).float(), labels)

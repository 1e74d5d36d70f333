"""Variational autoencoder: an MLP for points (Gaussian decoder), a conv net for images, and for text a
sequence VAE with GRU encoder and decoder (``engine.models.text_vae``).

The image decoder is a discretised logistic over the data's grey levels, so its reconstruction term
is a true discrete log-likelihood and the ELBO bounds the same quantity the other families report.
The held-out likelihood is the importance-weighted bound (Burda et al., 2016) with ``iw_samples``
samples, labelled as a bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from engine.knobs import knob
from engine.interrupt import check_interrupt
from engine.models.base import (ExportUnavailable, GenerativeModel, InsideView, LatentView, ModelConfig, SizeCandidate,
                                one_hot, randn)
from engine.models.export_nets import LatentToData
from engine.models.likelihoods import (discretized_logistic_log_prob, discretized_logistic_mean,
                                      discretized_logistic_median)
from engine.models import text_vae
from engine.models.code_mixture import CodeMixture, MixtureDraw
from engine.models.nets import ConvDecoder, ConvEncoder, mlp
from engine.i18n import QT_TRANSLATE_NOOP

LOG_2PI = math.log(2 * math.pi)
KL_WARMUP_MAX_STEPS = 5000
# Floor of the points decoder's variance (std 0.03 in standardised units): without it the ELBO of a
# finite training set grows without bound as the decoder shrinks onto the training points.
MIN_LOGVAR = 2 * math.log(0.03)


@dataclass
class VAEConfig(ModelConfig):
    # Measured on moons with 60 s of one CPU thread: lr 3e-3 with a KL warm-up over the first quarter and
    # cosine decay gave
    # a test bound 0.11 nats above the reference, lr 1e-3 0.32 (bench/quality.py).
    train_defaults = {"lr": 3e-3}

    latent_dim: int = knob(2, min=1, max=512, help=QT_TRANSLATE_NOOP("Knob", "Size of the latent code z. 2 lets you explore it as a plane."))
    hidden: int = knob(128, min=8, max=4096, help=QT_TRANSLATE_NOOP("Knob", "Width of the MLP layers (points)."), unit=QT_TRANSLATE_NOOP("Knob", "units"))
    depth: int = knob(3, min=1, max=8, help=QT_TRANSLATE_NOOP("Knob", "Hidden layers in the encoder and in the decoder (points)."))
    width: int = knob(32, min=4, max=512, help=QT_TRANSLATE_NOOP("Knob", "Channels of the first conv layer; doubled at each downsampling (images)."), unit=QT_TRANSLATE_NOOP("Knob", "channels"))
    beta: float = knob(1.0, min=0.0, max=100.0, live=True,
                       help=QT_TRANSLATE_NOOP("Knob", "Weight of the KL term (beta-VAE). 1 gives the true ELBO; larger values trade "
                                                      "reconstruction for a smoother latent. Safe to change while training."))
    kl_warmup: float = knob(0.25, min=0.0, max=1.0,
                            help=QT_TRANSLATE_NOOP("Knob", "Ramp the KL weight from 0 to beta over this fraction of the run (and at most "
                                                           "5000 steps), so the decoder learns to use the latent code before the prior "
                                                           "pulls it in (0: no ramp)."))
    iw_samples: int = knob(64, min=1, max=5000, help=QT_TRANSLATE_NOOP("Knob", "Importance samples for the held-out likelihood bound."))
    word_dropout: float = knob(0.3, min=0.0, max=1.0,
                               help=QT_TRANSLATE_NOOP("Knob", "Text: share of the decoder's input characters replaced by a blank while "
                                                              "training, so it must read the line from z (against posterior collapse)."))
    image_net: str = knob("conv", choices=("conv", "mlp"),
                          help=QT_TRANSLATE_NOOP("Knob", "Images: conv (a conv encoder and decoder of the given width) or mlp (fully "
                                                         "connected layers of the given hidden width and depth over the flattened "
                                                         "image: many times cheaper per image on a CPU)."))
    prior: str = knob("standard", choices=("standard", "mixture"),
                      help=QT_TRANSLATE_NOOP("Knob", "Where random samples start: standard (the normal the KL term pulls the codes "
                                                     "towards) or mixture (a mixture of Gaussians fitted to the codes of the latest "
                                                     "training images: samples look like the data where the codes do not fill the "
                                                     "normal). The likelihood bound uses the same prior."))


class VAE(GenerativeModel):
    family = "vae"
    capabilities = frozenset({"latent", "encode", "log_likelihood", "posterior"})
    likelihood_kind = "bound"
    config_class = VAEConfig
    data_kinds = ("points", "image", "text")
    # text: the decoder writes a line by a loop of token choices, which neither exporter traces as a graph
    export_limits = {("text",): "a sequence VAE decodes text character by character in a loop; there is no "
                                "single network from z to a line to export"}
    title = QT_TRANSLATE_NOOP("Family", "Variational autoencoder")
    short_name = QT_TRANSLATE_NOOP("Family", "VAE")
    reported_terms = ("loss", "recon", "kl")
    classify_options = {"samples": 16}        # importance samples per example and class
    sampling_pass = "decoder"
    # Posterior means crowd the origin, so the straight line between two codes stays where codes are.
    latent_view = LatentView(caption=QT_TRANSLATE_NOOP("Family", "the VAE's latent code"), interpolation="lerp",
                             first_plane="pca", embed_points=5000, embed_every_s=6.0)
    inside_view = InsideView(
        help=QT_TRANSLATE_NOOP("Family", "Heat: the VAE's density bound. Click points to see where the encoder puts "
                                         "them: 2-sigma ellipses of q(z | x) on the right, over the prior's contours "
                                         "(dashed: N(0, I)'s 1- and 2-sigma circles, or each fitted mixture "
                                         "component's 2-sigma ellipse)."),
        density_options={"samples": 16})
    # export: the decoder's point image, latent z (N, latent_dim) -> data units (points: the mean; images:
    # values in [0, 1] as the grids and the explorer show them, see ``_picture``)

    @classmethod
    def derived_terms(cls, values, variant):
        """``elbo`` = -(recon + kl), ``log_px_z`` = -recon, and ``kl_weight`` = (loss - recon) / kl, the weight
        beta x warm-up the loss puts on the KL term now."""
        out = {}
        recon, kl, loss = values.get("recon"), values.get("kl"), values.get("loss")
        if recon is not None and kl is not None:
            out["elbo"] = -(recon + kl)
            out["log_px_z"] = -recon
            if loss is not None and kl > 1e-9:
                out["kl_weight"] = (loss - recon) / kl
        return out

    def export_network(self):
        """The decoder; with the fitted prior, the mixture's draw in front of it: inputs ``z`` (N(0, I)
        noise) and ``u`` (uniform in [0, 1), which picks the component), so the exported network draws the
        samples the app shows."""
        if self.is_text:   # refused before the exporter traces the decoding loop
            raise ExportUnavailable(self.export_limits[("text",)])
        fit = self._fitted_prior()
        if fit is None:
            return super().export_network()
        return MixturePriorToData(self, fit), {"z": torch.randn(2, self.cfg.latent_dim), "u": torch.rand(2)}

    @classmethod
    def size_candidates(cls, spec):
        """Images: MLPs, then a narrow conv net; a latent of 20-32 (the 2-D latent of the defaults is for
        exploring, not for good samples). On MNIST with 30 CPU seconds, 784-400-20 (PyTorch's example VAE's
        shape) reached a Fréchet ratio of 60 where 784-256-16 reached 70.

        Grey images larger than 16x16 take the conv net from a few hundred steps: with the fitted prior it
        learns more per CPU second than the MLPs although each image costs it 2-5 times more (one thread,
        bench/results/images.md round 8): MNIST at 60 s ratio 1.58 against 2.89 (783 steps against 2651),
        at 300 s 0.68 against 1.08-1.15 with 1.273 against 1.375 bits/dim; unseen 28x28 letters at 300 s
        3.54 / 2.97 against 3.12 / 4.23 (two seeds) and 1.22 against 1.35 bits/dim. Colour keeps the MLPs:
        on unseen 32x32 coloured shapes at 300 s the conv net left most of its code unused and drew grey
        discs (ratio 168 against 40). Small images keep them too (cheap, and the conv net was never
        measured better there)."""
        if spec.kind != "image":
            return ()
        conv_steps = 600 if spec.channels == 1 and spec.dim > 256 else 20000
        return (
            SizeCandidate("mlp-400", {"image_net": "mlp", "hidden": 400, "depth": 1, "latent_dim": 20, "prior": "mixture"},
                          {"batch_size": 128, "lr": 1e-3}, steps_needed=1500),
            SizeCandidate("mlp-512", {"image_net": "mlp", "hidden": 512, "depth": 2, "latent_dim": 20, "prior": "mixture"},
                          {"batch_size": 128, "lr": 1e-3}, steps_needed=4000),
            SizeCandidate("conv-16", {"image_net": "conv", "width": 16, "latent_dim": 32, "prior": "mixture"},
                          {"batch_size": 64, "lr": 1e-3}, steps_needed=conv_steps),
        )

    def density_label(self, options):
        return f"log-density bound (importance-weighted, {options.get('samples', self.cfg.iw_samples)} samples)"

    def __init__(self, spec: dict, config: dict, preprocess: dict | None = None):
        super().__init__(spec, config, preprocess)
        c = self.cfg
        k = self.spec.num_classes if self.conditional else 0
        self.n_cond = k
        self.is_text = self.spec.kind == "text"
        if self.is_text:
            text_vae.build(self, c)
            self.sampling_pass = "decoder.head"     # one call per generated character
        elif self.spec.kind == "points":
            d = self.spec.dim
            self.encoder = mlp(d + k, 2 * c.latent_dim, c.hidden, c.depth)
            self.decoder = mlp(c.latent_dim + k, 2 * d, c.hidden, c.depth)
        elif c.image_net == "mlp":
            ch, h, w = self.spec.shape
            self.encoder = nn.Sequential(nn.Flatten(), mlp((ch + k) * h * w, 2 * c.latent_dim, c.hidden, c.depth))
            self.decoder = nn.Sequential(mlp(c.latent_dim + k, 2 * ch * h * w, c.hidden, c.depth),
                                         nn.Unflatten(1, (2 * ch, h, w)))
        else:
            ch, h, w = self.spec.shape
            self.encoder = ConvEncoder(ch + k, (h, w), c.width, 2 * c.latent_dim)
            self.decoder = ConvDecoder(c.latent_dim + k, 2 * ch, (h, w), c.width)
        self.register_buffer("steps_done", torch.zeros((), dtype=torch.long))  # for the KL ramp; checkpointed
        # text draws its codes from the standard normal: its decoder is a loop, not a picture of z
        self.code_mixture = CodeMixture(c.latent_dim) if c.prior == "mixture" and not self.is_text else None
        self.samples_start_from_standard_noise = self.code_mixture is None   # shared noise would not be its samples

    # ---- pieces ------------------------------------------------------------------------------
    def _one_hot(self, labels, n, like):
        return one_hot(labels, self.n_cond, like.dtype) if self.n_cond else None

    def posterior(self, x, labels=None):
        """Mean and log-variance of q(z | x)."""
        if self.n_cond:
            oh = self._one_hot(labels, x.shape[0], x)
            if self.spec.kind == "points":
                x = torch.cat([x, oh], 1)
            else:
                x = torch.cat([x, oh[:, :, None, None].expand(-1, -1, *x.shape[2:])], 1)
        h = self.encoder(x)
        mu, logvar = h.chunk(2, dim=1)
        return mu, logvar.clamp(-12, 8)

    def likelihood_params(self, z, labels=None):
        """Parameters of p(x | z): (mean, log-variance) for points, (mean, log-scale) for images."""
        if self.is_text:   # the decoder reads x too: recon_log_prob runs it
            return z, None
        if self.n_cond:
            z = torch.cat([z, self._one_hot(labels, z.shape[0], z)], 1)
        out = self.decoder(z)
        if self.spec.kind == "points":
            mean, logvar = out.chunk(2, dim=1)
            return mean, MIN_LOGVAR + F.softplus(logvar - MIN_LOGVAR).clamp(max=12)
        ch = self.spec.shape[0]
        mean = out[:, :ch] + 0.5
        log_scale = out[:, ch:].clamp(-7, 2)
        return mean, log_scale

    def kl_ramp(self) -> float | torch.Tensor:
        """Weight of the KL term during the warm-up: 0 at the start, 1 after ``kl_warmup`` of the run.
        A tensor on the model's device while warming up (reading ``steps_done`` back would be a host sync
        every step on a GPU)."""
        frac = self.cfg.kl_warmup
        if frac <= 0:
            return 1.0
        by_steps = (self.steps_done + 1).float() / KL_WARMUP_MAX_STEPS
        return by_steps.clamp(min=self.progress / frac).clamp(max=1.0)

    @classmethod
    def plateau_value(cls, record):
        """recon + kl, the negative ELBO: the KL warm-up makes the loss rise while the model improves (the
        default digits run alarmed at step 1000, loss 67.8 -> 71.2, as the ELBO kept falling)."""
        recon, kl = record.get("recon"), record.get("kl")
        return recon + kl if isinstance(recon, (int, float)) and isinstance(kl, (int, float)) else record.get("loss")

    def loss_settled(self, step: int) -> bool:
        """The warm-up is over: the loss is the whole negative ELBO. ``kl_ramp``'s rule on the host (its
        step count lives on the device, and reading it would sync a GPU)."""
        frac = self.cfg.kl_warmup
        return frac <= 0 or self.progress >= frac or step + 1 >= KL_WARMUP_MAX_STEPS

    def recon_log_prob(self, x, params):
        """log p(x | z) per example, float32."""
        a, b = params
        if self.is_text:
            return self.decoder.log_prob(x, a)
        if self.spec.kind == "points":
            a, b = a.float(), b.float()
            return (-0.5 * (LOG_2PI + b + (x - a) ** 2 / b.exp())).sum(1)
        return discretized_logistic_log_prob(x, a, b, self.spec.levels).flatten(1).sum(1)

    # ---- protocol hooks ------------------------------------------------------------------------
    def _training_step(self, x, y, generator):
        if self.is_text:
            return text_vae.training_step(self, x, generator)
        with self.autocast():
            mu, logvar = self.posterior(x, y)
            if self.code_mixture is not None:
                self.code_mixture.record(mu, logvar.exp())
            z = mu + (0.5 * logvar).exp() * randn(mu.shape, generator, x.device)
            params = self.likelihood_params(z, y)
        recon = -self.recon_log_prob(x, params)
        mu, logvar = mu.float(), logvar.float()
        kl = 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(1)
        beta = self.cfg.beta * self.kl_ramp()
        loss = (recon + beta * kl).mean()
        self.optimizer_step("main", loss)
        self.steps_done += 1
        return {"loss": loss.detach(), "recon": recon.mean().detach(), "kl": kl.mean().detach()}

    def _sample(self, n, generator, labels, **options):
        if self.is_text:
            return text_vae.sample(self, n, generator, **options)
        z = self.prior_latents(n, generator)
        mean, b = self.likelihood_params(z, labels)
        if self.spec.kind == "points":
            if options.get("noise", True):
                return mean + (0.5 * b).exp() * randn(mean.shape, generator, self.device)
            return mean
        return self._picture(mean, b)

    def prior_latents(self, n, generator=None):
        """From the mixture fitted to the codes when there is one (what the samples and the latent
        explorer's random ends start from), else N(0, I)."""
        fit = self._fitted_prior()
        return fit.sample(n, generator, self.device) if fit is not None else super().prior_latents(n, generator)

    def prior_components(self):
        fit = self._fitted_prior()
        if fit is None:
            return super().prior_components()
        return fit.log_w.exp(), fit.means, fit.chol @ fit.chol.transpose(1, 2)

    def _fitted_prior(self):
        """The mixture fitted to the recent codes, or None: the standard normal is the prior."""
        return self.code_mixture.fitted() if self.code_mixture is not None else None

    def _picture(self, mean, log_scale):
        """What an image sample shows: grey images the decoder's per-pixel median (crisp where it is sure:
        Fréchet ratio 32 against 52 for the mean on MNIST after 60 CPU seconds, 13 against 20 on unseen
        letters), colour images its mean (the median of each channel taken alone speckles where the decoder
        is unsure: 2850 against 700 on unseen coloured shapes)."""
        if self.spec.shape[0] == 1:
            return discretized_logistic_median(mean, self.spec.levels)
        return discretized_logistic_mean(mean, log_scale, self.spec.levels)

    def _latent_shape(self):
        return (self.cfg.latent_dim,)

    def _posterior(self, x, labels):
        return self.posterior(x, labels)

    def _encode(self, x, labels, generator, sample: bool = False, **options):
        mu, logvar = self.posterior(x, labels)
        if sample:
            return mu + (0.5 * logvar).exp() * randn(mu.shape, generator, x.device)
        return mu

    def _decode(self, z, labels, **options):
        if self.is_text:
            return self.decoder.greedy(z)
        mean, b = self.likelihood_params(z, labels)
        if self.spec.kind == "points":
            return mean
        return self._picture(mean, b)

    def _log_likelihood(self, x, labels, generator, samples: int | None = None, chunk: int = 0, **options):
        """Importance-weighted bound: log mean_k p(x, z_k) / q(z_k | x), z_k ~ q(z | x)."""
        k_total = samples or self.cfg.iw_samples
        fit = self._fitted_prior()
        mu, logvar = self.posterior(x, labels)
        std = (0.5 * logvar).exp()
        chunk = chunk or max(1, min(k_total, 8192 // max(1, x.shape[0])))
        pieces = []
        done = 0
        while done < k_total:
            check_interrupt()
            k = min(chunk, k_total - done)
            eps = randn((k, *mu.shape), generator, x.device)
            z = (mu + std * eps).reshape(k * x.shape[0], -1)
            lab = labels.repeat(k) if labels is not None else None
            params = self.likelihood_params(z, lab)
            xr = x.repeat(k, *([1] * (x.dim() - 1)))
            log_px_z = self.recon_log_prob(xr, params).view(k, -1)
            log_pz = (fit.log_prob(z).view(k, -1) if fit is not None
                      else (-0.5 * (LOG_2PI + (mu + std * eps) ** 2)).sum(-1))
            log_qz = (-0.5 * (LOG_2PI + logvar + eps ** 2)).sum(-1)
            pieces.append(log_px_z + log_pz - log_qz)
            done += k
        log_w = torch.cat(pieces, 0)
        return torch.logsumexp(log_w, 0) - math.log(k_total)


class MixturePriorToData(nn.Module):
    """(z, u[, labels]) -> data: the fitted mixture's draw (``MixtureDraw``), then the decoder as
    ``LatentToData`` runs it. Exported for a VAE with the fitted prior."""

    def __init__(self, model: VAE, fit):
        super().__init__()
        self.draw = MixtureDraw(fit)
        self.decode = LatentToData(model)

    def forward(self, z, u, labels=None):
        return self.decode(self.draw(u, z), labels)

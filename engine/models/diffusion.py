"""Denoising diffusion (DDPM) with DDIM and ancestral samplers, DDIM inversion and honest likelihoods.

Three parts, as in denoising-diffusion-pytorch: the network (``unet.py``: a residual MLP for points,
a small U-Net for images), the process (``diffusion_process.py``: schedules, samplers, bound terms)
and this module, which trains the network with DDPM's simple loss (a squared error on the noise
``eps`` or on the velocity ``v``) and samples from an EMA copy of its weights.

Defaults that matter (measured, see the family's report): ``v`` prediction and log-normal draws of
the noise level (Karras et al., 2022) instead of DDPM's uniform t. With DDPM's own choices a 2D model
spends thousands of steps on a blurred ring before it resolves the 8 modes of 8gaussians; with these
it resolves them in about a third of the steps. The learning rate runs at twice the run's (EMA
sampling absorbs the extra noise).

Latent: the starting noise x_T, the data's shape. ``encode`` is deterministic DDIM inversion and
``decode`` deterministic DDIM from that noise, both with ``steps`` steps, so the latent explorer can
drag through noise space cheaply. Likelihood: for images, the discrete variational bound with a
discretised-Gaussian decoder over the data's levels (``likelihood_kind = "bound"``); for points, by
default the probability-flow ODE with exact divergence (``"ode"``), or the same bound.

Images are mapped from [0, 1] to [-1, 1] inside the model (Ho et al.'s convention); that map is a
bijection of the grey levels, so the discrete likelihood is unchanged by it.

``objective = "flow-matching"`` trains the same networks by flow matching on the straight path instead
(``diffusion_rectified.py``: x_t = (1 - t) x0 + t x1, t ~ U(0, 1) or logit-normal, target x1 - x0) and
samples with the Euler or Heun ODE solvers; ``ddim`` there is the Euler step exactly and ``ddpm`` the
path's ancestral step. Its likelihood is the exact one of its ODE (points, ``"ode"``); it has no
variational bound, and on images it reports no likelihood (the ODE's exact divergence over every pixel
is out of reach), rather than a number that is not one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from engine.errors import ConfigError
from engine.knobs import knob
from engine.interrupt import check_interrupt
from engine.models.base import (GenerativeModel, InsideView, LatentView, ModelConfig, SizeCandidate, Trajectory, rand,
                                randn)
from engine.models import diffusion_rectified as rectified
from engine.models.diffusion_likelihood import ode_log_likelihood, variational_bound
from engine.models.diffusion_process import (SCHEDULES, NoiseSchedule, ddim_invert_step, heun_step, reverse_step,
                                             split_prediction, step_grid, training_target)
from engine.models.ema import EMA
from engine.models.unet import FlatDenoiser, PointDenoiser, UNet
from engine.i18n import QT_TRANSLATE_NOOP

# Noise-to-signal ratios sigma_bar = sqrt((1 - abar) / abar) that split the training loss into three bands
# (fine detail below 0.5, the data's shape between, mostly noise from 2 on), reported per step.
NOISE_BANDS = (0.5, 2.0)


OBJECTIVES = ("denoising", "flow-matching")
GREY_28_NOISE_MEAN = -0.8    # the image sizes' log-sigma mean for training steps, measured on 28x28 grey ...
GREY_28_DIM = 28 * 28        # ... and shifted for images with more sub-pixels (``image_noise_mean``)


def image_noise_mean(dim: int) -> float:
    """Mean of log sigma for the training steps of an image of ``dim`` sub-pixels: -0.8 up to 28x28 grey,
    plus half the log of how many times more sub-pixels beyond (the resolution shift of Hoogeboom et al.,
    2023, and Esser et al., 2024: neighbouring pixels carry an image redundantly, so the same noise per
    pixel destroys less of a larger image, and training should dwell on noisier steps). 32x32 colour gets
    -0.12: the best of -1.2 / -0.8 / -0.4 / -0.12 on photo patches at 300 s, and better than -0.8 there at
    60 s and on coloured shapes for both seeds (bench/results/images.md, round 13); smaller images keep -0.8."""
    return round(GREY_28_NOISE_MEAN + 0.5 * math.log(max(1.0, dim / GREY_28_DIM)), 2)


@dataclass
class DiffusionConfig(ModelConfig):
    objective: str = knob("denoising", choices=OBJECTIVES,
                          help=QT_TRANSLATE_NOOP("Knob", "denoising: DDPM's loss on the noise chain of the schedule. flow-matching: "
                                                         "rectified flow, the straight path x_t = (1-t) x0 + t noise and its velocity "
                                                         "noise - x0 as the target; samples by an ODE solver in few steps (schedule, "
                                                         "timesteps and prediction are then unused; no variational bound)."))
    prediction: str = knob("v", choices=("eps", "v"),
                           help=QT_TRANSLATE_NOOP("Knob", "What the network predicts: the added noise (eps, DDPM) or the velocity "
                                                          "v = sqrt(abar)*eps - sqrt(1-abar)*x0, whose scale is the same at every noise "
                                                          "level (learns much faster)."))
    schedule: str = knob("linear", choices=SCHEDULES,
                         help=QT_TRANSLATE_NOOP("Knob", "Noise schedule: linear (DDPM's betas 1e-4..0.02 for 1000 steps) or cosine "
                                                        "(Nichol & Dhariwal; destroys information more gently)."))
    timesteps: int = knob(1000, min=2, max=10000, unit=QT_TRANSLATE_NOOP("Knob", "steps"),
                          help=QT_TRANSLATE_NOOP("Knob", "Steps T of the diffusion chain. Training draws t uniformly from 1..T; the "
                                                         "likelihood bound sums T terms."))
    time_sampling: str = knob("log-normal", choices=("log-normal", "uniform"),
                              help=QT_TRANSLATE_NOOP("Knob", "Which steps t training draws. uniform: DDPM's choice. log-normal: the noise-to-"
                                                             "signal ratio sigma is log-normal (Karras et al., 2022), so training dwells on the "
                                                             "noise levels where the data's shape is decided; several times faster to learn."))
    noise_mean: float = knob(-1.2, min=-10.0, max=10.0, advanced=True,
                             help=QT_TRANSLATE_NOOP("Knob", "log-normal sampling: mean of log sigma (sigma = sqrt((1 - abar) / abar))."))
    noise_std: float = knob(1.2, min=0.05, max=10.0, advanced=True,
                            help=QT_TRANSLATE_NOOP("Knob", "log-normal sampling: standard deviation of log sigma."))
    hidden: int = knob(128, min=16, max=4096, unit=QT_TRANSLATE_NOOP("Knob", "units"), help=QT_TRANSLATE_NOOP("Knob", "Width of the denoising MLP (points)."))
    depth: int = knob(4, min=1, max=16, help=QT_TRANSLATE_NOOP("Knob", "Residual blocks of the denoising MLP (points)."))
    width: int = knob(16, min=8, max=512, unit=QT_TRANSLATE_NOOP("Knob", "channels"),
                      help=QT_TRANSLATE_NOOP("Knob", "Channels of the U-Net's first level; doubled at each halving (images)."))
    dropout: float = knob(0.0, min=0.0, max=0.9, help=QT_TRANSLATE_NOOP("Knob", "Dropout inside the U-Net's residual blocks (images)."))
    norm_group: int = knob(1, min=1, max=64, advanced=True, unit=QT_TRANSLATE_NOOP("Knob", "channels"),
                           help=QT_TRANSLATE_NOOP("Knob", "Fewest channels that share a normalisation group in the U-Net "
                                                          "(images). 1 normalises each channel of a narrow level alone, "
                                                          "which erases a shape's colour from its features."))
    lr_scale: float = knob(2.0, min=0.01, max=100.0,
                           help=QT_TRANSLATE_NOOP("Knob", "Learning rate as a multiple of the run's: the EMA weights that sample smooth out "
                                                          "the noise of a higher rate, and a diffusion model's loss is noisy but stable."))
    ema_decay: float = knob(0.999, min=0.0, max=0.99999, live=True,
                            help=QT_TRANSLATE_NOOP("Knob", "Decay of the moving average of the weights that samples and likelihoods use. "
                                                           "Safe to change while training."))
    sampler: str = knob("ddim", choices=rectified.SAMPLERS, live=True,
                        help=QT_TRANSLATE_NOOP("Knob", "ddim: DDIM (deterministic when eta is 0); ddpm: ancestral sampling; euler: the "
                                                       "ODE's Euler step (the same as DDIM with eta 0); heun: Heun's second-order "
                                                       "ODE solver, two network calls a step. All work with any number of steps."))
    sample_steps: int = knob(100, min=1, max=10000, live=True, unit=QT_TRANSLATE_NOOP("Knob", "steps"),
                             help=QT_TRANSLATE_NOOP("Knob", "Denoising steps for samples, encode and decode (at most T)."))
    eta: float = knob(0.0, min=0.0, max=1.0, live=True,
                      help=QT_TRANSLATE_NOOP("Knob", "DDIM's noise level: 0 deterministic, 1 equals ancestral sampling."))
    display_steps: int = knob(0, min=0, max=1000, live=True, unit=QT_TRANSLATE_NOOP("Knob", "steps"),
                              help=QT_TRANSLATE_NOOP("Knob", "Steps of the chosen sampler for the live sample grid and the quality figure "
                                                             "while training, kept cheap. 0 picks: 20 for "
                                                             "points and small images, 8 for images larger than 16x16."))
    likelihood: str = knob("ode", choices=("ode", "bound"),
                           help=QT_TRANSLATE_NOOP("Knob", "Points: the probability-flow ODE likelihood (exact divergence) or the "
                                                          "variational bound. Images always use the bound over their grey levels."))
    ll_timesteps: int = knob(64, min=1, max=10000, unit=QT_TRANSLATE_NOOP("Knob", "timesteps"),
                             help=QT_TRANSLATE_NOOP("Knob", "Monte-Carlo timesteps per example for the variational bound (stratified)."))
    ode_steps: int = knob(48, min=4, max=2000, unit=QT_TRANSLATE_NOOP("Knob", "steps"),
                          help=QT_TRANSLATE_NOOP("Knob", "RK4 steps of the probability-flow ODE likelihood (points)."))
    label_dropout: float = knob(0.1, min=0.0, max=1.0,
                                help=QT_TRANSLATE_NOOP("Knob", "Conditional models: share of training examples whose label is hidden, so "
                                                               "the same network also learns the unconditional model (for guidance)."))
    image_net: str = knob("unet", choices=("unet", "mlp"),
                          help=QT_TRANSLATE_NOOP("Knob", "Images: unet (a U-Net of the given width) or mlp (a residual MLP of the given "
                                                         "hidden width and depth over the flattened image: many times cheaper per image "
                                                         "on a CPU)."))
    guidance: float = knob(1.0, min=0.0, max=20.0, live=True,
                           help=QT_TRANSLATE_NOOP("Knob", "Conditional models: classifier-free guidance scale for samples; 1 is the plain "
                                                          "conditional model, larger values give more typical members of the class."))


class Diffusion(GenerativeModel):
    family = "diffusion"
    capabilities = frozenset({"latent", "encode", "log_likelihood", "trajectory", "score"})
    likelihood_kind = "bound"
    config_class = DiffusionConfig
    data_kind_reasons = {"text": QT_TRANSLATE_NOOP("Family", "it adds and removes Gaussian noise in a continuous space; characters are discrete tokens")}
    title = QT_TRANSLATE_NOOP("Family", "Diffusion model")
    short_name = QT_TRANSLATE_NOOP("Family", "Diffusion")
    reported_terms = ("loss", "loss_low_noise", "loss_mid_noise", "loss_high_noise")   # the bands sum to loss
    formula_knobs = ("objective", "prediction", "time_sampling")
    classify_options = {"timesteps": 16, "ode_steps": 16}
    sampling_pass = "ema.shadow"     # one call per denoising step
    # The latent is x_T, data-shaped noise; every decode is a DDIM run, so the dock previews with a few steps
    # while the pointer moves and refines at rest, in small chunks, with a coarse manifold.
    latent_view = LatentView(caption=QT_TRANSLATE_NOOP("Family", "the starting noise of deterministic DDIM"),
                             symbol="x", random_plane_through_draw=True, grid=4, chunk=4, embed_points=200,
                             embed_every_s=60.0, decode_steps=(4, 25),
                             decode_steps_label=QT_TRANSLATE_NOOP("Family", "DDIM steps: preview"))
    inside_view = InsideView(
        help=QT_TRANSLATE_NOOP("Family", "Heat: density by the probability-flow ODE. Dots: particles denoised from "
                                         "noise (t = T) to data (t = 0); the slider scrubs through time. Arrows: the "
                                         "learned score (where the density of the data blurred by the chosen noise "
                                         "rises; flow matching reads it off its velocity)."),
        density_options={"ode_steps": 12, "timesteps": 16}, density_resolution=32, density_needs_grad=True,
        frames="particles", frame_options={"steps": 40, "sampler": "ddim", "eta": 0.0}, score_arrows=True,
        steps_chart=True)

    @classmethod
    def size_candidates(cls, spec):
        """Images: narrow U-Nets, small batches first. Measured on MNIST with 60 s of one CPU thread (bench/
        results/images.md): a residual MLP denoiser takes 4x the steps per second but cannot remove the noise
        of every pixel (its samples keep a speckle, Fréchet ratio 95-125); a width-8 U-Net at batch 16 drew
        clean strokes at ratio 20 in a third of the steps. Grids took 20 DDIM steps (8 are too few for a young
        model); the likelihood bound uses 16 timesteps per image (unbiased, a wider error bar than 64, and a
        quarter of the cost of an evaluation, which comes out of the budget).

        The width-8 U-Net comes at two batches. Batch 32 draws 1.4x the images per second and better samples
        once it has made a couple of thousand steps: after 300 s, ratios 2.78 (seed 0) and 3.23, 3.38 (seed 1)
        on MNIST against 3.21 and 3.50 at batch 16, and 6.52 against 8.75 on unseen letters, at the same
        bits/dim within 0.05; a small gain on MNIST, a clear one on letters. After 60 s it is behind (6.75
        against 5.50), so a one-minute budget keeps batch 16.

        Every image size trains on noisier steps (``noise_mean`` -0.8 instead of EDM's -1.2; the data is
        scaled to [-1, 1], so its spread is above EDM's 0.5): after 300 s on MNIST, ratios 2.44 (seed 0) and
        2.22 (seed 1) against 2.78 and 3.23 / 3.38, on unseen letters 6.07 against 6.52; after 60 s 5.61
        against 5.50. The bound pays 0.05-0.15 bits/dim at those budgets (it is dominated by the low noise
        levels). The wider sizes had it from the image preset file, which every plan starts from, before it
        was written here: ``unet-16`` after 1800 s on MNIST reached ratio 1.36 at 1.754 bits/dim (the
        target is 1.8; 1.727 at -1.2 in an earlier round). ``unet-32`` was not measured at either. Measured
        again with groups of four and Heun 10 (round 12), -1.2 gains 0.04-0.21 bits/dim everywhere but
        samples worse after 60 s (ratios 4.51 and 6.77 against 3.85 and 3.97) and 1800 s (unet-8-b32 1.51
        against 1.11, unet-16 1.68 against 1.39), so -0.8 stays on 28x28 grey. Images with more sub-pixels
        train on noisier steps still (``image_noise_mean``): on 32x32 colour -0.12 drew smoother, truer
        samples than -0.8 (round 13).

        Grids and readouts take 10 Heun steps (19 network calls, the cost of DDIM's 20): the same trained
        300 s models resampled (two draws of 256) scored 1.37 / 1.40 against 1.65 / 1.88 on MNIST, 4.80 /
        7.91 against 6.20 / 9.96 on unseen letters and 84 / 86 against 85 / 88 on coloured shapes; 25 Heun
        steps were no better than 10, and 50 or 100 stochastic steps no better than DDIM's 20. Samples on
        demand take 50 Heun steps (99 calls, as DDIM's 100 did)."""
        if spec.kind != "image":
            return ()
        # the image preset file holds these model settings too: a plan starts from the file's settings
        common = {"image_net": "unet", "norm_group": 4, "sampler": "heun", "display_steps": 10, "sample_steps": 50,
                  "ll_timesteps": 16, "noise_mean": image_noise_mean(spec.dim)}
        return (
            SizeCandidate("unet-8", {**common, "width": 8}, {"batch_size": 16, "lr": 1e-3}, steps_needed=1000),
            SizeCandidate("unet-8-b32", {**common, "width": 8}, {"batch_size": 32, "lr": 1e-3},
                          steps_needed=2000),
            SizeCandidate("unet-16", {**common, "width": 16}, {"batch_size": 32, "lr": 1e-3},
                          steps_needed=8000),
            SizeCandidate("unet-32", {**common, "width": 32}, {"batch_size": 64, "lr": 5e-4},
                          steps_needed=25000),
        )

    @classmethod
    def likelihood_for(cls, config, kind):
        """Flow matching on images reports no likelihood (see ``__init__``)."""
        return not (config.get("objective") == "flow-matching" and kind == "image")

    @classmethod
    def formula_variant(cls, options):
        """Flow matching regresses on the velocity x1 - x0 whatever ``prediction`` says, and its times are
        drawn in [0, 1]: its page shows "velocity", and "uniform-t" or "logit-normal" for the draws."""
        variant = super().formula_variant(options)
        if variant["objective"] == "flow-matching":
            variant["prediction"] = "velocity"
            variant["time_sampling"] = "uniform-t" if variant["time_sampling"] == "uniform" else "logit-normal"
        return variant

    @classmethod
    def page_values(cls, options):
        """``t_low``, ``t_high``: the first steps of the middle and high noise bands for the run's schedule;
        ``timesteps``: T."""
        opts = options or {}
        schedule = NoiseSchedule(str(opts.get("schedule", "linear")), int(opts.get("timesteps", 1000)))
        edges = schedule.steps_of_sigma_bars(NOISE_BANDS)
        return {"t_low": edges[0], "t_high": edges[1], "timesteps": schedule.T}

    def density_label(self, options):
        if self.flow_matching:
            return f"log-density by the flow-matching ODE ({options.get('ode_steps', self.cfg.ode_steps)} RK4 steps)"
        if self.likelihood_kind == "ode":
            return f"log-density by the probability-flow ODE ({options.get('ode_steps', self.cfg.ode_steps)} RK4 steps)"
        return (f"log-density bound (variational, {options.get('timesteps', self.cfg.ll_timesteps)} "
                "timesteps per point)")

    def export_network(self):
        """The denoising network (x_t, t) -> its prediction (``eps`` or ``v``, as trained), t a float time in
        (0, 1], from the EMA weights samples use. The sampler is a loop over it that the caller runs (the
        chain's length and schedule are choices, not weights)."""
        return Denoiser(self), {"x_t": torch.randn(2, *self.spec.shape), "t": torch.full((2,), 0.5)}

    def __init__(self, spec: dict, config: dict, preprocess: dict | None = None):
        super().__init__(spec, config, preprocess)
        c = self.cfg
        k = self.spec.num_classes if self.conditional else 0
        if self.spec.kind == "points":
            self.net = PointDenoiser(self.spec.dim, c.hidden, c.depth, k)
            if c.likelihood == "ode":
                self.likelihood_kind = "ode"
        elif c.image_net == "mlp":
            self.net = FlatDenoiser(tuple(self.spec.shape), c.hidden, c.depth, k)
        else:
            ch, h, w = self.spec.shape
            self.net = UNet(ch, (h, w), c.width, k, c.dropout, group=c.norm_group)
        self.ema = EMA(self.net, c.ema_decay)
        self.process = NoiseSchedule(c.schedule, c.timesteps)
        self.clip = (-1.0, 1.0) if self.spec.kind == "image" else None
        self._band_edges: tuple[int, int] | None = None
        self.flow_matching = c.objective == "flow-matching"
        if self.flow_matching:
            if c.likelihood == "bound" and self.spec.kind == "points":
                raise ConfigError("model.likelihood", "bound", "'ode' with objective flow-matching: flow matching has "
                                  "no variational bound; its likelihood is the exact one of its ODE")
            if self.spec.kind == "points":
                self.likelihood_kind = "ode"
            else:   # no bound, and the ODE's exact divergence over every pixel is out of reach: no number
                self.capabilities = type(self).capabilities - {"log_likelihood"}
                self.likelihood_kind = None

    # ---- units inside the model ----------------------------------------------------------------------
    def _inside(self, x):
        return x * 2 - 1 if self.spec.kind == "image" else x

    def _outside(self, x, quantize: bool = False):
        if self.spec.kind != "image":
            return x
        x = ((x + 1) / 2).clamp(0, 1)
        if quantize:
            lv = self.spec.levels - 1
            x = torch.round(x * lv) / lv
        return x

    def configure_optimizers(self, lr):
        scale = self.cfg.lr_scale
        self.optimizers = {"main": torch.optim.Adam([{"params": list(self.net.parameters()), "lr_scale": scale}],
                                                    lr=lr * scale)}
        return self.optimizers

    def set_live(self, name, value):
        super().set_live(name, value)
        if name == "ema_decay":
            self.ema.decay = float(value)

    # ---- the network as predictions -------------------------------------------------------------
    def _net_out(self, net, x_t, tau, labels, guidance: float = 1.0):
        with self.autocast():
            if labels is None or guidance == 1.0:
                return net(x_t, tau, labels).float()
            both = net(torch.cat([x_t, x_t]), torch.cat([tau, tau]),
                       torch.cat([labels, torch.full_like(labels, self.spec.num_classes)]))
        cond, uncond = both.float().chunk(2)
        return uncond + guidance * (cond - uncond)

    def predictor(self, labels=None, guidance: float = 1.0, net=None):
        """``predict(x_t, t) -> (eps, x0)`` for integer steps t, from the EMA weights by default."""
        net = net if net is not None else self.ema.shadow

        def predict(x_t, t):
            tau = self.process.tau(t, x_t.shape[0], x_t.device)
            ab = self.process.at(self.process.alpha_bar, t, x_t)
            out = self._net_out(net, x_t, tau, labels, guidance)
            return split_prediction(out, x_t, ab, self.cfg.prediction)
        return predict

    def velocity(self, labels=None, guidance: float = 1.0, net=None, clip=None):
        """Flow matching: ``v(x_t, t)`` for a float time t in [0, 1], from the EMA weights by default, its
        implied data clamped to ``clip``."""
        net = net if net is not None else self.ema.shadow

        def v(x_t, t):
            return self._net_out(net, x_t, torch.full((x_t.shape[0],), float(t), device=x_t.device), labels, guidance)
        return rectified.clipped(v, clip)

    def _score(self, x, labels, noise_var):
        """The learned score of the data smoothed by noise (``score``; annealed Langevin): with y = x_t /
        sqrt(abar_t) = x0 + sigma_bar_t eps, nabla_y log p_t(y) = -eps_hat(x_t, t) / sigma_bar_t, at the
        step whose sigma_bar is nearest the asked level (the mean of ``noise_var``, model units); with
        no noise, the first step, the least smoothed the network knows."""
        c = 2.0 if self.spec.kind == "image" else 1.0          # _inside scales images by 2
        sigma = c * (float(noise_var.double().mean().sqrt()) if noise_var is not None else 0.0)
        if self.flow_matching:
            # y = x0 + sigma x1 is x_t / (1 - t) at t = sigma / (1 + sigma); the noise read off the velocity
            # gives the score -x1_hat / sigma (no noise: sigma 0.01, about the chain's first step)
            sigma = max(sigma, 0.01)
            t = float(rectified.t_of_sigma(sigma))
            with torch.no_grad():
                x_t = (1 - t) * self._inside(x.float())
                _, x1 = rectified.split_velocity(x_t, self.velocity(labels)(x_t, t), t)
            return -c * x1 / sigma
        t = int(self.process.step_of_sigma_bar(torch.tensor([max(sigma, 1e-6)]))[0])
        ab = float(self.process.alpha_bar[t])
        with torch.no_grad():
            y = self._inside(x.float())
            eps, _ = self.predictor(labels)(y * ab ** 0.5, t)
        return -c * eps / ((1 - ab) / ab) ** 0.5

    # ---- training ---------------------------------------------------------------------------------------
    def _training_step(self, x, y, generator):
        if self.flow_matching:
            return self._flow_matching_step(self._inside(x), y, generator)
        x0 = self._inside(x)
        n = x0.shape[0]
        T = self.process.T
        if self.cfg.time_sampling == "uniform":
            t = (rand((n,), generator, x0.device) * T).long().clamp(0, T - 1) + 1
        else:
            log_sigma = self.cfg.noise_mean + self.cfg.noise_std * randn((n,), generator, x0.device)
            t = self.process.step_of_sigma_bar(log_sigma.exp())
        noise = randn(x0.shape, generator, x0.device)
        x_t = self.process.q_sample(x0, t, noise)
        labels = self._hidden_labels(y, generator, n, x0.device)
        ab = self.process.at(self.process.alpha_bar, t, x0)
        with self.autocast():
            out = self.net(x_t, self.process.tau(t, n, x0.device), labels)
        err = (out.float() - training_target(x0, noise, ab, self.cfg.prediction)).pow(2).flatten(1).mean(1)
        loss = err.mean()
        self.optimizer_step("main", loss)
        self.ema.update(self.net)
        low, high = self.noise_band_edges()
        return {"loss": loss.detach(), **self._band_terms(err.detach(), t < low, t >= high)}

    def _hidden_labels(self, y, generator, n, device):
        if y is None or self.cfg.label_dropout <= 0:
            return y
        hide = rand((n,), generator, device) < self.cfg.label_dropout
        return torch.where(hide, torch.full_like(y, self.spec.num_classes), y)

    def _flow_matching_step(self, x0, y, generator):
        """Flow matching: t ~ U(0, 1) (uniform) or logit-normal (log-normal noise-to-signal ratio
        t / (1 - t), the same knobs as the chain's), x_t on the straight path, regression on x1 - x0."""
        n = x0.shape[0]
        if self.cfg.time_sampling == "uniform":
            t = rand((n,), generator, x0.device)
        else:
            sigma = (self.cfg.noise_mean + self.cfg.noise_std * randn((n,), generator, x0.device)).exp()
            t = rectified.t_of_sigma(sigma)
        noise = randn(x0.shape, generator, x0.device)
        tb = t.view(-1, *([1] * (x0.dim() - 1)))
        x_t = rectified.path_point(x0, noise, tb)
        labels = self._hidden_labels(y, generator, n, x0.device)
        with self.autocast():
            out = self.net(x_t, t, labels)
        err = (out.float() - rectified.velocity_target(x0, noise)).pow(2).flatten(1).mean(1)
        loss = err.mean()
        self.optimizer_step("main", loss)
        self.ema.update(self.net)
        low, high = (rectified.t_of_sigma(b) for b in NOISE_BANDS)
        return {"loss": loss.detach(), **self._band_terms(err.detach(), t < low, t >= high)}

    def noise_band_edges(self) -> tuple[int, int]:
        """The steps where the noise-to-signal ratio sigma_bar crosses ``NOISE_BANDS``: a step t is in the
        low band below the first, the high band from the second on."""
        if self._band_edges is None:
            edges = self.process.steps_of_sigma_bars(NOISE_BANDS)
            self._band_edges = (edges[0], edges[1])
        return self._band_edges

    @staticmethod
    def _band_terms(err: torch.Tensor, low: torch.Tensor, high: torch.Tensor) -> dict[str, torch.Tensor]:
        """The loss split by the noise level of each example (the Learn dock's "loss per timestep band"),
        ``low`` and ``high`` marking the examples in the low and high bands: each term is the band's part
        of the batch mean, so the three always add up to ``loss`` and stay finite when a band got no
        example in a batch."""
        n = err.shape[0]
        return {name: (err * mask).sum() / n for name, mask in
                (("loss_low_noise", low), ("loss_mid_noise", ~low & ~high), ("loss_high_noise", high))}

    # ---- sampling -----------------------------------------------------------------------------------------
    def _options(self, steps, sampler, eta, guidance):
        c = self.cfg
        sampler = sampler or c.sampler
        if sampler not in rectified.SAMPLERS:
            raise ValueError(f"sampler must be one of {', '.join(rectified.SAMPLERS)}, got {sampler!r}")
        return (int(steps or c.sample_steps), sampler, float(c.eta if eta is None else eta),
                float(c.guidance if guidance is None else guidance))

    def _denoise(self, x, generator, labels, steps, sampler, eta, guidance, frames=None):
        if self.flow_matching:
            return rectified.integrate(self.velocity(labels, guidance, clip=self.clip), x, steps, sampler, eta,
                                       lambda: randn(x.shape, generator, x.device), frames)
        predict = self.predictor(labels, guidance)
        if sampler == "euler":            # DDIM with eta = 0 is the Euler step of the probability-flow ODE
            sampler, eta = "ddim", 0.0
        grid = step_grid(self.process.T, steps)
        stochastic = sampler == "ddpm" or (sampler == "ddim" and eta > 0)
        for t, s in zip(grid[:-1], grid[1:]):
            check_interrupt()
            noise = randn(x.shape, generator, x.device) if stochastic and s > 0 else None
            if sampler == "heun":
                x = heun_step(self.process, predict, x, t, s, self.clip)
            else:
                x, _ = reverse_step(self.process, predict, x, t, s, sampler, eta, noise, self.clip)
            if frames is not None:
                frames.append((s, x))
        return x

    def _sample(self, n, generator, labels, steps=None, sampler=None, eta=None, guidance=None, **options):
        steps, sampler, eta, guidance = self._options(steps, sampler, eta, guidance)
        x = randn((n, *self.spec.shape), generator, self.device)
        x = self._denoise(x, generator, labels, steps, sampler, eta, guidance)
        return self._outside(x, quantize=True)

    def _trajectory(self, n, generator, labels, steps=None, sampler=None, eta=None, guidance=None, **options):
        """Every intermediate x_t of one sampling run, from pure noise (t = T) to data (t = 0)."""
        steps, sampler, eta, guidance = self._options(steps, sampler, eta, guidance)
        if labels is None:
            labels = self.random_labels(n, generator)
        x = randn((n, *self.spec.shape), generator, self.device)
        frames = [(1.0 if self.flow_matching else self.process.T, x)]
        self._denoise(x, generator, labels, steps, sampler, eta, guidance, frames)
        return Trajectory(kind="diffusion", frames=[self._outside(f, quantize=False) for _, f in frames],
                          labels=[f"t = {t:.3g}" if self.flow_matching else f"t = {t}" for t, _ in frames])

    def step_samplers(self):
        """Flow matching: Euler, Heun and the path's ancestral step; the chain: ancestral DDPM, DDIM and
        Heun (``bench/sampler_steps.py`` charts both side by side)."""
        if self.flow_matching:
            return {"Euler": {"sampler": "euler"}, "Heun": {"sampler": "heun"}, "ancestral": {"sampler": "ddpm"}}
        return {"DDPM ancestral": {"sampler": "ddpm"}, "DDIM": {"sampler": "ddim", "eta": 0.0},
                "Heun": {"sampler": "heun"}}

    def sampler_evaluations(self, options, steps):
        """Heun: two evaluations a step on the straight path; 2 steps - 1 on the chain (its last step is
        Euler's: the network knows no t = 0). The chain's steps are at most T."""
        steps = int(steps) if self.flow_matching else min(int(steps), self.process.T)
        if options.get("sampler") != "heun":
            return steps
        return 2 * steps if self.flow_matching else 2 * steps - 1

    def display_options(self):
        """Few steps of the chosen sampler (the ``sampler`` and ``eta`` knobs reach the grid, the quality
        figure and exports alike; DDIM with eta 0 by default, which at 20 steps beats ancestral sampling:
        bench/results/images.md, round 4)."""
        steps = self.cfg.display_steps
        if not steps:
            steps = 8 if self.spec.kind == "image" and self.spec.dim // self.spec.channels > 256 else 20
        return {"steps": steps, "sampler": self.cfg.sampler, "eta": self.cfg.eta}

    # ---- latent: DDIM inversion and DDIM decoding ------------------------------------------------------
    def _latent_shape(self):
        return tuple(self.spec.shape)

    def _encode(self, x, labels, generator, steps=None, **options):
        if self.flow_matching:
            return rectified.invert(self.velocity(labels), self._inside(x), int(steps or self.cfg.sample_steps))
        predict = self.predictor(labels)
        grid = list(reversed(step_grid(self.process.T, int(steps or self.cfg.sample_steps))))
        z = self._inside(x)
        for s, t in zip(grid[:-1], grid[1:]):
            check_interrupt()
            z = ddim_invert_step(self.process, predict, z, s, t)
        return z

    def _decode(self, z, labels, steps=None, **options):
        x = self._denoise(z.to(self.device).float(), None, labels, int(steps or self.cfg.sample_steps),
                          "ddim", 0.0, 1.0)
        return self._outside(x, quantize=self.spec.kind == "image")

    # ---- likelihood -----------------------------------------------------------------------------------------
    def _log_likelihood(self, x, labels, generator, timesteps=None, ode_steps=None, **options):
        x0 = self._inside(x)
        if self.flow_matching:
            net = self.ema.shadow
            return rectified.ode_log_likelihood(lambda xt, t: self._net_out(net, xt, t, labels), x0,
                                                int(ode_steps or self.cfg.ode_steps))
        if self.likelihood_kind == "ode":
            net = self.ema.shadow

            def eps_at(xt, tau):
                log_ab = self.process.log_alpha_bar(tau.float()).to(xt.dtype).view(-1, *([1] * (xt.dim() - 1)))
                out = self._net_out(net, xt, tau, labels)
                eps, _ = split_prediction(out, xt, log_ab.exp(), self.cfg.prediction)
                return eps
            return ode_log_likelihood(self.process, eps_at, x0, int(ode_steps or self.cfg.ode_steps))
        k = int(timesteps or self.cfg.ll_timesteps)
        levels = self.spec.levels if self.spec.kind == "image" else None
        return -variational_bound(self.process, self.predictor(labels), x0, k, generator, levels, self.clip)


class Denoiser(torch.nn.Module):
    """(x_t, t) -> the diffusion network's prediction, from the EMA weights samples use (what
    ``genlab export`` writes for a diffusion model)."""

    def __init__(self, model: Diffusion):
        super().__init__()
        self.model = model

    def forward(self, x_t, t, labels=None):
        return self.model.ema.shadow(x_t, t, labels).float()

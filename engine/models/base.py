"""The protocol every model family follows, so the loop, the CLI and the window stay family-agnostic.

A family subclasses ``GenerativeModel`` and implements the underscored hooks in *model space*; the
public methods here map to and from *data space* (the units ``genlab data`` exports) through the
run's preprocessing, and add its log-determinant to every likelihood. So no family can forget the
change of units, and a checkpoint alone (``init_args`` + weights) rebuilds a model that samples in
data space.

Capabilities are declared, not guessed: ``capabilities`` names what the family offers, and the
public method of a capability the family lacks raises ``CapabilityError``.

- ``latent``: ``decode`` and ``latent_shape`` (a GAN has these).
- ``encode``: ``encode`` maps data to its latent (VAE encoder, exact flow inverse, DDIM inversion).
- ``log_likelihood``: ``log_likelihood`` in nats per example; ``likelihood_kind`` is "exact",
  "bound", "ode" or "estimate".
- ``trajectory``: ``trajectory`` returns frames for the step-through views (diffusion steps, flow
  layers, autoregressive order).
- ``completion``: ``complete`` fills in the unknown part of an image (autoregressive).
- ``critic``: ``critic`` scores data points (a GAN's discriminator), for the Inside dock's heat map.
- ``posterior``: ``posterior_stats`` gives the mean and standard deviation of q(z | x) (a VAE's encoder).
- ``next_token``: ``next_token`` gives the distribution of the next character after a text prefix
  (and attention weights where the network has them), for text models.
- ``score``: ``score`` gives the gradient of the log-density, nabla_x log p(x) (by autograd through a
  differentiable ``_log_likelihood``, or the family's own ``_score``), optionally of the density smoothed
  by Gaussian noise of a given level, for Langevin sampling (``engine.sampling``).
- ``mixture``: the density is a mixture of Gaussians: ``mixture_components`` gives its weights, means and
  covariances, ``responsibilities`` the posterior of the component for data points (the E-step).

Which kinds of data a family models is declared too: ``data_kinds`` (default points and images), and for
each kind it cannot model, the reason in ``data_kind_reasons`` (``UnsupportedDataError``, ``data_kind_refusal``).

Each family owns its optimisers (a GAN alternates two) and steps them inside ``training_step``
through ``optimizer_step``, which is also where gradient synchronisation for distributed training
and gradient clipping happen, so no family can bypass them.

Everything else the program knows about a family is declared on its class, so one module (registered
in ``engine.models.registry``) is a whole family and no other module names one. The declarations, by
who reads them (defaults in ``GenerativeModel``; each is documented where it is declared below):

- the window's words for it: ``title``, ``short_name``, ``about`` (texts marked with
  ``QT_TRANSLATE_NOOP("Family", ...)``, which the window translates in that context);
- training: ``training_phases`` (the players a single step may update alone: a GAN's "d" and "g"),
  ``ignored_train_knobs`` (training settings it never reads, hidden by the Setup form), ``live_knobs`` (derived from the config's ``knob(live=True)`` fields, never declared);
- the Learn dock (``engine.learn``): ``reported_terms``, ``formula_knobs``, ``term_help`` and the
  class hooks ``derived_terms``, ``page_values``; ``classify_options`` (lighter likelihood settings for
  scoring every class); ``sampling_pass`` (the network, or method, whose calls count sampling steps);
- the Latent dock and its explorer (``engine.latent``): ``latent_view`` (a ``LatentView``);
- "Inside the model" (``engine.latent.inside``): ``inside_view`` (an ``InsideView``) and the hooks
  ``density_label``, ``_critic``/``critic_label`` and ``_posterior``;
- ``genlab export`` (``engine.runs.export_model``): the hook ``export_network``, ``export_unavailable``
  and ``export_limits``.
"""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass
from typing import Callable, ClassVar, NamedTuple

import torch
from torch import nn

from engine.devices import AmpPolicy, amp_policy, device_caps, to_device
from engine.knobs import knob
from engine.data.preprocess import Preprocess
from engine.data.spec import DataSpec
from engine.errors import GenLabError
from engine.i18n import QT_TRANSLATE_NOOP
from engine.models.declarations import InsideView, LatentView, SizeCandidate, Trajectory
from engine.models.draws import _gen_device, noise_shard, one_hot, rand, randn
from engine.models.export_nets import LatentToData

# Re-exported: the families import their declarations and draws from the protocol's module.
__all__ = ["GenerativeModel", "ModelConfig", "Batch", "CapabilityError", "UnsupportedDataError", "ExportUnavailable",
           "InsideView", "LatentView", "SizeCandidate", "Trajectory", "noise_shard", "one_hot", "rand", "randn",
           "CAPABILITIES", "DATA_KINDS", "LIKELIHOOD_KINDS", "INSIDE_FRAMES"]

CAPABILITIES = frozenset({"latent", "encode", "log_likelihood", "trajectory", "completion", "critic", "posterior",
                          "next_token", "mixture", "score"})
DATA_KINDS = ("points", "image", "text")
LIKELIHOOD_KINDS = ("exact", "bound", "ode", "estimate")
# How "Inside the model" draws a family's frames on the plane of 2-D data (``InsideView.frames``), and the
# capability each needs.
INSIDE_FRAMES = {"latent_warp": "latent", "layer_warp": "trajectory", "particles": "trajectory"}


class CapabilityError(GenLabError):
    """A capability was used that the family does not declare (a GAN has no likelihood)."""


class UnsupportedDataError(GenLabError):
    """A family was asked to model a kind of data it does not declare in ``data_kinds``."""


class ExportUnavailable(GenLabError):
    """The family (or this model of it) has no network to export; the message says why."""


class Batch(NamedTuple):
    x: torch.Tensor            # data space
    y: torch.Tensor | None = None


@dataclass
class ModelConfig:
    """Knobs every family has. Family configs subclass this and add their own."""

    conditional: bool = knob(False, help=QT_TRANSLATE_NOOP("Knob", "Condition on class labels when the data has them, so you can ask for 'a 7'."))


class GenerativeModel(nn.Module):
    family: ClassVar[str] = ""                   # the registry's key: "genlab train --model <family>"
    capabilities: ClassVar[frozenset[str]] = frozenset()
    likelihood_kind: ClassVar[str | None] = None
    config_class: ClassVar[type] = ModelConfig
    # Model knobs that may change while training: the config's fields declared ``knob(live=True)``.
    # Derived when the class is made (``__init_subclass__``), never declared, so it cannot disagree.
    live_knobs: ClassVar[tuple[str, ...]] = ()

    # ---- words (marked QT_TRANSLATE_NOOP("Family", ...); the window translates them in that context) ----
    title: ClassVar[str] = ""                    # "Variational autoencoder": the Setup picker, tool tips
    short_name: ClassVar[str] = ""               # "VAE": table headers and sentences ("A GAN has ...")
    about: ClassVar[str] = ""                    # one paragraph, for a Learn page built from declarations

    # ---- data ----------------------------------------------------------------------------------------
    data_kinds: ClassVar[tuple[str, ...]] = ("points", "image")   # kinds of DataSpec this family models
    # kind -> why this family cannot model it (Family context), for the kinds not in ``data_kinds``
    data_kind_reasons: ClassVar[dict[str, str]] = {}

    # ---- training ------------------------------------------------------------------------------------
    # Players that one step may update alone: ``training_step(batch, generator, phase=p)`` for each p here
    # (a GAN: "d" and "g"). The toolbar's Step D / Step G and the loop's single steps read this.
    training_phases: ClassVar[tuple[str, ...]] = ()
    # Training knobs (``TrainConfig`` field names) this family's training never reads, so the Setup form
    # hides them: a closed-form fit or EM has no learning rate, schedule or gradient to clip.
    ignored_train_knobs: ClassVar[tuple[str, ...]] = ()

    # ---- the Learn dock: terms of the formula ------------------------------------------------------------
    reported_terms: ClassVar[tuple[str, ...]] = ("loss",)  # loss terms of a step the formula shows
    formula_knobs: ClassVar[tuple[str, ...]] = ()  # model knobs that choose the formula's version (a GAN's
                                                   # loss); the page's ``<!--if knob=value-->`` blocks
    term_help: ClassVar[dict[str, str]] = {}     # term -> what it is (Family context), for a family with no
                                                 # written page: the Learn dock lists these with their values
    # ``sample`` decodes standard normal latents, so shared noise decoded is its own kind of sample
    samples_start_from_standard_noise: ClassVar[bool] = True
    classify_options: ClassVar[dict] = {}        # ``log_likelihood`` options for scoring every class of
                                                 # every test example (lighter than the held-out evaluation)
    # The module (a dotted path, ``get_submodule``) or method (of the model or a module: "head.logits_at")
    # whose one call is one sequential pass of the generating network: "steps to sample" counts its calls.
    sampling_pass: ClassVar[str] = ""
    # Why the family computes on the CPU in float64 whatever device the run asks for ("": any device, float32).
    # For closed-form fits (covariances, Cholesky factors, log-sum-exp over every training point) that need
    # float64, which Apple's MPS lacks; the loop then trains them on the CPU and says so in the run's log.
    host_float64: ClassVar[str] = ""

    # ---- the Latent dock and "Inside the model" ----------------------------------------------------------
    latent_view: ClassVar[LatentView] = LatentView()
    inside_view: ClassVar[InsideView] = InsideView()

    # ---- genlab export ------------------------------------------------------------------------------------
    export_unavailable: ClassVar[str] = ""       # why the family has nothing to export ("" when it has)
    # Known limits of the exporters: (data kind,) blocks both formats, (data kind, "onnx" or "pt2") one -> why.
    export_limits: ClassVar[dict[tuple[str, ...], str]] = {}

    @classmethod
    def size_candidates(cls, spec: DataSpec) -> tuple[SizeCandidate, ...]:
        """Network sizes worth training on data of ``spec``, small to large (``engine.presets`` picks one
        for the budget and the machine). Empty: the family's defaults and its preset file only."""
        return ()

    def __init_subclass__(cls, **kwargs):
        """Check a family's declarations when its class is made, and derive ``live_knobs``."""
        super().__init_subclass__(**kwargs)
        if "live_knobs" in cls.__dict__:
            raise TypeError(f"{cls.__name__}: declare live knobs with knob(live=True) in its config, "
                            "not with live_knobs")
        cls.live_knobs = tuple(f.name for f in dataclasses.fields(cls.config_class) if f.metadata.get("live"))
        unknown = set(cls.capabilities) - CAPABILITIES
        if unknown:
            raise TypeError(f"{cls.__name__}: unknown capabilities {sorted(unknown)}; known: {sorted(CAPABILITIES)}")
        unknown_kinds = set(cls.data_kinds) - set(DATA_KINDS)
        if unknown_kinds:
            raise TypeError(f"{cls.__name__}: unknown data kinds {sorted(unknown_kinds)}; known: {list(DATA_KINDS)}")
        if cls.inside_view.knob and cls.inside_view.knob not in cls.live_knobs:
            raise TypeError(f"{cls.__name__}: inside_view.knob={cls.inside_view.knob!r} must be a live knob of "
                            f"{cls.config_class.__name__}")
        if cls.inside_view.score_arrows and "score" not in cls.capabilities:
            raise TypeError(f"{cls.__name__}: inside_view.score_arrows needs the 'score' capability")
        frames = cls.inside_view.frames
        if frames is not None and INSIDE_FRAMES.get(frames) not in cls.capabilities:
            raise TypeError(f"{cls.__name__}: inside_view.frames={frames!r} needs one of {sorted(INSIDE_FRAMES)} "
                            "and the capability it names")

    def __init__(self, spec: dict, config: dict, preprocess: dict | None = None):
        super().__init__()
        # Plain JSON-able construction arguments: a checkpoint carries them and rebuilds the model.
        self.init_args = {"spec": dict(spec), "config": dict(config),
                          "preprocess": dict(preprocess or Preprocess().to_dict())}
        self.spec = DataSpec.from_dict(spec)
        refusal = self.data_kind_refusal(self.spec.kind)
        if refusal:
            raise UnsupportedDataError(refusal)
        self.cfg = self.config_class(**config)
        pre = Preprocess.from_dict(self.init_args["preprocess"])
        self.pre_kind = pre.kind
        self.register_buffer("pre_shift", torch.tensor(pre.mean or [0.0], dtype=torch.float32))
        self.register_buffer("pre_scale", torch.tensor(pre.std or [1.0], dtype=torch.float32))
        self.pre_log_det = pre.log_det
        self.optimizers: dict[str, torch.optim.Optimizer] = {}
        self.grad_clip = 0.0
        self.amp: AmpPolicy | bool = False   # the run's mixed precision (engine.devices.amp_policy)
        self._scalers: dict[str, torch.amp.GradScaler] = {}
        self.grad_sync: Callable[[list[torch.Tensor]], None] | None = None
        # The total gradient norm of each optimiser's last step ("grad_norm_<name>"), before clipping:
        # ``optimizer_step`` computes it for clipping anyway; the loop averages and logs it.
        self.grad_norms: dict[str, torch.Tensor] = {}
        # How far the run is (0..1, by steps or time), set by the loop before every step, so a
        # family can schedule within the run (the VAE's KL warm-up) without knowing its length.
        self.progress = 0.0

    # ---- units -----------------------------------------------------------------------------
    def to_model(self, x: torch.Tensor) -> torch.Tensor:
        if self.pre_kind == "none":
            return x
        return (x - self.pre_shift) / self.pre_scale

    def to_data(self, z: torch.Tensor) -> torch.Tensor:
        if self.pre_kind == "none":
            return z
        return z * self.pre_scale + self.pre_shift

    @classmethod
    def likelihood_for(cls, config: dict, kind: str) -> bool:
        """Whether a model built with ``config`` on ``kind`` data has ``log_likelihood`` (without building it)."""
        return "log_likelihood" in cls.capabilities

    @classmethod
    def data_kind_refusal(cls, kind: str) -> str:
        """Why this family cannot model ``kind`` data ("" when it can): one line for the CLI and the
        window's tool tip."""
        if kind in cls.data_kinds:
            return ""
        reason = cls.data_kind_reasons.get(kind) or f"it models {' and '.join(cls.data_kinds)} data only"
        return f"{cls.title or cls.family} cannot model {kind} data: {reason}"

    @property
    def conditional(self) -> bool:
        return bool(getattr(self.cfg, "conditional", False)) and self.spec.num_classes > 0

    @property
    def device(self) -> torch.device:
        return self.pre_shift.device

    def has(self, capability: str) -> bool:
        return capability in self.capabilities

    def _require(self, capability: str):
        if capability not in self.capabilities:
            raise CapabilityError(f"the {self.family} family has no {capability.replace('_', ' ')}")

    def random_labels(self, n: int, generator: torch.Generator | None) -> torch.Tensor | None:
        if not self.conditional:
            return None
        # drawn where the generator lives (a CPU generator serves an MPS model), used where the model is
        return to_device(torch.randint(0, self.spec.num_classes, (n,), generator=generator,
                                       device=_gen_device(generator, self.device)), self.device)

    # ---- optimisation ------------------------------------------------------------------------
    def configure_optimizers(self, lr: float) -> dict[str, torch.optim.Optimizer]:
        """Default: one Adam over every trainable parameter. Families with several override this."""
        params = [p for p in self.parameters() if p.requires_grad]
        self.optimizers = {"main": torch.optim.Adam(params, lr=lr)}
        return self.optimizers

    def set_lr(self, lr: float) -> None:
        """Live learning-rate change; a group keeps its ratio to the base rate (``lr_scale``)."""
        for opt in self.optimizers.values():
            for group in opt.param_groups:
                group["lr"] = lr * group.get("lr_scale", 1.0)

    def set_live(self, name: str, value) -> None:
        """Change a model knob declared in ``live_knobs`` while training runs."""
        if name not in self.live_knobs:
            raise KeyError(name)
        self.cfg = dataclasses.replace(self.cfg, **{name: value})
        self.init_args["config"][name] = value

    def optimizer_step(self, name: str, loss: torch.Tensor) -> None:
        """Backward, synchronise (distributed), clip and step one of this family's optimisers."""
        opt = self.optimizers[name]
        opt.zero_grad(set_to_none=True)
        scaler = self._scaler(name)
        (scaler.scale(loss) if scaler is not None else loss).backward()
        params = [p for g in opt.param_groups for p in g["params"] if p.grad is not None]
        if self.grad_sync is not None:
            self.grad_sync(params)
        if scaler is not None:
            scaler.unscale_(opt)   # gradients in true units for clipping and for the logged norm
        if self.grad_clip > 0:
            norm = torch.nn.utils.clip_grad_norm_(params, self.grad_clip)
        else:
            norm = _total_norm([p.grad for p in params]) if params else None
        if norm is not None:  # the norm before clipping, kept on the device (no wait): the loop logs it
            self.grad_norms[f"grad_norm_{name}"] = norm.detach()
        if scaler is not None:
            scaler.step(opt)     # skips the step when a gradient overflowed (one flag read per step)
            scaler.update()
        else:
            opt.step()

    def _scaler(self, name: str) -> torch.amp.GradScaler | None:
        """The fp16 gradient scaler of one optimiser, when the run's policy asks for one (one per
        optimiser: a GAN's players overflow independently). Not checkpointed: a resumed run's scale
        re-learns within a few steps."""
        if not (isinstance(self.amp, AmpPolicy) and self.amp.scaler):
            return None
        if name not in self._scalers:
            self._scalers[name] = torch.amp.GradScaler(self.device.type)
        return self._scalers[name]

    def amp_dtype(self) -> torch.dtype | None:
        """The autocast dtype on this model's device, or None: the run's ``AmpPolicy`` (a bare True, from
        a script, asks the device's policy), on CUDA only (``engine.devices``)."""
        amp = self.amp
        if isinstance(amp, bool):
            amp = amp_policy(device_caps(self.device), amp) if amp else AmpPolicy()
        return amp.dtype if amp.enabled and self.device.type == "cuda" else None

    def autocast(self):
        """Mixed precision on CUDA only; keep log-determinants and log-softmax in float32."""
        dtype = self.amp_dtype()
        if dtype is not None:
            return torch.autocast("cuda", dtype=dtype)
        return contextlib.nullcontext()

    # ---- the protocol (public, data space) ----------------------------------------------------
    def training_step(self, batch: Batch, generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
        """One optimisation step; returns detached scalar loss terms, always including ``loss``."""
        if not self.training:
            self.train()
        return self._training_step(self.to_model(batch.x), batch.y if self.conditional else None, generator)

    def sample(self, n: int, generator: torch.Generator | None = None, labels: torch.Tensor | None = None,
               **options) -> torch.Tensor:
        self.eval()
        with torch.inference_mode():
            if labels is None:
                labels = self.random_labels(n, generator)
            elif not self.conditional:
                raise CapabilityError("this model was not trained with labels; train it with model.conditional=true")
            return self.to_data(self._sample(n, generator, labels, **options)).float()

    def log_likelihood(self, x: torch.Tensor, labels: torch.Tensor | None = None,
                       generator: torch.Generator | None = None, **options) -> torch.Tensor:
        """log p(x) in nats per example, in data units (an exact value or a bound: ``likelihood_kind``)."""
        self._require("log_likelihood")
        self.eval()
        with torch.no_grad():
            ll = self._log_likelihood(self.to_model(x), labels if self.conditional else None, generator, **options)
        return ll.float() + self.pre_log_det   # float32 on the device (no float64 on MPS: engine.devices)

    def latent_shape(self) -> tuple[int, ...]:
        self._require("latent")
        return self._latent_shape()

    def prior_latents(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` latents from the prior the samples start from: N(0, I) unless the family fits its own."""
        return randn((n, *self.latent_shape()), generator, self.device)

    def prior_components(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """That prior as Gaussians, (weights (K,), means (K, d), covariances (K, d, d)) on the CPU."""
        d = torch.Size(self.latent_shape()).numel()
        return torch.ones(1), torch.zeros(1, d), torch.eye(d)[None]

    def encode(self, x: torch.Tensor, labels: torch.Tensor | None = None,
               generator: torch.Generator | None = None, **options) -> torch.Tensor:
        self._require("encode")
        self.eval()
        with torch.inference_mode():
            return self._encode(self.to_model(x), labels if self.conditional else None, generator, **options)

    def decode(self, z: torch.Tensor, labels: torch.Tensor | None = None, **options) -> torch.Tensor:
        self._require("latent")
        self.eval()
        with torch.inference_mode():
            if labels is None and self.conditional:
                labels = torch.zeros(z.shape[0], dtype=torch.long, device=z.device)
            return self.to_data(self._decode(z, labels if self.conditional else None, **options)).float()

    def trajectory(self, n: int, generator: torch.Generator | None = None, labels=None, **options) -> Trajectory:
        self._require("trajectory")
        self.eval()
        with torch.inference_mode():
            traj = self._trajectory(n, generator, labels, **options)
        traj.frames = [self.to_data(f).float() for f in traj.frames]
        return traj

    def complete(self, x: torch.Tensor, known: torch.Tensor, generator: torch.Generator | None = None,
                 labels=None, **options) -> torch.Tensor:
        """Fill the positions where ``known`` is False, keeping the rest of ``x``."""
        self._require("completion")
        self.eval()
        with torch.inference_mode():
            return self.to_data(self._complete(self.to_model(x), known, generator, labels, **options)).float()

    def next_token(self, prefix: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Text: log-probabilities (n, vocab size) of the token after each row of ``prefix`` ((n, p)
        integer tokens, p may be 0), and attention weights over the prefix where the network has them."""
        self._require("next_token")
        self.eval()
        with torch.inference_mode():
            log_probs, attention = self._next_token(prefix.long().to(self.device))
        return log_probs.float(), None if attention is None else attention.float()

    def critic(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """The family's critic on data points (one score each), as ``critic_label`` describes them."""
        self._require("critic")
        self.eval()
        with torch.inference_mode():
            return self._critic(self.to_model(x), labels if self.conditional else None).float()

    def posterior_stats(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and standard deviation of q(z | x) for data points, each (n, latent size)."""
        self._require("posterior")
        self.eval()
        with torch.inference_mode():
            mean, log_var = self._posterior(self.to_model(x), labels if self.conditional else None)
        return mean.float(), (0.5 * log_var.float()).exp()

    def mixture_components(self, label: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Weights (K,), means (K, D) and covariances (K, D, D) of the mixture (of class ``label`` for a
        conditional model), in data units."""
        self._require("mixture")
        with torch.no_grad():
            w, mean, cov = self._components(int(label) if self.conditional else 0)
        scale = self.pre_scale.double() if self.pre_kind != "none" else torch.ones(1, dtype=torch.float64,
                                                                                     device=self.device)
        scale = scale.expand(mean.shape[-1]) if scale.numel() == 1 else scale
        mean = self.to_data(mean.double())
        cov = cov.double() * scale[:, None] * scale[None, :]
        return w.double(), mean, cov

    def score(self, x: torch.Tensor, labels: torch.Tensor | None = None, noise: float = 0.0) -> torch.Tensor:
        """nabla_x log p(x) in data units, (n, *shape); with ``noise`` > 0 (data units), the score of p
        smoothed by N(0, noise^2 I) where the family knows it (annealed Langevin), else of p itself."""
        self._require("score")
        self.eval()
        scale = self.pre_scale if self.pre_kind != "none" else None
        with torch.inference_mode(False), torch.enable_grad():
            z = self.to_model(x.clone()).detach()
            # N(0, noise^2 I) in data units is N(0, diag(noise^2 / scale^2)) in model units
            var = None
            if noise > 0:
                var = torch.full((int(z[0].numel()),), float(noise) ** 2, dtype=torch.float64, device=z.device)
                if scale is not None:
                    var = var / scale.double().expand(var.shape) ** 2
            s = self._score(z, labels if self.conditional else None, var)
        return (s / scale if scale is not None else s).detach().float()

    def responsibilities(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """The posterior of the component for data points, (n, K) (the E-step)."""
        self._require("mixture")
        self.eval()
        with torch.inference_mode():
            return self._responsibilities(self.to_model(x), labels if self.conditional else None).float()

    # ---- hooks (model space) --------------------------------------------------------------------
    def _training_step(self, x, y, generator) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    def _sample(self, n, generator, labels, **options) -> torch.Tensor:
        raise NotImplementedError

    def _log_likelihood(self, x, labels, generator, **options) -> torch.Tensor:
        raise NotImplementedError

    def _latent_shape(self) -> tuple[int, ...]:
        raise NotImplementedError

    def _encode(self, x, labels, generator, **options) -> torch.Tensor:
        raise NotImplementedError

    def _decode(self, z, labels, **options) -> torch.Tensor:
        raise NotImplementedError

    def _trajectory(self, n, generator, labels, **options) -> Trajectory:
        raise NotImplementedError

    def _complete(self, x, known, generator, labels, **options) -> torch.Tensor:
        raise NotImplementedError

    def step_samplers(self) -> dict[str, dict]:
        """Samplers whose number of steps is the person's choice, for charts of quality against steps:
        a name for the chart's legend -> ``sample`` options (``steps`` added by the caller). {}: none."""
        return {}

    def sampler_evaluations(self, options: dict, steps: int) -> int:
        """Network evaluations per sample of ``sample(steps=steps, **options)`` (a second-order solver
        evaluates twice a step)."""
        return int(steps)

    @classmethod
    def plateau_value(cls, record: dict):
        """What the loss-plateau detector follows in a training record: the loss, or a term its schedule
        leaves comparable over the run where a family's schedule changes what the loss weighs."""
        return record.get("loss")

    def loss_settled(self, step: int) -> bool:
        """False while the family's own schedule changes what its reported loss weighs at training step
        ``step`` (a VAE's KL warm-up raises the loss on purpose): the loop's divergence guard waits until
        it is True. Called once per loss report; must not read the device."""
        return True

    def display_options(self) -> dict:
        """Options for the window's live samples, which must stay cheap (at most ~10% of training time):
        a diffusion model returns few DDIM steps here, for example. ``sample(**display_options())``."""
        return {}

    def _critic(self, x, labels) -> torch.Tensor:
        raise NotImplementedError

    def _next_token(self, prefix) -> tuple[torch.Tensor, torch.Tensor | None]:
        raise NotImplementedError

    def _posterior(self, x, labels) -> tuple[torch.Tensor, torch.Tensor]:
        """(mean, log-variance) of q(z | x) for model-space ``x``."""
        raise NotImplementedError

    def _score(self, x, labels, noise_var: torch.Tensor | None) -> torch.Tensor:
        """nabla of log p at model-space ``x``: by default autograd through ``_log_likelihood`` (a family
        whose density is differentiable; the smoothing ``noise_var``, per dimension in model units, is
        ignored unless the family overrides this)."""
        x = x.detach().requires_grad_(True)
        ll = self._log_likelihood(x, labels, None)
        (grad,) = torch.autograd.grad(ll.sum(), x)
        return grad

    def _components(self, row: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(weights, means, covariances) of the mixture of class row ``row`` (0 when unconditional), model space."""
        raise NotImplementedError

    def _responsibilities(self, x, labels) -> torch.Tensor:
        raise NotImplementedError

    # ---- what the window says about this model -----------------------------------------------------------
    def density_label(self, options: dict) -> str:
        """What ``log_likelihood(x, **options)`` values are, for a heat map's caption. Families whose
        estimator has settings worth naming (samples, steps) say them."""
        return {"exact": "exact log-density", "bound": "log-density bound", "ode": "log-density by an ODE",
                "estimate": "log-density estimate"}.get(self.likelihood_kind or "", "log-density")

    def critic_label(self) -> str:
        """What ``critic`` values are, for a heat map's caption."""
        return "critic score (higher: more real)"

    # ---- the Learn dock's numbers (class hooks: they need no model, only a step's losses) --------------
    @classmethod
    def formula_variant(cls, options: dict | None) -> dict[str, str]:
        """Which version of the formula a run with these model settings trains with: ``formula_knobs``
        with their values (the config's defaults where ``options`` lacks them)."""
        defaults = {f.name: f.default for f in dataclasses.fields(cls.config_class)}
        opts = options or {}
        return {name: str(opts.get(name, defaults[name])) for name in cls.formula_knobs}

    @classmethod
    def derived_terms(cls, values: dict[str, float], variant: dict[str, str]) -> dict[str, float]:
        """Numbers the formula shows that follow from the reported ``values`` by exact arithmetic (an
        ELBO from its two terms), never estimated again; ``variant`` is ``formula_variant``'s."""
        return {}

    @classmethod
    def page_values(cls, options: dict | None) -> dict[str, int | float]:
        """Numbers the formula shows that follow from the model settings alone (diffusion's noise bands).
        Integers are shown as counts."""
        return {}

    # ---- genlab export -------------------------------------------------------------------------------------
    def export_network(self) -> tuple[nn.Module, dict[str, torch.Tensor]]:
        """The network ``genlab export`` writes, as a module of plain tensors, and an example of each of its
        inputs by name (batch 2; the exporter makes the batch dimension dynamic and adds ``labels`` for a
        conditional model). Default: the latent decoded to data units (``LatentToData``). Raises
        ``ExportUnavailable`` with the reason when there is nothing to export."""
        if self.export_unavailable:
            raise ExportUnavailable(self.export_unavailable)
        if not self.has("latent"):
            raise ExportUnavailable("it has no latent to decode and defines no network to export")
        return LatentToData(self), {"z": torch.randn(2, *self.latent_shape())}

    # ---- snapshots -------------------------------------------------------------------------------
    def display_state(self) -> dict[str, torch.Tensor]:
        """Weights a snapshot carries (all of them: EMA copies live inside the module)."""
        return self.state_dict()


def _total_norm(grads: list[torch.Tensor]) -> torch.Tensor:
    """The 2-norm of all gradients together, as ``clip_grad_norm_`` measures it (without clipping).
    Not ``torch.nn.utils.get_total_norm``: it moves every per-tensor norm with a blocking ``.to(device)``,
    which the host-sync audit (tests/engine/test_device_audit.py) counts; a model's gradients share one
    device, so the norms stack where they are."""
    return torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g.float()) for g in grads]))

"""Which families exist and where each lives; imported lazily so a missing one is a clear error.

Each family is one module defining ``<Family>Config`` and the model class, which declares everything
the rest of the program knows about it (``engine.models.base``). The built-in families are the table
below: adding one is a line here. ``register_family`` adds one at run time (a plugin, or a test that
defines its own); every list of families in the program (the CLI's ``--model`` choices, the window's
family picker, the Learn dock's comparison, config validation) comes from ``families()``.

Nothing here imports PyTorch: ``genlab --help`` reads the names and must answer at once. The family
modules are imported on first use of a family.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
from typing import TYPE_CHECKING

from engine.errors import UnknownFamilyError

if TYPE_CHECKING:  # the registry is read by ``genlab --help``, which must not import PyTorch
    from engine.data.spec import DataSpec

FAMILY_MODULES = {  # the built-in families: key -> (module, model class, config class)
    "vae": ("engine.models.vae", "VAE", "VAEConfig"),
    "gan": ("engine.models.gan", "GAN", "GANConfig"),
    "ar": ("engine.models.ar", "Autoregressive", "ARConfig"),
    "flow": ("engine.models.flow", "Flow", "FlowConfig"),
    "diffusion": ("engine.models.diffusion", "Diffusion", "DiffusionConfig"),
    # the classical baselines (engine.models.classical): closed form, EM, kernels
    "gaussian": ("engine.models.gaussian", "Gaussian", "GaussianConfig"),
    "gmm": ("engine.models.gmm", "GMM", "GMMConfig"),
    "kde": ("engine.models.kde", "KDE", "KDEConfig"),
}
DEFAULT_FAMILY = "vae"   # what a config without a family trains

_registered: dict[str, tuple[str, str, str]] = {}   # families added by register_family, in order
_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


def families() -> list[str]:
    """Every family key: the built-in ones, then the registered ones (whether or not they import)."""
    return list(FAMILY_MODULES) + [f for f in _registered if f not in FAMILY_MODULES]


def register_family(family: str, module: str, model_class: str, config_class: str) -> None:
    """Add a family at run time: ``module`` (imported on first use) defines ``model_class`` (a
    ``GenerativeModel`` whose ``family`` is ``family``) and ``config_class``. The key must be new, lower
    case, and at most 32 letters, digits, ``-`` or ``_`` (it names run folders and resource files)."""
    if not isinstance(family, str) or not _KEY.match(family):
        raise ValueError(f"a family key is 1-32 lower-case letters, digits, '-' or '_' starting with a "
                         f"letter, not {family!r}")
    if family in FAMILY_MODULES or family in _registered:
        raise ValueError(f"the family '{family}' is already registered")
    for name, value in (("module", module), ("model_class", model_class), ("config_class", config_class)):
        if not isinstance(value, str) or not value:
            raise ValueError(f"register_family: {name} must be a name, not {value!r}")
    _registered[family] = (module, model_class, config_class)


def registrations() -> dict[str, tuple[str, str, str]]:
    """The families added by ``register_family`` (key -> module, model class, config class), so another
    process (the window's training process) can register the same ones."""
    return dict(_registered)


def unregister_family(family: str) -> None:
    """Remove a family added by ``register_family`` (the built-in ones stay)."""
    if family in FAMILY_MODULES:
        raise ValueError(f"the built-in family '{family}' cannot be removed")
    _registered.pop(family, None)


def _entry(family: str) -> tuple[str, str, str]:
    entry = FAMILY_MODULES.get(family) or _registered.get(family)
    if entry is None:
        raise UnknownFamilyError(f"unknown model family '{family}'; known: {', '.join(families())}")
    return entry


def _module(family: str):
    name = _entry(family)[0]
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name == name:
            raise UnknownFamilyError(f"the '{family}' family is not available in this version of GenLab") from None
        raise


def available_families() -> list[str]:
    """The families whose module imports (a build may leave one out)."""
    out = []
    for family in families():
        try:
            _module(family)
        except UnknownFamilyError:
            continue
        out.append(family)
    return out


def model_class(family: str):
    cls = getattr(_module(family), _entry(family)[1])
    if getattr(cls, "family", None) != family:
        raise UnknownFamilyError(f"the class registered for the '{family}' family declares family "
                                 f"{getattr(cls, 'family', None)!r}")
    return cls


def config_class(family: str):
    entry = _entry(family)
    try:
        return getattr(_module(family), entry[2])
    except UnknownFamilyError:
        # lazy: engine.models.base loads PyTorch, and genlab --help and the window's first paint read this registry
        from engine.models.base import ModelConfig
        return ModelConfig


def build_model(family: str, spec: "DataSpec", model_config, preprocess: dict | None = None):
    """A fresh model for ``spec`` from a family config dataclass (or a plain dict of it)."""
    cfg = dataclasses.asdict(model_config) if dataclasses.is_dataclass(model_config) else dict(model_config)
    return model_from_init_args(family, {"spec": spec.to_dict(), "config": cfg, "preprocess": preprocess})


def model_from_init_args(family: str, init_args: dict):
    """Rebuild a model from the construction arguments a checkpoint carries. Sized on the meta device
    first: a model the machine cannot hold is refused before it is built (``size_guard``)."""
    # lazy: the size guard loads PyTorch; the registry is read by ``genlab --help``, which must not
    from engine.models.size_guard import check_fits
    cls = model_class(family)
    check_fits(cls, init_args, "model settings")
    return cls(init_args["spec"], init_args["config"], init_args.get("preprocess"))

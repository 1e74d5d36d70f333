"""Which families exist and where each lives; imported lazily so a missing one is a clear error.

Each family is one module under ``engine/models`` defining ``<Family>Config`` and the model class.
Adding a family is one line here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from engine.errors import UnknownFamilyError
from engine.i18n import QT_TRANSLATE_NOOP

if TYPE_CHECKING:  # the registry is read by ``genlab --help``, which must not import PyTorch
    from engine.data.spec import DataSpec

FAMILY_MODULES = {
    "vae": ("engine.models.vae", "VAE", "VAEConfig"),
    "gan": ("engine.models.gan", "GAN", "GANConfig"),
    "ar": ("engine.models.ar", "Autoregressive", "ARConfig"),
    "flow": ("engine.models.flow", "Flow", "FlowConfig"),
    "diffusion": ("engine.models.diffusion", "Diffusion", "DiffusionConfig"),
}

FAMILY_TITLES = {  # marked for the window's translation (engine.i18n)
    "vae": QT_TRANSLATE_NOOP("engine", "Variational autoencoder"),
    "gan": QT_TRANSLATE_NOOP("engine", "Generative adversarial network"),
    "ar": QT_TRANSLATE_NOOP("engine", "Autoregressive transformer"),
    "flow": QT_TRANSLATE_NOOP("engine", "Normalizing flow"),
    "diffusion": QT_TRANSLATE_NOOP("engine", "Diffusion model"),
}


def _module(family: str):
    if family not in FAMILY_MODULES:
        raise UnknownFamilyError(f"unknown model family '{family}'; known: {', '.join(FAMILY_MODULES)}")
    name = FAMILY_MODULES[family][0]
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name == name:
            raise UnknownFamilyError(f"the '{family}' family is not available in this version of GenLab") from None
        raise


def available_families() -> list[str]:
    out = []
    for family in FAMILY_MODULES:
        try:
            _module(family)
        except UnknownFamilyError:
            continue
        out.append(family)
    return out


def model_class(family: str):
    return getattr(_module(family), FAMILY_MODULES[family][1])


def config_class(family: str):
    if family not in FAMILY_MODULES:
        raise UnknownFamilyError(f"unknown model family '{family}'; known: {', '.join(FAMILY_MODULES)}")
    try:
        return getattr(_module(family), FAMILY_MODULES[family][2])
    except UnknownFamilyError:
        from engine.models.base import ModelConfig
        return ModelConfig


def build_model(family: str, spec: "DataSpec", model_config, preprocess: dict | None = None):
    """A fresh model for ``spec`` from a family config dataclass (or a plain dict of it)."""
    import dataclasses
    cfg = dataclasses.asdict(model_config) if dataclasses.is_dataclass(model_config) else dict(model_config)
    return model_from_init_args(family, {"spec": spec.to_dict(), "config": cfg, "preprocess": preprocess})


def model_from_init_args(family: str, init_args: dict):
    """Rebuild a model from the construction arguments a checkpoint carries. Sized on the meta device
    first: a model the machine cannot hold is refused before it is built (``size_guard``)."""
    from engine.models.size_guard import check_fits
    check_fits(family, init_args, "model settings")
    return model_class(family)(init_args["spec"], init_args["config"], init_args.get("preprocess"))

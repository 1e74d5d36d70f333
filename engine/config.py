"""Run configuration: one dataclass per concern, JSON round trip, validation with clear messages.

Every setting is a knob (``engine.knobs``), declared once with its range, unit, help text and whether
it may change while training runs (``live``). The CLI's ``--set``, the window's generated form and the
JSON loader all read the same metadata, so a value that is rejected in one place is rejected
everywhere with the same words. A family's own settings are its config dataclass, found through the
family registry (``engine.models.registry``), which imports no family until one is asked for.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.catalogue import DRAWN
from engine.errors import ConfigError
from engine.i18n import QT_TRANSLATE_NOOP
from engine.knobs import dataclass_from_dict, knob, parse_scalar
from engine.models.registry import DEFAULT_FAMILY, config_class, families
from engine.point_list import MAX_DRAWN_POINTS, parse_point_list, points_to_config
from engine.safe_io import ReadRefused, parse_json, read_bytes

CONFIG_VERSION = 1


@dataclass
class DataConfig:
    """Which data to train on and how to prepare it."""

    name: str = knob("moons", help=QT_TRANSLATE_NOOP("Knob", "Built-in dataset (moons, 8gaussians, digits, shapes, drawn, ...), a downloadable one "
                                                             "(mnist, fashion-mnist, cifar10) or a path to your own file or folder."))
    n_train: int = knob(20000, min=1, max=10_000_000, help=QT_TRANSLATE_NOOP("Knob", "Number of training examples drawn from a generator (2D toys, shapes)."), unit=QT_TRANSLATE_NOOP("Knob", "points"))
    n_test: int = knob(5000, min=1, max=1_000_000, help=QT_TRANSLATE_NOOP("Knob", "Number of held-out examples drawn from a separate seeded stream (2D toys, shapes)."), unit=QT_TRANSLATE_NOOP("Knob", "points"))
    seed: int = knob(0, min=0, max=2**31 - 1, help=QT_TRANSLATE_NOOP("Knob", "Seed of the data generator (toys, shapes) or of the train/test split (files, drawn points)."))
    normalize: str = knob("standardize", choices=("standardize", "none"),
                          help=QT_TRANSLATE_NOOP("Knob", "Points: shift and scale each coordinate to zero mean and unit variance before the "
                                                         "model sees them. Likelihoods are reported in the original units either way."))
    image_size: int = knob(0, min=0, max=1024, help=QT_TRANSLATE_NOOP("Knob", "Resize images to this side length (0 keeps the files' size when they share one "
                                                                              "of at most 128 px, else 32)."), unit=QT_TRANSLATE_NOOP("Knob", "px"))
    channels: int = knob(0, min=0, max=4, help=QT_TRANSLATE_NOOP("Knob", "Image channels: 1 grey, 3 RGB, 4 RGBA; 0 keeps what the files have (RGB for mixed)."))
    resize: str = knob("fit", choices=("fit", "crop", "pad", "none"),
                       help=QT_TRANSLATE_NOOP("Knob", "How images of another size reach the target size: fit stretches to it, crop scales the "
                                                      "short side and cuts the middle, pad scales the long side and fills with black, none "
                                                      "skips (or, in strict mode, rejects) images of another size."))
    strict: bool = knob(False, help=QT_TRANSLATE_NOOP("Knob", "Stop at the first bad file instead of skipping it and listing it."))
    max_length: int = knob(0, min=0, max=4096, help=QT_TRANSLATE_NOOP("Knob", "Text: the longest line allowed, in characters (0: the longest line of the file, "
                                                                               "which may have at most 256; a longer line is refused, naming it)."), unit=QT_TRANSLATE_NOOP("Knob", "characters"))
    max_vocab: int = knob(5000, min=2, max=65535, help=QT_TRANSLATE_NOOP("Knob", "Text: refuse files with more distinct characters than this (a guard against "
                                                                                  "binary or mixed-up files; raise it for a large alphabet)."), unit=QT_TRANSLATE_NOOP("Knob", "characters"))
    max_items: int = knob(200_000, min=1, max=100_000_000, help=QT_TRANSLATE_NOOP("Knob", "Refuse datasets with more examples than this (a guard against absurd inputs)."))
    allow_download: bool = knob(True, help=QT_TRANSLATE_NOOP("Knob", "Download a named set (mnist, fashion-mnist, cifar10) that is not in the cache yet. "
                                                                     "Off: never touch the network."))
    mirrors: tuple[str, ...] = knob((), advanced=True,
                                    help=QT_TRANSLATE_NOOP("Knob", "Base URLs to download from instead of the built-in ones, tried in order "
                                                                   "({dataset} in a URL becomes the set's name). Also: env GENLAB_MIRRORS."))
    points: tuple[tuple[float, float], ...] = knob((), advanced=True,
                                                   help=QT_TRANSLATE_NOOP("Knob", "The points of a drawn 2D set (name 'drawn'), in data units. "
                                                                                  "Kept in the run config, so the run reproduces."))

    def validate(self, where: str = "data") -> None:
        """Checks that need more than one value's type: URLs and point pairs."""
        for url in self.mirrors:
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                raise ConfigError(f"{where}.mirrors", url, "base URLs starting with http:// or https://")
        try:
            n = len(parse_point_list(self.points))
        except ValueError as e:
            raise ConfigError(f"{where}.points", str(e), "a list of [x, y] pairs of finite numbers") from None
        if n > MAX_DRAWN_POINTS:
            raise ConfigError(f"{where}.points", f"{n} points", f"at most {MAX_DRAWN_POINTS} points")


def drawn_config(points, base: DataConfig | None = None) -> DataConfig:
    """A ``DataConfig`` for a drawn set: ``base``'s other settings, name 'drawn', these points.

    The points are stored at float32 precision (``points_to_config``), exactly what training sees.
    """
    cfg = dataclasses.replace(base) if base is not None else DataConfig()
    cfg.name = DRAWN
    cfg.points = points_to_config(points)
    return cfg


@dataclass
class TrainConfig:
    """How long and how to train; how often to log, draw samples, evaluate and checkpoint."""

    steps: int = knob(2000, min=1, max=100_000_000, help=QT_TRANSLATE_NOOP("Knob", "Number of optimisation steps."), unit=QT_TRANSLATE_NOOP("Knob", "steps"))
    time_limit: float = knob(0.0, min=0.0, help=QT_TRANSLATE_NOOP("Knob", "Stop after this many seconds of training (0: no limit)."), unit=QT_TRANSLATE_NOOP("Knob", "s"))
    batch_size: int = knob(256, min=1, max=65536, help=QT_TRANSLATE_NOOP("Knob", "Examples per step; clamped to the dataset's size."), unit=QT_TRANSLATE_NOOP("Knob", "examples"))
    lr: float = knob(1e-3, min=1e-7, max=1.0, live=True, log=True, label=QT_TRANSLATE_NOOP("Knob", "learning rate"),
                     help=QT_TRANSLATE_NOOP("Knob", "Step size of the Adam optimiser. Safe to change while training."))
    lr_schedule: str = knob("cosine", choices=("cosine", "constant"), label=QT_TRANSLATE_NOOP("Knob", "learning-rate schedule"),
                            help=QT_TRANSLATE_NOOP("Knob", "cosine: decay the learning rate smoothly to zero over the run (by steps, or by "
                                                           "time with a time limit), which settles the model; constant: keep it fixed."))
    grad_clip: float = knob(0.0, min=0.0, live=True, help=QT_TRANSLATE_NOOP("Knob", "Clip the gradient norm to this value (0: off)."))
    seed: int = knob(0, min=0, max=2**31 - 1, help=QT_TRANSLATE_NOOP("Knob", "Seed for initialisation and training noise."))
    device: str = knob("auto", choices=("auto", "cpu", "cuda", "mps"), help=QT_TRANSLATE_NOOP("Knob", "Where to train: auto picks CUDA, then Apple MPS, then the CPU."))
    threads: int = knob(0, min=0, max=512, help=QT_TRANSLATE_NOOP("Knob", "Torch CPU threads in every engine thread (0: cores - 1, at least 1)."))
    amp: bool = knob(True, help=QT_TRANSLATE_NOOP("Knob", "Mixed precision on CUDA (ignored elsewhere)."))
    log_every: int = knob(10, min=1, max=1_000_000, help=QT_TRANSLATE_NOOP("Knob", "Average the losses over this many steps and report them."), unit=QT_TRANSLATE_NOOP("Knob", "steps"))
    sample_every: int = knob(200, min=1, max=10_000_000, live=True, help=QT_TRANSLATE_NOOP("Knob", "Draw display samples at most this often; also capped to 10% of training time."), unit=QT_TRANSLATE_NOOP("Knob", "steps"))
    sample_budget: float = knob(0.1, min=0.0, max=1.0, help=QT_TRANSLATE_NOOP("Knob", "Largest share of wall time spent drawing display samples."))
    n_display: int = knob(64, min=1, max=5000, help=QT_TRANSLATE_NOOP("Knob", "Images in the sample grid (points: ten times this, at most 5000)."))
    eval_every: int = knob(0, min=0, max=10_000_000, help=QT_TRANSLATE_NOOP("Knob", "Compute the held-out NLL every this many steps (0: only at the end)."), unit=QT_TRANSLATE_NOOP("Knob", "steps"))
    quality_samples: int = knob(256, min=0, max=100_000, help=QT_TRANSLATE_NOOP("Knob", "Images: samples drawn at each evaluation for the quality figure "
                                                                                    "(Frechet distance to held-out images in a small classifier's features; 0: off)."))
    eval_limit: int = knob(1000, min=1, max=1_000_000, help=QT_TRANSLATE_NOOP("Knob", "Held-out examples used by the periodic evaluation."))
    checkpoint_every: int = knob(1000, min=1, max=100_000_000, help=QT_TRANSLATE_NOOP("Knob", "Save a checkpoint every this many steps."), unit=QT_TRANSLATE_NOOP("Knob", "steps"))
    checkpoint_seconds: float = knob(30.0, min=0.0, help=QT_TRANSLATE_NOOP("Knob", "...and at least every this many seconds (0: steps only)."), unit=QT_TRANSLATE_NOOP("Knob", "s"))
    keep_checkpoints: int = knob(3, min=1, max=1000, help=QT_TRANSLATE_NOOP("Knob", "Keep this many most recent checkpoints (plus the best)."))
    tensorboard: bool = knob(False, advanced=True, label=QT_TRANSLATE_NOOP("Knob", "TensorBoard files"), help=QT_TRANSLATE_NOOP("Knob", "Also write TensorBoard event files (losses, gradient norms, "
                                                                              "evaluations, sample pictures) to the run folder's tensorboard/."))


@dataclass
class RunConfig:
    """Everything that defines a run. ``model`` is the family's own config dataclass."""

    family: str = DEFAULT_FAMILY
    data: DataConfig = field(default_factory=DataConfig)
    model: Any = None
    train: TrainConfig = field(default_factory=TrainConfig)
    parent: str | None = None  # run this one was forked from, if any

    def __post_init__(self):
        if self.family not in families():
            raise ConfigError("family", self.family, "one of " + ", ".join(families()))
        if self.model is None:
            cls = config_class(self.family)
            self.model = cls()
            # A fresh family brings its own training defaults (a VAE wants a higher learning rate
            # than a GAN), applied only where the training settings still hold the global defaults.
            pristine = TrainConfig()
            for name, value in getattr(cls, "train_defaults", {}).items():
                if getattr(self.train, name) == getattr(pristine, name):
                    setattr(self.train, name, value)

    # ---- serialisation -------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "version": CONFIG_VERSION,
            "family": self.family,
            "data": dataclasses.asdict(self.data),
            "model": dataclasses.asdict(self.model),
            "train": dataclasses.asdict(self.train),
            "parent": self.parent,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False)

    @classmethod
    def from_dict(cls, d: dict) -> "RunConfig":
        if not isinstance(d, dict):
            raise ConfigError("config", type(d).__name__, "a JSON object")
        known = {"version", "family", "data", "model", "train", "parent", "resolved"}
        for key in d:
            if key not in known:
                raise ConfigError(key, d[key], "one of the keys " + ", ".join(sorted(known)))
        version = d.get("version", CONFIG_VERSION)
        if version != CONFIG_VERSION:
            raise ConfigError("version", version, f"{CONFIG_VERSION}")
        family = d.get("family", DEFAULT_FAMILY)
        if family not in families():
            raise ConfigError("family", family, "one of " + ", ".join(families()))
        parent = d.get("parent")
        if parent is not None and not isinstance(parent, str):
            raise ConfigError("parent", parent, "a run folder path or null")
        return cls(
            family=family,
            data=dataclass_from_dict(DataConfig, d.get("data", {}), "data"),
            model=dataclass_from_dict(config_class(family), d.get("model", {}), "model"),
            train=dataclass_from_dict(TrainConfig, d.get("train", {}), "train"),
            parent=parent,
        )

    @classmethod
    def from_json(cls, text: str, source: str = "config") -> "RunConfig":
        try:
            d = parse_json(text, source)
        except ReadRefused as e:
            raise ConfigError(source, "unreadable", f"valid JSON ({str(e).removeprefix(source + ': ')})") from None
        return cls.from_dict(d)

    @classmethod
    def load(cls, path: str | Path) -> "RunConfig":
        path = Path(path)
        try:
            raw = read_bytes(path, 1_000_000, "run config")
        except OSError as e:
            raise ConfigError(str(path), "unreadable", f"a readable JSON file ({e.strerror or e})") from None
        except ReadRefused as e:
            raise ConfigError(str(path), "unreadable", f"a JSON run config under 1 MB ({e})") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError(str(path), "binary data", "a JSON run config (UTF-8 text)") from None
        return cls.from_json(text, source=str(path))

    # ---- edits ---------------------------------------------------------------------------
    def with_family(self, family: str) -> "RunConfig":
        """The same data and training settings with another family's default model config.

        Training settings still at the old family's defaults move to the new family's defaults;
        settings the person changed are kept.
        """
        train = dataclasses.replace(self.train)
        old = family_train_defaults(self.family)
        for name, value in old.items():
            if getattr(train, name) == value:
                setattr(train, name, getattr(TrainConfig(), name))
        return RunConfig(family=family, data=dataclasses.replace(self.data), model=None, train=train,
                         parent=self.parent)

    def with_overrides(self, assignments: list[str]) -> "RunConfig":
        """Apply ``key=value`` strings (``train.lr=3e-4``, or ``lr=3e-4`` when unambiguous)."""
        d = self.to_dict()
        for item in assignments:
            if "=" not in item:
                raise ConfigError("--set", item, "key=value, for example train.lr=0.0003")
            key, value = item.split("=", 1)
            key = key.strip()
            section, name = self._locate(key)
            d[section][name] = parse_scalar(value.strip())
        return RunConfig.from_dict(d)

    def _locate(self, key: str) -> tuple[str, str]:
        sections = {"data": self.data, "model": self.model, "train": self.train}
        if "." in key:
            section, name = key.split(".", 1)
            if section not in sections:
                raise ConfigError("--set", key, "a key of data, model or train, e.g. train.lr")
            names = {f.name for f in dataclasses.fields(sections[section])}
            if name not in names:
                raise ConfigError("--set", key, f"one of {section}." + f", {section}.".join(sorted(names)))
            return section, name
        hits = [s for s, obj in sections.items() if key in {f.name for f in dataclasses.fields(obj)}]
        if len(hits) == 1:
            return hits[0], key
        if not hits:
            raise ConfigError("--set", key, "a known key such as train.lr, train.steps or model." + "...")
        raise ConfigError("--set", key, "a qualified key: " + " or ".join(f"{h}.{key}" for h in hits))


def family_train_defaults(family: str) -> dict:
    """Training settings a family prefers over the global defaults (its config's ``train_defaults``)."""
    return dict(getattr(config_class(family), "train_defaults", {}))

"""What a config from a file may make GenLab fetch or read, and what needs the person's confirmation.

A config that arrives as a file (a ``config.json`` someone sent, a PNG exported by GenLab) is data,
not a decision of the person who opens it. It may name the built-in sets and the downloadable ones
(fetched from GenLab's own mirrors and checked against their SHA-256), nothing more on its own: its
download mirrors (hosts it names) and a path to files on this machine (``~``, a home folder, a
network share) are asked about first. The window shows a question; the CLI refuses until the person
passes ``--trust-config`` or names the data themselves (``--data``, ``--set data.mirrors=[]``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from engine.catalogue import DRAWN, builtin_names
from engine.errors import GenLabError
from engine.i18n import QT_TRANSLATE_NOOP

TRUST_FLAG = "--trust-config"


class UntrustedSourceError(GenLabError):
    """A config from a file names network sources or local paths the person has not confirmed."""


@dataclasses.dataclass(frozen=True)
class SourceRequest:
    """One thing a config from a file asks for: ``kind`` "mirrors" (hosts) or "path" (a file or folder)."""

    kind: str
    detail: str

    def text(self) -> str:
        return (MIRRORS_TEXT if self.kind == "mirrors" else PATH_TEXT).format(detail=self.detail)


MIRRORS_TEXT = QT_TRANSLATE_NOOP("engine", "download from {detail}")
PATH_TEXT = QT_TRANSLATE_NOOP("engine", "read data from {detail}")


def is_named_set(name: str) -> bool:
    """A built-in or downloadable set (or a drawing kept in the config): nothing outside GenLab is read."""
    # lazy: the data modules load PyTorch; config checks and the window's first paint use this module without it
    from engine.data.remote import remote_key
    from engine.data.shapes import SHAPES_NAMES
    name = (name or "").strip()
    return name in builtin_names() or name in SHAPES_NAMES or name == DRAWN or remote_key(name) is not None


def _hosts(mirrors) -> str:
    # lazy: as above (the downloader's module is light, but it sits in the data package that loads PyTorch)
    from engine.data.download import hosts
    return ", ".join(hosts(mirrors))


def requests(data, from_file=None) -> list[SourceRequest]:
    """What ``data`` (a DataConfig) asks that needs confirmation. With ``from_file`` (the DataConfig as
    the file had it), only what still comes from the file counts: a path or mirrors the person set
    themselves (``--data``, ``--set``) need no confirmation."""
    base = from_file if from_file is not None else data
    out = []
    if data.mirrors and tuple(data.mirrors) == tuple(base.mirrors):
        out.append(SourceRequest("mirrors", _hosts(data.mirrors)))
    name = (data.name or "").strip()
    if name and not is_named_set(name) and name == (base.name or "").strip():
        out.append(SourceRequest("path", str(Path(name).expanduser())))
    return out


def check_config_sources(config, source: str, trusted: bool, from_file=None) -> None:
    """Raise ``UntrustedSourceError`` unless the person confirmed what the config from ``source`` asks."""
    asked = requests(config.data, from_file)
    if asked and not trusted:
        what = "; ".join(r.text() for r in asked)
        raise UntrustedSourceError(
            f"{source}: this config asks to {what}. A config from a file may name built-in and downloadable "
            f"datasets only; pass {TRUST_FLAG} to allow what it asks, or choose the data yourself with --data "
            "(and --set data.mirrors=[] to use GenLab's own download mirrors)")


def without_requests(config, fallback_name: str):
    """The config with what was not confirmed taken out: its mirrors cleared and, when it named a path,
    ``fallback_name`` as its data."""
    data = dataclasses.replace(config.data, mirrors=())
    if data.name and not is_named_set(data.name):
        data.name = fallback_name
    return dataclasses.replace(config, data=data)

"""Help > About GenLab and Help > Licences: versions, and the terms of everything GenLab ships or offers.

Versions come from the installed distributions' metadata (``importlib.metadata``), so opening the
dialog never imports PyTorch. The licence list is ``resources/licences/index.json``: each component,
its licence and the file with the full text (also ``resources/fonts/OFL.txt`` for the font and
``datasets.txt`` for every dataset offered). The texts themselves stay in English, as their authors
wrote them; what the dialog says about them is translated.
"""

from __future__ import annotations

import json
import platform
from importlib import metadata

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QPlainTextEdit,
                               QSplitter, QTabWidget, QVBoxLayout, QWidget)

import engine
from engine.resources import resource_path

LICENCES = ("licences", "index.json")


def versions() -> list[tuple[str, str]]:
    """(component, version) for GenLab and what it runs on, read without importing the libraries."""
    def dist_version(*names: str) -> str:
        for name in names:
            try:
                return metadata.version(name)
            except metadata.PackageNotFoundError:
                continue
        return "–"

    return [("GenLab", engine.__version__), ("Python", platform.python_version()),
            ("PySide6", PySide6.__version__), ("Qt", qVersion()),
            ("PyTorch", dist_version("torch")), ("NumPy", dist_version("numpy")),
            ("pyqtgraph", dist_version("pyqtgraph")), ("Pillow", dist_version("pillow", "Pillow")),
            ("safetensors", dist_version("safetensors"))]


def licence_components() -> list[dict]:
    """The components Help > Licences lists, each with its ``text`` read from its file(s)."""
    index = json.loads(resource_path(*LICENCES).read_text(encoding="utf-8"))
    out = []
    for entry in index["components"]:
        texts = []
        for name in [entry["file"], *entry.get("also", [])]:
            path = resource_path("licences", name).resolve()
            texts.append(path.read_text(encoding="utf-8") if path.is_file() else f"({name} is missing)")
        out.append({**entry, "text": "\n\n".join(texts)})
    return out


class AboutDialog(QDialog):
    """Two tabs: About (what GenLab is, versions) and Licences (list and full texts)."""

    def __init__(self, parent=None, page: str = "about"):
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.setWindowTitle(self.tr("About GenLab"))
        self.resize(760, 560)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._about_page(), self.tr("About"))
        self.tabs.addTab(self._licences_page(), self.tr("Licences"))
        self.tabs.setCurrentIndex(1 if page == "licences" else 0)
        layout.addWidget(self.tabs)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _about_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        rows = "".join(f"<tr><td>{name}</td><td>&nbsp;&nbsp;{version}</td></tr>" for name, version in versions())
        text = ("<h2>GenLab {version}</h2><p>{what}</p><p>{licence}</p><h3>{heading}</h3><table>{rows}</table>"
                .format(version=engine.__version__,
                        what=self.tr("A desktop sandbox for deep generative models: variational autoencoders, "
                                     "generative adversarial networks, autoregressive models, normalizing flows "
                                     "and diffusion models, trained live on your data."),
                        licence=self.tr("GenLab is free software under the MIT licence. It is built on Qt "
                                        "(through PySide6, LGPL-3.0), PyTorch, NumPy, pyqtgraph and Pillow; "
                                        "see Licences for their terms, the font's and the datasets'."),
                        heading=self.tr("Versions"), rows=rows))
        self.about_label = QLabel(text)
        self.about_label.setObjectName("about_text")
        self.about_label.setWordWrap(True)
        self.about_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.about_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.about_label, 1)
        return page

    def _licences_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(self.tr("GenLab ships or downloads these. Pick one to read its licence; "
                                        "the texts are in the original English.")))
        split = QSplitter(Qt.Orientation.Horizontal)
        self.licence_list = QListWidget()
        self.licence_list.setObjectName("licence_list")
        self.licence_text = QPlainTextEdit()
        self.licence_text.setObjectName("licence_text")
        self.licence_text.setReadOnly(True)
        self.components = licence_components()
        for c in self.components:
            item = QListWidgetItem(f"{c['name']} — {c['licence']}")
            item.setData(Qt.ItemDataRole.UserRole, c["text"])
            self.licence_list.addItem(item)
        self.licence_list.currentItemChanged.connect(self._on_licence_list_changed)
        split.addWidget(self.licence_list)
        split.addWidget(self.licence_text)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)
        self.licence_list.setCurrentRow(0)
        return page

    def _on_licence_list_changed(self, item, _previous=None) -> None:
        self.licence_text.setPlainText(item.data(Qt.ItemDataRole.UserRole) if item is not None else "")

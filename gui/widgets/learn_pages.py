"""The Learn dock's two measured pages: the family comparison table and the generative classifier.

Views only: the dock (``gui.docks.learn_dock``) runs the measurements off the GUI thread and hands the
results here. Every string goes through Qt's translation (``self.tr`` in these widgets), formatted
after translation.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QGridLayout, QHBoxLayout, QHeaderView, QLabel, QProgressBar,
                               QPushButton, QScrollArea, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from engine.learn.live_terms import format_value
from gui.i18n import family_short_name, family_title
from gui.widgets.qimage import to_pixmap


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name pyside6-lupdate looks for
    """``text`` unchanged: marks it for extraction; ``translate`` below translates it when shown."""
    return text


MAX_WRONG_TILES = 32
TILE_PX = 56

LIKELIHOOD_WORDS = {"exact": QT_TRANSLATE_NOOP("LearnDock", "exact"),
                    "bound": QT_TRANSLATE_NOOP("LearnDock", "bound"),
                    "ode": QT_TRANSLATE_NOOP("LearnDock", "ODE (exact up to numerical error)"),
                    "estimate": QT_TRANSLATE_NOOP("LearnDock", "estimate"),
                    "none": QT_TRANSLATE_NOOP("LearnDock", "none")}


def translate(text: str) -> str:
    """A word marked with ``QT_TRANSLATE_NOOP("LearnDock", ...)``, in the window's language."""
    return QCoreApplication.translate("LearnDock", text)


def family_name(family: str | None) -> str:
    """The family's short name (``GAN``) in the window's language, as sentences use it."""
    return family_short_name(family) if family else ""


def likelihood_word(kind: str | None) -> str:
    return translate(LIKELIHOOD_WORDS[kind]) if kind in LIKELIHOOD_WORDS else (kind or "")


class ComparisonPage(QWidget):
    """Families side by side (one column each), measured from the person's runs on the current data."""

    refresh_requested = Signal()

    ROWS = (("run", QT_TRANSLATE_NOOP("ComparisonPage", "Run")),
            ("likelihood", QT_TRANSLATE_NOOP("ComparisonPage", "Likelihood")),
            ("nll", QT_TRANSLATE_NOOP("ComparisonPage", "Held-out NLL (nats)")),
            ("bpd", QT_TRANSLATE_NOOP("ComparisonPage", "Bits per dimension")),
            ("speed", QT_TRANSLATE_NOOP("ComparisonPage", "Samples per second")),
            ("steps", QT_TRANSLATE_NOOP("ComparisonPage", "Steps to sample")),
            ("latent", QT_TRANSLATE_NOOP("ComparisonPage", "Has a latent")))

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.caption = QLabel(self.tr("Measured from the runs you have made on the current data: the held-out "
                                      "NLL from each run's metrics, sampling speed and steps by drawing samples "
                                      "from its newest checkpoint."))
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.families: list[str] = []   # the columns: set once the engine knows them (set_families)
        self.table = QTableWidget(len(self.ROWS), 0)
        self.table.setVerticalHeaderLabels([self.tr(label) for _, label in self.ROWS])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setMinimumSectionSize(48)
        self.table.setWordWrap(True)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.refresh_button = QPushButton(self.tr("Measure again"))
        self.refresh_button.setToolTip(self.tr("Load each family's best run on this data and sample from it again"))
        self.refresh_button.clicked.connect(self.refresh_requested)
        row.addWidget(self.refresh_button)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        row.addWidget(self.status, 1)
        layout.addLayout(row)
        self.comparison = None

    def set_families(self, families: list[str]) -> None:
        """One column per family (the registry's, once PyTorch is ready: the names come from the family
        classes), headed by its short name with its title as tool tip."""
        families = list(families)
        if families == self.families:
            return
        self.families = families
        self.table.clearContents()
        self.table.setColumnCount(len(families))
        self.table.setHorizontalHeaderLabels([family_short_name(f) for f in families])
        for c, family in enumerate(families):
            self.table.horizontalHeaderItem(c).setToolTip(family_title(family))

    def cell(self, what: str, family: str) -> str:
        """The text shown for ``what`` (a key of ``ROWS``) of ``family``."""
        r = [k for k, _ in self.ROWS].index(what)
        item = self.table.item(r, self.families.index(family))
        return item.text() if item is not None else ""

    def show_busy(self, data_name: str) -> None:
        self.refresh_button.setEnabled(False)
        self.status.setText(self.tr("Measuring the runs on {data}…").format(data=data_name))

    def show_error(self, message: str) -> None:
        self.refresh_button.setEnabled(True)
        self.status.setText(self.tr("Could not measure: {why}").format(why=message))

    def show_comparison(self, comparison) -> None:
        """Fill the table from an ``engine.learn.comparison.FamilyComparison``."""
        self.comparison = comparison
        self.refresh_button.setEnabled(True)
        by_family = {r.family: r for r in comparison.rows}
        self.set_families(self.families + [f for f in by_family if f not in self.families])
        measured = 0
        for c, family in enumerate(self.families):
            row = by_family.get(family)
            cells = self._cells(row) if row is not None else {}
            for r, (key, _) in enumerate(self.ROWS):
                item = QTableWidgetItem(cells.get(key, ""))
                if row is not None and row.note:
                    item.setToolTip(self._note(row))
                elif key == "nll" and row is not None and row.nll_step is not None:
                    item.setToolTip(self.tr("the run's newest held-out evaluation, at step {step}").format(
                        step=row.nll_step))
                self.table.setItem(r, c, item)
            measured += bool(row is not None and row.measured)
        self.table.resizeRowsToContents()
        self.status.setText(self.tr("{n} of {total} families measured on {data} in {seconds:.1f} s").format(
            n=measured, total=len(self.families), data=comparison.data, seconds=comparison.seconds))

    def _note(self, row) -> str:
        notes = {"no run on this data yet": self.tr("no run on this data yet: train one to measure it"),
                 "no held-out evaluation in its metrics yet":
                     self.tr("no held-out evaluation in its metrics yet (train longer than one evaluation interval)"),
                 "cancelled": self.tr("cancelled")}
        return notes.get(row.note, row.note)

    def _cells(self, row) -> dict[str, str]:
        if not row.measured:
            return {"run": self.tr("not run yet") if row.runs_on_data == 0 else self._note(row)}
        none = self.tr("none")
        if row.nll_nats is None:
            nll = none if row.likelihood == "none" else "—"
        else:
            nll = format_value(row.nll_nats)
        bpd = format_value(row.bits_per_dim) if row.bits_per_dim is not None else \
            (none if row.likelihood == "none" else "—")
        return {"run": row.run,
                "likelihood": likelihood_word(row.likelihood) if row.likelihood else "—",
                "nll": nll, "bpd": bpd,
                "speed": format_value(row.samples_per_second) if row.samples_per_second is not None else "—",
                "steps": str(row.steps_to_sample) if row.steps_to_sample is not None else "—",
                "latent": "—" if row.has_latent is None else (self.tr("yes") if row.has_latent else self.tr("no"))}


class ClassifierPage(QWidget):
    """Bayes' rule beside the accuracy of the current model used as a classifier."""

    classify_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.formula = QLabel(self.tr(
            "<p><b>A generative model as a classifier.</b> A model of p(x | y) for every class y gives, by "
            "Bayes' rule,</p>"
            "<p style='margin-left:18px'>p(y | x) = p(x | y) p(y) / ∑<sub>y′</sub> p(x | y′) p(y′), &nbsp; "
            "ŷ = arg max<sub>y</sub> [ log p(x | y) + log p(y) ]</p>"
            "<p>Every test image is scored under every class with the model's own likelihood (exact or a "
            "bound), p(y) is the classes' share of the training set, and the largest wins. No part of "
            "the model was trained to classify.</p>"))
        self.formula.setWordWrap(True)
        self.formula.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.formula)
        row = QHBoxLayout()
        self.classify_button = QPushButton(self.tr("Classify the test set"))
        self.classify_button.setToolTip(self.tr("Score the held-out examples under every class with the newest "
                                                "weights (in the background)"))
        self.classify_button.clicked.connect(self.classify_requested)
        row.addWidget(self.classify_button)
        self.follow_check = QCheckBox(self.tr("Again with new weights"))
        self.follow_check.setToolTip(self.tr("Classify again whenever training publishes new weights and this "
                                             "page is in view"))
        self.follow_check.setChecked(True)
        row.addWidget(self.follow_check)
        row.addStretch(1)
        layout.addLayout(row)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.hide()
        layout.addWidget(self.progress)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.result)
        self.grid_holder = QWidget()
        self.grid = QGridLayout(self.grid_holder)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(4)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid_holder)
        layout.addWidget(scroll, 1)
        self.tiles = 0
        self.classification = None

    # ---- states -----------------------------------------------------------------------------------------
    def show_message(self, text: str, can_classify: bool = False) -> None:
        self.progress.hide()
        self.classify_button.setEnabled(can_classify)
        self.result.setText(text)
        self._clear_grid()

    def show_busy(self, step: int) -> None:
        self.classify_button.setEnabled(False)
        self.progress.setValue(0)
        self.progress.show()
        self.result.setText(self.tr("Classifying the test set with the weights of step {step}…").format(step=step))

    def show_progress(self, done: int, total: int) -> None:
        self.progress.setValue(int(1000 * done / max(1, total)))

    def show_classification(self, result, step: int, images: np.ndarray | None, class_names) -> None:
        """``result``: an ``engine.learn.classify.Classification``; ``images``: uint8 pictures of the
        classified test examples (N, H, W[, 3]) for the grid of mistakes, or None for points."""
        self.classification = result
        self.progress.hide()
        self.classify_button.setEnabled(True)
        wrong = result.wrong
        self.result.setText(self.tr(
            "<p><b>Accuracy on the test set: {acc:.1f}%</b> ({right} of {n} right) with the weights of step "
            "{step}; log p(x | y) is {kind}. {wrong} misclassified{shown}.</p>").format(
                acc=100 * result.accuracy, right=result.n - len(wrong), n=result.n, step=step,
                kind=likelihood_word(result.likelihood_kind), wrong=len(wrong),
                shown=self.tr(", the first {k} below (true → predicted)").format(k=min(len(wrong), MAX_WRONG_TILES))
                if len(wrong) and images is not None else ""))
        self._clear_grid()
        names = list(class_names or [])

        def name(k: int) -> str:
            return names[k] if k < len(names) else str(k)
        columns = max(1, (self.width() - 16) // (TILE_PX + 8))
        for i, idx in enumerate(wrong[:MAX_WRONG_TILES] if images is not None else []):
            tile = QWidget()
            tl = QVBoxLayout(tile)
            tl.setContentsMargins(0, 0, 0, 0)
            tl.setSpacing(1)
            picture = QLabel()
            picture.setPixmap(to_pixmap(images[idx], TILE_PX))
            picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
            tl.addWidget(picture)
            caption = QLabel(self.tr("{true} → {predicted}").format(true=name(int(result.true[idx])),
                                                                   predicted=name(int(result.predicted[idx]))))
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption.setToolTip(self.tr("test example {index}: true class {true}, predicted {predicted}").format(
                index=int(idx), true=name(int(result.true[idx])), predicted=name(int(result.predicted[idx]))))
            tl.addWidget(caption)
            self.grid.addWidget(tile, i // columns, i % columns)
            self.tiles += 1

    def _clear_grid(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            w = item.widget()
            if w is not None:
                w.setParent(None)
                w.deleteLater()
        self.tiles = 0

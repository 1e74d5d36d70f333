"""Setup dock: pick data and a model family, adjust the settings, and see what will be trained.

Everything in the forms is generated from the engine's config dataclasses (``gui.widgets.knob_form``),
so a family that lands later brings its own knobs without code here. Choosing a family or a kind of
data loads that pair's preset (``gui.presets``), so one press of Train gives a sensible first run.
The dock holds no training logic: it reports edits (``knob_edited``) and data choices
(``data_requested``), and builds a validated ``RunConfig`` on request.

Nothing here imports torch at module level: the dock is built before PyTorch has warmed up, and is
filled in by ``set_engine_ready``.
"""

from __future__ import annotations

import dataclasses
import random

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDockWidget, QFileDialog, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QMenu, QPushButton, QScrollArea, QSpinBox, QToolButton,
                               QVBoxLayout, QWidget)

from engine.config import DataConfig, RunConfig, TrainConfig
from engine.errors import ConfigError, GenLabError
from engine.knobs import field_info
from engine.models.registry import config_class, model_class
from engine.point_list import points_to_config
from gui.docks.data_dock import dataset_summary, preview_picture
from gui.i18n import engine_word, family_text, family_title
from gui.presets import form_defaults, held_key, preset_key, preset_values
from gui.widgets.budget_picker import BudgetPicker, apply_plan
from gui.widgets.knob_form import KnobForm, knob_tooltip
from gui.widgets.qimage import to_pixmap

DRAWN = "drawn"  # engine.data.builtin.DRAWN (not imported here: the dock is built before torch loads)

TRAIN_BASIC = ("steps", "time_limit", "batch_size", "lr", "grad_clip", "sample_every")
TRAIN_OWN_ROWS = ("seed", "device")  # shown as their own rows (seed with "replicable", a device picker)
SEED_MAX = 2**31 - 1
MAX_RECENT = 8


class SetupDock(QDockWidget):
    data_requested = Signal(object)             # DataConfig to load and preview
    family_changed = Signal(str)
    knob_edited = Signal(str, str, object, bool)  # section, name, value, live
    message_logged = Signal(str, str)           # level, text

    def __init__(self, parent=None):
        super().__init__(self.tr("Setup"), parent)
        self.setObjectName("dock_setup")
        self.family: str | None = None
        self.kind: str | None = None            # "points" or "image", known once data has loaded
        self.model_class = None
        self.model_form: KnobForm | None = None
        self.recent_paths: list[str] = []
        self.data_overrides: dict = {}
        self.builtin_datasets: list[str] = []
        self.download_datasets: list[str] = []
        self.ready = False
        self.data_spec = None                   # the loaded data's DataSpec (sizes a time budget)
        self._show_advanced = False
        self._preset_for: tuple | None = None   # preset_key() of the preset shown: family, kind, size, settings
        self._hold_preset = False   # a run's or a file's config is shown: its data's kind brings no preset

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        self._body = QVBoxLayout(body)
        self._body.setContentsMargins(6, 6, 6, 6)
        self.waiting = QLabel(self.tr("Starting PyTorch… the settings appear in a moment."))
        self.waiting.setWordWrap(True)
        self._body.addWidget(self.waiting)
        self._build_data_group()
        self._build_model_group()
        self._build_train_group()
        self.advanced_check = QCheckBox(self.tr("Show advanced settings"))
        self.advanced_check.toggled.connect(self._on_advanced_check_toggled)
        self._body.addWidget(self.advanced_check)
        self.pending_label = QLabel()
        self.pending_label.setObjectName("setup_pending")
        self.pending_label.setWordWrap(True)
        self.pending_label.setStyleSheet("color: #a86400")
        self.pending_label.hide()
        self._body.addWidget(self.pending_label)
        self.error_label = QLabel()
        self.error_label.setObjectName("setup_error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.hide()
        self._body.addWidget(self.error_label)
        self._body.addStretch(1)
        scroll.setWidget(body)
        self.setWidget(scroll)
        self._scroll, self._body_widget = scroll, body
        for group in (self.data_group, self.model_group, self.train_group, self.advanced_check):
            group.setEnabled(False)

    # ---- construction -------------------------------------------------------------------------------
    def _build_data_group(self) -> None:
        self.data_group = QGroupBox(self.tr("Data"))
        layout = QVBoxLayout(self.data_group)
        row = QHBoxLayout()
        self.data_combo = QComboBox()
        self.data_combo.setObjectName("data_combo")
        self.data_combo.setToolTip(self.tr("Built-in datasets, and files or folders you opened"))
        self.data_combo.currentIndexChanged.connect(self._on_data_combo_changed)
        row.addWidget(self.data_combo, 1)
        self.open_button = QToolButton()
        self.open_button.setText(self.tr("Open…"))
        self.open_button.setToolTip(self.tr("Use your own data: a file (.npy, ...) or a folder of images"))
        self.open_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.open_button)
        menu.addAction(self.tr("Open file…"), self.open_file_dialog)
        menu.addAction(self.tr("Open folder…"), self.open_folder_dialog)
        self.open_button.setMenu(menu)
        row.addWidget(self.open_button)
        layout.addLayout(row)
        preview_row = QHBoxLayout()
        self.preview = QLabel()
        self.preview.setObjectName("data_preview")
        self.preview.setFixedSize(96, 96)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("background: white; border: 1px solid #ccc")
        preview_row.addWidget(self.preview)
        self.data_info = QLabel("")
        self.data_info.setWordWrap(True)
        self.data_info.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        preview_row.addWidget(self.data_info, 1)
        layout.addLayout(preview_row)
        self.data_form = KnobForm(DataConfig, "data", exclude=("name",), basic=())
        self.data_form.value_edited.connect(self._on_form_value_edited)
        layout.addWidget(self.data_form)
        self._body.addWidget(self.data_group)

    def _build_model_group(self) -> None:
        self.model_group = QGroupBox(self.tr("Model"))
        layout = QVBoxLayout(self.model_group)
        row = QHBoxLayout()
        self.family_combo = QComboBox()
        self.family_combo.setObjectName("family_combo")
        self.family_combo.currentIndexChanged.connect(self._on_family_combo_changed)
        row.addWidget(self.family_combo, 1)
        self.preset_button = QPushButton(self.tr("Preset"))
        self.preset_button.setToolTip(self.tr("Reset the model and training settings to a good first run for this "
                                      "family and this kind of data"))
        self.preset_button.clicked.connect(self.apply_preset)
        row.addWidget(self.preset_button)
        layout.addLayout(row)
        self._model_form_holder = QVBoxLayout()
        layout.addLayout(self._model_form_holder)
        self._body.addWidget(self.model_group)

    def _build_train_group(self) -> None:
        self.train_group = QGroupBox(self.tr("Training"))
        layout = QVBoxLayout(self.train_group)
        self.train_form = KnobForm(TrainConfig, "train", exclude=TRAIN_OWN_ROWS, basic=TRAIN_BASIC)
        self.train_form.value_edited.connect(self._on_form_value_edited)
        own = QFormLayout()
        own.setContentsMargins(0, 0, 0, 0)
        # the time budget first: it sets the model's size and most of the training settings below it
        self.budget_picker = BudgetPicker()
        self.budget_picker.combo.currentIndexChanged.connect(lambda _index: self._request_budget())
        self.budget_picker.plan_ready.connect(lambda plan: apply_plan(plan, self.family, self.model_form,
                                                                      self.train_form, self.message_logged.emit))
        budget_row = QFormLayout()
        budget_row.setContentsMargins(0, 0, 0, 0)
        budget_row.addRow(self.tr("Time budget"), self.budget_picker)
        layout.addLayout(budget_row)
        layout.addWidget(self.train_form)
        infos = {i["name"]: i for i in self.train_form_infos()}
        seed_row = QHBoxLayout()
        self.seed_spin = QSpinBox()
        self.seed_spin.setObjectName("seed_spin")
        self.seed_spin.setRange(0, SEED_MAX)
        self.seed_spin.setToolTip(knob_tooltip(infos["seed"]))
        seed_row.addWidget(self.seed_spin, 1)
        self.replicable_check = QCheckBox(self.tr("Replicable"))
        self.replicable_check.setObjectName("replicable_check")
        self.replicable_check.setChecked(True)
        self.replicable_check.setToolTip(self.tr("Checked: every Train uses this seed, so the same settings give the "
                                         "same run. Unchecked: each Train draws a fresh seed (shown here)."))
        seed_row.addWidget(self.replicable_check)
        own.addRow(self.tr("Seed"), seed_row)
        self.device_combo = QComboBox()
        self.device_combo.setObjectName("device_combo")
        self.device_combo.setToolTip(knob_tooltip(infos["device"]))
        own.addRow(self.tr("Device"), self.device_combo)
        layout.addLayout(own)
        self._body.addWidget(self.train_group)

    @staticmethod
    def train_form_infos():
        return field_info(TrainConfig)

    # ---- engine ready ---------------------------------------------------------------------------------
    def set_engine_ready(self, families: list[str], datasets: list[str], devices: list[str],
                         saved: dict | None = None, downloads: list[str] = ()) -> None:
        """Fill the pickers once PyTorch is warm; restore ``saved`` (a RunConfig dict) if it is valid.

        ``datasets`` load at once; ``downloads`` are fetched (with progress) the first time they are picked."""
        self.ready = True
        self.waiting.hide()
        self.builtin_datasets = list(datasets)
        self.download_datasets = [d for d in downloads if d not in datasets]
        self.family_combo.blockSignals(True)
        self.family_combo.clear()
        for f in families:
            title = family_title(f)
            self.family_combo.addItem(title, f)
            command = "genlab train --model " + f
            self.family_combo.setItemData(self.family_combo.count() - 1, f"{title} ({command})",
                                          Qt.ItemDataRole.ToolTipRole)
        self.family_combo.blockSignals(False)
        self.device_combo.clear()
        self.device_combo.addItem(self.tr("auto ({device})").format(device=devices[0] if devices else 'cpu'), "auto")
        for d in devices:
            self.device_combo.addItem(d, d)
        for group in (self.data_group, self.model_group, self.train_group, self.advanced_check):
            group.setEnabled(True)
        if not families:
            self.show_error(self.tr("No model family could be loaded; see the Log."))
            return
        restored = False
        if saved:
            restored = self._restore(saved, families)
        if not restored:
            self._fill_data_combo(datasets, "moons" if "moons" in datasets else (datasets[0] if datasets else ""))
            self._select_family(families[0])
        self.data_requested.emit(self.data_config())

    def _restore(self, saved: dict, families: list[str]) -> bool:
        try:
            config = RunConfig.from_dict(saved.get("config", {}))
        except GenLabError as e:
            self.message_logged.emit("warning", self.tr("last setup not restored: {error}").format(error=e))
            return False
        except Exception as e:  # noqa: BLE001 - a settings file from elsewhere: start from defaults
            self.message_logged.emit("warning", self.tr("last setup not restored: {error}")
                                     .format(error=f"{type(e).__name__}: {e}"))
            return False
        if config.family not in families:
            self.message_logged.emit("warning", self.tr("last setup used the {family} family, which is not "
                                                        "available; starting from defaults").format(family=config.family))
            return False
        self.recent_paths = [p for p in saved.get("recent", []) if isinstance(p, str)][:MAX_RECENT]
        self.kind = saved.get("kind") if saved.get("kind") in ("points", "image", "text") else None
        self._fill_data_combo(self.builtin_datasets, config.data.name)
        self._select_family(config.family, apply_preset=False)
        self.set_config(config)
        self._preset_for = held_key(config.family, self.kind or "points")
        self.replicable_check.setChecked(bool(saved.get("replicable", True)))
        self.set_show_advanced(bool(saved.get("advanced", False)))
        return True

    # ---- data -----------------------------------------------------------------------------------------
    def _fill_data_combo(self, datasets: list[str], select: str) -> None:
        self.data_combo.blockSignals(True)
        self.data_combo.clear()
        for name in datasets:
            self.data_combo.addItem(name, name)
        self.data_combo.addItem(self.tr("{drawn} (paint your own)").format(drawn=DRAWN), DRAWN)
        self.data_combo.setItemData(self.data_combo.count() - 1, self.tr("Paint 2D points with the mouse in the Data "
                                    "panel; they are kept in the run's config"), Qt.ItemDataRole.ToolTipRole)
        downloads = self.download_datasets
        if downloads:
            self.data_combo.insertSeparator(self.data_combo.count())
            entries = download_entries()
            for name in downloads:
                text, tip = entries.get(name, (self.tr("{name} (download)").format(name=name),
                                               self.tr("{name}: downloaded once, then read from the cache")
                                               .format(name=name)))
                self.data_combo.addItem(text, name)
                self.data_combo.setItemData(self.data_combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        known = set(datasets) | set(downloads) | {DRAWN}
        paths = [p for p in self.recent_paths if p not in known]
        if select and select not in known and select not in paths:
            paths.insert(0, select)
        if paths:
            self.data_combo.insertSeparator(self.data_combo.count())
            for p in paths:
                self.data_combo.addItem(_short_path(p), p)
                self.data_combo.setItemData(self.data_combo.count() - 1, p, Qt.ItemDataRole.ToolTipRole)
        idx = self.data_combo.findData(select)
        self.data_combo.setCurrentIndex(max(0, idx))
        self.data_combo.blockSignals(False)

    def set_data_name(self, name: str) -> None:
        """Select a built-in dataset or a path (added to the recent list) and load it."""
        if name not in self.builtin_datasets + self.download_datasets + [DRAWN]:
            self.recent_paths = [name] + [p for p in self.recent_paths if p != name][: MAX_RECENT - 1]
        self._fill_data_combo(self.builtin_datasets, name)
        self._on_data_combo_changed(self.data_combo.currentIndex())

    def data_name(self) -> str:
        return self.data_combo.currentData() or ""

    def data_config(self) -> DataConfig:
        """The data section: the picker's name, the form's knobs, and ``data_overrides`` (set by data tools
        for knobs a form cannot hold, such as drawn points)."""
        values = {**self.data_form.values(), **self.data_overrides}
        name = self.data_name()
        if name != DRAWN:
            values.pop("points", None)  # a drawing belongs to the drawn set only
        return DataConfig(name=name, **values)

    def set_drawn_points(self, points) -> None:
        """The person painted points: keep them (at float32 precision, as training sees them) and load
        them as the data, selecting the drawn set if another was chosen."""
        self.data_overrides["points"] = points_to_config(points) if len(points) else ()
        if self.data_name() != DRAWN:
            self.set_data_name(DRAWN)
        else:
            self.data_requested.emit(self.data_config())

    def drawn_points(self) -> tuple:
        return tuple(self.data_overrides.get("points", ()))

    def open_file_dialog(self) -> None:
        # lazy: engine.data loads PyTorch, kept out of the window's first paint
        from engine import data as engine_data
        exts = sorted(getattr(engine_data, "FILE_LOADERS", {}).keys())
        pattern = " ".join(f"*{e}" for e in exts) or "*"
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open your data"), "", self.tr("Data files ({pattern});;All files (*)").format(pattern=pattern))
        if path:
            self.set_data_name(path)

    def open_folder_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Open a folder of images"))
        if path:
            self.set_data_name(path)

    def _on_data_combo_changed(self, _index: int) -> None:
        if not self.ready:
            return
        self._hold_preset = False
        self.knob_edited.emit("data", "name", self.data_name(), False)
        self.data_requested.emit(self.data_config())

    def set_dataset(self, dataset) -> None:
        """The chosen data has loaded: show a thumbnail, and load the preset if its kind changed."""
        self.data_spec = dataset.spec
        self.preview.setPixmap(to_pixmap(preview_picture(dataset, n_images=16), 94))
        s = dataset_summary(dataset)
        shape = "x".join(str(d) for d in s["shape"])
        what = self.tr("2D points") if s["kind"] == "points" else self.tr("images {shape}").format(shape=shape)
        if s["kind"] == "text":
            what = self.tr("lines of up to {n} characters").format(n=s["shape"][0] - 1)
        self.data_info.setText(self.tr("{n:,} examples\n{what}").format(n=s["n_train"], what=what)
                               + (self.tr("\n{n} classes").format(n=len(s["classes"])) if s.get("classes") else ""))
        if self._hold_preset:  # the settings came with a run or a config file: keep them
            self._hold_preset = False
            self.kind = s["kind"]
            self._preset_for = preset_key(self.family, self.kind, self.data_spec)
        if s["kind"] != self.kind:
            self.kind = s["kind"]
            if self._update_family_availability():
                return   # another family was chosen, with its preset
        self._preset_follow_data()
        self._update_family_availability()
        self._request_budget()

    # ---- the time budget ----------------------------------------------------------------------------------
    def _request_budget(self) -> None:
        """Size the model for the chosen budget (``BudgetPicker``), for the family and data shown now."""
        if not self.ready:
            return
        try:
            self.budget_picker.request(self.family, self.data_spec,
                                       self.device_combo.currentData() or "auto", self.train_form.values().get("threads", 0))
        except GenLabError as e:
            self.message_logged.emit("warning", str(e))

    def set_data_error(self, message: str) -> None:
        self.preview.clear()
        self.data_info.setText(self.tr("could not be loaded (see the Log)"))
        self.data_info.setToolTip(message)

    # ---- family and presets ------------------------------------------------------------------------------
    def family_refusal(self, family: str) -> str:
        """Why ``family`` cannot model the loaded kind of data, in the window's language ("" when it can)."""
        try:
            cls = model_class(family)
        except GenLabError:
            return ""
        if not cls.data_kind_refusal(self.kind or "points"):
            return ""
        reason = family_text(cls.data_kind_reasons.get(self.kind or "points", ""))
        return self.tr("{family} cannot model {kind} data: {reason}").format(
            family=family_title(family), kind=engine_word(self.kind), reason=reason or self.tr("not supported"))

    def _update_family_availability(self) -> bool:
        """Grey out the families that cannot model the loaded data (the reason in the tool tip); when the
        chosen one is among them, choose the first that can. True when the family was changed."""
        model = self.family_combo.model()
        first_ok = None
        for i in range(self.family_combo.count()):
            family = self.family_combo.itemData(i)
            refusal = self.family_refusal(family)
            item = model.item(i) if hasattr(model, "item") else None
            if item is not None:
                item.setEnabled(not refusal)
            tip = refusal or "{title} ({command})".format(title=family_title(family),
                                                          command="genlab train --model " + family)
            self.family_combo.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)
            if not refusal and first_ok is None:
                first_ok = family
        if self.family and self.family_refusal(self.family) and first_ok is not None:
            self.message_logged.emit("info", self.family_refusal(self.family))
            self._select_family(first_ok)
            return True
        return False

    def _select_family(self, family: str, apply_preset: bool = True) -> None:
        idx = self.family_combo.findData(family)
        self.family_combo.blockSignals(True)
        self.family_combo.setCurrentIndex(max(0, idx))
        self.family_combo.blockSignals(False)
        self._set_family(self.family_combo.currentData(), apply_preset)

    def _on_family_combo_changed(self, _index: int) -> None:
        family = self.family_combo.currentData()
        if family and family != self.family:
            self._set_family(family, True)

    def _set_family(self, family: str, apply_preset: bool) -> None:
        self.family = family
        self.model_class = model_class(family)
        if self.model_form is not None:  # hide and detach now: deleteLater waits for the event loop
            old = self.model_form
            self._model_form_holder.removeWidget(old)
            old.hide()
            old.setParent(None)
            old.deleteLater()
        # training knobs the family never reads (a closed-form fit's learning rate) are not offered
        self.train_form.set_hidden(self.model_class.ignored_train_knobs)
        self.model_form = KnobForm(config_class(family), "model")
        self.model_form.set_show_advanced(self._show_advanced)
        self.model_form.value_edited.connect(self._on_form_value_edited)
        self._model_form_holder.addWidget(self.model_form)
        if apply_preset:
            self.apply_preset()
        self._update_min_width()
        self.family_changed.emit(family)

    def _update_min_width(self) -> None:
        """Never narrower than the forms need: a clipped spin box is worse than a wider panel."""
        need = self._body_widget.minimumSizeHint().width() + self._scroll.verticalScrollBar().sizeHint().width() + 6
        self._scroll.setMinimumWidth(max(280, need))

    def _preset_follow_data(self) -> None:
        """Re-apply the preset for another kind of data, or a shape the file names another network (or other
        settings of the same network) for."""
        key = preset_key(self.family, self.kind, self.data_spec)
        if self._preset_for == held_key(*key[:2]):
            self._preset_for = key
        elif self._preset_for != key:
            self.apply_preset()

    def apply_preset(self) -> None:
        """Defaults (the family's own training defaults over the global ones) plus the preset for this
        family and kind of data; seed, device and data are kept."""
        if not self.family or self.model_form is None:
            return
        kind = self.kind or "points"
        try:
            values, warnings, self._preset_for = preset_values(self.family, kind, self.model_form.cls, DataConfig,
                                                               spec=self.data_spec)
        except GenLabError as e:
            values, warnings = {"model": {}, "train": {}, "data": {}}, [str(e)]
            self._preset_for = preset_key(self.family, kind, self.data_spec)
        for w in warnings:
            self.message_logged.emit("warning", w)
        model_defaults, train_defaults = form_defaults(self.model_form, self.train_form)
        self.model_form.set_values({**model_defaults, **values["model"]})
        self.train_form.set_values({**train_defaults, **values["train"]})
        if values["data"]:
            self.data_form.set_values(values["data"])
        size = self._preset_for[2]
        text = (self.tr("settings: preset for the {family} family on {kind} data, the {size} network for this shape")
                if size else self.tr("settings: preset for the {family} family on {kind} data"))
        self.message_logged.emit("info", text.format(family=self.family, kind=engine_word(kind), size=size))
        self._request_budget()

    # ---- the whole config ---------------------------------------------------------------------------------
    def config(self) -> RunConfig:
        """A validated RunConfig from the forms; raises ``ConfigError`` naming the field."""
        if not self.ready or not self.family:
            raise ConfigError("setup", "not ready", "a family and a dataset (PyTorch is still starting)")
        train = self.train_form.values()
        train["seed"] = self.seed_spin.value()
        train["device"] = self.device_combo.currentData() or "auto"
        d = {"family": self.family, "data": dataclasses.asdict(self.data_config()),
             "model": self.model_form.values(), "train": train}
        return RunConfig.from_dict(d)

    def set_config(self, config: RunConfig) -> None:
        """Show ``config`` in the forms (family first, then the sections)."""
        if config.family != self.family:
            self._select_family(config.family, apply_preset=False)
        self.model_form.set_values(dataclasses.asdict(config.model))
        train = dataclasses.asdict(config.train)
        self.seed_spin.setValue(int(train.pop("seed")))
        device = train.pop("device")
        self.device_combo.setCurrentIndex(max(0, self.device_combo.findData(device)))
        self.train_form.set_values(train)
        data = dataclasses.asdict(config.data)
        name = data.pop("name")
        if name == DRAWN:
            self.data_overrides["points"] = tuple(tuple(p) for p in config.data.points)
        self.data_form.set_values(data)
        if name != self.data_name():
            self._fill_data_combo(self.builtin_datasets, name)

    def show_run_config(self, config: RunConfig, kind: str | None = None) -> None:
        """Show a run's (or a saved file's) config as it is, with no preset over it, and load its data."""
        if kind in ("points", "image", "text"):
            self.kind = kind
        self._hold_preset = True
        self.set_config(config)
        self._preset_for = held_key(config.family, self.kind or "points")
        self.show_pending([])
        self.data_requested.emit(self.data_config())

    def prepare_seed(self) -> int:
        """The seed for the next Train: the shown one when replicable, else a fresh one (then shown)."""
        if not self.replicable_check.isChecked():
            self.seed_spin.setValue(random.SystemRandom().randrange(0, SEED_MAX))
        return self.seed_spin.value()

    def saved_state(self) -> dict | None:
        """What to restore at the next start (None when the forms do not hold a valid config)."""
        try:
            config = self.config()
        except Exception:  # noqa: BLE001 - an invalid or unfinished form is simply not saved
            return None
        return {"config": config.to_dict(), "kind": self.kind, "replicable": self.replicable_check.isChecked(),
                "advanced": self._show_advanced, "recent": self.recent_paths}

    # ---- feedback -------------------------------------------------------------------------------------------
    def is_live_knob(self, section: str, name: str, live_flag: bool) -> bool:
        """A knob may change while training when its declaration says so (``knob(live=True)``: the
        family's ``live_knobs`` and the training settings the loop applies live come from the same flag)."""
        return bool(live_flag) and section in ("model", "train")

    def _on_form_value_edited(self, section: str, name: str, value, live: bool) -> None:
        self.error_label.hide()
        if section == "data":
            self.data_requested.emit(self.data_config())
        self.knob_edited.emit(section, name, value, self.is_live_knob(section, name, live))

    def label_for(self, section: str, name: str) -> str:
        """The name a person sees for a knob (its form label), for messages."""
        if section == "data" and name == "name":
            return "dataset"
        form = {"data": self.data_form, "train": self.train_form, "model": self.model_form}.get(section)
        if form is not None and name in form.infos:
            return form.infos[name]["label"]
        return name

    def show_pending(self, names: list[str]) -> None:
        if names:
            self.pending_label.setText(self.tr("Restart needed for {names}: they apply at the next Train.")
                                       .format(names=", ".join(names)))
            self.pending_label.show()
        else:
            self.pending_label.hide()

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def set_show_advanced(self, show: bool) -> None:
        self.advanced_check.setChecked(show)

    def _on_advanced_check_toggled(self, show: bool) -> None:
        self._show_advanced = show
        for form in (self.data_form, self.train_form, self.model_form):
            if form is not None:
                form.set_show_advanced(show)


def download_entries() -> dict[str, tuple[str, str]]:
    """name -> (picker text, tooltip) for the downloadable sets: size, licence, and whether cached."""
    try:
        # lazy: engine.data loads PyTorch, kept out of the window's first paint
        from engine.data.remote import catalogue
        entries = catalogue()
    except Exception:  # noqa: BLE001 - the picker still lists the names without the details
        return {}
    out = {}
    translate = QCoreApplication.translate
    for e in entries:
        size = f"{e['bytes'] / 1e6:,.0f} MB" if e["bytes"] >= 1e6 else f"{e['bytes'] / 1e3:,.0f} kB"
        text = (translate("SetupDock", "{name} (cached)") if e["cached"]
                else translate("SetupDock", "{name} (download, {size})")).format(name=e["name"], size=size)
        tip = (translate("SetupDock", "{title}\n{size} download, checked against its published SHA-256; kept in "
                                      "{folder}\nLicence: {licence}")
               .format(title=e["title"], size=size, folder=e["folder"], licence=e["licence"])
               + (translate("SetupDock", "\nAlready downloaded: loads without the network.") if e["cached"]
                  else translate("SetupDock", "\nDownloaded the first time you pick it; Cancel stops it.")))
        out[e["name"]] = (text, tip)
    return out


def _short_path(path: str, keep: int = 38) -> str:
    return path if len(path) <= keep else "…" + path[-(keep - 1):]

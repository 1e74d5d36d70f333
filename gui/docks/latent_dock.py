"""Latent dock: drag through a model's latent space while it trains, for every family.

The dock never touches the training model: published snapshots go to its own ``LatentExplorer``
(``gui.latent_link``), which decodes on its own thread, latest request wins. What it shows:

- the **plane**: the latent itself when it has two dimensions, otherwise a plane through it
  (principal components of encoded training data, random directions, or the plane through ends A and
  B; which comes first is the family's ``latent_view.first_plane``), with encoded training points
  coloured by class;
- the **decoded** handle, updated on every pointer move (a family whose decode takes steps, such as
  diffusion, previews with few while the pointer moves and refines when it rests:
  ``latent_view.decode_steps``), and a k x k **manifold** of the visible square region, redrawn when
  a new snapshot arrives or the view moves;
- **sliders** for the first latent dimensions, **interpolation** between two ends (PNG and GIF
  export) and **encode** (a training example or an image file; dropped files work too);
- for the autoregressive family, which has no latent, **completion** (``CompletionPanel``).

Work is asked for only while the dock is visible. What differs between families is their ``latent_view``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QStackedWidget, QVBoxLayout, QWidget

from engine.errors import GenLabError
from engine.i18n import QT_TRANSLATE_NOOP
from engine.latent.session import LatentSession
from gui.docks.text_probe import TextProbeSlot
from gui.i18n import family_text
from gui.latent_link import ExplorerLink
from gui.lazy import lazy_module
from gui.visibility import on_screen, when_shown
from gui.widgets.completion_panel import CompletionPanel
from gui.widgets.latent_page import PAGE_WIDGETS, LatentPage

REST_MS = 250                 # the pointer has rested this long: refine a diffusion preview
REGION_MS = 200               # the view stopped moving this long: redraw the manifold
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")
PLANE_TEXTS = (("axes", QT_TRANSLATE_NOOP("LatentDock", "Latent axes")),
               ("pca", QT_TRANSLATE_NOOP("LatentDock", "Principal components")),
               ("random", QT_TRANSLATE_NOOP("LatentDock", "Random directions")),
               ("samples", QT_TRANSLATE_NOOP("LatentDock", "Through A and B")))

jobs = lazy_module("engine.latent.jobs")  # loads PyTorch: on first use, after the window painted


class LatentDock(QDockWidget):
    def __init__(self, parent=None):
        super().__init__(self.tr("Latent"), parent)
        self.setObjectName("dock_latent")
        self.setAcceptDrops(True)
        self.link = ExplorerLink(self, name="genlab-latent")
        self.link.result_ready.connect(self._on_link_result_ready)
        self.rng = np.random.default_rng(0)     # the "random example" button's draws
        self._steps_family: str | None = None   # the family whose decode step counts the spin boxes hold
        self._reset_state()
        self._build()
        self.rest_timer = QTimer(self, singleShot=True, interval=REST_MS)
        self.rest_timer.timeout.connect(self._on_rest_timer_timeout)
        self.region_timer = QTimer(self, singleShot=True, interval=REGION_MS)
        self.region_timer.timeout.connect(self.request_grid)
        self.visibilityChanged.connect(self._on_visibility_changed)

    def _reset_state(self) -> None:
        self.family: str | None = None
        self.session = LatentSession(view=None)   # what the person does in the latent (engine.latent.session)
        self.snapshot = None
        self.forwarded = None
        self.strip = None
        self.shown_decode_id = 0      # request id of the decoded picture on screen
        self.shown_step = None        # snapshot step it was decoded from
        self.last_decode_id = 0       # the newest decode asked for
        self.last_decode_ms = 0.0
        self.last_embed_time = -1e9
        self.decodes_shown = 0
        self.moving = False           # the pointer is dragging the handle: only decodes are asked for
        self.refresh_pending = False  # new weights arrived while moving: grid and embedding wait for rest

    # The session's state, read by name (tests, benches and the dock's own drawing code).
    view = property(lambda self: self.session.view)     # the family's LatentView (engine.models.base)
    spec = property(lambda self: self.session.spec)
    info = property(lambda self: self.session.info)
    d = property(lambda self: self.session.d)
    plane = property(lambda self: self.session.plane)
    z = property(lambda self: self.session.z)
    ends = property(lambda self: self.session.ends)
    encoded = property(lambda self: self.session.encoded)
    embedded = property(lambda self: self.session.embedded)
    x_train = property(lambda self: self.session.x_train)
    y_train = property(lambda self: self.session.y_train)

    # ---- construction ------------------------------------------------------------------------------------
    def _build(self) -> None:
        body = QWidget()
        outer = QVBoxLayout(body)
        outer.setContentsMargins(4, 4, 4, 4)
        self.caption = QLabel(self.tr("Train a model: its latent space appears here, decoded live from the newest weights."))
        self.caption.setWordWrap(True)
        outer.addWidget(self.caption)
        self.pages = QStackedWidget()
        outer.addWidget(self.pages, 1)
        self.pages.addWidget(self._build_explorer_page())
        self.completion = CompletionPanel()
        self.completion.complete_requested.connect(self.request_completion)
        self.pages.addWidget(self.completion)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages.addWidget(self.message)
        self.status = QLabel("")
        self.status.setObjectName("latent_status")
        outer.addWidget(self.status)
        self.setWidget(body)
        self.text_slot = TextProbeSlot(self, completions=True, attention=False, name="latent", latent=True)  # text

    def _build_explorer_page(self) -> QWidget:
        page = self.explorer_page = LatentPage()
        for name in PAGE_WIDGETS:           # the dock's logic reads them as its own attributes
            setattr(self, name, getattr(page, name))
        self.plane_combo.activated.connect(lambda _: self.set_plane_mode(self.plane_combo.currentData()))
        self.new_plane.clicked.connect(self._on_new_plane_clicked)
        self.fit_view.clicked.connect(self.fit_region)
        self.k_spin.valueChanged.connect(lambda _: self.request_grid())
        self.class_combo.activated.connect(lambda _: self._on_class_changed())
        self.plane_view.handle_moved.connect(self._on_plane_handle_moved)
        self.plane_view.region_changed.connect(lambda: self.region_timer.start())
        self.sliders.value_changed.connect(self._on_sliders_value_changed)
        self.interp.set_a.clicked.connect(lambda: self.set_end("A", self.z))
        self.interp.set_b.clicked.connect(lambda: self.set_end("B", self.z))
        self.interp.random_a.clicked.connect(lambda: self.request_prior_end("A"))
        self.interp.random_b.clicked.connect(lambda: self.request_prior_end("B"))
        self.interp.go.clicked.connect(self.request_interpolation)
        self.interp.save_png.clicked.connect(lambda: self._save_dialog("png"))
        self.interp.save_gif.clicked.connect(lambda: self._save_dialog("gif"))
        self.encode_panel.index.valueChanged.connect(self._on_encode_index_changed)
        self.encode_panel.random.clicked.connect(
            lambda: self.encode_panel.index.setValue(int(self.rng.integers(0, self.encode_panel.index.maximum() + 1))))
        self.encode_panel.encode.clicked.connect(lambda: self.encode_example(self.encode_panel.index.value()))
        self.encode_panel.open_file.clicked.connect(self._open_image_dialog)
        return page

    # ---- run lifecycle ---------------------------------------------------------------------------------------
    def start_run(self, family: str, spec: dict, dataset=None) -> None:
        """A new run: forget the old latent, remember the data (for encoding and the plane)."""
        # lazy: engine.data loads PyTorch, kept out of the window's first paint
        from engine.data.spec import DataSpec
        from engine.models.registry import model_class   # the family's module: PyTorch is warm by now
        if self.text_slot.show_for(spec, dataset, family):   # text: completion, or the VAE's plane
            self.family = family
            return
        self._reset_state()
        self.family = family
        self.session = LatentSession(model_class(family).latent_view, DataSpec.from_dict(spec),
                                     None if dataset is None else dataset.x_train,
                                     None if dataset is None else dataset.y_train)
        self.plane_view.set_points(None)
        for name in ("A", "B", "E"):
            self.plane_view.set_marker(name, None)
        self.decoded_view.clear_picture()
        self.manifold_view.clear_picture()
        self.interp.strip.clear_picture()
        self.interp.save_png.setEnabled(False)
        self.interp.save_gif.setEnabled(False)
        points = self.spec.kind == "points"
        self.outputs.setCurrentWidget(self.data_view if points else self.decoded_view)
        self.manifold_view.setVisible(not points)
        if points and dataset is not None:
            self.data_view.set_reference(np.asarray(dataset.x_test[:5000]))
        n = 0 if self.x_train is None else len(self.x_train)
        self.encode_panel.index.setRange(0, max(0, n - 1))
        if self.spec.kind == "image":
            self.completion.set_source(self.x_train, self.spec.shape, self.spec.levels or 256)
        steps = self.view.decode_steps            # a person's step counts stay for the family's next runs
        fresh = steps is not None and family != self._steps_family
        self._steps_family = family if fresh else self._steps_family
        self.explorer_page.show_decode_steps(steps, family_text(self.view.decode_steps_label), fresh)
        self.class_label.setVisible(False)
        self.class_combo.setVisible(False)
        self.k_spin.setValue(self.view.grid)
        self.interp.set_mode(self.view.interpolation)
        self.pages.setCurrentIndex(2)
        self.message.setText(self.tr("Waiting for the first weights of the run…"))
        self.caption.setText(self.tr("{family}: waiting for the first snapshot of the weights.").format(family=family))

    def set_snapshot(self, snapshot) -> None:
        """A newly published snapshot (from the bridge); used at once if the dock is visible."""
        self.snapshot = snapshot
        if self.text_slot.set_snapshot(snapshot):
            return
        if on_screen(self):
            self._forward_snapshot()

    def _forward_snapshot(self) -> None:
        snap = self.snapshot
        if snap is None or snap is self.forwarded:
            return
        if self.family is None or snap.family != self.family:
            self.start_run(snap.family, snap.init_args["spec"], None)
        self.forwarded = snap
        self.link.set_snapshot(snap)
        if self.info is None:
            self.link.explorer.submit("info", jobs.describe, priority=0)
            return
        self.refresh()

    def refresh(self) -> None:
        """Decode the handle and the manifold again (new weights), and re-encode the data when due.
        While the handle moves, only the decode is renewed: the grid and the embedding would hold up
        the next decode on the explorer's thread, so they wait until the pointer rests."""
        if self.info is None or not on_screen(self):
            return
        if self.info["latent"]:
            if self.moving or self.rest_timer.isActive():
                self.refresh_pending = True
                self.request_decode(refined=False)
                return
            self.refresh_pending = False
            self.request_decode(refined=True)
            self.request_grid(preemptible=False)   # new weights: a grid being drawn finishes first
            every = self.view.embed_every_s
            if every is not None and time.monotonic() - self.last_embed_time >= every:
                self.request_embed()

    def shutdown(self) -> bool:
        self.rest_timer.stop()
        self.region_timer.stop()
        self.completion.timer.stop()
        return self.text_slot.shutdown() & self.link.close(2.0)

    def _on_visibility_changed(self, visible: bool) -> None:
        if visible:
            when_shown(self, self._on_shown)

    def _on_shown(self) -> None:
        if self.text_slot.shown():
            return
        self._forward_snapshot()
        self.refresh()

    # ---- the model's shape (first result of a run) -------------------------------------------------------------
    def _setup_model(self, info: dict) -> None:
        self.session.set_model(info)
        self.family = info["family"]
        if info["latent"]:
            self.pages.setCurrentIndex(0)
            self.sliders.set_dims(self.d, self.view.symbol)
            self.encode_panel.setEnabled(info["encode"])
            self.encode_panel.caption.setText("" if info["encode"] else
                                              self.tr("The {family} family has no encoder: its latent is only "
                                                      "decoded.").format(family=self.family))
            self.plane_combo.clear()
            offered = self.session.plane_modes()
            for mode, text in PLANE_TEXTS:
                if mode in offered:
                    self.plane_combo.addItem(self.tr(text), mode)
            self._fill_classes(info)
            self.set_plane_mode(self.session.default_plane_mode())
            self.caption.setText(self._caption_text())
            self.refresh()
            if info["encode"] and self.x_train is not None:
                self.request_embed()
            self._on_encode_index_changed(self.encode_panel.index.value())
        elif info["completion"] and self.spec.kind == "image":
            self.pages.setCurrentIndex(1)
            self.caption.setText(self.tr("The autoregressive model has no latent: keep the top of an image (or draw on it) "
                                 "and let the model complete it."))
            self.completion.show_example(self.completion.index.value())
        else:
            self.pages.setCurrentIndex(2)
            text = (self.tr("The {family} family has no latent space to explore here (completion is for images; "
                            "see Inside the model for 2-D data).") if info["completion"] else
                    self.tr("The {family} family has no latent space to explore here."))
            self.message.setText(text.format(family=self.family))

    def _fill_classes(self, info: dict) -> None:
        self.class_combo.clear()
        n = self.spec.num_classes if self.spec is not None else 0
        names = list(self.spec.class_names) if self.spec is not None else []
        for k in range(n if info.get("conditional") else 0):
            self.class_combo.addItem(names[k] if k < len(names) else str(k), k)
        self.class_label.setVisible(self.class_combo.count() > 0)
        self.class_combo.setVisible(self.class_combo.count() > 0)

    def _caption_text(self) -> str:
        what = family_text(self.view.caption, self.tr("the latent"))
        return self.tr("Drag on the plane through {what} ({d} dimensions); right-drag pans, the wheel zooms. "
                       "The pictures come from a copy of the newest weights; training is not disturbed.").format(
            what=what, d=self.d)

    # ---- plane ----------------------------------------------------------------------------------------------------
    def set_plane_mode(self, mode: str) -> None:
        if self.d == 0:
            return
        if mode == "pca" and self.embedded is None:
            self.request_embed()
        choice = self.session.choose_plane(mode)
        if choice.reason == "ends":
            self.status.setText(self.tr("Mark ends A and B first (Interpolate tab) to use the plane through them."))
        self.plane_combo.setCurrentIndex(max(0, self.plane_combo.findData(choice.shown)))
        self.plane_view.set_axis_names(*self.plane.axis_names)
        self._update_plane_items()
        self.fit_region()
        self.sliders.set_values(self.z)
        self.request_decode(refined=True)

    def _update_plane_items(self) -> None:
        self.plane_view.set_handle(*self.session.handle())
        points = self.session.points()
        if points is None:
            self.plane_view.set_points(None)
        else:
            self.plane_view.set_points(*points)
        for name, where in self.session.markers().items():
            self.plane_view.set_marker(name, where)

    def fit_region(self) -> None:
        if self.plane is None:
            return
        self.plane_view.set_region(*self.session.fitted_region())
        self.region_timer.start()

    def _on_new_plane_clicked(self) -> None:
        mode = self.plane_combo.currentData()
        if mode == "pca":
            self.session.forget_embedding()
            self.request_embed(refit=True)
        else:
            self.set_plane_mode(mode)

    # ---- pointer and sliders --------------------------------------------------------------------------------------
    def _on_plane_handle_moved(self, a: float, b: float, final: bool) -> None:
        if self.plane is None or self.z is None:
            return
        self.session.move_handle(a, b)
        self.moving = not final
        self.sliders.set_values(self.z)
        self.request_decode(refined=False)
        self.rest_timer.start()

    def _on_rest_timer_timeout(self) -> None:
        """The pointer rested: refine a diffusion preview, and catch up with weights that came meanwhile."""
        self.moving = False
        if self.refresh_pending:
            self.refresh()
        elif self.view.decode_steps is not None:
            self.request_decode(refined=True)

    def _on_sliders_value_changed(self, dim: int, value: float) -> None:
        if not self.session.set_dim(dim, value):
            return
        self.plane_view.set_handle(*self.plane.coords(self.z))
        self.request_decode(refined=False)
        self.region_timer.start()          # the grid follows the off-plane part of the latent
        self.rest_timer.start()

    def decode_options(self, refined: bool) -> dict:
        options = {}
        if self.info is not None and self.info.get("conditional") and self.class_combo.count():
            options["label"] = int(self.class_combo.currentData())
        if self.view.decode_steps is not None:
            options["steps"] = int(self.refined_steps.value() if refined else self.preview_steps.value())
        return options

    def encode_options(self) -> dict:
        """Encoding with steps (DDIM inversion, exact only in the limit) runs with the refined number."""
        return {"steps": int(self.refined_steps.value())} if self.view.decode_steps is not None else {}

    def _on_class_changed(self) -> None:
        self.request_decode(refined=True)
        self.request_grid()

    # ---- requests -------------------------------------------------------------------------------------------------
    def request_decode(self, refined: bool = False) -> int:
        if self.z is None or self.info is None or not self.info["latent"]:
            return -1
        # a preview that is running finishes (and is shown) even when the pointer has moved on; a slow
        # refined decode gives way at once
        self.last_decode_id = self.link.explorer.decode(self.z, tag=time.perf_counter(), preemptible=refined,
                                                        **self.decode_options(refined))
        return self.last_decode_id

    def request_grid(self, preemptible: bool = True) -> int:
        """Decode the manifold. ``preemptible``: a newer grid interrupts this one while it runs (the
        view moved: it is stale); new weights alone let a running grid finish, or a slow model would
        never finish one while it trains."""
        if self.plane is None or self.z is None or not on_screen(self):
            return -1
        xr, yr = self.plane_view.square_region()
        self.plane_view.set_manifold_region(xr, yr)
        k = int(self.k_spin.value())
        latents = self.session.grid_latents(xr, yr, k)
        return self.link.explorer.grid(latents, k, tag=k, preemptible=preemptible, **self.decode_options(False))

    def request_embed(self, refit: bool = False) -> int:
        ask = self.session.embed_request()
        if ask is None:
            return -1
        self.last_embed_time = time.monotonic()
        options = {"steps": int(self.preview_steps.value())} if self.view.decode_steps is not None else {}
        return self.link.explorer.embed(ask.x, ask.y, max_points=ask.max_points, tag=refit, preemptible=refit,
                                        **options)

    def request_interpolation(self) -> int:
        if not {"A", "B"} <= set(self.ends):
            self.interp.caption.setText(self.tr("Mark ends A and B first."))
            return -1
        mode = self.interp.mode.currentData()
        return self.link.explorer.interpolate(self.ends["A"], self.ends["B"], self.interp.steps.value(), mode,
                                              **self.decode_options(True))

    def request_prior_end(self, name: str) -> int:
        """Draw end ``name`` from the model's own prior on the explorer's thread (a VAE's fitted mixture:
        N(0, I) codes decode to smudges there); the seed comes from the session's generator."""
        seed = int(self.session.rng.integers(2**31))
        return self.link.explorer.submit(f"prior_{name.lower()}", jobs.prior_draw(seed), tag=name, priority=1)

    def _show_prior(self, result) -> None:
        self.set_end(result.tag, result.data)

    _show_prior_a = _show_prior_b = _show_prior

    def set_end(self, name: str, z) -> None:
        if self.session.mark_end(name, z) is None:
            return
        self.plane_view.set_marker(name, self.session.markers()[name])
        self.interp.caption.setText(self.tr("Ends set: {ends}.").format(ends=', '.join(sorted(self.ends))))

    def encode_example(self, index: int) -> int:
        example = self.session.training_example(index)
        if example is None:
            return -1
        x, y = example
        return self.link.explorer.encode(x, y, tag=("example", index), **self.encode_options())

    def encode_file(self, path) -> int:
        # lazy: engine.latent.export loads PyTorch, kept out of the window's first paint
        from engine.latent.export import load_image_for
        if self.spec is None or self.info is None or not self.info["encode"]:
            self.encode_panel.caption.setText(self.tr("Train a model with an encoder first."))
            return -1
        try:
            x = load_image_for(self.spec, path)
        except GenLabError as e:
            self.encode_panel.caption.setText(str(e))
            return -1
        self.encode_panel.thumb.set_image(jobs.picture(x))
        label = self.decode_options(True).get("label")
        labels = None if label is None else np.array([label])
        return self.link.explorer.encode(x[None], labels, tag=("file", Path(path).name), **self.encode_options())

    def request_completion(self) -> int:
        p = self.completion
        if p.x is None:
            return -1
        p.caption.setText(self.tr("Completing…"))
        return self.link.explorer.complete(p.x, p.known(), n=p.count.value(), temperature=p.temperature.value())

    # ---- results ---------------------------------------------------------------------------------------------------
    def _on_link_result_ready(self, result) -> None:
        if result.error:
            self.status.setText(f"{result.kind}: {result.error}")
            return
        if self.family is not None and result.family != self.family:
            return
        handler = getattr(self, f"_show_{result.kind}", None)
        if handler is not None:
            handler(result)

    def _show_info(self, result) -> None:
        self._setup_model(result.data)

    def _show_decode(self, result) -> None:
        if result.request_id < self.shown_decode_id:
            return
        self.shown_decode_id = result.request_id
        self.shown_step = result.step
        dec = result.data
        if dec.kind == "image":
            self.decoded_view.set_image(dec.values[0], tag=result.request_id, now=True)
        else:
            self.data_view.set_point(dec.values[0], tag=result.request_id)
        self.decodes_shown += 1
        self.last_decode_ms = result.seconds * 1000
        steps = self.tr(", {n} DDIM steps").format(n=dec.options["steps"]) if "steps" in dec.options else ""
        self.status.setText(self.tr("step {step:,}: decoded in {ms:.0f} ms{steps}")
                            .format(step=result.step, ms=self.last_decode_ms, steps=steps))

    def _show_grid(self, result) -> None:
        dec = result.data
        if dec.kind == "image":
            self.manifold_view.set_image(dec.picture, tag=result.request_id)
        else:
            self.data_view.set_grid(dec.values, int(result.tag))

    def _show_embed(self, result) -> None:
        if self.session.set_embedding(result.data, self.plane_combo.currentData(), refit=bool(result.tag)):
            self.set_plane_mode("pca")
            return
        if self.plane is None:
            return
        self._update_plane_items()
        if self.session.follows_data() and not self.plane_view.user_moved:
            self.fit_region()       # follow the encoded data as it spreads, until the person zooms or pans

    def _show_interpolate(self, result) -> None:
        dec = result.data
        self.strip = dec
        if dec.kind == "image":
            self.interp.strip.set_image(dec.picture, tag=result.request_id)
            self.interp.save_png.setEnabled(True)
            self.interp.save_gif.setEnabled(True)
        else:
            self.data_view.set_path(dec.values)
        self.interp.caption.setText(self.tr("{n} steps, {mode}, weights of step {step:,}.")
                                    .format(n=len(dec.values), mode=dec.options.get('mode'), step=result.step))

    def _show_encode(self, result) -> None:
        self.session.set_encoded(result.data[0])
        what, which = result.tag if isinstance(result.tag, tuple) else ("input", "")
        self.encode_panel.caption.setText(self.tr("Encoded {what} {which}: marked E on the plane. Drag to edit it.").format(what=what, which=which))
        self._update_plane_items()
        self.sliders.set_values(self.z)
        self.request_decode(refined=True)
        self.request_grid()

    def _show_complete(self, result) -> None:
        self.completion.show_completion(result.data)

    # ---- encode inputs ---------------------------------------------------------------------------------------------
    def _on_encode_index_changed(self, index: int) -> None:
        if self.x_train is None or self.spec is None or self.spec.kind != "image" or not len(self.x_train):
            return
        self.encode_panel.thumb.set_image(jobs.picture(np.asarray(self.x_train[index])))

    def _open_image_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Encode an image"), "",
                                              self.tr("Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff)"))
        if path:
            self.encode_file(path)

    def _droppable(self, mime) -> str | None:
        """The image file a drag carries, when this dock can encode it (otherwise the window takes the
        drop and loads it as training data)."""
        if (self.info is None or not self.info.get("encode") or self.spec is None or self.spec.kind != "image"
                or self.pages.currentIndex() != 0 or not mime.hasUrls()):
            return None
        files = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
        if len(files) == 1 and Path(files[0]).suffix.lower() in IMAGE_SUFFIXES and Path(files[0]).is_file():
            return files[0]
        return None

    def dragEnterEvent(self, event) -> None:
        if self._droppable(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:
        path = self._droppable(event.mimeData())
        if path is None:
            event.ignore()
            return
        self.tabs.setCurrentWidget(self.encode_panel)
        self.encode_file(path)
        event.acceptProposedAction()

    # ---- export --------------------------------------------------------------------------------------------------
    def save_strip(self, path, fmt: str | None = None) -> Path:
        """Save the interpolation strip as PNG (one picture) or GIF (the path, forwards and back)."""
        # lazy: engine.latent.export loads PyTorch, kept out of the window's first paint
        from engine.latent.export import save_gif, save_strip_png
        if self.strip is None or self.strip.kind != "image":
            raise ValueError(self.tr("there is no interpolation strip to save yet"))
        fmt = fmt or Path(path).suffix.lstrip(".").lower()
        if fmt == "gif":
            return save_gif(self.strip.values, path)
        return save_strip_png(self.strip.picture, path)

    def _save_dialog(self, fmt: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the interpolation"), f"interpolation.{fmt}",
                                              self.tr("GIF (*.gif)") if fmt == "gif" else self.tr("PNG (*.png)"))
        if not path:
            return
        try:
            saved = self.save_strip(path, fmt)
        except (OSError, ValueError) as e:
            self.interp.caption.setText(self.tr("Could not save {name}: {e}").format(name=Path(path).name, e=e))
            return
        self.interp.caption.setText(self.tr("Saved {saved}").format(saved=saved))

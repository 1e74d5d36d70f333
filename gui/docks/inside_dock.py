"""Inside the model: what a model trained on 2-D points computes, updated live as it trains.

On the plane of the data (``engine.latent.inside`` does the work on a second ``LatentExplorer``, so
these heavier views never delay a drag in the Latent dock), each view shown because the family's class
declares what it needs (``engine.models.base``):

- a heat map: the density when the family has a likelihood (exact, a bound or the probability-flow
  ODE, labelled as such), else its critic's scores (a GAN's discriminator);
- frames for the slider (``inside_view.frames``): a grid of noise warped by the generator, a grid of
  the base space carried through a flow's couplings, or particles moving from noise to data;
- posterior ellipses (the ``posterior`` capability, a VAE): click points to see q(z | x) in the latent
  plane (right);
- a mixture's components (the ``mixture`` capability): each component's ellipse, and the held-out
  points coloured by their responsibilities (the E-step), moving as EM iterates;
- a slider for the family's view knob (``inside_view.knob``, a KDE's bandwidth): the heat map and the
  held-out NLL of the shown points are computed again with the slider's value on the dock's own copy
  of the model, so the trade-off shows during training and after it;
- the learned score as arrows on a grid (``inside_view.score_arrows``, a diffusion model): where the
  density of the data smoothed by Gaussian noise rises, at the noise level of the view's own slider
  (log scale, from a hundredth of the data's spread to twice it);
- a chart of sample quality against sampler steps (``inside_view.steps_chart``): the energy distance of
  each of the model's samplers to held-out points at 1 to 64 steps, computed in the background for
  each shown snapshot;
- under them, the family's own note on what the views are (``inside_view.help``).

Everything is recomputed from each new snapshot while the dock is visible (latest wins).
"""

from __future__ import annotations

import functools
import math

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDockWidget, QHBoxLayout, QLabel, QPushButton, QSlider,
                               QSplitter, QVBoxLayout, QWidget)

from engine.knobs import field_info
from engine.latent.plane import view_bounds
from engine.models.registry import model_class
from gui.docks.text_probe import TextProbeSlot
from gui.i18n import family_text, knob_text
from gui.latent_link import ExplorerLink
from gui.lazy import lazy_module
from gui.visibility import on_screen, when_shown
from gui.widgets.inside_views import MapView, PosteriorView, heat_uint8
from gui.widgets.steps_chart import StepsChart

HEAT_RES = 64                 # critic heat map cells per side (a density's: the family's inside_view)
PARTICLES = 600               # particles moved from noise to data, for families whose frames are particles
MAX_PICKS = 8
MIXTURE_POINTS = 1500         # held-out points coloured by their responsibilities
SCORE_POINTS = 2000           # held-out points scored for the view knob's NLL
CHAINS = 400                  # MCMC chains drawn on the map
CHAIN_STEPS = 200             # transitions per chain
KNOB_TICKS = 400              # positions of the view knob's slider (log scale between the knob's bounds)
ARROW_GRID = 21               # score arrows per side
NOISE_RANGE = (0.01, 2.0)     # the score arrows' noise slider, as multiples of the data's spread (log scale)
NOISE_DEFAULT = 0.1
CHART_STEPS = (1, 2, 4, 8, 16, 32, 64)   # sampler steps of the quality chart
CHART_POINTS = 1000           # samples per point of the chart (and held-out points compared with)

inside = lazy_module("engine.latent.inside")  # loads PyTorch: on first use, after the window painted


class InsideDock(QDockWidget):
    def __init__(self, parent=None):
        super().__init__(self.tr("Inside the model"), parent)
        self.setObjectName("dock_inside")
        self.link = ExplorerLink(self, name="genlab-inside", seed=1)
        self.link.result_ready.connect(self._on_link_result_ready)
        self.family: str | None = None
        self.model_class = None               # the family's class: which views it has
        self.kind: str | None = None
        self.bounds = (-3.0, 3.0, -3.0, 3.0)
        self.reference: np.ndarray | None = None
        self.snapshot = None
        self.forwarded = None
        self.heatmap = None
        self.frames = None
        self.components = None
        self.chains = None
        self.knob_info: dict | None = None    # field_info of the family's view knob
        self.knob_setting: float | None = None  # the slider's value (None: the snapshot's)
        self.snapshot_knob: float | None = None
        self.picks: list[tuple[float, float]] = []
        self.arrow_field = None
        self.spread = 1.0                     # the data's standard deviation (mean over the axes)
        self.noise = NOISE_DEFAULT
        self.results = 0
        self._build()
        self.visibilityChanged.connect(self._on_visibility_changed)

    def _build(self) -> None:
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        self.caption = QLabel(self.tr("For models trained on 2-D points: density, discriminator, warps and particles, "
                              "live from the newest weights."))
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.map_view = MapView()
        self.map_view.clicked.connect(self._on_map_clicked)
        split.addWidget(self.map_view)
        self.posterior_view = PosteriorView()
        split.addWidget(self.posterior_view)
        self.steps_chart = StepsChart()
        self.steps_chart.setObjectName("inside_steps_chart")
        split.addWidget(self.steps_chart)
        layout.addWidget(split, 1)
        row = QHBoxLayout()
        self.log_check = QCheckBox(self.tr("log scale"))
        self.log_check.setToolTip(self.tr("Colour by log-density over its top {nats} nats instead of by density").format(nats=12))
        self.log_check.toggled.connect(lambda _: self._update_heat())
        row.addWidget(self.log_check)
        self.frame_label = QLabel("")
        self.frame_slider = QSlider(Qt.Orientation.Horizontal)
        self.frame_slider.setObjectName("inside_frame_slider")
        self.frame_slider.valueChanged.connect(self._update_frame)
        row.addWidget(self.frame_label)
        row.addWidget(self.frame_slider, 1)
        self.knob_label = QLabel("")
        self.knob_slider = QSlider(Qt.Orientation.Horizontal)
        self.knob_slider.setObjectName("inside_knob_slider")
        self.knob_slider.setRange(0, KNOB_TICKS)
        self.knob_slider.valueChanged.connect(self._on_knob_slider_moved)
        self.knob_value = QLabel("")
        row.addWidget(self.knob_label)
        row.addWidget(self.knob_slider, 1)
        row.addWidget(self.knob_value)
        self.clear_picks = QPushButton(self.tr("Clear picks"))
        self.clear_picks.clicked.connect(self._on_clear_picks_clicked)
        row.addWidget(self.clear_picks)
        layout.addLayout(row)
        chain_row = QHBoxLayout()
        self.chain_method = QComboBox()
        self.chain_method.setObjectName("inside_chain_method")
        for key, text in (("mh", self.tr("Metropolis-Hastings")), ("langevin", self.tr("Langevin")),
                          ("mala", self.tr("Metropolis-adjusted Langevin")),
                          ("annealed", self.tr("annealed Langevin"))):
            self.chain_method.addItem(text, key)
        self.chain_button = QPushButton(self.tr("Run MCMC chains"))
        self.chain_button.setToolTip(self.tr("Sample the model by a Markov chain on its density or score "
                                             "instead of its own sampler"))
        self.chain_button.clicked.connect(self._on_chain_button_clicked)
        self.chain_info = QLabel("")
        self.chain_info.setObjectName("inside_chain_info")
        chain_row.addWidget(self.chain_method)
        chain_row.addWidget(self.chain_button)
        chain_row.addWidget(self.chain_info, 1)
        layout.addLayout(chain_row)
        arrow_row = QHBoxLayout()
        self.arrow_check = QCheckBox(self.tr("score arrows"))
        self.arrow_check.setObjectName("inside_arrow_check")
        self.arrow_check.setChecked(True)
        self.arrow_check.setToolTip(self.tr("Arrows: the learned score, the direction in which the density of the "
                                            "data blurred by Gaussian noise rises, at the noise level of the slider"))
        self.arrow_check.toggled.connect(self._on_arrow_check_toggled)
        self.noise_label = QLabel(self.tr("noise level"))
        self.noise_slider = QSlider(Qt.Orientation.Horizontal)
        self.noise_slider.setObjectName("inside_noise_slider")
        self.noise_slider.setRange(0, KNOB_TICKS)
        self.noise_slider.valueChanged.connect(self._on_noise_slider_moved)
        self.noise_value = QLabel("")
        for w in (self.arrow_check, self.noise_label):
            arrow_row.addWidget(w)
        arrow_row.addWidget(self.noise_slider, 1)
        arrow_row.addWidget(self.noise_value)
        layout.addLayout(arrow_row)
        self.note = QLabel("")
        self.note.setObjectName("inside_note")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.setWidget(body)
        self.text_slot = TextProbeSlot(self, completions=False, attention=True, name="inside")  # text runs
        self._configure(None)

    # ---- run lifecycle ------------------------------------------------------------------------------------
    def start_run(self, family: str, spec: dict, dataset=None) -> None:
        self.text_slot.show_for(spec, dataset)   # text: the next character as the person types
        self.family = family
        self.model_class = model_class(family)
        self.kind = spec.get("kind")
        self.snapshot = None
        self.forwarded = None
        self.heatmap = None
        self.frames = None
        self.picks = []
        self.map_view.set_heat(None)
        self.map_view.set_lines(None)
        self.map_view.set_particles(None)
        self.map_view.set_picks([])
        self.map_view.set_components(None)
        self.map_view.set_chains(None)
        self.map_view.set_arrows(None)
        self.steps_chart.set_result(None)
        self.arrow_field = None
        self.components = None
        self.chains = None
        self.chain_info.setText("")
        self.reference = None
        if self.kind == "points" and dataset is not None:
            self.reference = np.asarray(dataset.x_test[:3000], dtype=np.float64)
            (x0, x1), (y0, y1) = view_bounds(self.reference, margin=0.15)
            self.bounds = (x0, x1, y0, y1)
            self.spread = float(self.reference.std(0).mean()) or 1.0
        self.map_view.set_reference(self.reference)
        self.map_view.set_bounds(self.bounds)
        self._configure(family if self.kind == "points" else None)

    def _has(self, capability: str) -> bool:
        return self.model_class is not None and capability in self.model_class.capabilities

    def _configure(self, family: str | None) -> None:
        points = family is not None
        view = self.model_class.inside_view if points else None
        self.map_view.setVisible(points)
        picks = points and self._has("posterior")
        self.posterior_view.setVisible(picks)
        self.clear_picks.setVisible(picks)
        stepped = points and view.frames is not None
        self.frame_slider.setVisible(stepped)
        self.frame_label.setVisible(stepped)
        self.log_check.setVisible(points and self._has("log_likelihood"))
        exact = points and self._has("log_likelihood") and self.model_class.likelihood_kind == "exact"
        score = points and self._has("score")
        allowed = {"mh": exact, "langevin": score, "mala": exact and score, "annealed": score}
        view_model = self.chain_method.view()
        for i in range(self.chain_method.count()):
            view_model.setRowHidden(i, not allowed[self.chain_method.itemData(i)])
        usable = [i for i in range(self.chain_method.count()) if allowed[self.chain_method.itemData(i)]]
        if usable and self.chain_method.currentIndex() not in usable:
            self.chain_method.setCurrentIndex(usable[-1])
        for w in (self.chain_method, self.chain_button, self.chain_info):
            w.setVisible(bool(usable))
        self.steps_chart.setVisible(bool(points and view.steps_chart))
        arrows = points and view.score_arrows and self._has("score")
        for w in (self.arrow_check, self.noise_label, self.noise_slider, self.noise_value):
            w.setVisible(bool(arrows))
        if arrows:
            self._show_noise(NOISE_DEFAULT * self.spread)
        knob = view.knob if points else ""
        self.knob_info = next((i for i in field_info(self.model_class.config_class) if i["name"] == knob), None) \
            if knob else None
        for w in (self.knob_label, self.knob_slider, self.knob_value):
            w.setVisible(self.knob_info is not None)
        if self.knob_info is not None:
            self.knob_label.setText(knob_text(self.knob_info["label"]))
            self.knob_setting = None
            self.snapshot_knob = None
            self._show_knob(float(self.knob_info["default"]))
        if not points:
            self.note.setText(self.tr("These views are for models trained on 2-D points (moons, 8gaussians, …). "
                              "For images, use the Latent dock.") if self.kind == "image" else "")
            return
        self.note.setText(family_text(view.help))

    def set_snapshot(self, snapshot) -> None:
        self.snapshot = snapshot
        if self.text_slot.set_snapshot(snapshot):
            return
        if on_screen(self):
            self._forward_snapshot()

    def _forward_snapshot(self) -> None:
        snap = self.snapshot
        if snap is None or snap is self.forwarded or self.kind != "points":
            return
        self.forwarded = snap
        if self.knob_info is not None:
            value = snap.init_args.get("config", {}).get(self.knob_info["name"])
            if value is not None and value != self.snapshot_knob:   # training's own value moved: follow it
                self.snapshot_knob = float(value)
                self.knob_setting = None
                self._show_knob(float(value))
        self.link.set_snapshot(snap)
        self.request_all()

    def _on_visibility_changed(self, visible: bool) -> None:
        if visible:
            when_shown(self, lambda: self.text_slot.shown() or self._forward_snapshot())

    def shutdown(self) -> bool:
        return self.text_slot.shutdown() & self.link.close(2.0)

    # ---- requests -----------------------------------------------------------------------------------------
    def request_all(self) -> None:
        """Every view of the family, from the newest weights. A view being computed finishes first
        (``preemptible=False``): the ODE density of a diffusion model takes longer than training
        takes to publish new weights, and would never finish if each snapshot restarted it."""
        submit = functools.partial(self.link.explorer.submit, preemptible=False)
        view = self.model_class.inside_view
        if self._has("log_likelihood"):
            self.request_density(submit)
        elif self._has("critic"):
            submit("inside:density", inside.critic(self.bounds, HEAT_RES))
        if view.frames is not None:
            submit("inside:frames", inside.frames(PARTICLES), priority=3)
        if self._has("posterior"):
            self.request_posterior()
        if self._arrows_wanted():
            self.request_arrows(submit)
        if view.steps_chart and self.reference is not None and len(self.reference) >= 4:
            submit("inside:steps", inside.steps_quality(self.reference[:2 * CHART_POINTS], CHART_STEPS, CHART_POINTS),
                   priority=4)   # as the density: neither interrupts the other
        if self._has("mixture"):
            pts = self.reference[:MIXTURE_POINTS] if self.reference is not None else np.zeros((0, 2))
            submit("inside:components", inside.components(pts), priority=2)

    def request_density(self, submit=None) -> None:
        """The heat map (with the view knob's value and the held-out NLL, for a family that has one)."""
        submit = submit or self.link.explorer.submit
        view = self.model_class.inside_view
        knob, score = None, None
        if self.knob_info is not None:
            value = self.knob_setting if self.knob_setting is not None else self.snapshot_knob
            knob = (self.knob_info["name"], value) if value is not None else None
            score = self.reference[:SCORE_POINTS] if self.reference is not None else None
        submit("inside:density", inside.density(self.bounds, view.density_resolution, view.density_options,
                                                 knob=knob, score=score), grad=view.density_needs_grad)

    # ---- the view knob: a log-scale slider between the knob's bounds ----------------------------------------
    def _knob_bounds(self) -> tuple[float, float]:
        lo = float(self.knob_info.get("min") or 1e-3)
        hi = float(self.knob_info.get("max") or lo * 1e3)
        return lo, hi

    def _show_knob(self, value: float) -> None:
        lo, hi = self._knob_bounds()
        pos = round(KNOB_TICKS * math.log(max(lo, min(hi, value)) / lo) / math.log(hi / lo))
        self.knob_slider.blockSignals(True)
        self.knob_slider.setValue(int(pos))
        self.knob_slider.blockSignals(False)
        self.knob_value.setText(f"{value:.3g}")

    def set_knob_value(self, value: float) -> None:
        """Show the heat map with the view knob at ``value`` (the slider's job; a test's too)."""
        self._show_knob(value)
        self.knob_setting = float(value)
        if self.forwarded is not None and self._has("log_likelihood"):
            self.request_density()

    def _on_knob_slider_moved(self, pos: int) -> None:
        lo, hi = self._knob_bounds()
        self.set_knob_value(float(f"{lo * (hi / lo) ** (pos / KNOB_TICKS):.3g}"))

    # ---- score arrows: a log-scale noise slider between NOISE_RANGE times the data's spread --------------------
    def _arrows_wanted(self) -> bool:
        view = self.model_class.inside_view if self.model_class is not None else None
        return bool(view and view.score_arrows and self._has("score") and self.kind == "points"
                    and self.arrow_check.isChecked())

    def _noise_bounds(self) -> tuple[float, float]:
        return NOISE_RANGE[0] * self.spread, NOISE_RANGE[1] * self.spread

    def _show_noise(self, value: float) -> None:
        lo, hi = self._noise_bounds()
        self.noise = max(lo, min(hi, float(value)))
        self.noise_slider.blockSignals(True)
        self.noise_slider.setValue(round(KNOB_TICKS * math.log(self.noise / lo) / math.log(hi / lo)))
        self.noise_slider.blockSignals(False)
        self.noise_value.setText(f"{self.noise:.3g}")

    def set_noise(self, value: float) -> None:
        """Arrows of the score at noise level ``value`` (data units): the slider's job; a test's too."""
        self._show_noise(value)
        if self.forwarded is not None and self._arrows_wanted():
            self.request_arrows()

    def _on_noise_slider_moved(self, pos: int) -> None:
        lo, hi = self._noise_bounds()
        self.set_noise(lo * (hi / lo) ** (pos / KNOB_TICKS))

    def _on_arrow_check_toggled(self, on: bool) -> None:
        if not on:
            self.arrow_field = None
            self.map_view.set_arrows(None)
        elif self.forwarded is not None and self._arrows_wanted():
            self.request_arrows()

    def request_arrows(self, submit=None) -> None:
        """The score field on an ARROW_GRID x ARROW_GRID grid at the slider's noise level."""
        submit = submit or self.link.explorer.submit
        submit("inside:arrows", inside.score_field(self.bounds, ARROW_GRID, self.noise), priority=2, grad=True)

    def request_chains(self, method: str | None = None) -> None:
        """MCMC chains on the newest weights (``engine.latent.inside.chains``)."""
        if self.forwarded is None or self.reference is None:
            return
        method = method or self.chain_method.currentData()
        spread = float(np.asarray(self.reference).std(0).mean())
        self.chain_info.setText(self.tr("running {method} chains…").format(method=method))
        self.link.explorer.submit("inside:chains", inside.chains(method, CHAINS, CHAIN_STEPS, spread), priority=3,
                                  grad=True)

    def _on_chain_button_clicked(self) -> None:
        self.request_chains()

    def request_posterior(self) -> None:
        cloud = self.reference[:1000] if self.reference is not None else np.zeros((0, 2))
        self.link.explorer.submit("inside:posterior", inside.posterior(self.picks, cloud), priority=2)

    def _on_map_clicked(self, x: float, y: float) -> None:
        if not self._has("posterior") or self.forwarded is None:
            return
        self.picks = (self.picks + [(x, y)])[-MAX_PICKS:]
        self.map_view.set_picks(self.picks)
        self.request_posterior()

    def _on_clear_picks_clicked(self) -> None:
        self.picks = []
        self.map_view.set_picks([])
        if self.forwarded is not None:
            self.request_posterior()

    # ---- results ------------------------------------------------------------------------------------------
    def _on_link_result_ready(self, result) -> None:
        if result.error:
            self.note.setText(f"{result.kind}: {result.error}")
            return
        if result.family != self.family:
            return
        self.results += 1
        if result.kind == "inside:density":
            self.heatmap = result.data
            self._update_heat()
            text = self.tr("Step {step:,}: {label}.").format(step=result.step, label=result.data.label)
            if result.data.nll is not None and result.data.knob is not None:
                text += " " + self.tr("{knob} = {value:.3g}: held-out NLL {nll:.3f} nats on {n} points.").format(
                    knob=knob_text(self.knob_info["label"]) if self.knob_info else result.data.knob[0],
                    value=float(result.data.knob[1]), nll=result.data.nll,
                    n=min(SCORE_POINTS, len(self.reference) if self.reference is not None else 0))
            self.caption.setText(text)
        elif result.kind == "inside:frames":
            self._set_frames(result.data)
        elif result.kind == "inside:posterior":
            self.posterior_view.set_posterior(result.data)
        elif result.kind == "inside:chains":
            self.chains = result.data
            self.map_view.set_chains(result.data)
            ch = result.data
            accepted = "–" if ch.acceptance is None else f"{ch.acceptance:.2f}"
            self.chain_info.setText(self.tr("{method}: {n} chains, step size {step:.3g}, acceptance {acc}").format(
                method=ch.method, n=len(ch.samples), step=ch.step_size, acc=accepted))
        elif result.kind == "inside:arrows":
            if not self.arrow_check.isChecked():
                return
            self.arrow_field = result.data
            x0, x1, y0, y1 = self.bounds
            self.map_view.set_arrows(result.data, min(x1 - x0, y1 - y0) / ARROW_GRID)
        elif result.kind == "inside:steps":
            self.steps_chart.set_result(result.data)
        elif result.kind == "inside:components":
            self.components = result.data
            self.map_view.set_components(result.data)

    def _update_heat(self) -> None:
        h = self.heatmap
        if h is None:
            return
        self.map_view.set_heat(heat_uint8(h.values, h.what, self.log_check.isChecked()), h.bounds)

    def _set_frames(self, frames) -> None:
        first = self.frames is None
        self.frames = frames
        n = len(frames.frames)
        self.frame_slider.blockSignals(True)
        self.frame_slider.setRange(0, n - 1)
        if first:
            self.frame_slider.setValue(n - 1)
        self.frame_slider.blockSignals(False)
        self._update_frame(self.frame_slider.value())

    def _update_frame(self, index: int) -> None:
        fr = self.frames
        if fr is None:
            return
        index = max(0, min(index, len(fr.frames) - 1))
        data = fr.frames[index]
        self.frame_label.setText(fr.labels[index])
        if self.model_class.inside_view.frames == "particles":
            self.map_view.set_particles(data)
        else:
            self.map_view.set_lines(data)


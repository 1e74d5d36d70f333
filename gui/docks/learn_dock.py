"""Learn dock: the selected family's mathematics with the run's own numbers in it, a comparison of the
families measured from the person's runs, and a class-conditional model used as a classifier.

- **Mathematics**: ``resources/learn/<language>/<family>.html`` (or, for a family without one, a page
  built from what its class declares) and the common frame (``frame.html``), Qt rich text, filled by
  ``engine.learn.text``. Each formula term shows its value from the newest
  ``StepCompleted`` (the values ``metrics.jsonl`` holds for that step; derived terms such as the ELBO
  are exact arithmetic on them, ``engine.learn.live_terms``). Steps arrive many times a second; the
  page is re-rendered from the latest values at most ``REFRESH_HZ`` times a second, and only while the
  dock and the page are visible, so it costs a hidden dock nothing.
- **Families compared** and **As a classifier**: measured off the GUI thread (``BackgroundTasks``),
  inside ``engine.interrupt.interruptible`` so closing the window stops them at the next batch.

Language: the UI language (``gui.i18n.current_language``: zh* gives Chinese); ``set_language``
changes it on the spot.
"""

from __future__ import annotations

import math
import threading
import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QDockWidget, QTabWidget, QTextBrowser, QVBoxLayout, QWidget

from engine.errors import Interrupted
from engine.interrupt import interruptible
from engine.learn import live_terms
from engine.learn.text import fill, generic_page, has_page, read_page
from engine.models.registry import families, model_class
from gui.background import BackgroundTasks
from gui.i18n import current_language, family_text
from gui.widgets.learn_pages import ClassifierPage, ComparisonPage, family_name, likelihood_word

REFRESH_HZ = 4
PROGRESS_EVERY_S = 0.1
STYLE = """
.live { color: #0b5cad; font-weight: bold; }
p.formula { font-size: 12pt; margin-left: 16px; margin-top: 6px; margin-bottom: 6px; }
table.terms { border-collapse: collapse; margin-top: 4px; margin-bottom: 4px; }
table.terms td, table.terms th { border: 1px solid #c8c8c8; padding: 3px; }
table.terms th { background-color: #eef2f8; text-align: left; }
h3 { margin-top: 4px; }
"""


def learn_language() -> str:
    """"zh_CN" or "en": the language of the window's translators (English before any is installed)."""
    return "zh_CN" if current_language().lower().startswith("zh") else "en"


def _run_interruptibly(flag: threading.Event, fn, *args, **kwargs):
    """``fn`` with ``check_interrupt`` tied to ``flag``; None when it was interrupted."""
    with interruptible(flag):
        try:
            return fn(*args, **kwargs)
        except Interrupted:
            return None


def _compare_task(workspace, data_config, flag):
    # lazy: engine.learn.comparison loads PyTorch, kept out of the window's first paint
    from engine.learn.comparison import compare_families
    return compare_families(workspace, data_config, cancelled=flag.is_set)


def _classify_task(snapshot, dataset, progress):
    # lazy: engine.learn.classify loads PyTorch, kept out of the window's first paint
    from engine.learn.classify import classify
    model = snapshot.build_model()
    return snapshot.step, classify(model, dataset.x_test, dataset.y_test, dataset.y_train, progress=progress)


class LearnDock(QDockWidget):
    classify_progressed = Signal(int, int)   # done, total (emitted from the worker, delivered queued)

    def __init__(self, parent=None):
        super().__init__(self.tr("Learn"), parent)
        self.setObjectName("dock_learn")
        self.language = learn_language()
        self.family: str | None = None
        self.model_options: dict = {}
        self.kind: str | None = None
        self.spec: dict | None = None
        self.latest = None                  # newest StepCompleted of the current run
        self.running = False                # between RunStarted and the run's end
        self.evaluation: dict | None = None
        self.shown: dict[str, str] = {}     # term -> the text on screen (what the test reads)
        self.shown_step: int | None = None
        self.renders = 0
        self._dirty = True
        self.snapshot = None
        self.run_dataset = None             # the running model's data (classifier)
        self.dataset = None                 # the data chosen now (comparison)
        self.data_config = None
        self.workspace = None
        self.workspace_provider = None      # a callable giving the runs folder now (the window's)
        self._classified_step: int | None = None
        self._compare_key = None
        self._stop = threading.Event()
        self._last_progress = 0.0
        self.tasks = BackgroundTasks(self)
        self.tasks.finished.connect(self._on_tasks_finished)
        self.tasks.failed.connect(self._on_tasks_failed)
        self.classify_progressed.connect(self._on_classify_progressed)
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(int(1000 / REFRESH_HZ))
        self._timer.timeout.connect(self._on_timer_timeout)
        self.visibilityChanged.connect(self._on_visibility_changed)
        self._update_classifier_hint()

    def _build(self) -> None:
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(2, 2, 2, 2)
        self.tabs = QTabWidget()
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.document().setDefaultStyleSheet(STYLE)
        self.tabs.addTab(self.browser, self.tr("Mathematics"))
        self.comparison_page = ComparisonPage()
        self.comparison_page.refresh_requested.connect(lambda: self._update_comparison(force=True))
        self.tabs.addTab(self.comparison_page, self.tr("Families compared"))
        self.classifier_page = ClassifierPage()
        self.classifier_page.classify_requested.connect(lambda: self._update_classifier(force=True))
        self.tabs.addTab(self.classifier_page, self.tr("As a classifier"))
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        layout.addWidget(self.tabs)
        self.setWidget(body)

    # ---- inputs from the window -----------------------------------------------------------------------
    def set_family(self, family: str, model_options: dict | None = None) -> None:
        """The family picked in Setup: its formulas, with dashes for the numbers. While a run trains,
        the dock keeps explaining that run (a changed setup applies to the next one)."""
        if self.running:
            return
        if family != self.family:
            self.latest = None
            self.evaluation = None
        self.family = family
        if model_options is not None:
            self.model_options = dict(model_options)
        self._changed()
        self._update_classifier_hint()

    def set_model_option(self, name: str, value) -> None:
        """A model setting edited in Setup (the GAN's loss picks which losses are shown)."""
        if self.running:
            return
        self.model_options[name] = value
        self._changed()
        self._update_classifier_hint()

    def set_language(self, language: str) -> None:
        self.language = "zh_CN" if str(language).lower().startswith("zh") else "en"
        self._changed()

    def set_families(self, families: list[str]) -> None:
        """The families the engine offers (once PyTorch is ready): the comparison's columns."""
        self.comparison_page.set_families(families)

    def set_workspace(self, path) -> None:
        self.workspace = path
        self._compare_key = None

    def _workspace(self):
        return self.workspace_provider() if self.workspace_provider is not None else self.workspace

    def set_data(self, data_config, dataset) -> None:
        """The data chosen now: the comparison's rows are the runs on it."""
        self.data_config = data_config
        self.dataset = dataset
        if dataset is not None and self.latest is None:
            self.kind = dataset.spec.kind
            self.spec = dataset.spec.to_dict()
        self._changed()
        self._update_classifier_hint()
        if self._page_visible(self.comparison_page):
            self._update_comparison()

    def start_run(self, ev, dataset=None) -> None:
        """A run started (``RunStarted``): its family, settings and data; numbers start afresh."""
        self.family = ev.family
        self.model_options = dict((ev.config or {}).get("model") or {})
        self.spec = dict(ev.spec)
        self.kind = ev.spec.get("kind")
        self.run_dataset = dataset
        self.running = True
        self.latest = None
        self.evaluation = None
        self.snapshot = None
        self._classified_step = None
        self._changed()
        self._update_classifier_hint()

    def add_steps(self, steps: list) -> None:
        """``StepCompleted`` events from the bridge: only the newest is kept; the timer draws it."""
        if steps:
            self.latest = steps[-1]
            self._dirty = True

    def add_evaluation(self, ev) -> None:
        self.evaluation = dict(ev.metrics, step=ev.step)
        self._dirty = True

    def set_snapshot(self, snapshot) -> None:
        self.snapshot = snapshot
        if snapshot is not None and snapshot.family != self.family and self.latest is None:
            self.family = snapshot.family
            self._changed()
        self._update_classifier_hint()
        if self.classifier_page.follow_check.isChecked() and self._page_visible(self.classifier_page):
            self._update_classifier()

    def training_finished(self) -> None:
        """A run ended: the comparison may have a new best run."""
        self.running = False
        self._compare_key = None
        if self._page_visible(self.comparison_page):
            self._update_comparison()

    def shutdown(self, timeout: float = 5.0) -> bool:
        self._timer.stop()
        self._stop.set()
        self.tasks.forget("learn-compare")
        self.tasks.forget("learn-classify")
        return self.tasks.join(timeout)

    # ---- visibility and the refresh timer ---------------------------------------------------------------
    def on_screen(self) -> bool:
        """Whether the dock can be seen: shown, and not a tab behind another dock (Qt keeps those
        "visible"; their visible region is empty)."""
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def _page_visible(self, page) -> bool:
        return self.on_screen() and self.tabs.currentWidget() is page

    def _on_visibility_changed(self, visible: bool) -> None:
        if visible:
            self._timer.start()
            self._on_tabs_current_changed(self.tabs.currentIndex())
        else:
            self._timer.stop()

    def _on_tabs_current_changed(self, _index: int) -> None:
        page = self.tabs.currentWidget()
        if page is self.browser:
            self._update_text()
        elif page is self.comparison_page:
            self._update_comparison()
        elif page is self.classifier_page and self.classifier_page.follow_check.isChecked():
            self._update_classifier()

    def _on_timer_timeout(self) -> None:
        if self._dirty and self._page_visible(self.browser):
            self._update_text()

    def _changed(self) -> None:
        self._dirty = True
        if self._page_visible(self.browser):
            self._update_text()

    # ---- the mathematics ------------------------------------------------------------------------------
    def values(self) -> dict[str, float]:
        """The numbers the formulas hold now (reported and derived terms, step, data sizes)."""
        family = self.family if self._known() else None
        out: dict[str, float] = {}
        if self.latest is not None and family:
            out.update(live_terms.formula_values(family, self.latest.losses, self.model_options))
        if self.latest is not None:
            out["step"] = self.latest.step
        if self.spec is not None:
            out["dims"] = math.prod(self.spec.get("shape") or [0])
        if family:
            try:
                out.update(live_terms.page_values(family, self.model_options))
            except (ValueError, KeyError, TypeError):
                pass
        ev = self.evaluation
        if ev is not None and isinstance(ev.get("test_nll_nats"), (int, float)):
            out["test_nll"] = ev["test_nll_nats"]
            out["eval_step"] = ev["step"]
            if isinstance(ev.get("bits_per_dim"), (int, float)):
                out["bits_per_dim"] = ev["bits_per_dim"]
        return out

    def _texts(self, values: dict[str, float]) -> dict[str, str]:
        out = {}
        for name, v in values.items():     # counts (steps, dimensions, timesteps) are integers
            out[name] = f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else live_terms.format_value(v)
        if self.evaluation is not None and self.evaluation.get("nll_kind"):
            out["nll_kind"] = likelihood_word(self.evaluation["nll_kind"])
        elif self._known() and "log_likelihood" not in self._model_class().capabilities:
            out["nll_kind"] = likelihood_word("none")
        return out

    def _known(self) -> bool:
        """A family is chosen and the registry knows it (an old run's may be gone from this build)."""
        return bool(self.family) and self.family in families()

    def _model_class(self):
        return model_class(self.family)

    def _family_page(self, variant: dict, live: dict) -> str:
        """The family's own page, or one built from what its class declares when it has none."""
        if has_page(self.family):
            return fill(read_page(self.language, self.family), live, variant)
        cls = self._model_class()
        names = list(cls.reported_terms) + [n for n in cls.term_help if n not in cls.reported_terms]
        names += [n for n in live if n not in names and n not in ("step", "eval_step", "dims", "test_nll",
                                                                  "bits_per_dim", "nll_kind")]
        terms = [(name, family_text(cls.term_help.get(name, ""), name)) for name in names]
        page = generic_page(self.language, family_text(cls.title, self.family), family_text(cls.about), terms)
        return fill(page, live, variant)

    def _update_text(self) -> None:
        self._dirty = False
        texts = self._texts(self.values())
        live = {k: f'<span class="live">{v}</span>' for k, v in texts.items()}
        known = self._known()
        variant = dict(live_terms.formula_variant(self.family, self.model_options)) if known else {}
        if self.kind:
            variant["kind"] = self.kind
        parts = []
        if known:
            parts.append(self._family_page(variant, live))
        else:
            parts.append("<p>" + self.tr("Pick a model family in Setup to see its mathematics here.") + "</p>")
        parts.append("<hr/>")
        parts.append(fill(read_page(self.language, "frame"), live, variant))
        bar = self.browser.verticalScrollBar()
        at = bar.value()
        self.browser.setHtml("\n".join(parts))
        bar.setValue(at)
        self.shown = texts
        self.shown_step = self.latest.step if self.latest is not None else None
        self.renders += 1

    # ---- the comparison ---------------------------------------------------------------------------------
    def _update_comparison(self, force: bool = False) -> None:
        workspace = self._workspace()
        if workspace is None or self.data_config is None:
            self.comparison_page.status.setText(self.tr("Waiting for the data and the runs folder…"))
            return
        # lazy: engine.learn.comparison loads PyTorch, kept out of the window's first paint
        from engine.learn.comparison import data_key
        key = (str(workspace), data_key(self.data_config))
        if not force and (key == self._compare_key or self.tasks.busy("learn-compare")):
            return
        self._compare_key = key
        self.comparison_page.show_busy(self.data_config.name)
        self.tasks.submit("learn-compare", _run_interruptibly, self._stop, _compare_task, workspace,
                          self.data_config, self._stop)

    # ---- the classifier ----------------------------------------------------------------------------------
    def _problem(self) -> str | None:
        """Why the current model (or, before a run, the chosen setup) cannot classify, in words."""
        family = self.snapshot.family if self.snapshot is not None else self.family
        if family is None:
            return self.tr("Pick a model family and labelled data in Setup.")
        # lazy: engine.learn.classify loads PyTorch: never before a family is picked
        from engine.learn.classify import problem_for
        if self.snapshot is not None:
            code = problem_for(family, self.snapshot.init_args)
        else:
            ds = self.dataset
            spec = {"num_classes": ds.spec.num_classes if ds is not None else 0}
            code = problem_for(family, {"spec": spec, "config": self.model_options})
        if code is None:
            return None
        return {"no_labels": self.tr("The data has no class labels, so there is no p(x | y) to compare. Pick "
                                     "labelled data (digits, MNIST, Fashion-MNIST, CIFAR-10, or your own folder "
                                     "with one subfolder per class)."),
                "no_likelihood": self.tr("A {family} has no likelihood: it draws samples but never says how "
                                         "probable an x is, so Bayes' rule has nothing to work with. Train a VAE, "
                                         "autoregressive, flow or diffusion model with “conditional” ticked in the "
                                         "model settings.").format(family=family_name(family)),
                "not_conditional": self.tr("This model was trained without its labels, so it has no p(x | y). "
                                           "Tick “conditional” in the model settings and train again.")}[code]

    def _update_classifier_hint(self) -> None:
        if self.tasks.busy("learn-classify"):
            return
        problem = self._problem()
        if problem is not None:
            self.classifier_page.show_message(problem)
        elif self.snapshot is None:
            self.classifier_page.show_message(self.tr("Train this model (its newest weights are classified "
                                                      "here), or open a run from Runs."))
        elif self.classifier_page.classification is None or self._classified_step is None:
            self.classifier_page.show_message(self.tr("Ready: weights of step {step}.").format(
                step=self.snapshot.step), can_classify=True)

    def _classifier_data(self):
        """The data to classify: the run's own, else the data chosen now if it has the model's shape."""
        for ds in (self.run_dataset, self.dataset):
            if ds is not None and ds.y_test is not None and \
                    list(ds.spec.shape) == list(self.snapshot.init_args["spec"]["shape"]):
                return ds
        return None

    def _update_classifier(self, force: bool = False) -> None:
        if self.snapshot is None or self._problem() is not None:
            self._update_classifier_hint()
            return
        if self.tasks.busy("learn-classify") or (not force and self._classified_step == self.snapshot.step):
            return
        dataset = self._classifier_data()
        if dataset is None:
            self.classifier_page.show_message(self.tr("The data loaded now is not the data this model was "
                                                      "trained on; pick that data in Setup."))
            return
        self._classified_step = self.snapshot.step
        self._classify_dataset = dataset
        self.classifier_page.show_busy(self.snapshot.step)
        self.tasks.submit("learn-classify", _run_interruptibly, self._stop, _classify_task, self.snapshot, dataset,
                          self._report_progress)

    def _report_progress(self, done: int, total: int) -> None:
        """On the worker thread: at most ten progress signals a second."""
        now = time.monotonic()
        if done >= total or now - self._last_progress >= PROGRESS_EVERY_S:
            self._last_progress = now
            self.classify_progressed.emit(done, total)

    def _on_classify_progressed(self, done: int, total: int) -> None:
        if self.tasks.busy("learn-classify"):
            self.classifier_page.show_progress(done, total)

    def _show_classification(self, step: int, result) -> None:
        ds = self._classify_dataset
        images = None
        if ds.spec.kind == "image":
            # lazy: engine.render loads PyTorch, kept out of the window's first paint
            from engine.render import to_uint8_images
            images = to_uint8_images(ds.x_test[:result.n])
            if images.shape[-1] == 1:
                images = images[..., 0]
        self.classifier_page.show_classification(result, step, images, ds.spec.class_names)
        if self.snapshot is not None and self.snapshot.step != step and \
                self.classifier_page.follow_check.isChecked() and self._page_visible(self.classifier_page):
            self._update_classifier()   # newer weights arrived while this ran

    # ---- background results -------------------------------------------------------------------------------
    def _on_tasks_finished(self, name: str, result) -> None:
        if result is None:   # interrupted (the window is closing)
            return
        if name == "learn-compare":
            self.comparison_page.show_comparison(result)
        elif name == "learn-classify":
            step, classification = result
            self._show_classification(step, classification)

    def _on_tasks_failed(self, name: str, message: str) -> None:
        if name == "learn-compare":
            self._compare_key = None
            self.comparison_page.show_error(message)
        elif name == "learn-classify":
            self.classifier_page.show_message(self.tr("Could not classify: {why}").format(why=message),
                                              can_classify=True)

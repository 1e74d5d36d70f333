"""The Latent and Inside docks for a model of text: type a prefix, see what the model does with it.

``TextProbe`` keeps its own explorer (``ExplorerLink``: its own model copy from the newest snapshot,
on its own thread), so typing never touches training. Each keystroke asks for the distribution of
the next character after the prefix (``engine.latent.text.next_char``: probabilities, and for a
Transformer the attention of its last layer from the position that predicts it); with
``completions`` it also asks for whole lines that start with the prefix, each with its probability
under the model and whether it is new or already in the training set. A newer keystroke replaces an
unread request of the same kind, so typing fast never queues work.
"""

from __future__ import annotations

import math

from PySide6.QtWidgets import (QDoubleSpinBox, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QPushButton, QSpinBox, QStackedWidget, QVBoxLayout, QWidget)

from gui.docks.text_latent import TextLatentProbe
from gui.latent_link import ExplorerLink
from gui.widgets.text_views import NEW_COLOUR, KNOWN_COLOUR, BarList, attention_html, shown

N_COMPLETIONS = 10
N_BARS = 12


class TextProbe(QWidget):
    def __init__(self, completions: bool, attention: bool, name: str, parent=None):
        super().__init__(parent)
        self.setObjectName(f"text_probe_{name}")
        self.completions_on, self.attention_on = completions, attention
        self.link = ExplorerLink(self, name=f"genlab-text-{name}")
        self.link.result_ready.connect(self._on_link_result_ready)
        self.snapshot = None
        self.forwarded = None
        self.known: frozenset[str] | None = None
        self.vocab: tuple[str, ...] = ()
        self.last_next = None
        self.last_completions = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.caption = QLabel(self.tr("Type the beginning of a line: the model shows which character it expects "
                                      "next, with its probability.") if not completions else
                              self.tr("Type the beginning of a line: the model completes it. Each completion shows "
                                      "its probability under the model; ★ marks lines that are not in the "
                                      "training set."))
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Prefix")))
        self.prefix = QLineEdit()
        self.prefix.setObjectName(f"text_prefix_{name}")
        self.prefix.setPlaceholderText(self.tr("e.g. jo"))
        self.prefix.textChanged.connect(self._on_prefix_text_changed)
        row.addWidget(self.prefix, 1)
        layout.addLayout(row)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        if completions:
            opts = QHBoxLayout()
            opts.addWidget(QLabel(self.tr("Temperature")))
            self.temperature = QDoubleSpinBox()
            self.temperature.setRange(0.1, 3.0)
            self.temperature.setSingleStep(0.1)
            self.temperature.setValue(1.0)
            self.temperature.valueChanged.connect(self.request)
            opts.addWidget(self.temperature)
            opts.addWidget(QLabel(self.tr("Top-k")))
            self.top_k = QSpinBox()
            self.top_k.setRange(0, 65535)
            self.top_k.setSpecialValueText(self.tr("all"))
            self.top_k.valueChanged.connect(self.request)
            opts.addWidget(self.top_k)
            self.again = QPushButton(self.tr("Again"))
            self.again.setToolTip(self.tr("Draw other completions"))
            self.again.clicked.connect(self.request)
            opts.addWidget(self.again)
            opts.addStretch(1)
            layout.addLayout(opts)
            self.list = QListWidget()
            self.list.setObjectName(f"text_completions_{name}")
            layout.addWidget(self.list, 2)
        if attention:
            self.attention_title = QLabel(self.tr("Where the last attention layer looks when it predicts the next "
                                                  "character (darker: more weight; ^ is the start of the line)"))
            self.attention_title.setWordWrap(True)
            layout.addWidget(self.attention_title)
            self.attention = QLabel("")
            self.attention.setObjectName(f"text_attention_{name}")
            layout.addWidget(self.attention)
        layout.addWidget(QLabel(self.tr("Next character")))
        self.bars = BarList()
        layout.addWidget(self.bars, 3 if not completions else 1)
        layout.addStretch(0)

    # ---- run lifecycle -------------------------------------------------------------------------------------
    def start_run(self, spec, dataset=None) -> None:
        """A new text run: its vocabulary and (when loaded) its training lines, for novelty."""
        # lazy: engine.data loads PyTorch; the docks are built before the window's first paint
        from engine.data.text import known_lines
        self.vocab = tuple(spec.vocab)
        self.known = known_lines(dataset) if dataset is not None else None
        self.snapshot = self.forwarded = None
        self.bars.set_rows([])
        if self.completions_on:
            self.list.clear()
        self.status.setText(self.tr("Waiting for the first weights of the run…"))

    def set_snapshot(self, snapshot) -> None:
        self.snapshot = snapshot
        if self.isVisible():
            self.forward_snapshot()

    def forward_snapshot(self) -> None:
        snap = self.snapshot
        if snap is None or snap is self.forwarded:
            return
        self.forwarded = snap
        self.link.set_snapshot(snap)
        self.request()

    def shutdown(self, timeout: float = 2.0) -> bool:
        return self.link.close(timeout)

    # ---- requests ------------------------------------------------------------------------------------------
    def _on_prefix_text_changed(self, _text: str) -> None:
        self.request()

    def request(self, *_args) -> None:
        if self.forwarded is None:
            return
        # lazy: engine.latent.text loads PyTorch; the docks are built before the window's first paint
        from engine.latent import text
        prefix = self.prefix.text()
        top = N_BARS
        self.link.explorer.submit("text:next", lambda ctx: text.next_char(ctx.model, prefix, top), tag=prefix)
        if self.completions_on:
            temperature, top_k = self.temperature.value(), self.top_k.value()
            self.link.explorer.submit(
                "text:complete", lambda ctx: text.complete_text(ctx.model, prefix, N_COMPLETIONS, ctx.generator,
                                                                temperature, top_k), tag=prefix)

    def _on_link_result_ready(self, result) -> None:
        if result.tag != self.prefix.text():
            return                      # an answer to an older prefix: a newer one is on its way
        if result.error:
            self.status.setText(result.error)
            return
        self.status.setText(self.tr("Step {step:,} of the run").format(step=result.step))
        if result.kind == "text:next":
            self.last_next = result.data
            self.bars.set_rows(list(zip(result.data.chars, result.data.probs)))
            if self.attention_on:
                att = result.data.attention
                if att is None:
                    self.attention.setText(self.tr("(a recurrent network has no attention to show)"))
                else:
                    self.attention.setText(attention_html(["^"] + list(result.data.prefix), list(att)))
        elif result.kind == "text:complete":
            self.last_completions = result.data
            self.list.clear()
            for c in result.data:
                new = None if self.known is None else c.text not in self.known
                p = math.exp(c.log_prob)
                item = QListWidgetItem(f"{'★ ' if new else '   '}{shown(c.text)}    p = {p:.2e}   "
                                       f"({c.nats_per_char:.2f} nats/char)")
                if new is not None:
                    item.setForeground(NEW_COLOUR if new else KNOWN_COLOUR)
                    item.setToolTip(self.tr("new: not in the training set") if new else
                                    self.tr("already in the training set"))
                self.list.addItem(item)


class TextProbeSlot:
    """A dock's second face for text: ``attach`` puts the dock's own body and a ``TextProbe`` in a
    stack; ``show_for`` picks the probe for a text run (and the body otherwise), so a dock needs only a
    guard line where a run starts and where a snapshot arrives."""

    def __init__(self, dock, completions: bool, attention: bool, name: str, latent: bool = False):
        body = dock.widget()
        self.stack = QStackedWidget()
        self.stack.addWidget(body)
        self.text_probe = TextProbe(completions, attention, name)
        self.stack.addWidget(self.text_probe)
        # a family with a latent code and no next-token view (the sequence VAE): the plane and the morph
        self.latent_probe = TextLatentProbe(name) if latent else None
        if self.latent_probe is not None:
            self.stack.addWidget(self.latent_probe)
        self.probe = self.text_probe
        self.body = body
        self.active = False
        dock.setWidget(self.stack)

    def show_for(self, spec, dataset=None, family: str | None = None) -> bool:
        """Switch to a probe for a text run (True) or back to the dock's body (False)."""
        kind = spec.get("kind") if isinstance(spec, dict) else getattr(spec, "kind", None)
        self.active = kind == "text"
        self.probe = self.text_probe
        if self.active and family is not None and self.latent_probe is not None:
            # lazy: the registry's family modules load PyTorch; the docks are built before the first paint
            from engine.models.registry import model_class
            caps = model_class(family).capabilities
            if "latent" in caps and "completion" not in caps:
                self.probe = self.latent_probe
        self.stack.setCurrentWidget(self.probe if self.active else self.body)
        if self.active:
            # lazy: engine.data loads PyTorch; the docks are built before the window's first paint
            from engine.data.spec import DataSpec
            self.probe.start_run(DataSpec.from_dict(spec) if isinstance(spec, dict) else spec, dataset)
        return self.active

    def set_snapshot(self, snapshot) -> bool:
        """Hand a snapshot to the probe when it is showing (True); the dock handles it otherwise."""
        if self.active:
            self.probe.set_snapshot(snapshot)
        return self.active

    def shown(self) -> bool:
        if self.active:
            self.probe.forward_snapshot()
        return self.active

    def shutdown(self) -> bool:
        done = self.text_probe.shutdown()
        return (self.latent_probe.shutdown() if self.latent_probe is not None else True) and done

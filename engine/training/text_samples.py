"""Display samples of a text run: the generated lines, which of them are new, and the run's
``samples/step_<step>.txt`` (the loop hands text here, so it stays one line longer, not six)."""

from __future__ import annotations

import time

from engine.data.text import text_samples
from engine.events import SamplesReady


def draw_text_samples(trainer, t0: float) -> SamplesReady:
    """``trainer.draw_samples`` for text: its fixed noise bank, its display settings."""
    model, tc = trainer.model, trainer.config.train
    x = model.sample(tc.n_display, generator=trainer.gen_sample, **model.display_options())
    lines, novel = text_samples(x, trainer.dataset)
    path = None
    if trainer.run is not None and trainer.is_writer:
        path = trainer.recorder.write_text_samples(trainer.step, lines, novel)
    return SamplesReady(step=trainer.step, kind="text", data=lines, path=path,
                        seconds=time.perf_counter() - t0, novel=novel)

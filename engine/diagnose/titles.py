"""What the window calls each detector (marked for translation; no PyTorch, read before the first paint)."""

from __future__ import annotations

from engine.i18n import QT_TRANSLATE_NOOP

DETECTOR_TITLES = {
    "memorization": QT_TRANSLATE_NOOP("engine", "memorisation"),
    "mode_collapse": QT_TRANSLATE_NOOP("engine", "mode collapse"),
    "posterior_collapse": QT_TRANSLATE_NOOP("engine", "posterior collapse"),
    "discriminator_saturation": QT_TRANSLATE_NOOP("engine", "discriminator saturation"),
    "gradients": QT_TRANSLATE_NOOP("engine", "gradients"),
    "loss_plateau": QT_TRANSLATE_NOOP("engine", "loss plateau"),
}

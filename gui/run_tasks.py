"""What the Runs controller runs off the GUI thread, and the small rules it applies on it.

Plain functions over ``engine.runs``: opening a run (config, curves, samples, newest weights, and the
config to continue it), comparing runs (with the side-by-side picture), exporting; plus the export
menu's table and why a family cannot be exported.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QCoreApplication

from engine.errors import CheckpointError
from engine.i18n import QT_TRANSLATE_NOOP
from gui.i18n import engine_word

EXPORTS = {  # what -> (menu text, file suffix, file filter); texts translated where shown
    "png": (QT_TRANSLATE_NOOP("RunTasks", "Sample grid as PNG (with the run's config)…"), ".png",
            QT_TRANSLATE_NOOP("RunTasks", "PNG pictures (*.png)")),
    "gif": (QT_TRANSLATE_NOOP("RunTasks", "Sample history as GIF…"), ".gif",
            QT_TRANSLATE_NOOP("RunTasks", "GIF animations (*.gif)")),
    "csv": (QT_TRANSLATE_NOOP("RunTasks", "Metrics as CSV…"), ".csv", QT_TRANSLATE_NOOP("RunTasks", "CSV files (*.csv)")),
    "onnx": (QT_TRANSLATE_NOOP("RunTasks", "Network as ONNX…"), ".onnx",
             QT_TRANSLATE_NOOP("RunTasks", "ONNX models (*.onnx)")),
    "torch-export": (QT_TRANSLATE_NOOP("RunTasks", "Network as torch.export program…"), ".pt2",
                     QT_TRANSLATE_NOOP("RunTasks", "torch.export programs (*.pt2)")),
}
TASK_NAMES = {  # background task -> what failed, for "could not {what}: ..."
    "open-run": QT_TRANSLATE_NOOP("RunTasks", "open the run"), "fork": QT_TRANSLATE_NOOP("RunTasks", "fork the run"),
    "compare": QT_TRANSLATE_NOOP("RunTasks", "compare the runs"), "delete": QT_TRANSLATE_NOOP("RunTasks", "delete the run"),
    "export": QT_TRANSLATE_NOOP("RunTasks", "export"), "curves": QT_TRANSLATE_NOOP("RunTasks", "read the curves"),
}
translate = QCoreApplication.translate


def export_block(family: str | None, kind: str | None, what: str) -> str:
    """Why ``what`` cannot be exported for this family and kind of data ('' when it can), from what the
    family declares (``export_unavailable``, ``export_limits``)."""
    if what not in ("onnx", "torch-export") or family is None:
        return ""
    # lazy: the family classes load PyTorch, kept out of the window's first paint
    from engine.errors import UnknownFamilyError
    from engine.models.base import GenerativeModel
    from engine.models.registry import model_class
    try:
        cls = model_class(family)
    except UnknownFamilyError as e:
        return str(e)
    if cls.export_unavailable:
        return translate("RunTasks", "The {family} family has nothing to export: {why}").format(
            family=family, why=cls.export_unavailable)
    if cls.export_network is GenerativeModel.export_network and "latent" not in cls.capabilities:
        return translate("RunTasks", "The {family} family has no exporter").format(family=family)
    if (kind,) in cls.export_limits:
        return translate("RunTasks", "A {family} on {kind} cannot be exported: {why}").format(
            family=family, kind=engine_word(kind), why=cls.export_limits[(kind,)])
    if what == "onnx" and (kind, "onnx") in cls.export_limits:
        return translate("RunTasks", "Not as ONNX: {why}").format(why=cls.export_limits[(kind, "onnx")])
    return ""


def open_task(path: str, more_steps: int | None = None, resume: bool = False) -> dict:
    """Off the GUI thread: everything the window shows of a run, and the config to continue it."""
    # lazy: engine.runs.workspace loads PyTorch, kept out of the window's first paint
    from engine.runs.workspace import open_run, resume_config
    opened = open_run(path)
    try:
        snapshot = opened.snapshot()
    except CheckpointError:
        snapshot = None
    config = resume_config(path, more_steps=more_steps) if resume else None
    return {"opened": opened, "snapshot": snapshot, "config": config}


def compare_task(paths: list[str]) -> dict:
    # lazy: engine.runs.compare loads PyTorch, kept out of the window's first paint
    from engine.runs.compare import compare_runs, comparison_picture
    cmp = compare_runs(paths)
    dims = {}
    for r in cmp.runs:
        m = r.metric
        if cmp.kind == "image" and m["value"] and m["nats"]:
            dims[r.name] = max(1, int(round(m["nats"] / (m["value"] * math.log(2)))))
    return {"comparison": cmp, "picture": comparison_picture(cmp), "dims": dims}


def export_task(path: str, what: str, out: str) -> str:
    if what in ("png", "gif", "csv"):
        # lazy: engine.runs.export loads PyTorch, kept out of the window's first paint
        from engine.runs import export
        fn = {"png": export.export_png, "gif": export.export_gif, "csv": export.export_csv}[what]
    else:
        # lazy: engine.runs.export_model loads PyTorch, kept out of the window's first paint
        from engine.runs import export_model
        fn = export_model.export_onnx if what == "onnx" else export_model.export_program
    return str(fn(path, out))

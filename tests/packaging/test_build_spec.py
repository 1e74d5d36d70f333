"""The PyInstaller spec, read without building: what it bundles, excludes and how it is configured.

The build itself takes minutes and runs in CI as its own step (``.ci/run``, the README's third
command); these checks catch a spec that would build a broken or bloated bundle. The spec is run as
PyInstaller runs it, with its build steps (``Analysis``, ``EXE``, ...) replaced by recorders of their
arguments, since PyInstaller itself is not a test dependency.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "build.spec"


class _Step:
    """Records the arguments of one PyInstaller build step."""

    calls: list

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        self.pure, self.scripts = f"{type(self).__name__}.pure", f"{type(self).__name__}.scripts"
        # what an analysis finds, in PyInstaller's (destination, source, kind) form
        self.binaries = [("torch/lib/libtorch_cpu.so", "/site/torch/lib/libtorch_cpu.so", "BINARY"),
                         ("torch/lib/libtorchbind_test.so", "/site/torch/lib/libtorchbind_test.so", "BINARY"),
                         ("torch/bin/protoc", "/site/torch/bin/protoc", "BINARY"),
                         ("torch/bin/torch_shm_manager", "/site/torch/bin/torch_shm_manager", "BINARY"),
                         ("torch/bin/test_api", "/site/torch/bin/test_api", "BINARY"),
                         ("torch/bin/TCPStoreTest", "/site/torch/bin/TCPStoreTest", "BINARY"),
                         ("PySide6/Qt/lib/libQt6Core.so.6", "/site/PySide6/Qt/lib/libQt6Core.so.6", "BINARY")]
        self.datas = [("torch/test/atest", "/site/torch/test/atest", "DATA"),
                      ("torch/_inductor/kernel.json", "/site/torch/_inductor/kernel.json", "DATA"),
                      ("resources/icons/genlab.svg", str(ROOT / "resources/icons/genlab.svg"), "DATA")]
        self.calls.append(self)


def _read_spec(platform: str = "linux") -> dict:
    steps = {name: type(name, (_Step,), {"calls": []}) for name in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE")}
    namespace = {"SPECPATH": str(ROOT), "__file__": str(SPEC), **steps}
    real = sys.platform
    sys.platform = platform
    try:
        exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    finally:
        sys.platform = real
    return {name: cls.calls for name, cls in steps.items()} | {"namespace": namespace}


@pytest.fixture(scope="module")
def spec():
    return _read_spec()


def _qt_modules_imported_by(folder: Path) -> set[str]:
    found = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            found |= {n for n in names if re.fullmatch(r"PySide6\.Qt\w+", n)}
    return found


def test_one_onedir_windowed_build_named_genlab_with_nothing_stripped(spec):
    (analysis,), (exe,), (coll,) = spec["Analysis"], spec["EXE"], spec["COLLECT"]
    assert analysis.args[0] == [str(ROOT / "main.py")]
    assert exe.kwargs["name"] == "GenLab" and coll.kwargs["name"] == "GenLab"
    assert exe.kwargs["exclude_binaries"] is True  # onedir: the libraries sit beside the executable
    assert exe.kwargs["console"] is False
    assert exe.kwargs["strip"] is False and coll.kwargs["strip"] is False  # strip breaks NumPy's OpenBLAS
    # every library the analysis found goes in (no hand-pruning of torch's libraries, test ones included);
    # only the C++ test programs of torch's wheel stay out. `import torch` fails without torch_shm_manager.
    collected = {dest for toc in coll.args[1:] for dest, _, _ in toc}
    assert collected == {"torch/lib/libtorch_cpu.so", "torch/lib/libtorchbind_test.so", "torch/_inductor/kernel.json",
                         "torch/bin/protoc", "torch/bin/torch_shm_manager", "PySide6/Qt/lib/libQt6Core.so.6",
                         "resources/icons/genlab.svg"}
    assert ("X utf8_mode=1", None, "OPTION") in exe.args[2]  # any file name or message under a C locale
    assert not spec["BUNDLE"]  # the .app wrapper is for macOS only


def test_the_app_icon_is_a_real_image_for_each_platform(spec):
    from PIL import Image
    for platform, suffix in (("linux", ".png"), ("win32", ".ico"), ("darwin", ".png")):
        read = _read_spec(platform)
        icon = Path(read["EXE"][0].kwargs["icon"])
        assert icon.suffix == suffix and icon.is_file()
        with Image.open(icon) as im:
            assert im.width >= 256 and im.height >= 256
    assert _read_spec("darwin")["BUNDLE"][0].kwargs["name"] == "GenLab.app"


def test_resources_are_bundled_and_docs_are_not(spec):
    datas = spec["Analysis"][0].kwargs["datas"]
    assert (str(ROOT / "resources"), "resources") in datas
    assert not any("docs" in Path(src).parts for src, _ in datas)
    for needed in ("icons/genlab.svg", "style/genlab.qss", "datasets/digits.csv.gz"):
        assert (ROOT / "resources" / needed).is_file(), needed


def test_shell_completion_is_made_at_build_time(spec):
    datas = spec["Analysis"][0].kwargs["datas"]
    folder = next(Path(src) for src, dest in datas if dest == "completion")
    script = (folder / "genlab.bash").read_text()
    assert "complete -o default -F _genlab genlab" in script and "diagnose" in script
    assert (folder / "genlab.zsh").read_text().startswith("autoload -U +X bashcompinit")


def test_every_engine_and_gui_module_is_a_hidden_import(spec):
    hidden = set(spec["Analysis"][0].kwargs["hiddenimports"])
    expected = set()
    for package in ("engine", "gui"):
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] != "__main__":
                expected.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    assert expected <= hidden, sorted(expected - hidden)
    from engine.models.registry import FAMILY_MODULES  # imported by name at run time: the analysis cannot see them
    assert {module for module, _, _ in FAMILY_MODULES.values()} <= hidden


def test_other_bindings_tkinter_test_tools_and_onnx_are_excluded(spec):
    excludes = set(spec["Analysis"][0].kwargs["excludes"])
    must = {"tkinter", "PyQt5", "PyQt6", "PySide2", "onnx", "onnxscript", "onnxruntime", "pytest", "hypothesis",
            "setuptools", "PySide6.QtNetwork", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtTest"}
    assert must <= excludes, sorted(must - excludes)


def test_no_qt_module_the_app_imports_is_excluded(spec):
    excludes = set(spec["Analysis"][0].kwargs["excludes"])
    # QtSvg: the SVG icons need its plugin; QtOpenGL(Widgets): pyqtgraph's curves import them unconditionally
    used = _qt_modules_imported_by(ROOT / "gui") | {"PySide6.QtSvg", "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets"}
    assert {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets"} <= used
    assert not used & excludes, sorted(used & excludes)
    for package in ("torch", "numpy", "PIL", "pyqtgraph", "safetensors", "psutil", "sympy"):
        assert package not in excludes  # sympy: torch imports it while training


def test_the_torch_files_left_out_of_the_installed_torch_are_test_programs_only(spec):
    import torch
    is_test_program = spec["namespace"]["is_torch_test_program"]
    base = Path(torch.__file__).parent
    dropped, kept = [], []
    for path in base.rglob("*"):
        if path.is_file():
            dest = "torch/" + path.relative_to(base).as_posix()
            (dropped if is_test_program(dest) else kept).append(dest)
    assert "torch/bin/torch_shm_manager" in kept  # `import torch` fails without it
    assert not [d for d in dropped if d.startswith("torch/lib/") or d.endswith((".py", ".so"))]
    assert all(d.startswith(("torch/test/", "torch/bin/")) for d in dropped)


WINDOW_WITHOUT_EXCLUDED = r"""
import importlib.abc, importlib.machinery, json, sys, time
excluded = set(json.loads(sys.argv[1]))
assert not [m for m in sys.modules if m.split(".")[0] in excluded]

class WithoutExcluded(importlib.abc.MetaPathFinder):
    # the path finder, except that excluded modules do not exist (find_spec says None, as when frozen)
    def find_spec(self, name, path=None, target=None):
        if any(name == e or name.startswith(e + ".") for e in excluded):
            return None
        return importlib.machinery.PathFinder.find_spec(name, path, target)

    def invalidate_caches(self):
        importlib.machinery.PathFinder.invalidate_caches()

sys.meta_path[:] = [WithoutExcluded() if f is importlib.machinery.PathFinder else f for f in sys.meta_path]
from PySide6.QtCore import QEventLoop
from gui.app import make_app
from gui.settings import open_settings
app = make_app()
from gui.main_window import MainWindow
w = MainWindow(settings=open_settings(sys.argv[2]))
failed = []
w.warmup.failed.connect(lambda message, tb: failed.append(tb))
w.show()
deadline = time.monotonic() + 200
while (w.first_paint_seconds is None or w.session.state != "idle") and not failed and time.monotonic() < deadline:
    app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    time.sleep(0.01)
out = {"painted": w.first_paint_seconds is not None, "ready": w.session.state == "idle", "failed": failed,
       "families": (w.warmup.info or {}).get("families"), "broken": (w.warmup.info or {}).get("broken"),
       "icon": not w.windowIcon().isNull() and bool(w.windowIcon().availableSizes() or
                                                    not w.windowIcon().pixmap(32, 32).isNull())}
w.close()
print("RESULT " + json.dumps(out))
"""


def test_the_window_opens_and_warms_up_with_every_excluded_module_missing(spec, tmp_path):
    """What the frozen program meets: the excluded modules cannot be imported (a blocking import hook)."""
    import json
    import os
    import subprocess
    excludes = spec["Analysis"][0].kwargs["excludes"]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", GENLAB_WORKSPACE=str(tmp_path / "runs"), PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", WINDOW_WITHOUT_EXCLUDED, json.dumps(excludes), str(tmp_path / "s.ini")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=280)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads([ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")][-1][len("RESULT "):])
    from engine.models.registry import FAMILY_MODULES
    assert out == {"painted": True, "ready": True, "failed": [], "families": list(FAMILY_MODULES), "broken": {},
                   "icon": True}

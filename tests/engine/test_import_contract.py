"""The engine never imports Qt, pyqtgraph or the window, and runs where they are absent."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("PySide6", "shiboken6", "pyqtgraph", "gui", "PyQt5", "PyQt6")


def imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module" and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield arg.value


def test_no_engine_module_imports_qt_or_the_gui():
    bad = []
    files = sorted((ROOT / "engine").rglob("*.py"))
    assert len(files) > 10
    for path in files:
        for name in imported_modules(path):
            if name.split(".")[0] in FORBIDDEN:
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, bad


BLOCKER = """
import sys, importlib.abc
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {names!r}:
            raise ImportError('blocked for the test: ' + name)
sys.meta_path.insert(0, Block())
"""


def test_engine_trains_samples_and_evaluates_with_qt_unimportable(tmp_path):
    code = BLOCKER.format(names=FORBIDDEN) + f"""
import engine.cli.commands, engine.training.runner, engine.models.registry
from engine.cli.main import main
rc = main(['train', '--data', 'moons', '--model', 'vae', '--steps', '30', '--out', r'{tmp_path / "run"}', '--quiet'])
assert rc == 0, rc
assert main(['sample', '--run', r'{tmp_path / "run"}', '-n', '10', '-o', r'{tmp_path / "s.npy"}']) == 0
assert main(['eval', '--run', r'{tmp_path / "run"}', '--json', '--limit', '50']) == 0
bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]
assert not bad, bad
try:
    import PySide6
except ImportError:
    pass
else:
    raise AssertionError('blocker did not work')
print('ENGINE-OK')
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "ENGINE-OK" in out.stdout

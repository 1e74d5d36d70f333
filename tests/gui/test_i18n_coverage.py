"""Fails when a user-visible string in ``gui/`` bypasses Qt's translation system.

An AST scan of every ``gui/**/*.py`` file. A call is checked when it is one of:

* setters of visible text: ``setText``, ``setToolTip``, ``setStatusTip``, ``setWhatsThis``,
  ``setWindowTitle``, ``setPlaceholderText``, ``setTitle``, ``setLabelText``, ``setInformativeText``,
  ``setDetailedText``, ``setSpecialValueText``, ``setPrefix``, ``setSuffix``, ``setFormat``,
  ``showMessage``, ``setTabText``/``setTabToolTip`` (text argument), ``setItemText``, ``setLabel``
  (pyqtgraph axis labels, text argument);
* adders: ``addMenu``, ``addAction`` (a text argument), ``addTab``/``insertTab`` (label), ``addItem``/
  ``insertItem`` (display text), ``addItems``, ``addRow`` (row label), the header setters
  (``setHorizontalHeaderLabels``, ``setVerticalHeaderLabels``, ``setHeaderLabels``: every element);
* ``super().__init__("Title", ...)`` in a dock or tool bar;
* constructors that take a caption: ``QAction``, ``QLabel``, ``QPushButton``, ``QCheckBox``,
  ``QRadioButton``, ``QGroupBox``, ``QToolBar``, ``QDockWidget``, ``QMenu``, ``QMessageBox``,
  ``QProgressDialog`` (every string argument);
* static dialogs: ``QMessageBox.information/warning/critical/question/about``, ``QFileDialog.get*``
  (caption and filter), ``QInputDialog.get*`` (title and label);
* the window's own message helpers: ``log(level, text)``, ``notify(level, text, ...)``,
  ``show_error``, ``show_hint``, ``show_message``, ``set_data_error``, ``set_status``.

An argument fails when it is a string literal, an f-string, a ``"literal".format(...)``, or a
concatenation or conditional built from them, and its literal text contains a letter. What passes: a
call to ``tr``/``translate`` (then formatted), a variable, or text without letters (numbers, units
made of symbols, "×"). ``ALLOWED`` lists the few literals that are not language (product and format
names). ``self.tr`` itself must get a plain literal or a variable holding a ``QT_TRANSLATE_NOOP``-marked
text: an f-string or a built string inside ``tr`` is never found by lupdate.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

GUI = Path(__file__).resolve().parents[2] / "gui"

SETTERS = {  # method name -> index of the text argument (None: every positional argument)
    "setText": 0, "setToolTip": 0, "setStatusTip": 0, "setWhatsThis": 0, "setWindowTitle": 0,
    "setPlaceholderText": 0, "setTitle": 0, "setLabelText": 0, "setInformativeText": 0,
    "setDetailedText": 0, "setSpecialValueText": 0, "setPrefix": 0, "setSuffix": 0, "setFormat": 0,
    "showMessage": 0, "setTabText": 1, "setTabToolTip": 1, "setItemText": 1, "setLabel": 1,
    "addMenu": None, "addAction": None, "addTab": 1, "insertTab": 2, "addItem": 0, "insertItem": 1,
    "addItems": 0, "addRow": 0, "setHorizontalHeaderLabels": 0, "setVerticalHeaderLabels": 0,
    "setHeaderLabels": 0, "setItemData": 1, "addButton": 0,
    # the window's own helpers that put text on screen
    "log": 1, "notify": 1, "show_error": 0, "show_hint": 0, "show_message": 0, "set_data_error": 0,
    "set_status": 0,
}
HELPERS = {"save_path": (1, 3), "open_path": (1, 2), "folder_path": (1,)}  # gui.dialogs.files: caption, filter
CONSTRUCTORS = {"QAction", "QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QGroupBox", "QToolBar",
                "QDockWidget", "QMenu", "QMessageBox", "QProgressDialog"}
STATIC_DIALOGS = {
    "QMessageBox": {"information": (1, 2), "warning": (1, 2), "critical": (1, 2), "question": (1, 2),
                    "about": (1, 2)},
    "QFileDialog": {"getOpenFileName": (1, 3), "getOpenFileNames": (1, 3), "getSaveFileName": (1, 3),
                    "getExistingDirectory": (1,)},
    "QInputDialog": {"getText": (1, 2), "getInt": (1, 2), "getDouble": (1, 2), "getItem": (1, 2)},
}
TRANSLATORS = {"tr", "translate", "QT_TRANSLATE_NOOP", "QT_TR_NOOP"}
# Literals that are not language: product, format and library names.
ALLOWED = {"GenLab", "PNG", "GIF", "CSV", "ONNX", "PyTorch", "pyqtgraph", "z", "x", "y"}
LETTER = re.compile(r"[^\W\d_]")
MARKUP = re.compile(r"<[^>]*>|&\w+;|%[pvm]")


def _literal_text(node: ast.AST) -> str | None:
    """The language text a node carries without translation, or None when it carries none."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        parts = [_literal_text(node.left), _literal_text(node.right)]
        parts = [p for p in parts if p]
        return " ".join(parts) if parts else None
    if isinstance(node, ast.BoolOp):
        parts = [p for p in (_literal_text(v) for v in node.values) if p]
        return " ".join(parts) if parts else None
    if isinstance(node, ast.IfExp):
        parts = [p for p in (_literal_text(node.body), _literal_text(node.orelse)) if p]
        return " ".join(parts) if parts else None
    if isinstance(node, (ast.List, ast.Tuple)):
        parts = [p for p in (_literal_text(e) for e in node.elts) if p]
        return " ".join(parts) if parts else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _literal_text(node.func.value)
    return None


def _untranslated(node: ast.AST) -> str | None:
    text = _literal_text(node)
    if text is None or text.strip() in ALLOWED or not LETTER.search(MARKUP.sub("", text)):
        return None
    return text


def _call_name(func: ast.AST) -> tuple[str | None, str | None]:
    """(owner, name) of a call: ``QMessageBox.warning`` -> ("QMessageBox", "warning"); ``f`` -> (None, "f")."""
    if isinstance(func, ast.Name):
        return None, func.id
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else None
        return owner, func.attr
    return None, None


def _is_super_init(func: ast.AST) -> bool:
    return (isinstance(func, ast.Attribute) and func.attr == "__init__" and isinstance(func.value, ast.Call)
            and isinstance(func.value.func, ast.Name) and func.value.func.id == "super")


def scan_file(path: Path, root: Path = GUI.parent) -> list[str]:
    """Every untranslated user-visible literal in one file, as ``file:line: call("text")``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []

    def report(node, call, text):
        found.append(f"{path.relative_to(root)}:{node.lineno}: {call}({text[:60]!r})")

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        owner, name = _call_name(node.func)
        if name in TRANSLATORS:
            if name == "tr" and node.args and _literal_text(node.args[0]) is not None \
                    and not isinstance(node.args[0], ast.Constant):  # built text: lupdate cannot see it
                report(node, "tr", "tr() needs a plain string literal")
            continue
        args: list[ast.AST] = []
        if _is_super_init(node.func):  # a dock's or tool bar's title: super().__init__("Setup", parent)
            args = node.args[:1]
        elif owner in STATIC_DIALOGS and name in STATIC_DIALOGS[owner]:
            args = [node.args[i] for i in STATIC_DIALOGS[owner][name] if i < len(node.args)]
        elif name in HELPERS:
            args = [node.args[i] for i in HELPERS[name] if i < len(node.args)]
        elif name in CONSTRUCTORS:
            args = list(node.args)
        elif name in SETTERS:
            index = SETTERS[name]
            args = list(node.args) if index is None else node.args[index:index + 1]
        for arg in args:
            text = _untranslated(arg)
            if text is not None:
                report(node, name, text)
    return found


def scan_gui() -> list[str]:
    return [hit for path in sorted(GUI.rglob("*.py")) for hit in scan_file(path)]


def test_every_visible_string_in_gui_goes_through_translation():
    hits = scan_gui()
    assert not hits, "untranslated user-visible strings:\n" + "\n".join(hits)


def test_scanner_catches_each_kind_of_bypass(tmp_path):
    """The scan must find what it claims to find (a scanner that finds nothing proves nothing)."""
    bad = tmp_path / "gui" / "bad.py"
    bad.parent.mkdir()
    bad.write_text(
        "label.setText('Hello')\n"
        "button = QPushButton(f'Run {n}')\n"
        "QMessageBox.warning(self, 'Oops', msg)\n"
        "self.log('info', 'stopped at step {s}'.format(s=1))\n"
        "tip = w.setToolTip('a' if x else 'b')\n"
        "t.setHorizontalHeaderLabels(['Name', 'Steps'])\n"
        "self.tr(f'Step {n}')\n"
        "ok.setText(self.tr('Fine'))\n"
        "ok.setText(self.tr('Step {n}').format(n=1))\n"
        "ok.setText('×')\n"
        "ok.setText(value)\n"
        "class D:\n    def __init__(self):\n        super().__init__('Setup', None)\n"
        "ok.setText(\"<span style='color:red'>{}</span>\".format(m))\n", encoding="utf-8")
    hits = scan_file(bad, root=tmp_path)
    lines = sorted(int(h.split(":")[1]) for h in hits)
    assert lines == [1, 2, 3, 4, 5, 6, 7, 14], hits


def _placeholders(text: str) -> set[str]:
    """Field names in a ``str.format`` template (``{step:,}`` -> ``step``; ``{{`` is a literal brace)."""
    import string
    return {name.split(".")[0].split("[")[0] for _lit, name, _spec, _conv in string.Formatter().parse(text)
            if name is not None}


def test_every_translated_template_gets_the_values_it_names():
    """``tr("... {step} ...").format(...)`` must pass each placeholder by name (no positional ``{}`` either),
    or the translated text would raise when it is formatted."""
    problems = []
    for path in sorted(GUI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"):
                continue
            inner = node.func.value
            if not (isinstance(inner, ast.Call) and _call_name(inner.func)[1] in ("tr", "translate")):
                continue
            text_node = inner.args[-1] if inner.args else None
            if not (isinstance(text_node, ast.Constant) and isinstance(text_node.value, str)):
                continue
            names = _placeholders(text_node.value)
            given = {k.arg for k in node.keywords}
            if "" in names or names != given or node.args:
                problems.append(f"{path.relative_to(GUI.parent)}:{node.lineno}: {sorted(names)} vs {sorted(given)}")
    assert not problems, "\n".join(problems)

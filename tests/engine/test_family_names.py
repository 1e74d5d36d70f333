"""No module outside ``engine/models`` names a model family: what the program knows about a family is
declared by the family's class, and lists of families come from the registry, so one module is a whole
family (``tests/engine/test_sixth_family.py`` proves it with a sixth).

An AST scan of the program's Python files (``main.py``, ``engine/``, ``gui/``, ``genlab/``; not the
tests, benchmarks or tools) for string constants equal to a registered family's key, and for the keys
as words inside f-strings (``f"{kind}-vae.json"``). Docstrings and prose pass unless a whole string is
a key. Resource files stay keyed by family (``resources/learn/<lang>/<family>.html``), found by the key
at run time.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ("main.py", "engine", "gui", "genlab")
EXCLUDED = ("engine/models",)
WORD = re.compile(r"[A-Za-z0-9_]+")


def program_files(root: Path = ROOT) -> list[Path]:
    files = []
    for name in PROGRAM:
        path = root / name
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return [f for f in files if not any(f.relative_to(root).as_posix().startswith(e + "/") for e in EXCLUDED)]


def family_mentions(path: Path, keys: set[str], root: Path = ROOT) -> list[str]:
    """``file:line: text`` for every string constant that is a family key, and every f-string whose
    literal parts hold one as a word."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    in_fstring = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for part in node.values:
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    in_fstring.add(id(part))
                    if keys & set(WORD.findall(part.value)):
                        found.append(f"{path.relative_to(root)}:{node.lineno}: f-string {part.value!r}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in keys \
                and id(node) not in in_fstring:
            found.append(f"{path.relative_to(root)}:{node.lineno}: {node.value!r}")
    return found


def test_no_module_outside_the_models_names_a_family():
    from engine.models.registry import families
    keys = set(families())
    files = program_files()
    assert len(files) > 50 and ROOT / "main.py" in files and ROOT / "gui" / "main_window.py" in files
    assert not any("engine/models/" in f.as_posix() for f in files)
    hits = [hit for path in files for hit in family_mentions(path, keys)]
    assert not hits, ("modules that name a family (declare it on the family class, or ask the registry):\n"
                      + "\n".join(hits))


def test_the_scan_finds_each_way_of_naming_a_family(tmp_path):
    """A scanner that finds nothing proves nothing: each kind of mention is caught, prose is not."""
    (tmp_path / "gui").mkdir()
    (tmp_path / "engine" / "models").mkdir(parents=True)
    bad = tmp_path / "gui" / "bad.py"
    bad.write_text(
        "if family == 'gan':\n"                                 # 1: a comparison
        "    pass\n"
        "CHUNK = {'diffusion': 4}\n"                            # 3: a table keyed by family
        "path = f'presets/{kind}-flow.json'\n"                  # 4: inside an f-string
        "note = 'a normalizing flow on points'\n"               # prose: passes
        "doc = f'the {family} family'\n"                        # a family by variable: passes
        "x = ('vae', 'ar')\n", encoding="utf-8")                # 7, 7: a list of families
    (tmp_path / "engine" / "models" / "fine.py").write_text("family = 'vae'\n", encoding="utf-8")
    (tmp_path / "main.py").write_text("print('vae')\n", encoding="utf-8")
    keys = {"vae", "gan", "ar", "flow", "diffusion"}
    files = program_files(tmp_path)
    assert tmp_path / "engine" / "models" / "fine.py" not in files
    hits = [hit for path in files for hit in family_mentions(path, keys, tmp_path)]
    lines = sorted(int(h.split(":")[1]) for h in hits if h.startswith("gui"))
    assert lines == [1, 3, 4, 7, 7], hits
    assert any(h.startswith("main.py:1") for h in hits)

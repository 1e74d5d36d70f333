"""A non-editable install works like one: the wheel built from the source, installed into a new virtual
environment, runs from another folder with the built-in data (resources travel as package data), and
``python -m genlab`` is the same program. Built with the declared build backend, without deprecation
warnings (the ones that become errors on a known date).

The new environment gets GenLab from the wheel alone; its dependencies (PyTorch, Qt, ...) are borrowed
from the running environment through a ``.pth`` line, which adds those folders without running their
``.pth`` files, so an editable install of GenLab there stays invisible.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOP_LEVEL_LEFT_OUT = {".git", ".venv", ".ci-venv", "build", "dist", "runs", "tmp", ".pytest_cache", ".hypothesis"}


def _ignored(folder: str, names: list[str]) -> set[str]:
    """What a clean checkout would not hold: caches anywhere, build and run folders at the top."""
    left_out = {n for n in names if n == "__pycache__" or n.endswith(".egg-info")}
    if Path(folder).resolve() == ROOT:
        left_out |= TOP_LEVEL_LEFT_OUT & set(names)
    return left_out


def _pyproject() -> dict:
    import tomllib
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_package_list_names_every_package_and_resource_folder():
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    code = {".".join(p.relative_to(ROOT).parent.parts) for top in ("engine", "gui", "genlab")
            for p in (ROOT / top).rglob("*.py")}
    resources = {".".join(("genlab",) + p.relative_to(ROOT).parts) for p in [ROOT / "resources",
                                                                              *(ROOT / "resources").rglob("*")]
                 if p.is_dir() and p.name != "__pycache__"}
    assert listed == code | resources


def _run(cmd, cwd, env, timeout=600) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{cmd}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.mark.slow
def test_the_wheel_installs_and_runs_from_another_folder(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=_ignored)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    built = _run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(tmp_path / "dist"), str(src)],
                 tmp_path, env)
    log = built.stdout + built.stderr
    assert "deprecat" not in log.lower() and "BuildBackendWarning" not in log, log[-4000:]
    wheel = next((tmp_path / "dist").glob("genlab-*.whl"))

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    py = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    child_site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                     capture_output=True, text=True, check=True).stdout.strip())
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], *site.getsitepackages()}
    (child_site / "borrowed_dependencies.pth").write_text("\n".join(sorted(borrowed)) + "\n", encoding="utf-8")
    _run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index", str(wheel)],
         tmp_path, env)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    bin_dir = py.parent
    env = dict(env, PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", GENLAB_WORKSPACE=str(elsewhere / "ws"))
    where = _run([str(py), "-c", "import engine, genlab, main; print(engine.__file__); "
                  "from engine.resources import resources_dir; print(resources_dir())"], elsewhere, env)
    engine_file, resources = where.stdout.split()
    assert Path(engine_file).is_relative_to(child_site) and Path(resources) == child_site / "genlab" / "resources"

    genlab = str(bin_dir / ("genlab.exe" if os.name == "nt" else "genlab"))
    _run([genlab, "data", "--data", "digits", "-n", "16", "-o", "d.png"], elsewhere, env)
    assert (elsewhere / "d.png").stat().st_size > 100
    _run([genlab, "train", "--data", "digits", "--model", "vae", "--steps", "20", "--out", "run", "--quiet"],
         elsewhere, env)
    assert (elsewhere / "run" / "config.json").is_file() and list((elsewhere / "run" / "checkpoints").iterdir())
    version = _run([str(py), "-m", "genlab", "--version"], elsewhere, env).stdout.strip()
    assert version == _run([genlab, "--version"], elsewhere, env).stdout.strip() and version.startswith("GenLab ")

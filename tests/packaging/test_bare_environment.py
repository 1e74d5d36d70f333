"""The entry point under the conditions a packaged program meets: no HOME, a C locale with ASCII
streams, and no streams at all (a windowed build on Windows or macOS).

Each test runs ``main.py`` in a fresh process with an environment built from nothing (``env -i``
style), from a working directory outside the repository.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bare_env(**extra) -> dict:
    """No HOME, no locale but C, no UTF-8 mode or locale coercion: the streams are ASCII."""
    env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0",
           "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": ""}
    env.update(extra)
    return env


def _run(code: str, tmp_path: Path, timeout: float = 180, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=_bare_env(**env),
                          capture_output=True, timeout=timeout)


def test_version_answers_without_loading_pytorch(tmp_path):
    proc = _run("import sys, main\nrc = main.main(['--version'])\nprint('torch' in sys.modules, rc)", tmp_path)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    from engine import __version__
    assert proc.stdout.decode().splitlines() == [f"GenLab {__version__}", "False 0"]


def test_non_ascii_text_on_ascii_streams_is_escaped_not_fatal(tmp_path):
    text = "donn\u00e9es \u2192 \u00e9t\u00e9 \udcc3"  # accents, an arrow, an undecodable file-name byte
    unsafe = _run(f"print({ascii(text)})", tmp_path)
    assert unsafe.returncode == 1 and b"UnicodeEncodeError" in unsafe.stderr  # the streams really are ASCII
    proc = _run(f"import sys, main\nmain._usable_streams()\nprint({ascii(text)})\nprint({ascii(text)}, file=sys.stderr)",
                tmp_path)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    expected = "donn\\xe9es \\u2192 \\xe9t\\xe9 \\udcc3"
    assert proc.stdout.decode("ascii").strip() == expected
    assert proc.stderr.decode("ascii").strip() == expected


def test_an_error_naming_a_non_ascii_file_is_one_line_not_a_traceback(tmp_path):
    missing = "/nonexistent/donn\u00e9es.npy"
    proc = _run(f"import sys, main\nsys.exit(main.main(['train', '--data', {ascii(missing)}, '--model', 'vae', "
                f"'--out', 'out']))", tmp_path)
    err = proc.stderr.decode("ascii")
    assert proc.returncode == 2, err
    assert "Traceback" not in err and "donn\\xe9es.npy" in err
    assert [line for line in err.splitlines() if line.startswith("genlab: error:")]


def test_training_with_no_stdout_or_stderr_like_a_windowed_build(tmp_path):
    """A windowed program on Windows/macOS starts with sys.stdout and sys.stderr set to None."""
    code = ("import json, sys, main\nreal = sys.__stdout__\nsys.stdout = sys.stderr = None\n"
            "rc = main.main(['train', '--data', 'moons', '--model', 'vae', '--steps', '3', '--out', 'run'])\n"
            "real.write(json.dumps({'rc': rc, 'stdout': sys.stdout is not None, 'stderr': sys.stderr is not None}))\n")
    proc = _run(code, tmp_path, timeout=240, GENLAB_CRASH_DIR=str(tmp_path / "crash"))
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert json.loads(proc.stdout.decode()) == {"rc": 0, "stdout": True, "stderr": True}
    assert (tmp_path / "run" / "config.json").is_file()
    assert list((tmp_path / "run" / "checkpoints").glob("ckpt_*.safetensors"))
    assert not (tmp_path / "crash").exists()


def test_without_home_user_folders_are_not_in_the_working_directory(tmp_path):
    code = ("import json\nfrom engine.crash import user_dir\n"
            "print(json.dumps({k: str(user_dir(k)) for k in ('data', 'cache', 'state')}))")
    proc = _run(code, tmp_path)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    folders = json.loads(proc.stdout.decode())
    for folder in folders.values():
        assert Path(folder).is_absolute() and tmp_path not in Path(folder).parents, folders

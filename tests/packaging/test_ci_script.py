"""``.ci/run`` runs the README's own commands, so what CI proves is what the README tells people to do."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _readme_commands() -> list[str]:
    setup = ROOT.joinpath("README.md").read_text(encoding="utf-8").split("## Set up", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", setup, flags=re.S)]


def test_ci_runs_the_readme_test_and_build_commands_verbatim_in_that_order():
    commands = _readme_commands()
    assert len(commands) == 3, commands  # run the app, run the tests, build the packaged program
    run, tests, build = commands
    assert "pytest" in tests and "pyinstaller" in build and "build.spec" in build
    ci = ROOT.joinpath(".ci", "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in ci.splitlines()]
    assert tests in lines and build in lines
    assert lines.index(tests) < lines.index(build)
    assert "set -euo pipefail" in lines  # a failed step fails CI


def test_ci_runs_the_bundle_from_a_bare_environment_outside_the_repository():
    ci = ROOT.joinpath(".ci", "run").read_text(encoding="utf-8")
    after_build = ci.split("pyinstaller --noconfirm build.spec", 1)[1]
    assert re.search(r'env -i "\$bundle" --version', after_build)
    assert re.search(r'env -i "\$bundle" --selftest', after_build)
    assert after_build.index('cd "$checks"') < after_build.index("--selftest")  # not the repository's folder
    assert "deactivate" in after_build.split("--selftest")[0]
    subprocess.run(["bash", "-n", str(ROOT / ".ci" / "run")], check=True)

"""Screenshot of the window in Chinese while a short VAE trains, Learn dock in front: docs/window_zh_CN.png.

    QT_QPA_PLATFORM=offscreen python tools/screenshot_zh_CN.py [--out docs/window_zh_CN.png] [--seconds 25]

By default Qt sees only the DejaVu fonts (a private fontconfig file), as on a machine with no Chinese
font at all: every Han character in the picture then comes from the font GenLab ships and registers.
``--system-fonts`` keeps the machine's own fonts instead.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LATIN_ONLY = ["/usr/share/fonts/truetype/dejavu"]


def hide_system_cjk_fonts() -> None:
    """Point fontconfig at a config that lists only Latin fonts (must run before Qt loads)."""
    folder = Path(tempfile.mkdtemp(prefix="genlab-fonts-"))
    dirs = "".join(f"<dir>{d}</dir>" for d in LATIN_ONLY if Path(d).is_dir())
    (folder / "fonts.conf").write_text(f"<?xml version='1.0'?><fontconfig>{dirs}<cachedir>{folder}/cache</cachedir>"
                                       "</fontconfig>", encoding="utf-8")
    os.environ["FONTCONFIG_FILE"] = str(folder / "fonts.conf")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "window_zh_CN.png"))
    parser.add_argument("--seconds", type=float, default=25.0, help="training time before the picture")
    parser.add_argument("--system-fonts", action="store_true")
    args = parser.parse_args()
    if not args.system_fonts:
        hide_system_cjk_fonts()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("GENLAB_WORKSPACE", tempfile.mkdtemp(prefix="genlab-shot-"))
    settings_file = Path(tempfile.mkdtemp(prefix="genlab-shot-settings-")) / "settings.ini"

    from PySide6.QtCore import QEventLoop
    from gui.app import make_app
    from gui.i18n import save_language
    from gui.settings import open_settings
    save_language(open_settings(settings_file), "zh_CN")
    app = make_app()
    from gui.main_window import MainWindow
    window = MainWindow(settings=open_settings(settings_file))
    window.resize(1500, 920)
    window.show()

    def wait(until, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not until() and time.monotonic() < deadline:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 30)
            time.sleep(0.01)
        return until()

    if not wait(lambda: window.session.state == "idle" and window.data_dock.dataset is not None, 180):
        print("the window did not become ready", file=sys.stderr)
        return 1
    setup = window.setup_dock
    setup.family_combo.setCurrentIndex(setup.family_combo.findData("vae"))
    setup.data_combo.setCurrentIndex(setup.data_combo.findData("moons"))
    wait(lambda: window.data_dock.dataset is not None, 60)
    setup.train_form.widgets["steps"].setValue(3000)
    window.controls.train.trigger()
    learn = getattr(window, "learn_dock", None)
    if learn is not None:
        learn.raise_()
    start = time.monotonic()
    wait(lambda: time.monotonic() - start > args.seconds, args.seconds + 5)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out))
    print(f"{out}: step {window.session.last_step}, language {window.language}, "
          f"fonts: {'machine' if args.system_fonts else 'DejaVu + GenLab Noto Sans SC only'}")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

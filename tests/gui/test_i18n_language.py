"""Two languages: the Chinese catalogue is complete and compiled, the window switches, the font covers it.

Real files throughout: the shipped ``.ts``/``.qm``, the shipped font read by Qt's own ``QRawFont``,
a real offscreen ``MainWindow`` built under a settings file that asks for Chinese.
"""

from __future__ import annotations

import os
import re
import string
import xml.etree.ElementTree as ET

import pytest

from engine.resources import resource_path

TS = resource_path("i18n", "genlab_zh_CN.ts")
QM = resource_path("i18n", "genlab_zh_CN.qm")
FONT = resource_path("fonts", "NotoSansSC-GenLab-subset.otf")
ACCELERATOR = re.compile(r"&(\w)")


def ts_entries() -> list[tuple[str, str, ET.Element]]:
    """(context, source, translation element) for every message of the Chinese catalogue."""
    root = ET.parse(TS).getroot()
    return [(ctx.findtext("name"), m.findtext("source"), m.find("translation"))
            for ctx in root.iter("context") for m in ctx.iter("message")]


def fields(text: str) -> list[str]:
    """The ``str.format`` fields of ``text`` with their spec (``{step:,}`` -> ``step:,``), sorted."""
    try:
        return sorted(f"{name}:{spec}!{conv}" for _lit, name, spec, conv in string.Formatter().parse(text)
                      if name is not None)
    except ValueError:  # not a format template (a help text with a lone brace): compare braces literally
        return sorted(re.findall(r"\{[^{}]*\}", text))


def test_catalogue_has_no_unfinished_entry_and_keeps_every_placeholder():
    entries = ts_entries()
    assert len(entries) > 600
    unfinished = [(c, s) for c, s, t in entries if t.get("type") in ("unfinished", "vanished", "obsolete")
                  or not (t.text or "").strip()]
    assert not unfinished, f"{len(unfinished)} untranslated, e.g. {unfinished[:5]}"
    wrong = [(c, s, t.text) for c, s, t in entries if fields(s) != fields(t.text)]
    assert not wrong, f"placeholders differ: {wrong[:5]}"
    lost_keys = [(c, s) for c, s, t in entries if ACCELERATOR.search(s.replace("&&", ""))
                 and "&" not in t.text]
    assert not lost_keys, f"menu accelerators lost: {lost_keys}"
    han = [(c, s) for c, s, t in entries if not re.search(r"[\u4e00-\u9fff]", t.text) and re.search(r"[a-z]{4}", s)
           and t.text == s and c not in ("PosteriorView",)]
    assert len(han) < 15, f"translations identical to the English: {han}"


def test_compiled_catalogue_matches_the_source(qapp):
    """The .qm is what lrelease makes of the current .ts (a stale .qm would show old or English text)."""
    from PySide6.QtCore import QTranslator
    translator = QTranslator()
    assert translator.load(str(QM))
    stale = [(c, s) for c, s, t in ts_entries() if translator.translate(c, s) != t.text]
    assert not stale, f"{len(stale)} entries differ from the .ts, e.g. {stale[:3]}: run pyside6-lrelease"


def test_every_knob_text_of_every_family_is_translated(qapp):
    """Labels, help and units of every config knob (DataConfig, TrainConfig, each family) have Chinese."""
    from PySide6.QtCore import QTranslator
    from engine.config import DataConfig, TrainConfig
    from engine.knobs import field_info
    from engine.models.registry import FAMILY_MODULES, config_class
    translator = QTranslator()
    assert translator.load(str(QM))
    missing = []
    for cls in [DataConfig, TrainConfig] + [config_class(f) for f in FAMILY_MODULES]:
        for info in field_info(cls):
            for text in (info["label"], info.get("help", ""), info.get("unit", "")):
                if text and not translator.translate("Knob", text):
                    missing.append(f"{cls.__name__}.{info['name']}: {text!r}")
    assert not missing, "knob texts without a translation (run lupdate; derived labels: gui/knob_labels.py):\n" \
        + "\n".join(missing)


def test_every_text_a_built_in_family_declares_is_translated(qapp):
    """Titles, short names, captions and help a family class declares (``Family`` context) have Chinese."""
    from PySide6.QtCore import QTranslator
    from engine.i18n import FAMILY_TEXT
    from engine.models.registry import FAMILY_MODULES, model_class
    translator = QTranslator()
    assert translator.load(str(QM))
    missing, seen = [], 0
    for family in FAMILY_MODULES:
        cls = model_class(family)
        texts = [cls.title, cls.short_name, cls.about, cls.latent_view.caption, cls.latent_view.decode_steps_label,
                 cls.inside_view.help, *cls.term_help.values()]
        assert cls.title and cls.short_name, family
        for text in filter(None, texts):
            seen += 1
            if not translator.translate(FAMILY_TEXT, text):
                missing.append(f"{family}: {text!r}")
    assert seen >= 19 and not missing, "family texts without a translation:\n" + "\n".join(missing)


def test_shipped_font_has_every_character_of_the_translations(qapp):
    from PySide6.QtGui import QRawFont
    font = QRawFont(str(FONT), 12)
    assert font.isValid(), FONT
    assert FONT.stat().st_size < 2 * 2**20
    text = "".join(t.text for _c, _s, t in ts_entries()) + "简体中文"
    for page in resource_path("learn").glob("zh_CN/*.html"):
        text += "".join(re.findall(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", page.read_text(encoding="utf-8")))
    # CJK (U+2E80 on) and ASCII must come from our font; Latin and math signs such as "ŷ" are not in Noto
    # CJK at all and come from the default UI font. (supportsCharacter(str) fails beyond Latin-1: use ord.)
    needed = {c for c in text if ord(c) >= 0x2E80 or (0x20 < ord(c) < 0x7F)}
    missing = sorted(c for c in needed if not font.supportsCharacter(ord(c)))
    assert not missing, f"not in {FONT.name}: {''.join(missing)} (run tools/subset_font.py)"


@pytest.fixture
def chinese_settings(tmp_path, qapp):
    """A settings file that asks for Chinese; English is put back afterwards for the other tests."""
    from gui.i18n import ENGLISH, apply_language, save_language
    from gui.settings import open_settings
    path = tmp_path / "zh.ini"
    save_language(open_settings(path), "zh_CN")
    yield path
    apply_language(qapp, ENGLISH)


def test_chinese_setting_translates_menus_dock_titles_and_engine_texts(make_window, chinese_settings, qapp):
    from engine.i18n import QT_TRANSLATE_NOOP, message
    from gui.i18n import current_language, engine_text
    w = make_window(chinese_settings, wait_ready=False)
    assert current_language() == "zh_CN"
    menus = [a.text() for a in w.menuBar().actions()]
    assert menus[:1] == ["文件(&F)"] and "视图(&V)" in menus and "帮助(&H)" in menus, menus
    titles = {d.objectName(): d.windowTitle() for d in w._docks}
    assert titles["dock_setup"] == "设置" and titles["dock_data"] == "数据", titles
    assert w.setup_dock.windowTitle() != "Setup" and w.losses_dock.windowTitle() == "损失"
    assert w.controls.train.text() == "训练"
    assert engine_text(message(QT_TRANSLATE_NOOP("engine", "changed {change} at step {step}"),
                               change="train.lr = 0.001", step=40)) == "已在第 40 步修改 train.lr = 0.001"
    tip = w.setup_dock.train_form.widgets["batch_size"].toolTip()
    assert "每步的样本数" in tip and "批大小" in tip, tip
    # Qt's own strings come from qtbase_zh_CN (a standard button)
    from PySide6.QtWidgets import QDialogButtonBox
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"


def test_language_menu_saves_the_choice_and_says_a_restart_applies_it(make_window, tmp_path):
    from gui.i18n import LANGUAGE_KEY, chosen_language
    w = make_window(tmp_path / "en.ini", wait_ready=False)
    english = w.findChild(type(w.controls.train), "language_en")
    chinese = w.findChild(type(w.controls.train), "language_zh_CN")
    assert english.isChecked() and not chinese.isChecked()
    chinese.trigger()
    assert w.settings.value(LANGUAGE_KEY) == "zh_CN" and chosen_language(w.settings) == "zh_CN"
    note = w.notice.history[-1]
    assert "when GenLab starts again" in note and "下次启动时切换为简体中文" in note, note
    assert w.menuBar().actions()[0].text() == "&File"  # this window stays English until the restart


def test_about_and_licences_name_versions_and_every_licence(make_window, tmp_path):
    from gui.dialogs.about_dialog import AboutDialog, versions
    from importlib import metadata
    w = make_window(tmp_path / "a.ini", wait_ready=False)
    names = dict(versions())
    assert names["PyTorch"] == metadata.version("torch") and names["GenLab"] and names["Qt"]
    dialog = AboutDialog(w, page="licences")
    assert dialog.tabs.currentIndex() == 1
    assert all(v in dialog.about_label.text() for v in names.values())
    listed = [dialog.licence_list.item(i).text() for i in range(dialog.licence_list.count())]
    for needle in ("PySide6 / Qt — LGPL-3.0", "PyTorch — BSD-3-Clause", "NumPy", "pyqtgraph — MIT", "Pillow",
                   "Noto Sans SC (font) — SIL Open Font License 1.1", "Datasets"):
        assert any(needle in item for item in listed), (needle, listed)
    texts = {c["name"]: c["text"] for c in dialog.components}
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in texts["PySide6 / Qt"]
    assert "SIL OPEN FONT LICENSE Version 1.1" in texts["GenLab Noto Sans SC (font)"]
    datasets = next(t for n, t in texts.items() if n.startswith("Datasets"))
    from engine.data.remote import catalogue
    for entry in catalogue():  # every downloadable set the window offers has its terms here
        assert entry["name"] in datasets, entry["name"]
    assert "digits" in datasets and "CC BY 4.0" in datasets
    dialog.licence_list.setCurrentRow(2)
    assert "Redistribution and use" in dialog.licence_text.toPlainText() or dialog.licence_text.toPlainText()
    dialog.close()


def test_the_detectors_findings_read_in_chinese_in_the_notice_bar_and_the_log(make_window, chinese_settings, qapp):
    """What the run's detectors say is built from many parts (a finding, its numbers, the space it was measured
    in, several problems joined): each part is translated, then the numbers go in. Real detectors on real records:
    a gradient that became NaN and a loss that never moved."""
    from engine.config import DataConfig
    from engine.data import load_dataset
    from engine.events import Diagnosed
    from engine.models.registry import build_model
    from engine.models.vae import VAEConfig
    from engine.training.watch import Watch
    w = make_window(chinese_settings, wait_ready=False)
    ds = load_dataset(DataConfig(name="moons"))
    model = build_model("vae", ds.spec, VAEConfig())
    watch = Watch()
    for step in range(40):
        watch.record(step, {"loss": 1.0 + 1e-9 * (step % 2), "grad_norm_main": float("nan") if step == 30 else 1.0})
    events = watch.look(model, ds, 40, n=0)
    diagnosed = next(e for e in events if isinstance(e, Diagnosed))
    assert set(diagnosed.new_alarms) >= {"gradients", "loss_plateau"}
    for ev in events:                  # the log lines and the finding, as the bridge passes them on
        w.bridge._emit(ev)
    notice = w.notice.label.text()
    assert "梯度范数非有限" in notice and "整个运行中损失没有变化（1 -> 1" in notice, notice
    assert "the loss" not in notice and "gradient norm" not in notice, notice
    log = w.log_dock.text()
    assert "第 40 步的梯度：main：梯度范数非有限。可以尝试：爆炸：降低学习率" in log, log
    assert "第 40 步的检测器：" in log and "警报" in log and "ALARM" not in log, log
    shot = os.environ.get("GENLAB_SHOT_DIR")
    if shot:
        w.resize(1500, 950)
        w.grab().save(os.path.join(shot, "detectors_zh_CN.png"))


def test_every_text_lupdate_finds_in_the_sources_has_a_translation(tmp_path):
    """Qt's own extractor, run over ``gui/``, ``engine/`` and ``main.py`` into a copy of the catalogue, adds
    nothing untranslated: a text written in a ``tr`` call or marked with ``QT_TRANSLATE_NOOP`` without its
    Chinese entry shows up here (the time-budget picker did, in English, in the Chinese window)."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    lupdate = shutil.which("pyside6-lupdate", path=str(Path(sys.executable).parent)) or shutil.which("pyside6-lupdate")
    assert lupdate, "pyside6-lupdate (installed with PySide6) not found"
    sources = sorted(str(p) for folder in ("gui", "engine") for p in (root / folder).rglob("*.py")) + [str(root / "main.py")]
    copy = tmp_path / "check.ts"
    shutil.copyfile(TS, copy)
    out = subprocess.run([lupdate, *sources, "-ts", str(copy)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    root_el = ET.parse(copy).getroot()
    new = [(ctx.findtext("name"), m.findtext("source")) for ctx in root_el.iter("context") for m in ctx.iter("message")
           if m.find("translation").get("type") == "unfinished"]
    assert not new, f"{len(new)} texts without a translation in {TS.name}, e.g. {new[:5]}"

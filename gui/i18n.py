"""The window's language: English or Simplified Chinese, chosen once at start-up.

The language is the saved setting ``ui/language`` when there is one, else the system locale (any
``zh*`` locale gives ``zh_CN``, everything else English). Chinese installs two ``QTranslator``s:
GenLab's own ``resources/i18n/genlab_zh_CN.qm`` and Qt's ``qtbase_zh_CN.qm`` (standard buttons and
dialogs), read from Qt's translations folder with the copy in ``resources/i18n/`` as fallback (the
packaged program may lack the folder). Switching in View > Language saves the choice; a restart
applies it, since texts are set when widgets are built.

Fonts: many machines have no Chinese font at all, so a subset of Noto Sans SC (OFL) ships in
``resources/fonts/`` and is registered at start-up; under Chinese it is put after the default family
in the application font, so Latin text keeps its font and Han characters come from ours.

Engine texts (knob help, log lines, event messages) are marked in the engine with
``QT_TRANSLATE_NOOP`` and translated here, in the window (``engine_text``, ``engine_word``).

Nothing here imports PyTorch: it runs before the window's first paint.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase

from engine.i18n import ENGINE, FAMILY_TEXT, KNOB, QT_TRANSLATE_NOOP, Message
from engine.models.registry import model_class
from engine.resources import resource_path

LANGUAGE_KEY = "ui/language"
ENGLISH, CHINESE = "en", "zh_CN"
LANGUAGES = {ENGLISH: "English", CHINESE: "简体中文"}   # each in its own language, never translated
FONT_FILE = ("fonts", "NotoSansSC-GenLab-subset.otf")

_state = {"language": None, "translators": [], "cjk_family": None, "default_families": None}

# Words the engine puts in events and run states, translated where the window shows them.
ENGINE_WORDS = (
    QT_TRANSLATE_NOOP("engine", "completed"), QT_TRANSLATE_NOOP("engine", "time limit"),
    QT_TRANSLATE_NOOP("engine", "stopped"), QT_TRANSLATE_NOOP("engine", "exact"),
    QT_TRANSLATE_NOOP("engine", "bound"), QT_TRANSLATE_NOOP("engine", "running"),
    QT_TRANSLATE_NOOP("engine", "paused"), QT_TRANSLATE_NOOP("engine", "finished"),
    QT_TRANSLATE_NOOP("engine", "failed"), QT_TRANSLATE_NOOP("engine", "killed"), QT_TRANSLATE_NOOP("engine", "damaged"),
    QT_TRANSLATE_NOOP("engine", "unknown"), QT_TRANSLATE_NOOP("engine", "points"),
    QT_TRANSLATE_NOOP("engine", "image"), QT_TRANSLATE_NOOP("engine", "training continues"),
)


def system_language() -> str:
    """``zh_CN`` for any Chinese system locale (``LANG``/``LC_ALL`` or Qt's), else English."""
    names = [QLocale.system().name()] + [os.environ.get(k, "") for k in ("LC_ALL", "LC_MESSAGES", "LANG")]
    return CHINESE if any(n.lower().startswith("zh") for n in names if n) else ENGLISH


def chosen_language(settings=None) -> str:
    """The saved choice (``ui/language``) when valid, else ``GENLAB_LANGUAGE`` (``en`` or ``zh_CN``; the
    test suite sets ``en`` so a Chinese desktop runs it in English), else the system's."""
    if settings is not None:
        saved = settings.value(LANGUAGE_KEY, "")
        if isinstance(saved, str) and saved in LANGUAGES:
            return saved
    forced = os.environ.get("GENLAB_LANGUAGE", "")
    if forced in LANGUAGES:
        return forced
    return system_language()


def save_language(settings, language: str) -> None:
    """Remember ``language`` for the next start (View > Language)."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")
    settings.setValue(LANGUAGE_KEY, language)
    settings.sync()


def current_language() -> str:
    """The language whose translators are installed now (English before any is)."""
    return _state["language"] or ENGLISH


def qt_translations_file(language: str) -> str | None:
    """Qt's own ``qtbase_<language>.qm``: from Qt's translations folder, else GenLab's copy."""
    name = f"qtbase_{language}.qm"
    for folder in (QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath), str(resource_path("i18n"))):
        path = os.path.join(folder, name)
        if folder and os.path.isfile(path):
            return path
    return None


def register_fonts() -> str | None:
    """Register the shipped CJK font once; returns its family name (None when the file is missing)."""
    if _state["cjk_family"] is None:
        path = resource_path(*FONT_FILE)
        font_id = QFontDatabase.addApplicationFont(str(path)) if path.is_file() else -1
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        _state["cjk_family"] = families[0] if families else ""
    return _state["cjk_family"] or None


def apply_language(app, language: str) -> list[str]:
    """Install (or remove) the translators for ``language`` and set the font; returns the files loaded.

    Safe to call again with another language (tests switch back and forth); widgets built afterwards
    show the new language."""
    for translator in _state["translators"]:
        app.removeTranslator(translator)
    _state["translators"] = []
    loaded = []
    if language != ENGLISH:
        for path in (str(resource_path("i18n", f"genlab_{language}.qm")), qt_translations_file(language)):
            translator = QTranslator(app)
            if path and translator.load(path):
                app.installTranslator(translator)
                _state["translators"].append(translator)
                loaded.append(path)
    _state["language"] = language
    _apply_font(app, language)
    return loaded


def ensure_language(settings=None, app=None) -> str:
    """Apply the chosen language unless it is already installed; returns it. Called by the app at
    start-up and by each new main window (so a window follows the settings it was given)."""
    app = app or QCoreApplication.instance()
    language = chosen_language(settings)
    if app is not None and language != _state["language"]:
        register_fonts()
        apply_language(app, language)
    return language


def _apply_font(app, language: str) -> None:
    """Chinese: the default family first, then the shipped CJK face for what it lacks."""
    if not hasattr(app, "font"):
        return
    font = app.font()
    if _state["default_families"] is None:
        _state["default_families"] = list(font.families()) or [font.family()]
    families = list(_state["default_families"])
    cjk = register_fonts()
    if cjk and cjk not in families:
        families.append(cjk)  # a fallback in every language: the language menu shows 简体中文 in English too
    font = QFont(font)
    font.setFamilies(families)
    app.setFont(font)


def engine_text(text: str) -> str:
    """An engine message in the window's language: a ``Message``'s template translated, then formatted with
    its values (those that are messages translated first); plain text translated when it was marked as a
    whole, else shown as it is."""
    if isinstance(text, Message):
        template = QCoreApplication.translate(ENGINE, text.template)
        values = {k: engine_text(v) if isinstance(v, Message) else v for k, v in text.values.items()}
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):  # a translation that lost a placeholder: the English
            return str(text)
    return QCoreApplication.translate(ENGINE, text) if text else text


def engine_word(word) -> str:
    """A state or reason word from the engine (``completed``, ``exact``, ``running``...)."""
    return QCoreApplication.translate(ENGINE, str(word)) if word else ""


def knob_text(text: str) -> str:
    """A knob's help, label or unit (marked in the engine under the ``Knob`` context)."""
    return QCoreApplication.translate(KNOB, text) if text else text


def family_text(text: str, fallback: str = "") -> str:
    """A text a family class declares (its title, short name, captions, help), marked in the engine under
    the ``Family`` context; ``fallback`` (the family's key, say) when the family declares none."""
    return QCoreApplication.translate(FAMILY_TEXT, text) if text else fallback


def family_title(family: str) -> str:
    """The family's title in the window's language (its key when it declares none). Loads the family's
    module: call it after PyTorch has warmed up."""
    return family_text(model_class(family).title, family)


def family_short_name(family: str) -> str:
    """The family's short name (``VAE``, ``AR``...) in the window's language; its key when it has none."""
    return family_text(model_class(family).short_name, family)

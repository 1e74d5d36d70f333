"""View > Language (English / 简体中文) and the Help menu (About GenLab, Licences).

Choosing a language saves it (``ui/language``) and says, in the current language and in the chosen
one, that GenLab shows it from the next start: texts are set when widgets are built, so a live switch
would have to rebuild every dock. The language names are never translated (a person who cannot read
the current language must still find their own).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtGui import QAction, QActionGroup

from engine.i18n import QT_TRANSLATE_NOOP
from engine.resources import resource_path
from gui.dialogs.about_dialog import AboutDialog
from gui.i18n import ENGLISH, LANGUAGES, chosen_language, save_language

CONTEXT = "LanguageMenu"
RESTART_NOTE = QT_TRANSLATE_NOOP("LanguageMenu", "The language changes to {language} when GenLab starts again.")


def add_language_menu(window, view_menu):
    """A Language submenu in ``view_menu`` with one checkable action per language; returns the menu."""
    menu = view_menu.addMenu(QCoreApplication.translate("LanguageMenu", "&Language"))
    menu.setObjectName("language_menu")
    group = QActionGroup(menu)
    group.setExclusive(True)
    chosen = chosen_language(window.settings)
    for code, name in LANGUAGES.items():
        action = QAction(name, menu)
        action.setObjectName(f"language_{code}")
        action.setCheckable(True)
        action.setChecked(code == chosen)
        action.setData(code)
        action.triggered.connect(lambda _checked=False, c=code: choose_language(window, c))
        group.addAction(action)
        menu.addAction(action)
    return menu


def choose_language(window, language: str) -> str:
    """Save ``language`` for the next start and say so (in both languages when they differ)."""
    save_language(window.settings, language)
    name = LANGUAGES[language]
    text = QCoreApplication.translate(CONTEXT, RESTART_NOTE).format(language=name)
    other = in_language(language, CONTEXT, RESTART_NOTE).format(language=name)
    if other != text:
        text = f"{text}\n{other}"
    window.notice.notify("warning", text)
    window.log("info", text.replace("\n", " "))
    return text


def in_language(language: str, context: str, text: str) -> str:
    """``text`` as it reads in ``language`` (not necessarily the installed one)."""
    if language == ENGLISH:
        return text
    translator = QTranslator()
    if translator.load(str(resource_path("i18n", f"genlab_{language}.qm"))):
        return translator.translate(context, text) or text
    return text


def add_help_menu(window, menubar):
    """Help: About GenLab, Licences (both open ``gui.dialogs.about_dialog``)."""
    menu = menubar.addMenu(QCoreApplication.translate("LanguageMenu", "&Help"))
    menu.setObjectName("help_menu")
    about = QAction(QCoreApplication.translate("LanguageMenu", "&About GenLab"), menu)
    about.setObjectName("help_about")
    about.setMenuRole(QAction.MenuRole.AboutRole)
    licences = QAction(QCoreApplication.translate("LanguageMenu", "&Licences"), menu)
    licences.setObjectName("help_licences")
    about.triggered.connect(lambda: _show_about(window, "about"))
    licences.triggered.connect(lambda: _show_about(window, "licences"))
    menu.addAction(about)
    menu.addAction(licences)
    return menu


def _show_about(window, page: str) -> None:
    dialog = AboutDialog(window, page=page)
    dialog.setModal(False)
    dialog.show()
    window._about_dialog = dialog  # kept alive while open

"""Mark engine texts for translation without Qt: the window translates them, the CLI prints them as they are.

The engine has no Qt, yet what it says reaches the window (knob help in the settings form's tool tips,
log lines, event messages). ``QT_TRANSLATE_NOOP(context, text)`` returns ``text`` unchanged; its only
job is to be found by ``pyside6-lupdate``, which extracts every call by that name into the ``.ts``
file. The window then calls ``QCoreApplication.translate(context, text)`` on what it shows.

A message with values is marked as its template: ``message(QT_TRANSLATE_NOOP("engine", "changed {what}
at step {step}"), what=..., step=...)`` returns a ``Message``, a ``str`` (the formatted English, so the
CLI, logs and JSON see plain text) that also carries its template and values, so the window can
translate the template first and format it afterwards. A value may itself be a ``Message`` (a detector's
finding inside a log line, a word such as "pixels"): the window translates it first, then puts it in.
``joined(parts)`` strings messages together, each translated on its own.
"""

from __future__ import annotations

ENGINE = "engine"   # context of engine messages and words
KNOB = "Knob"       # context of knob help texts, labels and units
FAMILY_TEXT = "Family"   # context of what a model family's class says about itself (title, captions, help)


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate looks for
    """``text`` unchanged; marks it for ``pyside6-lupdate`` under ``context``."""
    return text


class Message(str):
    """Formatted English text that remembers its template and values (for translation in the window)."""

    template: str
    values: dict

    def __new__(cls, template: str, values: dict):
        self = super().__new__(cls, template.format(**values))
        self.template = template
        self.values = dict(values)
        return self

    def __reduce__(self):  # pickles (multiprocessing queues) as itself, not as a plain str
        return (Message, (self.template, self.values))


def message(template: str, **values) -> Message:
    """``template.format(**values)`` as a ``Message``; mark ``template`` with ``QT_TRANSLATE_NOOP``."""
    return Message(template, values)


def joined(parts, separator: str = "; ") -> Message:
    """``parts`` (messages or plain text) joined by ``separator``, as a message whose parts the window
    translates one by one (the joining template itself is language-neutral and stays as it is)."""
    parts = list(parts)
    template = separator.join("{p%d}" % i for i in range(len(parts)))
    return Message(template, {f"p{i}": part for i, part in enumerate(parts)})

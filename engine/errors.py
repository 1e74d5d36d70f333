"""Error types the engine raises on purpose.

Every message is written for the person using GenLab: it names the file or field and says what was
wrong. The CLI maps ``GenLabError`` subclasses to exit status 2 with one line on stderr; anything else
is a bug and goes to a crash log.
"""


class GenLabError(Exception):
    """Base for errors that carry a message meant for the user, not a traceback."""


class ConfigError(GenLabError):
    """A configuration value is wrong: names the field, the value it got, and what is accepted."""

    def __init__(self, field: str, value, accepted: str):
        self.field = field
        self.value = value
        self.accepted = accepted
        super().__init__(f"{field}: got {value!r}; expected {accepted}")


class DataError(GenLabError):
    """A dataset could not be loaded: names the file (or dataset) and the problem."""


class CheckpointError(GenLabError):
    """A checkpoint or run folder is missing, damaged or not ours."""


class UnknownFamilyError(GenLabError):
    """A model family was asked for that is not known or not available in this build."""


class TrainingError(GenLabError):
    """Training itself failed in a way the person can act on (a non-finite loss, out of memory)."""


class Interrupted(Exception):
    """Raised inside long work (sampling, evaluation) when the runner was asked to stop."""

"""Load datasets off the GUI thread, latest request wins, for the previews and for training.

Choosing a dataset in the setup dock asks for it here; the loader runs ``engine.data.load_dataset``
on a thread (a download or a folder of files can take a while), reports progress, and hands back
the ``Dataset``. A newer request cancels an older one through the loader's ``cancelled`` callback.
The loaded dataset is also what the window gives the runner, so data is read once, not twice.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import traceback
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from engine.crash import write_crash_log
from engine.errors import GenLabError


def data_key(data_config) -> str:
    """A string that identifies what ``load_dataset`` would return for this DataConfig."""
    return json.dumps(dataclasses.asdict(data_config), sort_keys=True)


class DatasetLoader(QObject):
    loaded = Signal(str, object)            # key, Dataset
    failed = Signal(str, str)               # key, message
    progressed = Signal(str, int, int, str)  # key, done, total, text

    def __init__(self, parent=None):
        super().__init__(parent)
        self._lock = threading.Lock()
        self._generation = 0
        self._threads: list[threading.Thread] = []
        self.cache: dict[str, object] = {}
        self.pending_key: str | None = None

    def request(self, data_config) -> str:
        """Start loading ``data_config`` (a DataConfig); returns its key. Cached results come at once."""
        key = data_key(data_config)
        with self._lock:
            self._generation += 1
            generation = self._generation
            cached = self.cache.get(key)
        if cached is not None:
            self.pending_key = None
            self.loaded.emit(key, cached)
            return key
        self.pending_key = key
        config = dataclasses.replace(data_config)
        thread = threading.Thread(target=self._load, args=(key, config, generation), name="genlab-data",
                                  daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return key

    def cancel(self) -> None:
        with self._lock:
            self._generation += 1
        self.pending_key = None

    def dataset_for(self, data_config):
        """The loaded dataset for this config, or None if it is not loaded (yet)."""
        with self._lock:
            return self.cache.get(data_key(data_config))

    def join(self, timeout: float = 2.0) -> bool:
        for t in self._threads:
            t.join(timeout)
        return not any(t.is_alive() for t in self._threads)

    def _current(self, generation: int) -> bool:
        with self._lock:
            return generation == self._generation

    def _load(self, key: str, config, generation: int) -> None:
        # lazy: engine.data loads PyTorch, kept out of the window's first paint
        from engine.data import load_dataset

        def progress(done, total, text):
            if self._current(generation):
                self.progressed.emit(key, int(done), int(total), str(text))

        try:
            dataset = load_dataset(config, progress=progress, cancelled=lambda: not self._current(generation))
        except GenLabError as e:
            if self._current(generation):
                self.failed.emit(key, str(e))
            return
        except Exception as e:  # a loader bug: crash log, one line for the person, window stays alive
            log = write_crash_log(traceback.format_exc(), context=f"loading {config.name}")
            if self._current(generation):
                where = self.tr(" (details in {path})").format(path=log) if log else ""
                self.failed.emit(key, self.tr("{data}: could not be loaded: {error}{where}").format(
                    data=config.name, error=f"{type(e).__name__}: {e}", where=where))
            return
        with self._lock:
            if len(self.cache) > 4:  # a few recent sets, so flipping between two is instant
                self.cache.pop(next(iter(self.cache)))
            self.cache[key] = dataset
        if self._current(generation):
            self.pending_key = None
            self.loaded.emit(key, dataset)


def is_downloadable(name: str) -> bool:
    """Whether ``name`` is a set the downloader fetches (a failure then offers loading from disk)."""
    # lazy: engine.data loads PyTorch, kept out of the window's first paint
    from engine.data.remote import remote_key
    return bool(name) and remote_key(name) is not None and not Path(name).exists()

"""The one downloader: mirrors, resume, SHA-256, atomic placement in the cache.

A file is fetched into ``<name>.part`` beside its final place, checked against its known size and
SHA-256, fsynced, and only then renamed to ``<name>``: a file in the cache is always a whole,
verified one. A dropped connection is resumed with an HTTP Range request (or, when the server
ignores ranges, started over cleanly); a cancelled download leaves its ``.part`` for next time.
Mirrors are tried in order: a 404 or an unreachable host moves on to the next at once, a drop or a
5xx is retried with the same mirror. Nothing here runs unless a named download was asked for.

Where things live: ``GENLAB_CACHE`` (a folder) overrides the platform cache folder
(``engine.crash.user_dir("cache")``); datasets go to ``<cache>/datasets/<name>/``.
``GENLAB_MIRRORS`` (base URLs separated by spaces or commas) or ``DataConfig.mirrors`` replace the
built-in mirrors; ``{dataset}`` in a base URL becomes the dataset's name.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import engine
from engine.crash import user_dir
from engine.data.progress import LoadCancelled, Reporter
from engine.errors import DataError

ENV_CACHE = "GENLAB_CACHE"
ENV_MIRRORS = "GENLAB_MIRRORS"
CHUNK = 1 << 16
FATAL_HTTP = {400, 401, 403, 404, 405, 410, 451}


@dataclass(frozen=True)
class RemoteFile:
    name: str      # file name on the server and in the cache
    sha256: str
    size: int      # bytes


class DownloadError(DataError):
    """Every mirror failed for a file; ``failures`` holds one line per mirror tried."""

    def __init__(self, message: str, failures: list[str]):
        super().__init__(message)
        self.failures = failures


class _Retry(Exception):
    """Worth another try at the same mirror (a drop, a timeout, a 5xx)."""


class _NextMirror(Exception):
    """This mirror will not serve the file (404, unreachable host, wrong content)."""


def cache_root() -> Path:
    """Where downloaded datasets are kept: ``$GENLAB_CACHE/datasets`` or the platform cache."""
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env).expanduser() / "datasets"
    return user_dir("cache") / "datasets"


def env_mirrors() -> list[str]:
    return [m for m in re.split(r"[\s,]+", os.environ.get(ENV_MIRRORS, "")) if m]


def mirror_url(base: str, dataset: str, filename: str) -> str:
    base = base.replace("{dataset}", dataset)
    if not base.endswith("/"):
        base += "/"
    return base + urllib.parse.quote(filename)


def sha256_file(path: Path, reporter: Reporter | None = None) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
            if reporter is not None:
                reporter.check("checksum")
    return h.hexdigest()


def is_complete(path: Path, rf: RemoteFile) -> bool:
    """True when ``path`` is ``rf`` byte for byte (size first, then SHA-256)."""
    try:
        return path.is_file() and path.stat().st_size == rf.size and sha256_file(path) == rf.sha256
    except OSError:
        return False


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or url


def _describe(e: BaseException) -> str:
    if isinstance(e, urllib.error.URLError) and not isinstance(e, urllib.error.HTTPError):
        return f"unreachable ({e.reason})"
    if isinstance(e, http.client.IncompleteRead):
        return "connection dropped mid-file"
    return str(e) or type(e).__name__


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        fh.flush()
        os.fsync(fh.fileno())


def _transfer(url: str, part: Path, rf: RemoteFile, reporter: Reporter, timeout: float, label: str) -> None:
    """Append the rest of ``rf`` to ``part`` (resuming from its size); raise _Retry/_NextMirror on trouble."""
    have = part.stat().st_size if part.exists() else 0
    if have >= rf.size:
        if have == rf.size:
            return
        part.unlink()
        have = 0
    headers = {"User-Agent": f"GenLab/{engine.__version__}", "Accept-Encoding": "identity"}
    if have:
        headers["Range"] = f"bytes={have}-"
    try:
        resp = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)
    except urllib.error.HTTPError as e:
        if e.code == 416:
            part.unlink(missing_ok=True)
            raise _Retry("the server refused to resume; starting over") from None
        if e.code in FATAL_HTTP:
            raise _NextMirror(f"HTTP {e.code} {e.reason}") from None
        raise _Retry(f"HTTP {e.code} {e.reason}") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as e:
        raise _NextMirror(_describe(e)) from None
    with resp:
        resumed = False
        if have and resp.status == 206:
            m = re.match(r"bytes (\d+)-", resp.headers.get("Content-Range", ""))
            resumed = bool(m) and int(m.group(1)) == have
            if not resumed:
                resp.close()
                part.unlink(missing_ok=True)
                raise _Retry("the server resumed at the wrong offset; starting over")
        done = have if resumed else 0
        length = resp.headers.get("Content-Length")
        if length and length.isdigit() and done + int(length) != rf.size:
            raise _NextMirror(f"serves {done + int(length)} bytes, expected {rf.size}; the file there is different")
        try:
            with open(part, "ab" if resumed else "wb") as fh:
                while True:
                    reporter.check("download")
                    chunk = resp.read(min(CHUNK, rf.size - done + 1))
                    if not chunk:
                        break
                    done += len(chunk)
                    if done > rf.size:
                        fh.close()
                        part.unlink(missing_ok=True)
                        raise _NextMirror(f"sent more than the expected {rf.size} bytes; not the right file")
                    fh.write(chunk)
                    reporter.update(done, rf.size, label)
        except (http.client.HTTPException, OSError) as e:
            raise _Retry(f"{_describe(e)} after {done} of {rf.size} bytes") from None
    if done < rf.size:
        raise _Retry(f"connection closed after {done} of {rf.size} bytes")


def fetch(rf: RemoteFile, folder: Path, mirrors: list[str], dataset: str, reporter: Reporter | None = None,
          attempts: int = 4, timeout: float = 20.0, backoff: float = 0.5, skip_hosts: set | None = None) -> Path:
    """``folder/rf.name``, verified: from the cache when it is there, else downloaded from a mirror.

    ``skip_hosts`` collects hosts found unreachable, so the next file of the same set does not wait on
    them again.
    """
    reporter = reporter or Reporter()
    dest = folder / rf.name
    if is_complete(dest, rf):
        return dest
    if not mirrors:
        raise DownloadError(f"{dataset}: no download locations are configured for {rf.name}", [])
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DataError(f"{folder}: cannot create the cache folder ({e.strerror or e}); "
                        f"set {ENV_CACHE} to a writable folder") from None
    part = folder / (rf.name + ".part")
    failures: list[str] = []
    skip_hosts = skip_hosts if skip_hosts is not None else set()
    for base in mirrors:
        url = mirror_url(base, dataset, rf.name)
        if _host(url) in skip_hosts:
            failures.append(f"{url}: skipped (unreachable earlier)")
            continue
        label = f"downloading {dataset}/{rf.name} from {_host(url)}"
        last = ""
        for attempt in range(attempts):
            reporter.check("download")
            try:
                _transfer(url, part, rf, reporter, timeout, label)
            except _NextMirror as e:
                last = f"{url}: {e}"
                if str(e).startswith("unreachable"):
                    skip_hosts.add(_host(url))
                break
            except _Retry as e:
                last = f"{url}: {e}"
                _sleep(backoff * (attempt + 1), reporter)
                continue
            except LoadCancelled:
                raise
            except OSError as e:  # the cache folder itself: disk full, permissions
                raise DataError(f"{part}: cannot write the download ({e.strerror or e})") from None
            digest = sha256_file(part, reporter)
            if digest != rf.sha256:
                part.unlink(missing_ok=True)
                last = (f"{url}: checksum mismatch (sha256 {digest[:16]}..., expected {rf.sha256[:16]}...); "
                        "the file there is damaged or different")
                break
            _fsync_file(part)
            os.replace(part, dest)
            reporter.update(rf.size, rf.size, label, force=True)
            return dest
        failures.append(last or f"{url}: failed")
    raise DownloadError(f"{dataset}: could not download {rf.name}: " + "; ".join(failures), failures)


def _sleep(seconds: float, reporter: Reporter) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        reporter.check("download")
        time.sleep(min(0.05, max(0.0, end - time.monotonic())))

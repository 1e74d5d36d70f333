"""The one downloader: mirrors, resume, SHA-256, atomic placement in the cache.

A file is fetched into ``<name>.part`` beside its final place, checked against its known size and
SHA-256, fsynced, and only then renamed to ``<name>``: a file in the cache is always a whole,
verified one. A dropped connection is resumed with an HTTP Range request (or, when the server
ignores ranges, started over cleanly); a cancelled download leaves its ``.part`` for next time.
Mirrors are tried in order: a 404 or an unreachable host moves on to the next at once, a drop or a
5xx is retried with the same mirror. Nothing here runs unless a named download was asked for.

Only HTTP and HTTPS are spoken, redirects included (the opener has no file, FTP or data handler, and
a redirect to any other scheme is refused). HTTPS is verified against the operating system's
certificate store through ``truststore`` (Windows and macOS stores; OpenSSL's default paths on Linux,
which honour ``SSL_CERT_FILE``/``SSL_CERT_DIR``), so a packaged program needs no certificate bundle of
its own. A download has an overall deadline (``DEADLINE_S`` plus the time the file takes at
``MIN_RATE``) and must keep up at least ``MIN_RATE`` bytes a second over every ``RATE_WINDOW_S``: a
server that trickles a byte every few seconds never trips the socket timeout, but trips these.

Where things live: ``GENLAB_CACHE`` (a folder) overrides the platform cache folder
(``engine.crash.user_dir("cache")``); datasets go to ``<cache>/datasets/<name>/``.
``GENLAB_MIRRORS`` (http(s) base URLs separated by spaces or commas) or ``DataConfig.mirrors`` replace
the built-in mirrors; ``{dataset}`` in a base URL becomes the dataset's name.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import ssl
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
SCHEMES = ("http", "https")
MIN_RATE = 10 * 1024        # bytes a second, over every RATE_WINDOW_S
RATE_WINDOW_S = 60.0
DEADLINE_S = 600.0          # plus size / MIN_RATE: the most one file may take, all mirrors and retries


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
    """This mirror will not serve the file (404, unreachable host, wrong content, too slow)."""


class _GiveUp(Exception):
    """The file's overall deadline passed: no more mirrors or retries."""


def cache_root() -> Path:
    """Where downloaded datasets are kept: ``$GENLAB_CACHE/datasets`` or the platform cache."""
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env).expanduser() / "datasets"
    return user_dir("cache") / "datasets"


def env_mirrors() -> list[str]:
    """The base URLs in ``GENLAB_MIRRORS``; anything but http(s) is refused with a message."""
    found = [m for m in re.split(r"[\s,]+", os.environ.get(ENV_MIRRORS, "")) if m]
    for m in found:
        check_url(m, ENV_MIRRORS)
    return found


def check_url(url: str, where: str) -> None:
    """Only http:// and https:// URLs with a host are ever opened."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in SCHEMES or not parts.netloc:
        raise DataError(f"{where}: '{url[:200]}' is not an http:// or https:// address; GenLab downloads "
                        "only over HTTP(S)")


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to another http(s) address (urllib's own handler also follows ftp)."""

    max_redirections = 5

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        scheme = urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, newurl)).scheme.lower()
        if scheme not in SCHEMES:
            raise urllib.error.HTTPError(req.full_url, 403, f"redirect to a {scheme or 'relative'}:// address "
                                         "refused (HTTP and HTTPS only)", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def ssl_context():
    """TLS that verifies with the operating system's certificate store (``truststore``); the standard
    library's defaults where truststore is missing (a source checkout without it)."""
    try:
        # lazy: truststore is a dependency, but a source checkout may lack it; then the standard defaults
        import truststore
    except ImportError:
        return ssl.create_default_context()
    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def opener() -> urllib.request.OpenerDirector:
    """An opener with only the HTTP(S) handlers (no file://, ftp://, data:) and proxies from the
    environment, redirects limited to http(s)."""
    o = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), urllib.request.UnknownHandler(), urllib.request.HTTPHandler(),
                    urllib.request.HTTPSHandler(context=ssl_context()), urllib.request.HTTPDefaultErrorHandler(),
                    _HttpOnlyRedirects(), urllib.request.HTTPErrorProcessor()):
        o.add_handler(handler)
    return o


class _Pace:
    """The overall deadline of one file (a monotonic time) and the minimum rate over each window."""

    def __init__(self, end: float, min_rate: float, window: float):
        self.end, self.min_rate, self.window = end, min_rate, window
        self._start, self._bytes = time.monotonic(), 0

    @classmethod
    def for_file(cls, size: int, min_rate: float = MIN_RATE, window: float = RATE_WINDOW_S,
                 deadline: float = DEADLINE_S) -> "_Pace":
        return cls(time.monotonic() + deadline + size / max(min_rate, 1.0), min_rate, window)

    def check(self, got: int) -> None:
        now = time.monotonic()
        if now > self.end:
            raise _GiveUp("the download passed its overall deadline")
        self._bytes += got
        if now - self._start >= self.window:
            rate = self._bytes / (now - self._start)
            if rate < self.min_rate:
                raise _NextMirror(f"too slow: {rate:.1f} bytes/s over {now - self._start:.0f} s "
                                  f"(at least {self.min_rate:.0f} are needed)")
            self._start, self._bytes = now, 0

    def remaining(self) -> float:
        return self.end - time.monotonic()


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


def hosts(urls) -> list[str]:
    """The distinct hosts of ``urls``, in order (what a person is asked about)."""
    out: list[str] = []
    for url in urls:
        host = _host(str(url))
        if host not in out:
            out.append(host)
    return out


def split_file_url(url: str) -> tuple[str, str]:
    """(base URL ending in '/', file name) of a URL naming one file."""
    base, _, name = url.partition("?")[0].partition("#")[0].rpartition("/")
    return base + "/", urllib.parse.unquote(name) or "download"


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


def _transfer(url: str, part: Path, rf: RemoteFile, reporter: Reporter, timeout: float, label: str,
              pace: _Pace | None = None) -> None:
    """Append the rest of ``rf`` to ``part`` (resuming from its size); raise _Retry/_NextMirror on trouble."""
    check_url(url, "download address")
    pace = pace or _Pace.for_file(rf.size)
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
        resp = opener().open(urllib.request.Request(url, headers=headers),
                             timeout=max(0.1, min(timeout, pace.remaining())))
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
                    chunk = resp.read1(min(CHUNK, rf.size - done + 1))
                    pace.check(len(chunk))
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
          attempts: int = 4, timeout: float = 20.0, backoff: float = 0.5, skip_hosts: set | None = None,
          min_rate: float = MIN_RATE, rate_window: float = RATE_WINDOW_S, deadline: float = DEADLINE_S) -> Path:
    """``folder/rf.name``, verified: from the cache when it is there, else downloaded from a mirror.

    ``skip_hosts`` collects hosts found unreachable, so the next file of the same set does not wait on
    them again. ``deadline`` (plus the file's size at ``min_rate``) bounds the whole fetch; each
    mirror must keep ``min_rate`` bytes a second over every ``rate_window`` seconds.
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
    overall = _Pace.for_file(rf.size, min_rate, rate_window, deadline)
    for base in mirrors:
        check_url(base, "mirror")
        url = mirror_url(base, dataset, rf.name)
        if _host(url) in skip_hosts:
            failures.append(f"{url}: skipped (unreachable earlier)")
            continue
        label = f"downloading {dataset}/{rf.name} from {_host(url)}"
        last = ""
        for attempt in range(attempts):
            reporter.check("download")
            pace = _Pace(overall.end, min_rate, rate_window)
            try:
                _transfer(url, part, rf, reporter, timeout, label, pace)
            except _GiveUp as e:
                failures.append(f"{url}: {e}")
                raise DownloadError(f"{dataset}: could not download {rf.name}: " + "; ".join(failures), failures) from None
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

"""The Learn dock's explanations: Qt rich-text files under ``resources/learn/<language>/``, filled in.

One file per family, named by its registry key (``<family>.html``), and the common frame
(``frame.html``), in every language the window speaks (``en``, ``zh_CN``). A family without a file gets
a page built from what its class declares (``generic_page``: its title, ``about`` and ``term_help``,
with every reported term's live value), from ``generic.html``. The files are the HTML subset Qt's rich
text renders (``<sub>``, ``<sup>``, tables, Unicode mathematics), never LaTeX.

Two kinds of markers are filled in here, so the texts stay whole sentences a translator can work on:

- ``{name}``: a live number (``{recon}``, ``{kl}``, ``{elbo}``, ``{step}``...), replaced by its
  formatted value, or by a dash while there is none yet. Only lower-case names with digits and
  underscores are markers; other braces are left alone.
- ``<!--if key=value-->...<!--end-->``: a passage kept only when the run's ``key`` has that value
  (the GAN's ``loss``, diffusion's ``prediction``, the data's ``kind``). Blocks do not nest.

A language whose file is missing falls back to English, so a half-translated build still explains.
"""

from __future__ import annotations

import html as html_text
import re
from pathlib import Path

from engine.resources import resource_path

LANGUAGES = ("en", "zh_CN")
MISSING = "—"
GENERIC = "generic"       # the template of a page built from a family's declarations

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
VARIANT = re.compile(r"<!--if ([a-z_]+)=([A-Za-z0-9_.-]+)-->(.*?)<!--end-->", re.DOTALL)


def learn_dir() -> Path:
    return resource_path("learn")


def _pages() -> tuple[str, ...]:
    folder = learn_dir() / "en"
    return tuple(sorted(p.stem for p in folder.glob("*.html"))) if folder.is_dir() else ()


PAGES = _pages()   # every page there is: "frame", "generic" and one per family that has its own


def has_page(page: str) -> bool:
    """Whether ``page`` (a family's key) has its own written page."""
    return page in PAGES


def page_path(language: str, page: str) -> Path:
    """The file of ``page`` in ``language``, or the English one when that language lacks it."""
    if page not in PAGES:
        raise ValueError(f"no Learn page called {page!r}; there are {', '.join(PAGES)}")
    path = learn_dir() / language / f"{page}.html"
    return path if path.is_file() else learn_dir() / "en" / f"{page}.html"


def read_page(language: str, page: str) -> str:
    return page_path(language, page).read_text(encoding="utf-8")


def placeholders(html: str) -> set[str]:
    """Every live-number name the page uses (in any variant block)."""
    return set(PLACEHOLDER.findall(html))


def variants(html: str) -> set[tuple[str, str]]:
    """Every (key, value) that selects a block of the page."""
    return {(k, v) for k, v, _ in VARIANT.findall(html)}


def fill(html: str, values: dict[str, str], variant: dict[str, str] | None = None) -> str:
    """Keep the variant blocks that match ``variant``, then put ``values`` (already formatted text)
    in place of their markers; markers without a value show a dash."""
    chosen = variant or {}
    html = VARIANT.sub(lambda m: m.group(3) if chosen.get(m.group(1)) == m.group(2) else "", html)
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), MISSING), html)


def generic_page(language: str, title: str, about: str, terms: list[tuple[str, str]]) -> str:
    """The page of a family without its own: ``title``, the paragraph ``about`` and a table of
    ``terms`` ((name, what it is), already in ``language``), each with a ``{name}`` marker for its
    live value, in ``generic.html``'s frame. Plain text in, escaped here."""
    rows = "".join(f"<tr><td>{html_text.escape(what or name)}</td><td>{{{name}}}</td></tr>" for name, what in terms
                   if PLACEHOLDER.fullmatch("{" + name + "}"))
    page = read_page(language, GENERIC)
    return (page.replace("<!--title-->", html_text.escape(title))
                .replace("<!--about-->", f"<p>{html_text.escape(about)}</p>" if about else "")
                .replace("<!--terms-->", rows))

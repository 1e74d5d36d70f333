"""Re-make ``resources/fonts/NotoSansSC-GenLab-subset.otf``: Noto Sans CJK SC cut down to GenLab's text.

Many machines have no Chinese font, so GenLab ships one, registered at start-up (``gui/i18n.py``).
The whole face is ~16 MB; GenLab needs only the characters its Chinese translations and the Learn
pages use, plus ASCII and common CJK punctuation, which comes to a few hundred KB.

    python tools/subset_font.py [--source NotoSansCJK-Regular.ttc] [--check]

Build-time only: needs ``fontTools`` (the ``build`` extra) and the source font (Debian/Ubuntu:
``apt-get install fonts-noto-cjk``; or the OTF/TTC from github.com/notofonts/noto-cjk). The family is
renamed "GenLab Noto Sans SC" so it never shadows a system Noto, and OFL 1.1 allows the subset
(the Reserved Font Name is "Source", which the name does not use); ``resources/fonts/OFL.txt`` goes
with it. ``--check`` only reports the characters the shipped font lacks (exit status 1 if any).
"""

from __future__ import annotations

import argparse
import re
import sys
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "fonts" / "NotoSansSC-GenLab-subset.otf"
FAMILY = "GenLab Noto Sans SC"
SOURCES = [  # where the full face usually is
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
]
# ASCII, Latin-1 punctuation GenLab uses, and the CJK punctuation a translator may type.
EXTRA = ("".join(chr(c) for c in range(0x20, 0x7F)) + "…–—·•×±²³°µ‘’“”"
         + "、。，．：；？！（）《》〈〉【】「」『』〔〕～％＋－＝／＜＞·　")


def needed_text(root: Path = ROOT) -> str:
    """Every character of the Chinese translations and the Chinese Learn pages."""
    parts = [EXTRA]
    for ts in sorted((root / "resources" / "i18n").glob("*_zh_CN.ts")):
        for node in ET.parse(ts).getroot().iter("translation"):
            parts.append(node.text or "")
    for page in sorted((root / "resources" / "learn").glob("zh_CN/**/*")):
        if page.suffix.lower() in (".html", ".htm", ".txt", ".md", ".json", ".svg"):
            parts.append(unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))))
    parts.append("简体中文")  # the language menu shows it in every language
    return "".join(parts)


def needed_characters(root: Path = ROOT) -> set[str]:
    return {c for c in needed_text(root) if c.isprintable() and not c.isspace() or c == " "}


def find_source(given: str | None) -> tuple[Path, int]:
    """The source font and, for a collection, the index of its Simplified Chinese face."""
    from fontTools.ttLib import TTCollection
    candidates = [Path(given)] if given else [Path(p) for p in SOURCES]
    for path in candidates:
        if not path.is_file():
            continue
        if path.suffix.lower() == ".ttc":
            for i, face in enumerate(TTCollection(str(path)).fonts):
                if face["name"].getDebugName(1) in ("Noto Sans CJK SC", "Noto Sans SC"):
                    return path, i
            raise SystemExit(f"{path}: no Simplified Chinese face (Noto Sans CJK SC) in this collection")
        return path, -1
    raise SystemExit("no source font found: install fonts-noto-cjk or pass --source NotoSansCJK-Regular.ttc")


def make_subset(source: Path, index: int, chars: set[str], out: Path = OUT) -> int:
    """Write the subset; returns its size in bytes."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    # recalcTimestamp off: the same characters give the same bytes (no churn in the repository)
    font = TTFont(str(source), fontNumber=index, recalcTimestamp=False) if index >= 0 \
        else TTFont(str(source), recalcTimestamp=False)
    options = subset.Options()
    options.hinting = False              # CFF hints: a third of the size, invisible at UI sizes
    options.desubroutinize = True        # compresses better, and Qt reads it either way
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in chars))
    subsetter.subset(font)
    rename(font, FAMILY)
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out))
    return out.stat().st_size


def rename(font, family: str) -> None:
    """A family name of our own, so the subset never stands in for a system's full Noto."""
    postscript = family.replace(" ", "") + "-Regular"
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 16):
            names.setName(family, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID in (4, 18):
            names.setName(f"{family} Regular", record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 6:
            names.setName(postscript, 6, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 3:
            names.setName(f"{postscript};subset for GenLab", 3, record.platformID, record.platEncID, record.langID)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [postscript]
        top = cff.topDictIndex[0]
        top.FullName, top.FamilyName = f"{family} Regular", family


def missing_from(font_path: Path, chars: set[str]) -> list[str]:
    from fontTools.ttLib import TTFont
    cmap = TTFont(str(font_path)).getBestCmap()
    return sorted(c for c in chars if ord(c) not in cmap)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", help="Noto Sans CJK (.ttc) or Noto Sans SC (.otf) to cut from")
    parser.add_argument("--check", action="store_true", help="only report characters the shipped font lacks")
    args = parser.parse_args(argv)
    chars = needed_characters()
    if args.check:  # CJK and ASCII must be ours; Latin and math signs (ŷ, ∼) come from the UI font
        missing = missing_from(OUT, {c for c in chars if 0x2E80 <= ord(c) <= 0xFFEF or 0x20 <= ord(c) < 0x7F})
        print(f"{OUT.name}: {len(chars)} characters needed, {len(missing)} missing" +
              (f": {''.join(missing)}" if missing else ""))
        return 1 if missing else 0
    source, index = find_source(args.source)
    size = make_subset(source, index, chars)
    missing = missing_from(OUT, chars)
    han = sum(1 for c in chars if "\u4e00" <= c <= "\u9fff")
    print(f"{OUT.relative_to(ROOT)}: {size / 1024:.0f} KB, {len(chars)} characters ({han} Han) from "
          f"{source.name}" + (f" face {index}" if index >= 0 else ""))
    if missing:  # characters the source face itself lacks (rare symbols): say so, the default font covers them
        print(f"not in the source face ({len(missing)}): {''.join(missing)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A line chart drawn with Pillow (the benchmarks' PNG figures; matplotlib is not a dependency).

``line_chart(series, path, ...)``: ``series`` maps a name to a list of (x, y) points; both axes may be
logarithmic (base 2 for x, 10 for y); ``hlines`` are dashed reference lines (a floor).
"""

from __future__ import annotations

import math

from PIL import Image, ImageDraw, ImageFont

COLOURS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
           (227, 119, 194), (127, 127, 127)]


def _font(size: int):
    for name in ("DejaVuSans.ttf", "Arial.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default()


def line_chart(series: dict[str, list[tuple[float, float]]], path, title: str, xlabel: str, ylabel: str,
               log_x: bool = True, log_y: bool = True, hlines: dict[str, float] | None = None,
               size: tuple[int, int] = (900, 560), floor: float | None = None) -> None:
    """``floor``: values below it are drawn on it, hollow (the noise level of an unbiased estimate)."""
    if floor is not None:
        series = {k: [(x, (y, y < floor)) for x, y in v] for k, v in series.items()}
    else:
        series = {k: [(x, (y, False)) for x, y in v] for k, v in series.items()}
    series = {k: [(x, (max(y, floor) if floor is not None else y, low)) for x, (y, low) in v]
              for k, v in series.items()}
    w, h = size
    left, right, top, bottom = 90, 230, 70, 70
    img = Image.new("RGB", size, "white")
    d = ImageDraw.Draw(img)
    font, small = _font(15), _font(12)
    fx = (lambda v: math.log2(v)) if log_x else (lambda v: v)
    fy = (lambda v: math.log10(v)) if log_y else (lambda v: v)
    pts = [(x, y) for s in series.values() for x, (y, _) in s if y is not None and (not log_y or y > 0)]
    ys = [y for _, y in pts] + [v for v in (hlines or {}).values() if not log_y or v > 0]
    xs = [x for x, _ in pts]
    x0, x1 = fx(min(xs)), fx(max(xs))
    y0, y1 = fy(min(ys)), fy(max(ys))
    pad = (y1 - y0) * 0.06 or 1.0
    y0, y1 = y0 - pad, y1 + pad

    def px(x):
        return left + (fx(x) - x0) / ((x1 - x0) or 1) * (w - left - right)

    def py(y):
        return h - bottom - (fy(y) - y0) / ((y1 - y0) or 1) * (h - top - bottom)

    d.rectangle([left, top, w - right, h - bottom], outline=(0, 0, 0))
    d.text((left, 10), title, fill=(0, 0, 0), font=font)
    # x ticks: every power of two present
    for k in range(int(math.floor(x0)), int(math.ceil(x1)) + 1):
        v = 2 ** k if log_x else k
        X = px(v)
        d.line([X, h - bottom, X, h - bottom + 5], fill=(0, 0, 0))
        d.line([X, top, X, h - bottom], fill=(235, 235, 235))
        d.text((X - 8, h - bottom + 8), str(v), fill=(0, 0, 0), font=small)
    d.text(((left + w - right) / 2 - 80, h - 30), xlabel, fill=(0, 0, 0), font=font)
    # y ticks: decades (and 2x, 5x) on a log axis
    if log_y:
        for k in range(int(math.floor(y0)), int(math.ceil(y1)) + 1):
            for m in (1, 2, 5):
                v = m * 10 ** k
                if y0 <= fy(v) <= y1:
                    Y = py(v)
                    d.line([left - (6 if m == 1 else 3), Y, left, Y], fill=(0, 0, 0))
                    d.line([left, Y, w - right, Y], fill=(225, 225, 225) if m == 1 else (242, 242, 242))
                    d.text((8, Y - 7), f"{v:g}", fill=(0, 0, 0), font=small)
    d.text((8, top - 28), ylabel, fill=(0, 0, 0), font=font)
    for i, (name, value) in enumerate((hlines or {}).items()):
        Y = py(value)
        for X in range(left, w - right, 12):
            d.line([X, Y, min(X + 6, w - right), Y], fill=(90, 90, 90), width=2)
        d.text((w - right + 10, Y - 7), name, fill=(90, 90, 90), font=small)
    ly = top + 5
    for i, (name, pts) in enumerate(series.items()):
        colour = COLOURS[i % len(COLOURS)]
        line = [(px(x), py(y), low) for x, (y, low) in pts if y is not None and (not log_y or y > 0)]
        if len(line) > 1:
            d.line([(X, Y) for X, Y, _ in line], fill=colour, width=3)
        for X, Y, low in line:
            d.ellipse([X - 4, Y - 4, X + 4, Y + 4], fill="white" if low else colour, outline=colour, width=2)
        d.line([w - right + 10, ly + 8, w - right + 35, ly + 8], fill=colour, width=3)
        d.text((w - right + 40, ly), name, fill=(0, 0, 0), font=small)
        ly += 22
    img.save(path)

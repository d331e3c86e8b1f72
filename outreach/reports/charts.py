"""Charts drawn on the server as inline SVG: they show without JavaScript, on a phone and in the PDF.

Every chart carries a <title> and a <desc> (role="img"); the page puts a table of the same values
beside it for screen readers. A suppressed value is never drawn as a length: it reads
"fewer than N" and is marked with a hatched swatch.
"""
from __future__ import annotations

import itertools
import math
from typing import Any, Sequence

from flask_babel import format_decimal
from markupsafe import Markup, escape

BAR = "#2f6690"
LINE = "#1f3a5f"
MUTED = "#6c757d"
TEXT = "#212529"
GRID = "#dee2e6"
_ids = itertools.count(1)


def _attrs(**values: Any) -> str:
    return " ".join(f'{k.rstrip("_").replace("_", "-")}="{escape(v)}"' for k, v in values.items())


def _frame(height: int, title: str, desc: str, body: list[str], uid: str) -> Markup:
    """An SVG as wide as its container: x positions are percentages, text keeps its size on any screen."""
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" width="100%" height="{height}" '
            f'role="img" aria-labelledby="{uid}-t {uid}-d">'
            f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>'
            f'<defs><pattern id="{uid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f1f3f5"/>'
            f'<line x1="0" y1="0" x2="0" y2="6" stroke="#adb5bd" stroke-width="2"/></pattern></defs>')
    return Markup(head + "".join(body) + "</svg>")


def _uid() -> str:
    return f"chart{next(_ids)}"


def _pct(value: float) -> str:
    return f"{value:.2f}%"


def bar_chart(bars: Sequence[tuple[str, int | None, str]], *, title: str, desc: str) -> Markup:
    """Horizontal bars, the label above each bar: (label, value or None when suppressed, value text)."""
    uid = _uid()
    row = 40
    height = max(len(bars) * row + 4, 20)
    room = 70  # per cent of the width for the longest bar: its value text goes after it
    top = max((value or 0 for _label, value, _text in bars), default=0) or 1
    body: list[str] = []
    for index, (label, value, text) in enumerate(bars):
        y = index * row
        body.append(f'<text {_attrs(x=0, y=y + 14, fill=TEXT, font_size=13)}>{escape(label)}</text>')
        if value is None:
            body.append(f'<rect {_attrs(x=0, y=y + 20, width=22, height=14, fill=f"url(#{uid}-hatch)", rx=2)}/>')
            body.append(f'<text {_attrs(x=28, y=y + 32, fill=MUTED, font_style="italic", font_size=12)}>'
                        f'{escape(text)}</text>')
            continue
        length = value / top * room
        body.append(f'<rect {_attrs(x=0, y=y + 20, width=_pct(length), height=14, fill=BAR, rx=2)}>'
                    f'<title>{escape(label)}: {escape(text)}</title></rect>')
        if value and length < 0.5:  # a tiny value still shows a sliver
            body.append(f'<rect {_attrs(x=0, y=y + 20, width=2, height=14, fill=BAR)}/>')
        body.append(f'<text {_attrs(x=_pct(length), dx=6, y=y + 32, fill=TEXT, font_weight="bold", font_size=12)}>'
                    f'{escape(text)}</text>')
    return _frame(height, title, desc, body, uid)


BEFORE_BAR = "#9dbbd3"


def paired_bars(rows: Sequence[tuple[str, float | None, float | None, float, str, str, str]], *, title: str,
                desc: str) -> Markup:
    """Before and after, two bars per question, the question above them: (label, before, after, top of its
    scale, before text, after text, text when hidden). A hidden question shows the hatched swatch and its text."""
    uid = _uid()
    row = 58
    height = max(len(rows) * row + 4, 20)
    room = 70
    body: list[str] = []
    for index, (label, before, after, top, before_text, after_text, hidden) in enumerate(rows):
        y = index * row
        body.append(f'<text {_attrs(x=0, y=y + 14, fill=TEXT, font_size=13)}>{escape(label)}</text>')
        if before is None or after is None:
            body.append(f'<rect {_attrs(x=0, y=y + 20, width=22, height=14, fill=f"url(#{uid}-hatch)", rx=2)}/>')
            body.append(f'<text {_attrs(x=28, y=y + 32, fill=MUTED, font_style="italic", font_size=12)}>'
                        f'{escape(hidden)}</text>')
            continue
        for offset, value, text, colour, weight in ((20, before, before_text, BEFORE_BAR, "normal"),
                                                    (38, after, after_text, BAR, "bold")):
            length = max(value / (top or 1) * room, 0.5)
            body.append(f'<rect {_attrs(x=0, y=y + offset, width=_pct(length), height=14, fill=colour, rx=2)}>'
                        f'<title>{escape(label)}: {escape(text)}</title></rect>')
            place = _attrs(x=_pct(length), dx=6, y=y + offset + 12, fill=TEXT, font_weight=weight, font_size=12)
            body.append(f'<text {place}>{escape(text)}</text>')
    return _frame(height, title, desc, body, uid)


def _nice_ceiling(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def line_chart(points: Sequence[tuple[str, str, int | None, str]], *, title: str, desc: str,
               suppressed: str, partial_last: bool = False) -> Markup:
    """A trend over (axis label, full label, value or None when suppressed, what a suppressed point reads);
    the line breaks where suppressed. `partial_last`: the last point is a period not yet over (this month so
    far): its segment is dashed and its point hollow, so it does not read as a drop."""
    uid = _uid()
    top, plot_h = 18, 150
    any_hidden = any(value is None for _a, _l, value, _t in points)
    height = top + plot_h + (56 if any_hidden else 28)
    peak = _nice_ceiling(max((v or 0 for _a, _l, v, _t in points), default=0))
    count = len(points)

    def x(i: int) -> float:  # per cent of the width
        return 4 + (i * 92 / (count - 1) if count > 1 else 46)

    def y(v: float) -> float:
        return top + plot_h - v / peak * plot_h

    body: list[str] = []
    for fraction in (0, 0.5, 1):
        gy = y(peak * fraction)
        body.append(f'<line {_attrs(x1=0, x2="100%", y1=f"{gy:.1f}", y2=f"{gy:.1f}", stroke=GRID)}/>')
        body.append(f'<text {_attrs(x=0, y=f"{gy - 4:.1f}", fill=MUTED, font_size=11)}>'
                    f'{escape(format_decimal(peak * fraction, "#,##0.#"))}</text>')
    previous: tuple[int, int] | None = None
    for i, (_axis, _label, value, _text) in enumerate(points):
        if value is not None and previous is not None:
            dash = {"stroke_dasharray": "5 4", "class_": "partial"} if partial_last and i == count - 1 else {}
            body.append(f'<line {_attrs(x1=_pct(x(previous[0])), y1=f"{y(previous[1]):.1f}", x2=_pct(x(i)), y2=f"{y(value):.1f}", stroke=LINE, stroke_width=2.5, stroke_linecap="round", **dash)}/>')
        previous = (i, value) if value is not None else None
    every = max(1, math.ceil(count / 6))
    labelled = set(range(0, count, every))
    if count - 1 not in labelled:  # the last month is always labelled; its neighbour gives way
        labelled.discard(max(labelled))
        labelled.add(count - 1)
    for i, (axis, label, value, hidden) in enumerate(points):
        if value is None:
            # a hidden value is not 0: a hatched band over the whole height, never a mark on the zero line
            body.append(f'<rect {_attrs(x=_pct(x(i)), transform="translate(-6 0)", y=top, width=12, height=plot_h, fill=f"url(#{uid}-hatch)", stroke="#adb5bd", class_="suppressed-band")}>'
                        f'<title>{escape(label)}: {escape(hidden or suppressed)}</title></rect>')
        else:
            hollow = partial_last and i == count - 1
            body.append(f'<circle {_attrs(cx=_pct(x(i)), cy=f"{y(value):.1f}", r=4.5, fill="#ffffff" if hollow else LINE, stroke=LINE, stroke_width=2)}>'
                        f'<title>{escape(label)}: {escape(format_decimal(value))}</title></circle>')
        if i in labelled:
            anchor = "start" if i == 0 and count > 1 else ("end" if i == count - 1 and count > 1 else "middle")
            body.append(f'<text {_attrs(x=_pct(x(i)), y=top + plot_h + 18, fill=MUTED, text_anchor=anchor, font_size=11)}>'
                        f'{escape(axis)}</text>')
    if any_hidden:
        body.append(f'<rect {_attrs(x=0, y=height - 24, width=12, height=12, fill=f"url(#{uid}-hatch)", stroke="#adb5bd")}/>')
        body.append(f'<text {_attrs(x=18, y=height - 14, fill=MUTED, font_style="italic", font_size=11)}>'
                    f'{escape(suppressed)}</text>')
    return _frame(height, title, desc, body, uid)


# A tile grid of the 20 regions, roughly where they lie (6 columns west to east, 5 rows north to south).
TILE_GRID = {
    "KZ-39": (1, 3), "KZ-59": (1, 4), "KZ-55": (1, 5),
    "KZ-27": (2, 1), "KZ-15": (2, 2), "KZ-62": (2, 3), "KZ-11": (2, 4), "KZ-71": (2, 5), "KZ-63": (2, 6),
    "KZ-23": (3, 1), "KZ-43": (3, 3), "KZ-35": (3, 4), "KZ-10": (3, 5),
    "KZ-47": (4, 1), "KZ-61": (4, 3), "KZ-31": (4, 4), "KZ-19": (4, 5), "KZ-33": (4, 6),
    "KZ-79": (5, 3), "KZ-75": (5, 5),
}
LEVELS = 5
# background and text colour of a tile, by level: 0 no students, 1-5 light to dark, -1 suppressed
TILE_COLORS = {0: ("#f1f3f5", "#495057"), 1: ("#dbe7f3", "#212529"), 2: ("#b3cde6", "#212529"),
               3: ("#7eaad3", "#212529"), 4: ("#3b6ea5", "#ffffff"), 5: ("#1f3a5f", "#ffffff"),
               -1: ("#e9ecef", "#495057")}


def tile_style(level: int) -> str:
    """Inline colours for the PDF (WeasyPrint); the page uses tile_class and reports.css instead (CSP)."""
    background, color = TILE_COLORS[level]
    return f"background-color: {background}; color: {color}"


def tile_class(level: int) -> str:
    """The class of a tile's colours in reports.css: tile-level-0 … tile-level-5, tile-level-x (suppressed)."""
    return f"tile-level-{'x' if level < 0 else level}"


VOWELS = set("аәеёиоөуүұыіэюяaeiouy")
SOFT_HYPHEN = "\u00ad"


def short_region_name(name: str, kind: str) -> str:
    """"Ақмола облысы" → "Ақмола": the tile has no room for the word for region; long words may
    break between syllables (soft hyphens), as "Қоста-най", never in the middle of a letter group."""
    words = name.split()
    if kind == "region" and len(words) > 1:
        words = words[:-1]
    return " ".join(_syllable_breaks(word) for word in words)


def _syllable_breaks(word: str) -> str:
    """Soft hyphens where a simple rule splits syllables: V-CV, VC-CV (both sides two letters at least)."""
    if len(word) < 7:
        return word
    vowels = [i for i, ch in enumerate(word) if ch.lower() in VOWELS]
    breaks = []
    for p, q in zip(vowels, vowels[1:]):
        between = q - p - 1
        if between == 0:
            continue
        cut = p + 1 if between == 1 else p + 2
        if word[cut] in "ьъЬЪ-":
            cut += 1
        if 2 <= cut <= len(word) - 2 and word[cut - 1] != "-":
            breaks.append(cut)
    for cut in reversed(breaks):
        word = word[:cut] + SOFT_HYPHEN + word[cut:]
    return word


def legend_bounds(top: int, low: int = 0, base: int | None = None) -> list[int]:
    """The upper bounds of the map's shades: equal steps from `low`, each a multiple of `base` (the rounding
    of a funder's figures, so that the legend reads in the same fives as the tiles), the last at least `top`;
    at most LEVELS of them, fewer when the values span fewer steps of `base`."""
    base = max(1, base or 1)
    count = max(1, min(LEVELS, math.ceil((top - low) / base)))
    step = base * max(1, math.ceil((top - low) / count / base))
    return [low + step * level for level in range(1, count + 1)]


def region_tiles(cells: dict[str, Any], regions: dict[str, tuple[str, str]], suppressed: str,
                 threshold: int | None = None, rounding_base: int | None = None
                 ) -> tuple[list[dict[str, Any]], list[tuple[str, str, str]]]:
    """Tiles shaded by students reached in equal steps up to the largest value; suppressed tiles hatched.

    With suppression the steps start at the threshold: no shade ever stands for a hidden small value; and
    they step by the rounding base, as the figures do."""
    shown = [c.value for c in cells.values() if not c.suppressed and c.value]
    top = max(shown, default=0)
    low = min(threshold or 0, top)
    bounds = legend_bounds(top, low, rounding_base)
    darkest_first = LEVELS - len(bounds)  # fewer steps than shades: the largest value still the darkest

    def level_of(value: int) -> int:
        return darkest_first + next((k for k, bound in enumerate(bounds, 1) if value <= bound), len(bounds))

    # "Алматы облысы" shortened would read like the city of Алматы: such a region keeps its full name
    cities = {name for name, kind in regions.values() if kind == "city"}
    tiles = []
    for code, (row, column) in TILE_GRID.items():
        name, kind = regions.get(code, (code, "region"))
        if kind == "region" and short_region_name(name, kind).replace(SOFT_HYPHEN, "") in cities:
            kind = "city"  # i.e. not shortened
        cell = cells.get(code)
        if cell is None:
            level, text = 0, "—"
        elif cell.suppressed:
            level, text = -1, getattr(cell, "hidden_text", "") or suppressed
        else:
            level, text = level_of(cell.value), format_decimal(cell.value)
        tiles.append({"code": code, "name": name, "short": short_region_name(name, kind), "row": row,
                      "column": column, "level": level, "text": text, "style": tile_style(level),
                      "css": f"{tile_class(level)} tile-row-{row} tile-col-{column}"})
    legend = []
    if top:
        for k, bound in enumerate(bounds, 1):
            level = darkest_first + k
            legend.append((tile_style(level), format_decimal(bound), tile_class(level)))
    return tiles, legend

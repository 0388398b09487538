"""Fonts of the static charts: a CJK font found on the system by name, or a Latin fallback.

matplotlib's default font (DejaVu Sans) has no Chinese glyph: a party named 四川省 would be
drawn as three identical missing-glyph boxes. A chart whose text holds a CJK character
(:func:`has_cjk`) is therefore drawn with a CJK font found among the fonts matplotlib knows,
by family name (:data:`CJK_FONT_NAMES`, in order of preference: Debian's ``fonts-noto-cjk``
gives ``Noto Sans CJK SC``), and only when it covers the characters of a probe text
(FreeType's glyph index of each is not 0, the missing glyph). DejaVu Sans stays in the
family list behind it, so matplotlib's per-glyph fallback finds any sign the CJK font lacks.

When none is installed, :func:`chart_fonts` says so with a :class:`FontWarning` (what was
looked for and what to install) and the chart falls back to Latin text: party ids instead of
Chinese names and English labels (see :mod:`fairpool.reports.charts`).

matplotlib is imported inside the functions: importing this module (and ``fairpool --help``)
does not load it.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.ft2font import FT2Font

LATIN_FONT = "DejaVu Sans"
"""matplotlib's bundled font: always there, Latin, Greek and Cyrillic, no CJK."""

CJK_FONT_NAMES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "SimHei",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Source Han Sans",
    "Noto Serif CJK SC",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "SimSun",
)
"""CJK font families looked for, by name, best first: simplified-Chinese sans-serif faces
(Linux, Windows, macOS), then other CJK faces that also cover the common ideographs."""

CJK_FILE_HINTS = ("cjk", "wqy", "wenquanyi", "sourcehan", "msyh", "pingfang", "simhei", "droid")
"""Parts of font file names worth registering when matplotlib's font cache predates them."""

COVERAGE_PROBE = "中文字体四川浙江省县市万元（）"
"""Characters a CJK font must cover to be chosen (ideographs, fullwidth brackets)."""

INSTALL_HINT = (
    "install a CJK font (Debian/Ubuntu: apt-get install fonts-noto-cjk; Fedora: "
    "google-noto-sans-cjk-fonts; Windows and macOS ship Microsoft YaHei or PingFang SC)"
)


class FontWarning(UserWarning):
    """No CJK font was found: the chart shows party ids and English labels instead."""


def has_cjk(text: str) -> bool:
    """True when ``text`` holds a character that Latin fonts lack: CJK ideographs, CJK
    punctuation (``、。「」``), kana, hangul or fullwidth forms (``（万元）``).

    Example:
        >>> has_cjk("北京市（迁出地）"), has_cjk("（"), has_cjk("Anhui — τ")
        (True, True, False)
    """
    return any(
        "\u2e80" <= ch <= "\u9fff"  # radicals, CJK punctuation, kana, ideographs
        or "\uac00" <= ch <= "\ud7af"  # hangul
        or "\uf900" <= ch <= "\ufaff"  # compatibility ideographs
        or "\uff00" <= ch <= "\uffef"  # fullwidth forms
        or "\U00020000" <= ch <= "\U0003134f"  # extension ideographs
        for ch in text
    )


@dataclass(frozen=True)
class CjkFont:
    """A CJK font face found by name: its family name (what matplotlib is given), the file
    and the face's index in it (a ``.ttc`` collection holds several)."""

    name: str
    path: str
    face_index: int

    def missing(self, text: str) -> str:
        """The characters of ``text`` (spaces aside) that this face has no glyph for: those
        whose FreeType glyph index is 0, the missing-glyph box."""
        face = _face(self.path, self.face_index)
        return "".join(
            dict.fromkeys(
                ch for ch in text if not ch.isspace() and face.get_char_index(ord(ch)) == 0
            )
        )

    def covers(self, text: str) -> bool:
        """True when this face draws every character of ``text`` itself."""
        return not self.missing(text)


@functools.cache
def _face(path: str, face_index: int) -> FT2Font:
    from matplotlib.ft2font import FT2Font

    return FT2Font(path, face_index=face_index)


def find_cjk_font(names: Sequence[str] = CJK_FONT_NAMES) -> CjkFont | None:
    """The first of ``names`` (compared case-insensitively) that matplotlib's font manager
    knows and that covers :data:`COVERAGE_PROBE`, or ``None``.

    The regular weight is preferred among a family's faces. When none is known, font files
    whose names look CJK (:data:`CJK_FILE_HINTS`) among the system's fonts are registered and
    the search is run once more: matplotlib's font cache may predate a font installed since.
    """
    found = _search(names)
    if found is None and _register_system_cjk_files():
        found = _search(names)
    return found


def _search(names: Sequence[str]) -> CjkFont | None:
    from matplotlib import font_manager

    entries = font_manager.fontManager.ttflist
    for wanted in names:
        faces = [e for e in entries if e.name.casefold() == wanted.casefold()]
        faces.sort(key=lambda e: (e.style != "normal", abs(_weight(e.weight) - 400)))
        for entry in faces:
            font = CjkFont(entry.name, str(entry.fname), int(getattr(entry, "index", 0)))
            if font.covers(COVERAGE_PROBE):
                return font
    return None


def _weight(weight: int | str) -> int:
    named = {"light": 300, "normal": 400, "regular": 400, "medium": 500, "bold": 700}
    return weight if isinstance(weight, int) else named.get(str(weight).lower(), 400)


@functools.cache
def _register_system_cjk_files() -> bool:
    """Register with matplotlib the system font files whose names look CJK; True if any."""
    from matplotlib import font_manager

    known = {Path(e.fname) for e in font_manager.fontManager.ttflist}
    added = False
    for file in font_manager.findSystemFonts():
        path = Path(file)
        if path in known or not any(h in path.name.lower() for h in CJK_FILE_HINTS):
            continue
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):
            continue
        added = True
    return added


@dataclass(frozen=True)
class ChartFonts:
    """The fonts a chart is drawn with.

    Attributes:
        families: matplotlib's ``font.family`` list, first choice first (glyphs a family
            lacks are taken from the next).
        cjk: the CJK font, when the text needs one and one was found.
        latin_only: the text needs CJK but no CJK font was found: show Latin text instead.
        warning: what went wrong and what to install (``None`` when all is well).
    """

    families: tuple[str, ...]
    cjk: CjkFont | None
    latin_only: bool
    warning: str | None


def chart_fonts(texts: Iterable[str], names: Sequence[str] | None = None) -> ChartFonts:
    """The fonts for a chart showing ``texts``: DejaVu Sans when they are all Latin; else the
    CJK font found among ``names`` (default :data:`CJK_FONT_NAMES`, read at each call) with
    DejaVu Sans behind it; else DejaVu Sans alone, ``latin_only``, and a :class:`FontWarning`
    (also returned as ``warning``)."""
    texts = list(texts)
    names = CJK_FONT_NAMES if names is None else tuple(names)
    if not any(has_cjk(text) for text in texts):
        return ChartFonts((LATIN_FONT,), None, False, None)
    font = find_cjk_font(names)
    if font is not None:
        return ChartFonts((font.name, LATIN_FONT), font, False, None)
    message = (
        f"no CJK font found (looked for {', '.join(names[:4])}, …): the charts show party ids "
        f"and English labels instead of Chinese text; {INSTALL_HINT}"
    )
    warnings.warn(message, FontWarning, stacklevel=3)
    return ChartFonts((LATIN_FONT,), None, True, message)

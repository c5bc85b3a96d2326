"""Synthetic rating-label generator.

Renders appliance / HVAC / water-heater / electronics rating labels whose brand, model number and
serial number are known, then degrades them the way phone photos are degraded.  The output is
used to test and benchmark the extraction pipeline without copying any real photo.

Public entry points
-------------------
``render_flat_label(rng, brand=None, difficulty="easy")``
    the undegraded label (BGR uint8) and its truth.
``render_label(rng, brand=None, difficulty="easy")``
    one finished "photo" (BGR uint8, JPEG artefacts included) and its truth.
``generate(out_dir, count, seed, difficulty)``
    writes ``0000.jpg`` … and ``truth.jsonl``; returns the truth rows.

Truth values are stored the way the project scores them: upper-case, without white space
(``FD 8703 001911`` printed on a Bosch label is stored as ``FD8703001911``).  ``VALUE_SHAPES`` holds
the per-brand regular expressions every generated value matches (``fullmatch``).

Everything is driven by a ``numpy.random.Generator``; no global random state is touched, so one
seed always gives the same bytes.
"""
from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import cv2
import numpy as np
import zxingcpp
from PIL import Image, ImageDraw, ImageFont

__all__ = [
    "BRANDS",
    "DIFFICULTIES",
    "VALUE_SHAPES",
    "FontsNotFoundError",
    "generate",
    "render_flat_label",
    "render_label",
    "encode_jpeg",
]

DIFFICULTIES = ("easy", "medium", "hard")

# --------------------------------------------------------------------------------------------
# Value shapes: what every generated value looks like (checked with re.fullmatch on the stored,
# whitespace-free value).  They follow ../shared/brand_formats.md.
# --------------------------------------------------------------------------------------------
_WP_MODEL = r"[A-Z]{3,5}\d{2,4}[A-Z][A-Z0-9]{1,5}"
_WP_SERIAL = r"[A-Z]{1,2}[A-HJ-MPR-UWXY0-9](0[1-9]|[1-4]\d|5[0-2])\d{5}"
_GE_SERIAL = r"[ADFGHLMRSTVZ]{2}\d{6}[A-Z]?"

VALUE_SHAPES: dict[str, dict[str, str]] = {
    "Whirlpool": {"model": r"W[A-Z]{2,4}\d{2,4}[A-Z][A-Z0-9]{1,5}", "serial": _WP_SERIAL},
    "Maytag": {"model": r"M[A-Z]{2,4}\d{2,4}[A-Z][A-Z0-9]{1,5}",
               "serial": rf"(?:{_WP_SERIAL}|\d{{8}}[A-HJ-NP-Z]{{2}})"},
    "KitchenAid": {"model": r"K[A-Z]{2,4}\d{2,4}[A-Z][A-Z0-9]{1,5}", "serial": _WP_SERIAL},
    "Amana": {"model": _WP_MODEL, "serial": _WP_SERIAL},
    "GE": {"model": r"[A-Z]{2,4}\d{2,4}[A-Z0-9]{2,8}", "serial": _GE_SERIAL},
    "Hotpoint": {"model": r"H[A-Z]{1,3}\d{2,4}[A-Z0-9]{2,8}", "serial": _GE_SERIAL},
    "Samsung": {"model": r"[A-Z]{2,3}\d{2}[A-Z]\d{3,4}[A-Z0-9]{1,4}(/[A-Z0-9]{2,3})?",
                "serial": r"[0-9A-Z]{7}[RTWXYLPQSZBCDFGHJKMN][1-9ABC][0-9A-Z]{6}"},
    "LG": {"model": r"[A-Z]{2,6}\d{2,4}[A-Z0-9]{1,6}",
           "serial": r"\d(0[1-9]|1[0-2])[A-Z]{2}[A-Z0-9]{7}"},
    "Frigidaire": {"model": r"[A-Z]{3,5}\d{4}[A-Z0-9]{1,4}",
                   "serial": r"[A-Z0-9][A-Z]\d(0[1-9]|[1-4]\d|5[0-2])\d{5}"},
    "Bosch": {"model": r"[A-Z]{2,4}\d[A-Z0-9]{2,9}/\d{2}",
              "serial": r"FD\d{2}(0[1-9]|1[0-2])\d{5,6}"},
    "Bradford White": {"model": r"[A-Z]{1,4}\d{2,3}[A-Z0-9]{1,4}-\d[A-Z0-9]{2,5}",
                       "serial": r"[A-HJ-NPSTW-Z][A-HJ-M]\d{7,8}"},
    "A. O. Smith": {"model": r"[A-Z]{2,5}-\d{2}(\d{3})?",
                    "serial": r"\d{2}(0[1-9]|[1-4]\d|5[0-2])[A-Z0-9]\d{5,9}"},
    "Rheem": {"model": r"[A-Z]{2,4}\d{2}T\d{2}[A-Z]{2}\d{2}U\d",
              "serial": r"[A-Z]{0,2}(0[1-9]|1[0-2])\d{2}[A-Z0-9]\d{5}"},
    "Carrier": {"model": r"\d{2}[A-Z]{2,4}\d{3}[A-Z0-9-]{3,12}",
                "serial": r"(0[1-9]|[1-4]\d|5[0-2])\d{2}[A-Z]\d{5}"},
    "Apple": {"model": r"A\d{4}",
              "serial": r"C02[CDFGHJ-NP-TV-Z][1-9CDFGHJ-NP-RTV-Y][A-Z0-9]{7}"},
    "Dell": {"model": r"[PD]\d{2,3}[A-Z]", "serial": r"[0-9A-Z]{7}"},
}

BRANDS: tuple[str, ...] = tuple(VALUE_SHAPES)

_DIGITS = "0123456789"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_UPPER_NO_IO = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_ALNUM_NO_IO = _DIGITS + _UPPER_NO_IO


# --------------------------------------------------------------------------------------------
# Small random helpers around a numpy Generator
# --------------------------------------------------------------------------------------------
class _R:
    """Convenience wrapper: every draw goes through the one numpy Generator."""

    def __init__(self, gen: np.random.Generator):
        self.g = gen

    def side(self, tag: int) -> "_R":
        """A generator derived from this one's state without drawing from it: a choice added to
        the generator leaves every other draw of a seed's images as it was."""
        return _R(np.random.default_rng([int(self.g.bit_generator.state["state"]["state"]), tag]))

    def int(self, lo: int, hi: int) -> int:  # inclusive
        return int(self.g.integers(lo, hi + 1))

    def uni(self, lo: float, hi: float) -> float:
        return float(self.g.uniform(lo, hi))

    def chance(self, p: float) -> bool:
        return bool(self.g.random() < p)

    def pick(self, seq: Sequence):
        return seq[int(self.g.integers(0, len(seq)))]

    def chars(self, n: int, alphabet: str) -> str:
        idx = self.g.integers(0, len(alphabet), size=n)
        return "".join(alphabet[i] for i in idx)

    def digits(self, n: int) -> str:
        return self.chars(n, _DIGITS)

    def letters(self, n: int, alphabet: str = _UPPER_NO_IO) -> str:
        return self.chars(n, alphabet)

    def shuffle(self, items: list) -> list:
        order = self.g.permutation(len(items))
        return [items[i] for i in order]


# --------------------------------------------------------------------------------------------
# Per-brand value generators
# --------------------------------------------------------------------------------------------
@dataclass
class Values:
    model: str
    serial: str
    model_print: str | None = None   # how the label prints it (may contain spaces)
    serial_print: str | None = None
    year: int | None = None          # manufacture date the serial encodes (used by distractors)
    month: int | None = None


_WP_YEAR_CYCLE = "XABCDEFGHJKLMPRSTUWY0123456789"       # 1990 .. 2019, letters repeat from 2020
_GE_LETTERS = "ADFGHLMRSTVZ"                             # months; years cycle with 2001 = A
_SAMSUNG_YEARS = "RTWXYLPQSZBCDFGHJKMN"                  # 2001 .. 2020 (2021 = R again)
_SAMSUNG_MONTHS = "123456789ABC"
_BW_YEARS = "ABCDEFGHJKLMNPSTWXYZ"                        # 2004 .. 2023 (1984 / 2024 = A)
_BW_MONTHS = "ABCDEFGHJKLM"
_APPLE_HALF = "CDFGHJKLMNPQRSTVWXYZ"                     # 2010 H1 .. 2019 H2
_APPLE_WEEK = "123456789CDFGHJKLMNPQRTVWXY"


def _week_to_month(week: int) -> int:
    return min(12, 1 + (week - 1) * 12 // 52)


def _whirlpool_serial(r: _R) -> tuple[str, int, int]:
    year = r.int(2006, 2024)
    week = r.int(1, 52)
    site = r.pick(["C", "M", "R", "F", "K", "L", "E", "CS", "MX"]) if r.chance(0.85) \
        else r.letters(2, "ACDEKLMRSU")
    code = _WP_YEAR_CYCLE[(year - 1990) % 30]
    return f"{site}{code}{week:02d}{r.digits(5)}", year, _week_to_month(week)


def _whirlpool_family_model(r: _R, prefixes: Sequence[str]) -> str:
    """Prefix, series digits, feature and colour letters, and (brand_formats.md §3.1; 6 of the 7
    such models on the real photos) mostly an engineering-revision digit or two at the end
    ('WFW4720RW0', 'WRF535SWHZ00'); some labels leave it off ('MDB4000AWB')."""
    head = r.pick(prefixes) + r.digits(r.int(3, 4)) + r.letters(1)
    if r.chance(0.8):
        return head + r.chars(r.int(0, 2), _UPPER_NO_IO + _DIGITS) + r.digits(1 if r.chance(0.8) else 2)
    return head + r.chars(r.int(1, 3), _UPPER_NO_IO + _DIGITS[:3])


def _v_whirlpool(r: _R) -> Values:
    s, y, m = _whirlpool_serial(r)
    model = _whirlpool_family_model(r, ["WFW", "WED", "WRF", "WDT", "WFC", "WTW", "WRS", "WMH", "WGD"])
    return Values(model, s, year=y, month=m)


def _v_maytag(r: _R) -> Values:
    model = _whirlpool_family_model(r, ["MED", "MHW", "MVW", "MDB", "MFI", "MGD", "MRT", "MVWC"])
    if r.chance(0.25):  # pre-2006 Maytag-built: 8 digits + year letter + month letter
        return Values(model, r.digits(8) + r.letters(2, "ABCDEFGHJKLMNPRSTUVWXYZ"))
    s, y, m = _whirlpool_serial(r)
    return Values(model, s, year=y, month=m)


def _v_kitchenaid(r: _R) -> Values:
    s, y, m = _whirlpool_serial(r)
    return Values(_whirlpool_family_model(r, ["KDFE", "KDTE", "KRFC", "KSDB", "KMHS", "KRMF", "KDTM"]),
                  s, year=y, month=m)


def _v_amana(r: _R) -> Values:
    s, y, m = _whirlpool_serial(r)
    return Values(_whirlpool_family_model(r, ["NTW", "NED", "ART", "ABB", "AMV", "NFW", "ASI"]),
                  s, year=y, month=m)


def _ge_serial(r: _R, tail: str) -> tuple[str, int, int]:
    year = r.int(2005, 2024)
    month = r.int(1, 12)
    s = _GE_LETTERS[month - 1] + _GE_LETTERS[(year - 2001) % 12] + r.digits(6)
    if r.chance(0.7):
        s += r.pick(tail)
    return s, year, month


def _v_ge(r: _R) -> Values:
    s, y, m = _ge_serial(r, "CMQSGB")
    model = (r.pick(["GTS", "GSS", "GDT", "GTW", "GTD", "PDW", "GFE", "JB", "JGB", "PFE", "GNE", "GXSF"])
             + r.digits(r.int(2, 3)) + r.letters(1) + r.chars(r.int(1, 3), _UPPER_NO_IO + "0123")
             + r.pick(["WW", "BB", "SS", "ES", "DS", "KW"]))
    return Values(model, s, year=y, month=m)


def _v_hotpoint(r: _R) -> Values:
    s, y, m = _ge_serial(r, "HC")
    model = (r.pick(["HTW", "HTX", "HPS", "HTS", "HDA", "HTDX", "HSB"]) + r.digits(r.int(2, 3))
             + r.letters(r.int(1, 3)) + r.pick(["WW", "BB", "SS", "DWW"]))
    return Values(model, s, year=y, month=m)


def _v_samsung(r: _R) -> Values:
    year = r.int(2006, 2024)
    month = r.int(1, 12)
    serial = (r.chars(7, _ALNUM_NO_IO) + _SAMSUNG_YEARS[(year - 2001) % 20] + _SAMSUNG_MONTHS[month - 1]
              + r.digits(5) + r.chars(1, _ALNUM_NO_IO))
    model = (r.pick(["WA", "WF", "DV", "RF", "RS", "NX", "NE", "DW", "ME", "DVE"]) + r.digits(2)
             + r.pick("KMNRTAB") + r.digits(r.int(3, 4)) + r.letters(r.int(1, 2)))
    if r.chance(0.7):
        model += "/" + r.pick(["AA", "US", "A3", "AC", "AA0"])
    return Values(model, serial, year=year, month=month)


def _v_lg(r: _R) -> Values:
    year = r.int(2010, 2024)
    month = r.int(1, 12)
    nlet = r.int(0, 2)
    serial = (f"{year % 10}{month:02d}" + r.pick(["KW", "TR", "RA", "PA", "SH", "MN"])
              + r.letters(nlet) + r.digits(7 - nlet))
    model = (r.pick(["LRBP", "LRMVS", "DLEX", "WM", "LFXS", "LDF", "LMXS", "LSXS", "DLE", "WT"])
             + r.digits(r.int(3, 4)) + r.chars(r.int(1, 3), _UPPER_NO_IO))
    return Values(model, serial, year=year, month=month)


def _v_frigidaire(r: _R) -> Values:
    year = r.int(2010, 2024)
    week = r.int(1, 52)
    serial = r.chars(1, _UPPER_NO_IO + "0123456789") + r.letters(1) + f"{year % 10}{week:02d}" + r.digits(5)
    model = (r.pick(["FFHS", "FGID", "FFTR", "FFSS", "FGHB", "LFTR", "FFEF", "FPBC", "FGHD"])
             + r.digits(4) + r.chars(r.int(1, 4), _UPPER_NO_IO))
    return Values(model, serial, year=year, month=_week_to_month(week))


def _v_bosch(r: _R) -> Values:
    year = r.int(2003, 2024)
    month = r.int(1, 12)
    yy = (year - 1920) % 100
    counter = r.digits(r.int(5, 6))
    serial = f"FD{yy:02d}{month:02d}{counter}"
    sep = r.pick([" ", ""])
    model = (r.pick(["SHE", "SHX", "SHPM", "HMV", "WAT", "WTG", "HBL", "SHEM", "WAS", "SGE"]) + r.digits(1)
             + r.chars(r.int(2, 6), _ALNUM_NO_IO) + "/" + r.pick(["01", "02", "03", "05", "09", "11", "23"]))
    return Values(model, serial, serial_print=f"FD {yy:02d}{month:02d}{sep}{counter}", year=year, month=month)


def _v_bradford_white(r: _R) -> Values:
    year = r.int(2004, 2023)
    month = r.int(1, 12)
    serial = _BW_YEARS[(year - 2004) % 20] + _BW_MONTHS[month - 1] + r.digits(r.pick([7, 7, 8]))
    model = (r.pick(["M", "RE", "RG", "MI", "URG", "MH"]) + r.pick(["230", "240", "250", "265", "340", "350", "40"])
             + r.pick(["T6", "R6DS", "T6FSX", "S6", "T6FBN"])[:4] + "-" + r.digits(1)
             + r.chars(r.int(2, 5), "NCWXAS"))
    return Values(model, serial, year=year, month=month)


def _v_ao_smith(r: _R) -> Values:
    year = r.int(2008, 2024)
    week = r.int(1, 52)
    serial = f"{year % 100:02d}{week:02d}" + r.chars(1, "ABCDJKLMT0123456789") + r.digits(r.int(6, 7))
    cap = r.pick(["30", "40", "50", "75"])
    tail = r.pick(["", "100", "200", "300", "400"])
    prefix = r.pick(["GCR", "GPVL", "ENT", "ECT", "GCV", "EES", "XCR", "GDHE", "ECRT"])
    model = f"{prefix}-{cap}{tail}"
    printed = f"{prefix}-{cap} {tail}" if tail else model
    return Values(model, serial, model_print=printed, year=year, month=_week_to_month(week))


def _v_rheem(r: _R) -> Values:
    year = r.int(2008, 2024)
    month = r.int(1, 12)
    serial = (r.pick(["", "", "R", "RH", "RN", "RU", "Q", "M"]) + f"{month:02d}{year % 100:02d}"
              + r.chars(1, "ABCDEFGHJK0123456789") + r.digits(5))
    model = (r.pick(["XE", "XG", "PROE", "PROG", "XGR"]) + r.pick(["30", "40", "50", "55", "75"]) + "T"
             + r.pick(["06", "10", "12"]) + r.pick(["EC", "ST", "EN", "HD", "PV"]) + r.digits(2) + "U" + r.digits(1))
    return Values(model, serial, year=year, month=month)


def _v_carrier(r: _R) -> Values:
    year = r.int(2005, 2024)
    week = r.int(1, 52)
    serial = f"{week:02d}{year % 100:02d}" + r.pick("EGAXV") + r.digits(5)
    series = r.pick(["24ACC6", "25HCB3", "24ANB1", "58STA", "59SC5", "38TN", "25VNA8", "24ACB3"])
    if series[-1].isdigit():
        series, cap = series[:-1], series[-1] + r.pick(["18", "24", "30", "36", "42", "48", "60"])
    else:
        cap = r.pick(["045", "070", "090", "110"])
    tail = r.pick(["A003", "A300", "-1-12", "A310", "-14", "C0030"])
    return Values(series + cap + tail, serial, year=year, month=_week_to_month(week))


def _v_apple(r: _R) -> Values:
    half = r.int(0, 19)
    serial = ("C02" + _APPLE_HALF[half] + r.pick(_APPLE_WEEK[:26]) + r.chars(3, _ALNUM_NO_IO)
              + r.chars(4, _ALNUM_NO_IO))
    model = r.pick(["A2141", "A1990", "A2337", "A2338", "A1708", "A1932", "A2179", "A2251", "A2289",
                    "A1466", "A1502", "A2442", "A2485", "A1989", "A2159"])
    return Values(model, serial, year=2010 + half // 2, month=1 + 6 * (half % 2))


def _v_dell(r: _R) -> Values:
    tag = r.chars(7, "0123456789BCDFGHJKLMNPQRSTVWXYZ")
    model = r.pick(["P", "P", "D"]) + str(r.int(20, 130)) + r.letters(1, "BCDEFGMST")
    return Values(model, tag)


_VALUE_GENERATORS: dict[str, Callable[[_R], Values]] = {
    "Whirlpool": _v_whirlpool, "Maytag": _v_maytag, "KitchenAid": _v_kitchenaid, "Amana": _v_amana,
    "GE": _v_ge, "Hotpoint": _v_hotpoint, "Samsung": _v_samsung, "LG": _v_lg,
    "Frigidaire": _v_frigidaire, "Bosch": _v_bosch, "Bradford White": _v_bradford_white,
    "A. O. Smith": _v_ao_smith, "Rheem": _v_rheem, "Carrier": _v_carrier, "Apple": _v_apple, "Dell": _v_dell,
}

_KIND = {  # product kind drives which ratings/warnings appear
    "Whirlpool": "appliance", "Maytag": "appliance", "KitchenAid": "appliance", "Amana": "appliance",
    "GE": "appliance", "Hotpoint": "appliance", "Samsung": "appliance", "LG": "appliance",
    "Frigidaire": "appliance", "Bosch": "bsh", "Bradford White": "water", "A. O. Smith": "water",
    "Rheem": "water", "Carrier": "hvac", "Apple": "apple", "Dell": "dell",
}

_LOGO_TEXT = {
    "Whirlpool": ["Whirlpool", "WHIRLPOOL"], "Maytag": ["MAYTAG", "Maytag"],
    "KitchenAid": ["KitchenAid", "KITCHENAID"], "Amana": ["Amana", "AMANA"],
    "GE": ["GE Appliances", "GE", "General Electric"], "Hotpoint": ["Hotpoint", "HOTPOINT"],
    "Samsung": ["SAMSUNG"], "LG": ["LG", "LG Electronics"], "Frigidaire": ["FRIGIDAIRE", "Frigidaire"],
    "Bosch": ["BOSCH"], "Bradford White": ["Bradford White", "BRADFORD WHITE"],
    "A. O. Smith": ["A. O. Smith", "A.O. SMITH"], "Rheem": ["Rheem", "RHEEM"],
    "Carrier": ["Carrier", "CARRIER"], "Apple": ["Designed by Apple in California"], "Dell": ["DELL", "Dell Inc."],
}

_MAKER_LINE = {
    "Whirlpool": "Whirlpool Corporation, Benton Harbor, MI U.S.A.",
    "Maytag": "Maytag, Benton Harbor, Michigan U.S.A.",
    "KitchenAid": "KitchenAid, Benton Harbor, MI U.S.A.",
    "Amana": "Manufactured for Amana, Benton Harbor, MI",
    "GE": "GE Appliances, Louisville, KY 40225",
    "Hotpoint": "Hotpoint - GE Appliances, Louisville, KY",
    "Samsung": "Samsung Electronics Co., Ltd.",
    "LG": "LG Electronics Inc.",
    "Frigidaire": "Electrolux Home Products, Charlotte, NC",
    "Bosch": "BSH Hausgeräte GmbH",
    "Bradford White": "Bradford White Corporation, Middleville, MI",
    "A. O. Smith": "A. O. Smith Corporation, Johnson City, TN",
    "Rheem": "Rheem Manufacturing Co., Montgomery, AL",
    "Carrier": "Carrier Corporation, Indianapolis, IN",
    "Apple": "Designed by Apple in California",
    "Dell": "Dell Inc., Round Rock, TX",
}


def brand_values(r: np.random.Generator | _R, brand: str) -> Values:
    """Draw a plausible (model, serial) pair for ``brand``."""
    rr = r if isinstance(r, _R) else _R(r)
    if brand not in _VALUE_GENERATORS:
        raise ValueError(f"unknown brand {brand!r}; known: {', '.join(BRANDS)}")
    v = _VALUE_GENERATORS[brand](rr)
    v.model, v.serial = _compact(v.model), _compact(v.serial)
    return v


def _compact(s: str) -> str:
    return re.sub(r"\s+", "", s).upper()


# --------------------------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------------------------
class FontsNotFoundError(RuntimeError):
    pass


_FONT_DIRS = ("/usr/share/fonts/truetype", "/usr/share/fonts", "/usr/local/share/fonts")
_FONT_FILES = {
    "sans": ["DejaVuSans.ttf", "LiberationSans-Regular.ttf"],
    "sans_bold": ["DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf"],
    "cond": ["DejaVuSansCondensed.ttf", "LiberationSansNarrow-Regular.ttf"],
    "cond_bold": ["DejaVuSansCondensed-Bold.ttf", "LiberationSansNarrow-Bold.ttf"],
    "mono": ["DejaVuSansMono.ttf", "LiberationMono-Regular.ttf"],
    "mono_bold": ["DejaVuSansMono-Bold.ttf", "LiberationMono-Bold.ttf"],
    "serif": ["DejaVuSerif.ttf", "LiberationSerif-Regular.ttf"],
    "serif_bold": ["DejaVuSerif-Bold.ttf", "LiberationSerif-Bold.ttf"],
    "italic_bold": ["DejaVuSans-BoldOblique.ttf", "LiberationSans-BoldItalic.ttf"],
    "serif_bold_italic": ["DejaVuSerif-BoldItalic.ttf", "LiberationSerif-BoldItalic.ttf"],
}
_font_paths_cache: dict[str, list[str]] | None = None
_font_cache: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}


def font_paths() -> dict[str, list[str]]:
    """Style -> list of font files found on this machine (sorted, so the choice is deterministic)."""
    global _font_paths_cache
    if _font_paths_cache is None:
        found: dict[str, str] = {}
        for d in _FONT_DIRS:
            if not os.path.isdir(d):
                continue
            for root, _dirs, files in sorted(os.walk(d)):
                for f in sorted(files):
                    found.setdefault(f, os.path.join(root, f))
        paths = {style: [found[n] for n in names if n in found] for style, names in _FONT_FILES.items()}
        if not paths["sans"] and not paths["sans_bold"]:
            raise FontsNotFoundError(
                "no DejaVu or Liberation TrueType fonts found under /usr/share/fonts/truetype; "
                "install the Debian package fonts-dejavu-core (apt-get install fonts-dejavu-core)")
        fallback = paths["sans"] or paths["sans_bold"]
        for style in paths:
            if not paths[style]:
                paths[style] = list(fallback)
        _font_paths_cache = paths
    return _font_paths_cache


def _font(r: _R, style: str, size: int) -> ImageFont.FreeTypeFont:
    path = r.pick(font_paths()[style])
    key = (path, int(size))
    if key not in _font_cache:
        _font_cache[key] = ImageFont.truetype(path, int(size))
    return _font_cache[key]


# cap height of DejaVu / Liberation is about 0.72 em: size = cap / 0.72
def _size_for_cap(cap_px: float) -> int:
    return max(8, int(round(cap_px / 0.72)))


# --------------------------------------------------------------------------------------------
# Masks: every label element is an 8-bit mask (255 = ink) composed onto the material later
# --------------------------------------------------------------------------------------------
def _text_mask(text: str, font: ImageFont.FreeTypeFont, pad: int = 2) -> np.ndarray:
    asc, desc = font.getmetrics()
    w = int(math.ceil(font.getlength(text))) + 2 * pad
    h = asc + desc + 2 * pad
    im = Image.new("L", (max(w, 1), h), 0)
    ImageDraw.Draw(im).text((pad, pad), text, font=font, fill=255)
    return np.asarray(im)


def _hstack(masks: Sequence[np.ndarray], gap: int, valign: str = "bottom") -> np.ndarray:
    h = max(m.shape[0] for m in masks)
    w = sum(m.shape[1] for m in masks) + gap * (len(masks) - 1)
    out = np.zeros((h, w), np.uint8)
    x = 0
    for m in masks:
        y = h - m.shape[0] if valign == "bottom" else (h - m.shape[0]) // 2 if valign == "center" else 0
        out[y:y + m.shape[0], x:x + m.shape[1]] = np.maximum(out[y:y + m.shape[0], x:x + m.shape[1]], m)
        x += m.shape[1] + gap
    return out


def _vstack(masks: Sequence[np.ndarray], gap: int, align: str = "left") -> np.ndarray:
    w = max(m.shape[1] for m in masks)
    h = sum(m.shape[0] for m in masks) + gap * (len(masks) - 1)
    out = np.zeros((h, w), np.uint8)
    y = 0
    for m in masks:
        x = 0 if align == "left" else (w - m.shape[1]) // 2 if align == "center" else w - m.shape[1]
        out[y:y + m.shape[0], x:x + m.shape[1]] = m
        y += m.shape[0] + gap
    return out


def _pad(m: np.ndarray, t: int, r: int, b: int, l: int) -> np.ndarray:
    return np.pad(m, ((t, b), (l, r)))


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for w in words:
        cand = f"{cur} {w}".strip()
        if cur and font.getlength(cand) > width:
            lines.append(cur)
            cur = w
        else:
            cur = cand
    if cur:
        lines.append(cur)
    return lines


# --------------------------------------------------------------------------------------------
# Barcodes (zxing-cpp writer)
# --------------------------------------------------------------------------------------------
_ZX_FORMATS = {
    "Code128": zxingcpp.BarcodeFormat.Code128,
    "UPC-A": zxingcpp.BarcodeFormat.UPCA,
    "EAN-13": zxingcpp.BarcodeFormat.EAN13,
    "QRCode": zxingcpp.BarcodeFormat.QRCode,
    "DataMatrix": zxingcpp.BarcodeFormat.DataMatrix,
}


_MATRIX = ("QRCode", "DataMatrix")


def _barcode_mask(fmt: str, content: str, module: int, bar_h: int) -> tuple[np.ndarray, str]:
    """Mask (255 = bar) of a barcode with quiet zones, and the text zxing encoded (check digits)."""
    bc = zxingcpp.create_barcode(content, _ZX_FORMATS[fmt])
    img = np.asarray(bc.to_image(scale=1, add_hrt=False, add_quiet_zones=True))
    if img.ndim == 3:
        img = img[..., 0]
    ink = (img < 128).astype(np.uint8) * 255
    if fmt in _MATRIX:
        m = cv2.resize(ink, None, fx=module, fy=module, interpolation=cv2.INTER_NEAREST)
    else:
        row = ink[ink.shape[0] // 2]
        m = np.repeat(np.repeat(row[None, :], bar_h, axis=0), module, axis=1)
    return m, bc.text


# --------------------------------------------------------------------------------------------
# Label content
# --------------------------------------------------------------------------------------------
_KEY_STYLES = [
    ("MODEL", "SERIAL"), ("MODEL NO.", "SERIAL NO."), ("MOD.", "SER. NO."), ("M/N", "S/N"),
    ("MODEL/MODÈLE", "SERIAL/SÉRIE"), ("Model No./No. de modèle", "Serial No./No de série"),
    ("MOD", "SER"), ("MODEL #", "SERIAL #"), ("Model", "Serial No."),
]

_WARNINGS = [
    "WARNING: Disconnect electrical supply before servicing. Risk of electric shock.",
    "CAUTION: Read the installation instructions before operating this appliance.",
    "This appliance must be grounded. Do not remove the grounding prong.",
    "Use copper conductors only. Refer to the wiring diagram for connections.",
    "AVERTISSEMENT: Couper l'alimentation avant l'entretien.",
    "For household use only. Not for commercial installation.",
    "Keep flammable materials away from this unit.",
    "Tested to comply with FCC standards for home or office use.",
]


@dataclass
class _Block:
    mask: np.ndarray
    role: str = "text"        # "key_model", "key_serial", "barcode", "logo", ...
    key: str = ""             # for a model or serial block: its key and printed value
    value: str = ""


@dataclass
class _Style:
    cap: float          # cap height of values, px
    key_cap: float
    small_cap: float
    value_style: str
    key_style: str
    small_style: str
    under: bool         # value on the line under the key
    colon: bool
    value_cap: float | None = None  # cap height the values were drawn at, when not ``cap``
    # ruled lines, as on most printed rating plates: a frame round the label, rules between its
    # rows, and (a value printed on the label by a second printer, out of register) a rule that
    # runs through the bottom of a model's or serial's characters
    frame: bool = False
    rules: bool = False
    crossed: float = 0.0  # the chance that a model's or serial's row has a rule through it
    crossed_roles: list[str] = field(default_factory=list)  # the rows that have one


_CROSSED = {"easy": 0.0, "medium": 0.1, "hard": 0.25}


def _make_style(r: _R, difficulty: str) -> _Style:
    cap = r.uni(22, 34)
    ruled = r.side(2)  # (drawn apart: the ruled lines leave every other draw of a seed as it was)
    return _Style(
        cap=cap,
        key_cap=cap * r.uni(0.7, 1.0),
        small_cap=r.uni(13, 18),
        value_style=r.pick(["sans", "sans_bold", "cond", "cond_bold", "mono", "mono_bold", "serif", "sans_bold"]),
        key_style=r.pick(["sans", "sans_bold", "cond", "cond_bold", "serif"]),
        small_style=r.pick(["sans", "cond", "serif"]),
        under=r.chance(0.35),
        colon=r.chance(0.4),
        frame=ruled.chance(0.4),
        rules=ruled.chance(0.35),
        crossed=_CROSSED[difficulty],
    )


def _kv(r: _R, st: _Style, key: str, value: str, under: bool | None = None,
        value_cap: float | None = None, between: np.ndarray | None = None, crossed: bool = False) -> np.ndarray:
    glued = (not crossed and st.colon and between is None and not (st.under if under is None else under)
             and key.upper().endswith(" NO.") and r.side(1).chance(0.4))
    key = key + (":" if st.colon and not key.endswith(":") else "")
    kf = _font(r, st.key_style, _size_for_cap(st.key_cap))
    vf = _font(r, st.value_style, _size_for_cap(value_cap or st.cap))
    if glued:
        # a typewritten plate: 'Model No:M265R6DS-1NCWW', the value glued to the key's colon
        return _text_mask(f"{key[:-2]}:{value}", vf)
    km, vm = _text_mask(key, kf), _text_mask(value, vf)
    if crossed:
        # the rule under the row, run through the value's lowest part (its baseline is
        # ``pad + ascent`` down its mask: see _text_mask)
        cap = value_cap or st.cap
        base = 2 + vf.getmetrics()[0] - int(cap * r.uni(0.0, 0.3))
        thick = max(1, int(round(cap * r.uni(0.05, 0.1))))
        kv = _hstack([km, vm], gap=int(st.cap * r.uni(0.5, 1.4)))
        y = kv.shape[0] - vm.shape[0] + base
        kv[max(0, y - thick // 2):y + thick - thick // 2, :] = 255
        return kv
    if between is not None:
        # a barcode between the key and its value, the value printed under the barcode
        # (Whirlpool's 'MOD' | bars, with the model under the bars)
        column = _vstack([between, vm], gap=int(st.cap * 0.25))
        return _hstack([km, column], gap=int(st.cap * r.uni(0.5, 1.0)), valign="top")
    if st.under if under is None else under:
        return _vstack([km, vm], gap=int(st.cap * 0.15))
    return _hstack([km, vm], gap=int(st.cap * r.uni(0.5, 1.4)))


def _small(r: _R, st: _Style, text: str, width: int | None = None, bold: bool = False) -> np.ndarray:
    f = _font(r, st.small_style + ("_bold" if bold and st.small_style != "cond" else ""),
              _size_for_cap(st.small_cap))
    lines = _wrap(text, f, width) if width else [text]
    return _vstack([_text_mask(t, f) for t in lines], gap=int(st.small_cap * 0.3))


def _barcode_block(r: _R, fmt: str, content: str, hrt: str | None, st: _Style,
                   barcodes: list[dict], role: str) -> np.ndarray:
    module = r.int(2, 3) if fmt not in _MATRIX else r.int(5, 7)
    bm, encoded = _barcode_mask(fmt, content, module, bar_h=r.int(60, 100))
    barcodes.append({"format": fmt, "text": encoded, "role": role})
    if hrt is None:
        return bm
    f = _font(r, st.small_style, _size_for_cap(st.small_cap * 1.1))
    shown = (encoded[1:] if fmt == "UPC-A" and len(encoded) == 13 else encoded) if hrt == "" else hrt
    hm = _text_mask(shown, f)
    return _vstack([bm, hm], gap=2, align="center")


def _distractor_pool(r: _R, brand: str, v: Values, st: _Style) -> list[np.ndarray]:
    """Text that must never be reported as a model or serial."""
    kind = _KIND[brand]
    yr = v.year or r.int(2008, 2022)
    mo = v.month or r.int(1, 12)
    items: list[np.ndarray] = []
    add_kv = lambda k, val: items.append(_kv(r, st, k, val, under=False, value_cap=st.key_cap))  # noqa: E731
    add_small = lambda t, **kw: items.append(_small(r, st, t, **kw))  # noqa: E731

    if kind == "appliance":
        fam = brand in ("Whirlpool", "Maytag", "KitchenAid", "Amana")
        add_kv(r.pick(["P/N", "PART NO.", "P/N:"]), ("W10" + r.digits(6)) if fam else r.digits(r.int(8, 10)))
        add_kv(r.pick(["MFG DATE", "MFD", "MFG. DATE"]), r.pick([f"{mo:02d}/{yr}", f"{mo:02d}/{yr % 100:02d}"]))
        if brand == "Amana" or r.chance(0.3):
            add_kv("MFG NO", r.letters(1) + r.digits(7) + r.letters(1))
        if brand == "LG" or r.chance(0.25):
            add_kv(r.pick(["PRODUCT CODE", "PROD. NO."]), r.letters(2) + r.digits(4) + r.letters(1)
                   + r.chars(6, _ALNUM_NO_IO))
        volts = r.pick(["120V~ 60Hz 15A", "120 VOLTS 60 Hz 12.0 AMPS", "240V 60Hz 30A",
                        "115V~ 60Hz 5.8 AMPS", "120/240V 60Hz 40A"])
        add_small(volts)
        if r.chance(0.5):
            add_small(f"REFRIGERANT {r.pick(['R600a', 'R134a'])} {r.int(1, 4)}.{r.int(0, 9)} oz")
        add_small(f"TYPE {r.int(1, 3)}   LISTED {r.int(1, 9)}{r.letters(2)}{r.int(1, 9)}")
    elif kind == "bsh":
        add_kv(r.pick(["Typ", "TYPE"]), r.letters(1) + r.digits(4))
        add_kv("Z-Nr.", f"{r.digits(4)} {r.digits(5)}")
        add_small(r.pick(["120V~ 60Hz 15A", "120V 60Hz 1450W", "220-240V 50Hz 10A"]))
        add_small(f"Made in {r.pick(['Germany', 'USA', 'Slovenia', 'Poland'])}")
    elif kind == "water":
        add_kv(r.pick(["MFG. DATE", "MFG DATE"]), f"{mo:02d}/{yr}")
        add_small(f"INPUT {r.pick(['30,000', '36,000', '40,000', '50,000'])} BTU/HR   {r.pick(['NATURAL GAS', 'LP GAS'])}")
        add_small(f"WORKING PRESSURE {r.pick(['150', '160'])} PSI   TEST PRESSURE 300 PSI")
        add_small(f"CAPACITY {r.pick(['40', '50', '75'])} U.S. GAL.   {r.int(3, 6)}.{r.int(0, 9)} kW 240V")
        add_kv("P/N", r.digits(3) + "-" + r.digits(5) + "-" + r.digits(2))
    elif kind == "hvac":
        add_kv(r.pick(["MFG DATE", "DATE OF MFR"]), f"{mo:02d}/{yr}")
        add_small(f"VOLTS {r.pick(['208/230', '460', '115'])}  PH 1  HZ 60")
        add_small(f"MIN CIRCUIT AMPS {r.int(10, 40)}.{r.int(0, 9)}   MAX FUSE {r.pick(['20', '25', '30', '40'])}")
        add_small(f"REFRIGERANT R-410A {r.int(3, 12)}.{r.int(0, 9)} LBS   DESIGN PRESSURE 450 PSIG")
        add_kv("P/N", r.digits(2) + r.letters(2) + r.digits(6))
    elif kind == "dell":
        tag_num = int(v.serial, 36)
        esc = f"{tag_num:011d}"
        add_kv(r.pick(["Express Service Code", "Exp Svc Code"]),
               " ".join([esc[:3], esc[3:6], esc[6:9], esc[9:]]))
        add_kv("Reg Type", v.model + r.digits(3))
        add_kv("DP/N", "0" + r.chars(5, _ALNUM_NO_IO))
        add_small(f"Input: 19.5V {r.pick(['3.34A', '4.62A', '6.67A'])}   FCC ID: {r.letters(3)}{r.digits(4)}")
        add_small(f"CN-0{r.chars(5, _ALNUM_NO_IO)}-{r.digits(5)}-{r.digits(3)}-{r.chars(4, _ALNUM_NO_IO)}")

    if kind != "dell":
        add_small(r.pick(["Made in USA", "MADE IN MEXICO", "Made in China", "Made in Korea", "Assembled in USA"]))
    add_small(f"Service: 1-800-{r.digits(3)}-{r.digits(4)}")
    if r.chance(0.6):
        add_small(_MAKER_LINE[brand])
    return items


def _logo_block(r: _R, brand: str, st: _Style) -> np.ndarray:
    text = r.pick(_LOGO_TEXT[brand])
    style = r.pick(["sans_bold", "serif_bold", "italic_bold", "serif_bold_italic", "cond_bold"])
    return _text_mask(text, _font(r, style, _size_for_cap(st.cap * r.uni(1.2, 1.8))))


def _content_blocks(r: _R, brand: str, v: Values, st: _Style, barcodes: list[dict]) -> tuple[list[_Block], list[_Block]]:
    """Returns (main blocks with model/serial, side blocks with distractors)."""
    kind = _KIND[brand]
    mp, sp = v.model_print or v.model, v.serial_print or v.serial
    main: list[_Block] = []
    if kind == "bsh":
        mk = r.pick(["E-Nr", "E-Nr.", "E-NR"])
        main.append(_Block(_kv(r, st, mk, mp), "model", mk, mp))
        # the FD code is printed as its own key/value: "FD 8703 001911"
        fd_val = sp[2:].strip()
        main.append(_Block(_kv(r, st, "FD", fd_val, under=False), "serial", "FD", fd_val))
    elif kind == "dell":
        mk = r.pick(["Reg Model", "Regulatory Model", "Reg. Model"])
        main.append(_Block(_kv(r, st, mk, mp), "model", mk, mp))
        sk = r.pick(["Service Tag (S/N)", "Service Tag", "S/N", "Svc Tag"])
        main.append(_Block(_kv(r, st, sk, sp), "serial", sk, sp))
    else:
        mk, sk = r.pick(_KEY_STYLES)
        if brand == "Samsung" and r.chance(0.5):
            mk, sk = "Model Code", "Serial No."
        main.append(_Block(_kv(r, st, mk, mp), "model", mk, mp))
        main.append(_Block(_kv(r, st, sk, sp), "serial", sk, sp))
    cross = r.side(3)
    for blk in main:
        if st.crossed and not st.under and cross.chance(st.crossed):
            blk.mask = _kv(cross, st, blk.key, blk.value, under=False, crossed=True)
            st.crossed_roles.append(blk.role)
    if r.chance(0.25):
        main.reverse()

    # barcodes of the true values right under (or beside) their text
    for role, p in (("serial", 0.55), ("model", 0.3)):
        if r.chance(p):
            value = v.serial if role == "serial" else v.model
            bm = _barcode_block(r, "Code128", value, r.pick([None, ""]), st, barcodes, role)
            blk = next(b for b in main if b.role == role)
            if r.chance(0.75):
                blk.mask = _vstack([blk.mask, bm], gap=int(st.cap * 0.3), align=r.pick(["left", "center"]))
                barcodes[-1]["placement"] = "under"
            elif r.chance(0.5):
                blk.mask = _hstack([blk.mask, bm], gap=int(st.cap * 1.0), valign="center")
                barcodes[-1]["placement"] = "beside"
            else:
                blk.mask = _kv(r, st, blk.key, blk.value, under=False, between=bm)
                barcodes[-1]["placement"] = "between"  # key | bars, the value under the bars
                if role in st.crossed_roles:
                    st.crossed_roles.remove(role)  # drawn again, uncrossed

    side = [_Block(m) for m in _distractor_pool(r, brand, v, st)]
    if r.chance(0.35):
        fmt = r.pick(["UPC-A", "EAN-13"])
        content = ("0" + r.digits(10)) if fmt == "UPC-A" else ("4" + r.digits(11))
        side.append(_Block(_barcode_block(r, fmt, content, "", st, barcodes, "upc"), "barcode"))
    if r.chance(0.25):
        url = f"https://www.{re.sub(r'[^a-z]', '', brand.lower())}.com/reg?m={v.model}&s={v.serial}"
        side.append(_Block(_barcode_block(r, "QRCode", url, None, st, barcodes, "qr"), "barcode"))
    if kind == "appliance" and r.chance(0.2):
        # one code for both values, split by a separator, as on real Whirlpool labels: a Data
        # Matrix 'WFW4720RW0<GS>CD3700848', a Code 128 'WFC310S0EB 1_R81030795'
        fmt, sep = r.pick(["DataMatrix", "Code128"]), r.pick(["\x1d", "_", " "])
        code = _barcode_block(r, fmt, f"{v.model}{sep}{v.serial}", None, st, barcodes, "model+serial")
        side.append(_Block(code, "barcode"))
    side = r.shuffle(side)
    return main, side


def _ruled(ru: _R, st: _Style, masks: list[np.ndarray]) -> list[np.ndarray]:
    """``masks`` with a rule the width of the widest between some of them (on a ruled label)."""
    if not st.rules or len(masks) < 2:
        return masks
    rule = np.full((max(1, int(round(st.cap * 0.07))), max(m.shape[1] for m in masks)), 255, np.uint8)
    out = [masks[0]]
    for m in masks[1:]:
        if ru.chance(0.6):
            out.append(rule)
        out.append(m)
    return out


def _layout(r: _R, brand: str, st: _Style, main: list[_Block], side: list[_Block]) -> np.ndarray:
    ru = r.side(5)
    margin = int(st.cap * r.uni(0.8, 1.6))
    gap = int(st.cap * r.uni(0.4, 0.9))
    two_cols = r.chance(0.55)
    logo = _logo_block(r, brand, st)
    if two_cols:
        col_a = [b.mask for b in main] + [b.mask for b in side[: len(side) // 3]]
        col_b = [b.mask for b in side[len(side) // 3:]]
        if r.chance(0.3):
            col_a, col_b = col_b, col_a
        a, b = _vstack(_ruled(ru, st, col_a), gap), _vstack(_ruled(ru, st, col_b), gap)
        body = _hstack([a, b], gap=int(st.cap * r.uni(1.5, 3.0)), valign="top")
    else:
        rows = [b.mask for b in side]
        packed: list[np.ndarray] = []
        limit = max(b.mask.shape[1] for b in main) * 1.4
        while rows:
            m = rows.pop(0)
            if rows and r.chance(0.6) and m.shape[1] + rows[0].shape[1] < limit:
                m = _hstack([m, rows.pop(0)], gap=int(st.cap * r.uni(1.0, 2.5)), valign="center")
            packed.append(m)
        blocks = [b.mask for b in main]
        for m in packed:   # distractors go before, between or after the model/serial groups
            blocks.insert(r.int(0, len(blocks)), m)
        body = _vstack(_ruled(ru, st, blocks), gap)
    width = body.shape[1]
    warn_lines = [_small(r, st, t, width=max(width, 500)) for t in r.shuffle(_WARNINGS)[: r.int(1, 2)]]
    parts = [logo, body] + warn_lines
    if r.chance(0.3):
        parts = [body, logo] + warn_lines
    content = _vstack(parts, gap, align=r.pick(["left", "left", "center"]))
    out = _pad(content, margin, margin, margin, margin)
    if st.frame:
        inset = int(margin * ru.uni(0.25, 0.6))
        thick = max(2, int(round(st.cap * ru.uni(0.06, 0.12))))
        h, w = out.shape
        cv2.rectangle(out, (inset, inset), (w - 1 - inset, h - 1 - inset), 255, thick)
    return out


def _apple_layout(r: _R, v: Values, st: _Style) -> np.ndarray:
    emc = r.digits(4)
    fcc = f"BCG{v.model}"
    lines = [
        f"Designed by Apple in California  Assembled in China  Model {v.model}  EMC {emc}",
        f"FCC ID: {fcc}  IC: 579C-{v.model}  Serial {v.serial}",
        f"Rated {r.pick(['20.5V', '20.3V', '14.8V', '11.4V'])} {r.pick(['4.7A', '3A', '5.2A', '2.4A'])} max.",
        r.pick(["TESTED TO COMPLY WITH FCC STANDARDS FOR HOME OR OFFICE USE",
                "CAN ICES-3 (B)/NMB-3(B)  IEC 60950-1"]),
    ]
    style = r.pick(["sans", "cond"])
    st.value_cap = st.cap * r.uni(0.8, 1.0)
    f = _font(r, style, _size_for_cap(st.value_cap))
    body = _vstack([_text_mask(t, f) for t in lines], int(st.cap * 0.5), align="center")
    m = int(st.cap * 3)
    return _pad(body, m, m, m, m)


def _asset_sticker(r: _R, v: Values, st: _Style, barcodes: list[dict]) -> np.ndarray:
    f = _font(r, r.pick(["sans", "cond", "mono"]), _size_for_cap(st.cap * r.uni(0.8, 1.0)))
    lines = [f"{r.pick(['COMP', 'IT', 'ASSET '])}{r.digits(12)}",
             f"{r.pick(['SL.#', 'S/N', 'SL No.'])} {v.serial}",
             f"If found, call {r.digits(3)} - {r.digits(8)}"]
    text = _vstack([_text_mask(t, f) for t in lines], int(st.cap * 0.3), align="center")
    qr = _barcode_block(r, "QRCode", v.serial, None, st, barcodes, "serial")
    barcodes[-1]["placement"] = "asset sticker"
    m = int(st.cap * 0.8)
    return _pad(_vstack([qr, text], int(st.cap * 0.4), align="center"), m, m, m, m)


# --------------------------------------------------------------------------------------------
# Materials
# --------------------------------------------------------------------------------------------
def _smooth_noise(g: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    """Low-frequency noise in [-1, 1] of size (h, w)."""
    small = g.uniform(-1, 1, (max(2, cells), max(2, int(cells * w / max(h, 1)))))
    return cv2.resize(small.astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)


def _brushed(g: np.random.Generator, h: int, w: int, strength: float) -> np.ndarray:
    streak = g.normal(0, 1, (h, 1)).astype(np.float32)
    streak = cv2.GaussianBlur(streak, (1, 0), sigmaX=0.1, sigmaY=1.0) if h > 3 else streak
    fine = g.normal(0, 1, (h, w)).astype(np.float32)
    fine = cv2.blur(fine, (31, 1))
    return (np.repeat(streak, w, axis=1) * 0.6 + fine * 0.8) * strength


def _apply_material(r: _R, mask: np.ndarray, material: str, difficulty: str) -> np.ndarray:
    g = r.g
    h, w = mask.shape
    a = mask.astype(np.float32) / 255.0
    texture = {"easy": 1.0, "medium": 2.5, "hard": 4.5}[difficulty]   # brushed-metal streak strength
    if material == "paper":
        bg = np.array([r.uni(235, 252)] * 3, np.float32) - np.array([r.uni(0, 8), r.uni(0, 4), 0], np.float32)
        base = np.ones((h, w, 3), np.float32) * bg
        ink = np.array([r.uni(5, 40)] * 3, np.float32)
    elif material == "yellow":
        base = np.ones((h, w, 3), np.float32) * np.array([r.uni(40, 110), r.uni(195, 225), r.uni(225, 250)], np.float32)
        ink = np.array([r.uni(5, 35)] * 3, np.float32)
    elif material == "foil":
        grad = np.linspace(0, 1, w, dtype=np.float32)[None, :] * r.uni(-40, 40) * texture ** 0.5 / 2
        grad = grad + np.linspace(0, 1, h, dtype=np.float32)[:, None] * r.uni(-25, 25)
        lvl = r.uni(180, 210) + grad + _brushed(g, h, w, texture)
        base = np.repeat(lvl[..., None], 3, axis=2) + np.array([r.uni(0, 6), r.uni(0, 3), 0], np.float32)
        ink = np.array([r.uni(25, 60)] * 3, np.float32)
    else:  # etched / embossed metal
        lvl = r.uni(150, 200) + _smooth_noise(g, h, w, 3) * 8 + _brushed(g, h, w, texture * 1.2)
        base = np.repeat(lvl[..., None], 3, axis=2)
        delta = {"easy": r.uni(95, 120), "medium": r.uni(50, 75), "hard": r.uni(30, 55)}[difficulty]
        sign = -1.0 if difficulty == "easy" or r.chance(0.75) else 1.0
        # emboss: a highlight edge one pixel off the stroke
        shift = np.roll(np.roll(a, 1, axis=0), 1, axis=1)
        emboss = 0.1 if difficulty == "easy" else 0.35
        base = base + (shift - a).clip(0, 1)[..., None] * (-sign) * delta * emboss
        out = base + a[..., None] * sign * delta
        return np.clip(out, 0, 255)
    out = base * (1 - a[..., None]) + ink * a[..., None]
    out += g.normal(0, 1.2, out.shape).astype(np.float32)
    return np.clip(out, 0, 255)


def _choose_material(r: _R, brand: str) -> str:
    kind = _KIND[brand]
    if kind == "apple":
        return "metal"
    if kind == "hvac":
        return r.pick(["foil", "foil", "paper", "metal"])
    if kind == "water":
        return r.pick(["paper", "paper", "foil", "yellow"])
    if kind == "dell":
        return r.pick(["paper", "foil"])
    return r.pick(["paper", "paper", "paper", "foil", "yellow", "foil"])


# --------------------------------------------------------------------------------------------
# The flat label
# --------------------------------------------------------------------------------------------
def _as_r(rng) -> _R:
    if isinstance(rng, _R):
        return rng
    if isinstance(rng, np.random.Generator):
        return _R(rng)
    if isinstance(rng, (int, np.integer)):
        return _R(np.random.default_rng(int(rng)))
    raise TypeError("rng must be a numpy Generator or an int seed")


def _pick_difficulty(r: _R, difficulty: str) -> str:
    if difficulty == "mixed":
        return r.pick(DIFFICULTIES)
    if difficulty not in DIFFICULTIES:
        raise ValueError(f"difficulty must be one of {DIFFICULTIES + ('mixed',)}, not {difficulty!r}")
    return difficulty


def _flat(r: _R, brand: str | None, difficulty: str) -> tuple[np.ndarray, dict]:
    brand = brand or r.pick(BRANDS)
    if brand not in VALUE_SHAPES:
        raise ValueError(f"unknown brand {brand!r}; known: {', '.join(BRANDS)}")
    v = brand_values(r, brand)
    st = _make_style(r, difficulty)
    barcodes: list[dict] = []
    sticker = None
    if _KIND[brand] == "apple":
        st.frame = st.rules = False  # etched on the case: no ruled lines
        mask = _apple_layout(r, v, st)
        if r.chance(0.4):
            # an IT department's asset sticker under the etched text: the serial again, after
            # 'SL.#', beside a long asset number and a QR code of the serial
            sm = _asset_sticker(r, v, st, barcodes)
            gap = int(st.cap * 1.5)
            x = r.int(0, max(0, mask.shape[1] - sm.shape[1]))
            mask = _pad(mask, 0, max(0, x + sm.shape[1] - mask.shape[1]), sm.shape[0] + 2 * gap, 0)
            sticker = (sm, x, mask.shape[0] - sm.shape[0] - gap)
    else:
        main, side = _content_blocks(r, brand, v, st, barcodes)
        mask = _layout(r, brand, st, main, side)
    material = _choose_material(r, brand)
    img = _apply_material(r, mask, material, difficulty)
    if sticker is not None:
        sm, x, y = sticker
        img[y:y + sm.shape[0], x:x + sm.shape[1]] = _apply_material(r, sm, "paper", difficulty)
    img = img.astype(np.uint8)
    truth = {"brand": brand, "model": v.model, "serial": v.serial, "tier": "synthetic",
             "difficulty": difficulty, "material": material, "barcodes": barcodes,
             "value_cap": st.value_cap or st.cap, "frame": st.frame, "rules": st.rules,
             "crossed": st.crossed_roles}
    return img, truth


def render_flat_label(rng, brand: str | None = None, difficulty: str = "easy") -> tuple[np.ndarray, dict]:
    """The label itself, flat and undegraded (BGR uint8), and its truth."""
    r = _as_r(rng)
    return _flat(r, brand, _pick_difficulty(r, difficulty))


# --------------------------------------------------------------------------------------------
# Photo degradations
# --------------------------------------------------------------------------------------------
def _background(r: _R, h: int, w: int, difficulty: str) -> np.ndarray:
    g = r.g
    grey = r.uni(110, 220)
    base = np.float32(grey) * 0.7 + np.array([r.uni(110, 240), r.uni(110, 240), r.uni(110, 240)], np.float32) * 0.3
    if difficulty != "hard" and r.chance(0.6):  # appliance cabinet: white / grey / beige / steel
        base = np.array([r.uni(170, 240)] * 3, np.float32) + np.array([0, r.uni(0, 8), r.uni(0, 14)], np.float32)
    img = np.ones((h, w, 3), np.float32) * base
    img += _smooth_noise(g, h, w, 3)[..., None] * r.uni(8, 25)
    if difficulty == "hard":
        canvas = cv2.resize(img, (max(32, w // 4), max(32, h // 4)), interpolation=cv2.INTER_AREA)
        ch, cw = canvas.shape[:2]
        for _ in range(r.int(8, 20)):
            grey = r.uni(30, 230)   # muted household colours: mostly grey with a tint
            col = tuple(float(0.65 * grey + 0.35 * c) for c in g.uniform(10, 250, 3))
            kind = r.int(0, 3)
            p1 = (r.int(0, cw), r.int(0, ch))
            if kind == 0:
                cv2.rectangle(canvas, p1, (p1[0] + r.int(5, cw // 2), p1[1] + r.int(5, ch // 2)), col, -1, cv2.LINE_AA)
            elif kind == 1:
                cv2.ellipse(canvas, p1, (r.int(5, cw // 3), r.int(5, ch // 3)), r.uni(0, 180), 0, 360, col, -1, cv2.LINE_AA)
            elif kind == 2:
                cv2.line(canvas, p1, (r.int(0, cw), r.int(0, ch)), col, r.int(1, 6), cv2.LINE_AA)
            else:
                cv2.circle(canvas, p1, r.int(3, cw // 5), col, r.int(1, 4), cv2.LINE_AA)
        img = cv2.resize(canvas, (w, h), interpolation=cv2.INTER_LINEAR)
        img = cv2.GaussianBlur(img, (0, 0), r.uni(1.0, 4.0))
        # wood grain / fabric-like texture
        strength = r.uni(2, 8)
        tex = _brushed(g, h, w, strength) if r.chance(0.5) else np.ascontiguousarray(_brushed(g, w, h, strength).T)
        img += tex[..., None]
        # some foreign text (stickers, handwriting-ish) that belongs to no label
        pil = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
        d = ImageDraw.Draw(pil)
        for _ in range(r.int(1, 4)):
            f = _font(r, r.pick(["sans_bold", "serif", "italic_bold"]), r.int(30, 120))
            d.text((r.int(0, w - 100), r.int(0, h - 100)),
                   r.pick(["CAUTION HOT", "FRAGILE", "THIS SIDE UP", "No. 7", r.digits(r.int(2, 5)), "KEEP CLEAR"]),
                   font=f, fill=tuple(int(c) for c in g.uniform(0, 255, 3)))
        img = np.asarray(pil).astype(np.float32)
    return np.clip(img, 0, 255)


def _motion_kernel(length: int, angle: float) -> np.ndarray:
    k = np.zeros((length, length), np.float32)
    c = (length - 1) / 2
    dx, dy = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    cv2.line(k, (int(round(c - dx * c)), int(round(c - dy * c))),
             (int(round(c + dx * c)), int(round(c + dy * c))), 1.0, 1)
    return k / max(k.sum(), 1e-6)


def _disk_kernel(radius: float) -> np.ndarray:
    n = int(math.ceil(radius)) * 2 + 1
    yy, xx = np.mgrid[:n, :n] - n // 2
    k = ((xx ** 2 + yy ** 2) <= radius ** 2).astype(np.float32)
    return k / k.sum()


def _degrade(r: _R, label: np.ndarray, difficulty: str) -> tuple[np.ndarray, dict]:
    g = r.g
    lh, lw = label.shape[:2]
    if difficulty == "easy":
        fill = r.uni(0.8, 0.92)
        scale = 1.0
        fw, fh = int(lw / fill), int(lh / fill * r.uni(0.95, 1.05)) + int(lw * 0.05)
        angle, persp = r.uni(-1.0, 1.0), 0.0
    elif difficulty == "medium":
        fill = r.uni(0.6, 0.85)
        scale = r.uni(0.85, 1.1)
        fw = int(lw * scale / fill)
        fh = int(max(lh * scale / fill, fw * r.uni(0.6, 1.3)))
        angle, persp = r.uni(-8, 8), r.uni(0.02, 0.06)
    else:
        long_side = r.int(2000, 3000)
        landscape = r.chance(0.5)
        fw, fh = (long_side, int(long_side * 0.75)) if landscape else (int(long_side * 0.75), long_side)
        frac = r.uni(0.2, 0.4)
        scale = frac * fw / lw
        if lh * scale > 0.8 * fh:
            scale = 0.8 * fh / lh
        angle, persp = r.uni(-15, 15), r.uni(0.04, 0.10)

    size = scale  # label pixels -> photo pixels, before perspective
    # pre-shrink with area filtering so small labels do not alias
    if scale < 0.9:
        label = cv2.resize(label, (max(1, int(lw * scale)), max(1, int(lh * scale))), interpolation=cv2.INTER_AREA)
        lh, lw = label.shape[:2]
        scale = 1.0
    src = np.float32([[0, 0], [lw, 0], [lw, lh], [0, lh]])
    c = np.float32([lw / 2, lh / 2])
    th = math.radians(angle)
    rot = np.float32([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]])
    dst = (src - c) * scale @ rot.T
    dst += g.uniform(-persp, persp, dst.shape).astype(np.float32) * np.float32([lw, lh]) * scale
    # fit into the frame (grow the frame if needed), then place at a random offset
    mn, mx = dst.min(axis=0), dst.max(axis=0)
    span = mx - mn
    fw, fh = max(fw, int(span[0] + 8)), max(fh, int(span[1] + 8))
    ox = r.uni(0, fw - span[0]) if difficulty != "easy" else (fw - span[0]) / 2
    oy = r.uni(0, fh - span[1]) if difficulty != "easy" else (fh - span[1]) / 2
    dst = dst - mn + np.float32([ox, oy])
    H = cv2.getPerspectiveTransform(src, dst.astype(np.float32))

    bg = _background(r, fh, fw, difficulty)
    warped = cv2.warpPerspective(label.astype(np.float32), H, (fw, fh), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_CONSTANT)
    m = cv2.warpPerspective(np.ones((lh, lw), np.float32), H, (fw, fh), flags=cv2.INTER_LINEAR)
    if difficulty != "easy":  # soft shadow under the label edge
        sh = cv2.GaussianBlur(m, (0, 0), max(2.0, 0.01 * fw))
        bg = bg * (1 - 0.35 * np.roll(np.roll(sh, 4, 0), 4, 1)[..., None])
    img = bg * (1 - m[..., None]) + warped * m[..., None]

    # lighting
    if difficulty == "easy":
        img *= 1 + _smooth_noise(g, fh, fw, 2)[..., None] * 0.04
    else:
        amp = 0.18 if difficulty == "medium" else 0.3
        yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
        gx, gy = r.uni(-1, 1), r.uni(-1, 1)
        ramp = (gx * (xx / fw - 0.5) + gy * (yy / fh - 0.5))
        img *= (1 + amp * ramp + 0.5 * amp * _smooth_noise(g, fh, fw, 3))[..., None]
        if difficulty == "hard" or r.chance(0.25):  # glare spot
            cx, cy = r.uni(0.2, 0.8) * fw, r.uni(0.2, 0.8) * fh
            rad = r.uni(0.04, 0.15) * max(fw, fh)
            spot = np.exp(-(((xx - cx) ** 2 + ((yy - cy) * r.uni(0.6, 1.6)) ** 2) / (2 * rad ** 2)))
            img += spot[..., None] * r.uni(90, 200)
        del yy, xx

    # blur (its extent in photo pixels goes into the truth)
    blur = 0.0
    if difficulty == "medium":
        sigma_b = r.uni(0.5, 1.3)
        img = cv2.GaussianBlur(img, (0, 0), sigma_b)
        blur = 2 * sigma_b
    elif difficulty == "hard":
        if r.chance(0.5):
            length = r.int(4, 9)
            img = cv2.filter2D(img, -1, _motion_kernel(length, r.uni(0, 180)))
            blur = float(length)
        else:
            radius = r.uni(1.2, 2.8)
            img = cv2.filter2D(img, -1, _disk_kernel(radius))
            blur = 2 * radius

    # sensor noise
    sigma = {"easy": r.uni(1.5, 3.5), "medium": r.uni(3.5, 6.5), "hard": r.uni(6, 12)}[difficulty]
    img += g.normal(0, sigma, img.shape[:2]).astype(np.float32)[..., None]
    if difficulty == "hard":
        img += g.normal(0, sigma * 0.5, img.shape).astype(np.float32)   # chroma noise
    img = np.clip(img, 0, 255).astype(np.uint8)

    quad = dst.astype(np.float64)
    turn = 0
    if difficulty == "hard" and r.chance(0.35):
        turn = r.pick([90, 180, 270])
        k = turn // 90                       # np.rot90 turns counter-clockwise
        img = np.ascontiguousarray(np.rot90(img, k))
        for _ in range(k):
            quad = np.stack([quad[:, 1], fw - quad[:, 0]], axis=1)
            fw, fh = fh, fw
    quality = {"easy": r.int(85, 95), "medium": r.int(65, 75), "hard": r.int(40, 60)}[difficulty]
    info = {"rotation": round(angle, 2), "turn": turn, "jpeg_quality": quality,
            "label_scale": round(size, 4), "blur_px": round(blur, 2),
            "label_quad": [[round(float(x), 1), round(float(y), 1)] for x, y in quad]}
    return img, info


def encode_jpeg(img: np.ndarray, quality: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return buf.tobytes()


def _render(r: _R, brand: str | None, difficulty: str) -> tuple[np.ndarray, dict]:
    diff = _pick_difficulty(r, difficulty)
    label, truth = _flat(r, brand, diff)
    img, info = _degrade(r, label, diff)
    truth.update(info)
    # how tall the model and serial characters are in the photo (before perspective): a reader
    # of the benchmark can tell illegibly small ones from the pipeline's failures
    truth["value_cap_px"] = round(truth.pop("value_cap") * info["label_scale"], 1)
    return img, truth


def render_label(rng, brand: str | None = None, difficulty: str = "easy") -> tuple[np.ndarray, dict]:
    """One synthetic phone photo of a rating label (BGR uint8, after JPEG) and its truth dict."""
    img, truth = _render(_as_r(rng), brand, difficulty)
    data = encode_jpeg(img, truth["jpeg_quality"])
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR), truth


# --------------------------------------------------------------------------------------------
# Batch generation
# --------------------------------------------------------------------------------------------
def _fit_bytes(img: np.ndarray, quality: int, max_bytes: int | None) -> tuple[bytes, int, np.ndarray]:
    data = encode_jpeg(img, quality)
    if max_bytes is None:
        return data, quality, img
    q = quality
    while len(data) > max_bytes and q > 30:
        q -= 5
        data = encode_jpeg(img, q)
    while len(data) > max_bytes and max(img.shape[:2]) > 400:
        img = cv2.resize(img, None, fx=0.85, fy=0.85, interpolation=cv2.INTER_AREA)
        data = encode_jpeg(img, q)
    return data, q, img


def generate(out_dir: str | os.PathLike, count: int, seed: int = 0, difficulty: str = "mixed",
             brands: Iterable[str] | None = None, max_bytes: int | None = None) -> list[dict]:
    """Write ``count`` labelled photos and ``truth.jsonl`` to ``out_dir``; return the truth rows.

    Image ``i`` depends only on ``(seed, i)``, so a prefix of a larger run is identical to a
    smaller run with the same seed.  ``max_bytes`` lowers the JPEG quality (then the size) of any
    image that would exceed it; ``label_quad`` is rescaled accordingly.
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    brand_list = list(brands) if brands else None
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(count):
        r = _R(np.random.default_rng([int(seed), i]))
        brand = brand_list[i % len(brand_list)] if brand_list else None
        img, truth = _render(r, brand, difficulty)
        h0 = img.shape[0]
        data, q, img2 = _fit_bytes(img, truth["jpeg_quality"], max_bytes)
        if img2.shape[0] != h0:
            f = img2.shape[0] / h0
            truth["label_quad"] = [[round(x * f, 1), round(y * f, 1)] for x, y in truth["label_quad"]]
        truth["jpeg_quality"] = q
        name = f"{i:04d}.jpg"
        tmp = out / (name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, out / name)
        row = {"file": name, "brand": truth.pop("brand"), "model": truth.pop("model"),
               "serial": truth.pop("serial"), "tier": truth.pop("tier"),
               "difficulty": truth.pop("difficulty"), "seed": int(seed), "index": i}
        row.update(truth)
        rows.append(row)
    tmp = out / "truth.jsonl.tmp"
    tmp.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    os.replace(tmp, out / "truth.jsonl")
    return rows

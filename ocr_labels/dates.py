r"""Manufacture dates: decoded from a serial number by a brand's date rule, or read where printed.

A date rule is data (a ``[[date]]`` table in a pattern file). It says which characters of the
serial hold the year, month and week codes and how a code turns into a number:

```toml
[[date]]
id = "whirlpool-year-week"
since = 1970                    # first year the scheme was in use (optional)
until = 2099                    # last year (optional)
confidence = "MEDIUM"           # optional; defaults to the brand's
[date.year]
at = 2                          # 1-based position, or [first, last]; negative counts from the end
sequence = "XABCDEFGHJKLMPRSTUWY0123456789"   # code -> index; without it the chars are a number
start = 1990                    # the year of index 0
per_year = 1                    # codes per year (2 = half-years, as Apple)
cycle = 30                      # years after which codes repeat; 0 = never
[date.week]
at = [3, 4]
[date.model_era]                # optional: a model-year code in the model number
regex = '[A-Z]{2,3}\d{2}(?P<code>[A-Z])'
table = { R = 2019, T = 2020 }
```

A part may use ``chars = [2, 4]`` (scattered positions, e.g. York's split year digits) or
``group = "name"`` instead of ``at`` together with a date-level ``regex`` whose
named groups locate variable-position codes (e.g. Rheem's MMYY after a letter prefix). Numeric
codes may carry ``add`` (BSH: year = FD digits + 20, modulo 100). A week part may carry
``half_offset`` (Apple: +26 in the second half-year).

Every scheme drops the century or reuses letters, so decoding lists all candidate years and
picks one only with evidence: a plausibility window (not after ``as_of``, at most ``window``
years before it), the scheme's years of use, and a model-era code where the brand's data has
one. Confidence falls with the number of surviving candidates.
"""
from __future__ import annotations

import datetime as _dt
import regex
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:  # pragma: no cover
    from .patterns import PatternSet

__all__ = [
    "DateRule", "DatePart", "Manufactured", "compile_date_rule", "decode_serial",
    "decode_with_rule", "parse_printed_date", "age_years", "WINDOW_YEARS",
]

WINDOW_YEARS = 40           # appliances older than this are implausible candidates
HISTORY_YEARS = 50          # candidates are listed back to this many years (or the rule's `since`)
REGEX_TIMEOUT = 0.05

# Base confidence of a single surviving candidate, by source confidence.
BASE_CONFIDENCE = {
    "HIGH": 0.95, "MEDIUM-HIGH": 0.9, "MEDIUM": 0.85, "LOW-MEDIUM": 0.7,
    "LOW": 0.6, "UNVERIFIED": 0.4,
}
PRINTED_CONFIDENCE = 0.97


def _norm_conf(value: str) -> str:
    return value.upper().replace("–", "-").replace("—", "-").replace(" ", "")


# --------------------------------------------------------------------------- rule data
@dataclass(frozen=True)
class DatePart:
    """Where one date component sits and how its code becomes a number."""

    at: tuple[int, int] | None = None       # 1-based inclusive span; negative = from the end
    chars: tuple[int, ...] | None = None    # scattered 1-based positions, read in this order
    group: str | None = None                # named group of the rule's regex instead of `at`
    sequence: str | None = None             # code alphabet: index = position in it
    start: int = 0                          # value of index 0 (year part) / of code "1" otherwise
    per_year: int = 1                       # year part only
    cycle: int | None = None                # year part only; None = derived, 0 = never repeats
    add: int = 0                            # numeric codes: added before the modulo
    half_offset: int = 0                    # week part only: added in the second half-year

    def read(self, serial: str, groups: Mapping[str, str] | None) -> str | None:
        if self.group is not None:
            return (groups or {}).get(self.group) or None
        n = len(serial)
        if self.chars is not None:
            idx = [c - 1 if c > 0 else n + c for c in self.chars]
            if any(not 0 <= i < n for i in idx):
                return None
            return "".join(serial[i] for i in idx)
        assert self.at is not None
        first, last = self.at
        i = first - 1 if first > 0 else n + first
        j = last if last > 0 else n + last + 1
        if i < 0 or j > n or i >= j:
            return None
        return serial[i:j]

    def index(self, code: str) -> int | None:
        """The code's index in the sequence, or its numeric value; None when not a legal code."""
        if self.sequence is not None:
            if len(code) != 1 or code not in self.sequence:
                return None
            return self.sequence.index(code)
        if not code.isdigit():
            return None
        return (int(code) + self.add) % (10 ** len(code))


@dataclass(frozen=True)
class EraHint:
    regex: str
    table: Mapping[str, int]
    lead: int = 1       # units of a model year may be built this many years before it

    def not_before(self, model: str | None) -> int | None:
        if not model:
            return None
        value = "".join(model.upper().split())
        try:
            m = regex.match(self.regex, value, timeout=REGEX_TIMEOUT)
        except TimeoutError:
            return None
        if not m:
            return None
        year = self.table.get(m.group("code"))
        return None if year is None else year - self.lead


@dataclass(frozen=True)
class DateRule:
    id: str
    year: DatePart
    month: DatePart | None = None
    week: DatePart | None = None
    regex: str | None = None
    since: int | None = None
    until: int | None = None
    confidence: str | None = None
    model_era: EraHint | None = None
    note: str = ""


_PART_KEYS = {"at", "chars", "group", "sequence", "start", "per_year", "cycle", "add", "half_offset"}
_RULE_KEYS = {"id", "year", "month", "week", "regex", "since", "until", "confidence",
              "model_era", "note"}


def _part(data: Any, where: str, kind: str) -> DatePart:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: '{kind}' must be a table")
    unknown = set(data) - _PART_KEYS
    if unknown:
        raise ValueError(f"{where}.{kind}: unknown keys {sorted(unknown)}")
    at = data.get("at")
    group = data.get("group")
    chars = data.get("chars")
    if sum(x is not None for x in (at, group, chars)) != 1:
        raise ValueError(f"{where}.{kind}: give exactly one of 'at', 'chars' or 'group'")
    if chars is not None:
        if (not isinstance(chars, list) or not chars
                or not all(isinstance(c, int) and not isinstance(c, bool) and c != 0
                           for c in chars)):
            raise ValueError(f"{where}.{kind}: 'chars' must be a list of positions")
        chars = tuple(chars)
    span = None
    if at is not None:
        if isinstance(at, int) and not isinstance(at, bool):
            span = (at, at)
        elif (isinstance(at, list) and len(at) == 2
              and all(isinstance(x, int) and not isinstance(x, bool) for x in at)):
            span = (at[0], at[1])
        else:
            raise ValueError(f"{where}.{kind}: 'at' must be a position or [first, last]")
        if 0 in span or (span[0] > 0) != (span[1] > 0) or span[0] > span[1]:
            raise ValueError(f"{where}.{kind}: bad span {at!r}")
    if group is not None and not isinstance(group, str):
        raise ValueError(f"{where}.{kind}: 'group' must be a string")
    seq = data.get("sequence")
    if seq is not None:
        if not isinstance(seq, str) or not seq or len(set(seq)) != len(seq):
            raise ValueError(f"{where}.{kind}: 'sequence' must be a string of distinct codes")
        if (span is not None and span[0] != span[1]) or (chars is not None and len(chars) != 1):
            raise ValueError(f"{where}.{kind}: a 'sequence' code is one character")
    ints = {}
    for key, default in (("start", 0 if kind == "year" else 1), ("per_year", 1),
                         ("add", 0), ("half_offset", 0)):
        v = data.get(key, default)
        if not isinstance(v, int) or isinstance(v, bool):
            raise ValueError(f"{where}.{kind}: '{key}' must be an integer")
        ints[key] = v
    cycle = data.get("cycle")
    if cycle is not None and (not isinstance(cycle, int) or isinstance(cycle, bool) or cycle < 0):
        raise ValueError(f"{where}.{kind}: 'cycle' must be a non-negative integer")
    if ints["per_year"] < 1:
        raise ValueError(f"{where}.{kind}: 'per_year' must be >= 1")
    return DatePart(at=span, chars=chars, group=group, sequence=seq, cycle=cycle, **ints)


def compile_date_rule(data: Any, where: str = "date") -> DateRule:
    """Validate one ``[[date]]`` table; raises ValueError naming the entry on any problem."""
    if not isinstance(data, dict):
        raise ValueError(f"{where}: must be a table")
    rid = data.get("id")
    if not isinstance(rid, str) or not rid:
        raise ValueError(f"{where}: missing 'id'")
    where = f"{where} '{rid}'"
    unknown = set(data) - _RULE_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    if "year" not in data:
        raise ValueError(f"{where}: missing 'year'")
    year = _part(data["year"], where, "year")
    month = _part(data["month"], where, "month") if "month" in data else None
    week = _part(data["week"], where, "week") if "week" in data else None
    if month is not None and week is not None:
        raise ValueError(f"{where}: give 'month' or 'week', not both")
    rx = data.get("regex")
    if rx is not None:
        if not isinstance(rx, str):
            raise ValueError(f"{where}: 'regex' must be a string")
        try:
            compiled = regex.compile(rx)
        except regex.error as e:
            raise ValueError(f"{where}: regex does not compile: {e}") from e
        names = set(compiled.groupindex)
    else:
        names = set()
    for part in (year, month, week):
        if part is not None and part.group is not None and part.group not in names:
            raise ValueError(f"{where}: group '{part.group}' is not a named group of 'regex'")
    for key in ("since", "until"):
        v = data.get(key)
        if v is not None and (not isinstance(v, int) or isinstance(v, bool)):
            raise ValueError(f"{where}: '{key}' must be a year")
    conf = data.get("confidence")
    if conf is not None:
        if not isinstance(conf, str) or _norm_conf(conf) not in BASE_CONFIDENCE:
            raise ValueError(f"{where}: 'confidence' must be one of {sorted(BASE_CONFIDENCE)}")
        conf = _norm_conf(conf)
    era = None
    if "model_era" in data:
        e = data["model_era"]
        if (not isinstance(e, dict) or not isinstance(e.get("regex"), str)
                or not isinstance(e.get("table"), dict)):
            raise ValueError(f"{where}: 'model_era' needs 'regex' and 'table'")
        try:
            erx = regex.compile(e["regex"])
        except regex.error as exc:
            raise ValueError(f"{where}: model_era regex does not compile: {exc}") from exc
        if "code" not in erx.groupindex:
            raise ValueError(f"{where}: model_era regex needs a named group 'code'")
        if not all(isinstance(v, int) for v in e["table"].values()):
            raise ValueError(f"{where}: model_era table values must be years")
        era = EraHint(regex=e["regex"], table=dict(e["table"]), lead=int(e.get("lead", 1)))
    note = data.get("note", "")
    return DateRule(id=rid, year=year, month=month, week=week, regex=rx,
                    since=data.get("since"), until=data.get("until"), confidence=conf,
                    model_era=era, note=note if isinstance(note, str) else "")


# --------------------------------------------------------------------------- result
@dataclass(frozen=True)
class Manufactured:
    year: int | None
    month: int | None
    week: int | None
    candidates: tuple[int, ...]
    rule: str
    source: str
    confidence: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} outside [0, 1]")
        if self.source not in ("decoded", "printed"):
            raise ValueError(f"source {self.source!r}")

    def to_dict(self) -> dict:
        return {"year": self.year, "month": self.month, "week": self.week,
                "candidates": list(self.candidates), "rule": self.rule,
                "source": self.source, "confidence": self.confidence}


# --------------------------------------------------------------------------- decoding
@dataclass(frozen=True)
class _Codes:
    base_year: int          # one year the code allows
    cycle: int              # 0 = no repeat
    half: int               # 0 or 1 (per_year == 2), else 0
    month: int | None
    week: int | None



def _part_number(part: DatePart, serial: str, groups: dict[str, str] | None) -> int | None:
    """The month or week a date part encodes: its code's place in the letter sequence counted from
    ``start``, or the number as written; None when the code is missing or not in the sequence."""
    code = part.read(serial, groups)
    i = None if code is None else part.index(code)
    if i is None:
        return None
    return i + part.start if part.sequence is not None else i

def _read_codes(rule: DateRule, serial: str) -> _Codes | None:
    groups = None
    if rule.regex is not None:
        try:
            m = regex.fullmatch(rule.regex, serial, timeout=REGEX_TIMEOUT)
        except TimeoutError:
            return None
        if m is None:
            return None
        groups = m.groupdict()
    ycode = rule.year.read(serial, groups)
    if ycode is None:
        return None
    idx = rule.year.index(ycode)
    if idx is None:
        return None
    per = rule.year.per_year
    base = rule.year.start + idx // per
    half = idx % per if per == 2 else 0
    month = week = None
    if rule.month is not None:
        month = _part_number(rule.month, serial, groups)
        if month is None or not 1 <= month <= 12:
            return None
    if rule.week is not None:
        week = _part_number(rule.week, serial, groups)
        if week is None:
            return None
        if half:
            week += rule.week.half_offset
        if not 1 <= week <= 53:
            return None
    if rule.year.cycle is not None:
        cycle = rule.year.cycle
    elif rule.year.sequence is not None:
        cycle = len(rule.year.sequence) // per
    else:
        cycle = 10 ** len(ycode)
    return _Codes(base, cycle, half, month, week)


def _start_of(year: int, month: int | None, week: int | None) -> _dt.date:
    if week is not None:
        try:
            return _dt.date.fromisocalendar(year, week, 1)
        except ValueError:              # week 53 in a 52-week year: the year's last days
            return _dt.date(year, 12, 28)
    return _dt.date(year, month or 1, 1)


def decode_with_rule(rule: DateRule, serial: str, *, base_confidence: str = "MEDIUM",
                     model: str | None = None, as_of: _dt.date | None = None
                     ) -> Manufactured | None:
    """Decode ``serial`` (already normalised) with one date rule; None when it cannot."""
    as_of = as_of or _dt.date.today()
    codes = _read_codes(rule, serial)
    if codes is None:
        return None
    lo = max(rule.since if rule.since is not None else -10**6, as_of.year - HISTORY_YEARS)
    hi = min(rule.until if rule.until is not None else as_of.year, as_of.year)
    if codes.cycle:
        first = codes.base_year - ((codes.base_year - lo) // codes.cycle) * codes.cycle
        years = tuple(range(first, hi + 1, codes.cycle))
    else:
        years = (codes.base_year,) if lo <= codes.base_year <= hi else ()
    years = tuple(y for y in years if _start_of(y, codes.month, codes.week) <= as_of)
    if not years:
        return None
    survivors = [y for y in years if y >= as_of.year - WINDOW_YEARS]
    era = rule.model_era.not_before(model) if rule.model_era else None
    if era is not None:
        survivors = [y for y in survivors if y >= era] or survivors
    conf_key = rule.confidence or _norm_conf(base_confidence)
    base = BASE_CONFIDENCE.get(conf_key, BASE_CONFIDENCE["MEDIUM"])
    if survivors:
        year = max(survivors)
        confidence = round(base / len(survivors), 3)
    else:
        year, confidence = None, 0.0
    return Manufactured(year=year, month=codes.month, week=codes.week, candidates=years,
                        rule=rule.id, source="decoded", confidence=confidence)


def decode_serial(patterns: "PatternSet", brand: str, serial: str, *,
                  model: str | None = None, as_of: _dt.date | None = None
                  ) -> Manufactured | None:
    """Decode the manufacture date from ``serial`` with the rules of ``brand``.

    ``brand`` is any name, alias or family member. The serial rules that fullmatch are tried
    in order of strength; the first whose date rule yields a valid date wins. A brand whose
    serials are decoded by the actual maker (Kenmore) uses the maker named by the model prefix.
    """
    b = patterns.get(brand)
    if b is None or not serial:
        return None
    value = "".join(serial.upper().split())
    if b.makers and model:
        mvalue = "".join(model.upper().split())
        for prefix in sorted(b.makers, key=len, reverse=True):
            if mvalue.startswith(prefix):
                maker = patterns.get(b.makers[prefix])
                if maker is not None and maker is not b:
                    return decode_serial(patterns, maker.name, value, model=None, as_of=as_of)
                break
    rules = sorted((r for r in b.serials if r.date), key=lambda r: -r.strength)
    for r in rules:
        if not r.fullmatch(value):
            continue
        rule = b.dates.get(r.date)
        if rule is None:
            continue
        result = decode_with_rule(rule, value, base_confidence=b.confidence,
                                  model=model, as_of=as_of)
        if result is not None:
            return result
    return None


# --------------------------------------------------------------------------- printed dates
_MONTHS = {m: i for i, m in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)}
_MONTH_RX = r"(?P<mname>JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEPT?|OCT|NOV|DEC)[A-Z]*\.?"
_KEY_RX = (
    r"(?:MFG\.?\s*DATE|MFR\.?\s*DATE|MFD\.?\s*DATE|DATE\s+OF\s+(?:MFR|MFG|MANUFACTURE)\.?"
    r"|DATE\s+MFD|PROD(?:UCTION|\.)?\s*DATE|MANUFACTURED(?:\s+(?:ON|IN|DATE))?|MFD\.?|MFG\.?)"
)
_DATE_RX = (
    r"(?:(?P<y4a>(?:19|20)\d\d)[-/.](?P<m_a>\d{1,2})(?:[-/.](?P<d_a>\d{1,2}))?"      # 2019-05(-14)
    r"|(?P<m_b>\d{1,2})[-/.](?:(?P<d_b>\d{1,2})[-/.])?(?P<y4b>(?:19|20)\d\d)"       # 03/2017, 03/14/2017
    r"|(?P<p1>\d{2})[-/.](?P<p2>\d{2})(?![-/.]?\d)"                                 # 05/19 (MM/YY or YY/MM)
    r"|" + _MONTH_RX + r"\s*,?\s*(?P<y4c>(?:19|20)\d\d|\d{2})"                      # MAR 2017
    r"|(?P<y4d>(?:19|20)\d\d)(?![-/.\d]))"                                          # 2019
)
_PRINTED = regex.compile(
    r"(?<![A-Z])" + _KEY_RX + r"\s*[:#=]?\s*" + _DATE_RX, regex.IGNORECASE)


def _year2(yy: int, as_of: _dt.date) -> int:
    year = 2000 + yy
    return year if year <= as_of.year else 1900 + yy


def parse_printed_date(text: str, *, as_of: _dt.date | None = None) -> Manufactured | None:
    """Find a printed manufacture date ("MFG DATE 03/2017", "MFD 05/19", ...) in label text."""
    if not text:
        return None
    as_of = as_of or _dt.date.today()
    for m in _PRINTED.finditer(text, timeout=1.0):
        g = m.groupdict()
        year = month = None
        if g["y4a"]:
            year, month = int(g["y4a"]), int(g["m_a"])
        elif g["y4b"]:
            year, month = int(g["y4b"]), int(g["m_b"])
        elif g["p1"]:
            a, b = int(g["p1"]), int(g["p2"])
            if 1 <= a <= 12:
                month, year = a, _year2(b, as_of)       # MM/YY, the common North-American form
            elif 1 <= b <= 12:
                year, month = _year2(a, as_of), b       # YY/MM (newer ThinkPad labels)
            else:
                continue
        elif g["mname"]:
            month = _MONTHS[g["mname"].upper()[:3]]
            y = g["y4c"]
            year = int(y) if len(y) == 4 else _year2(int(y), as_of)
        elif g["y4d"]:
            year = int(g["y4d"])
        if year is None or (month is not None and not 1 <= month <= 12):
            continue
        if _dt.date(year, month or 1, 1) > as_of or year < as_of.year - HISTORY_YEARS:
            continue
        return Manufactured(year=year, month=month, week=None, candidates=(year,),
                            rule="printed", source="printed", confidence=PRINTED_CONFIDENCE)
    return None


def age_years(m: Manufactured | None, as_of: _dt.date) -> float | None:
    """Age in years (one decimal) from the middle of the decoded period to ``as_of``."""
    if m is None or m.year is None:
        return None
    if m.week is not None:
        made = _start_of(m.year, None, m.week) + _dt.timedelta(days=3)
    elif m.month is not None:
        made = _dt.date(m.year, m.month, 15)
    else:
        made = _dt.date(m.year, 7, 1)
    return round(max(0.0, (as_of - made).days / 365.25), 1)

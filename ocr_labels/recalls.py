"""Check records against a recall list (a CSV the user keeps; see docs/recalls.md).

Columns: ``brand,model_pattern,serial_from,serial_to,date_from,date_to,recall_id,url,title``.

- ``brand``: required; several brands separated by ``;``. Compared case- and punctuation-
  insensitively (``Jenn-Air`` = ``JENN AIR`` = ``jennair``).
- ``model_pattern``: a shell-style glob (``*`` any run of characters, ``?`` one character,
  ``[AB]`` one of a set), matched against the WHOLE model, case-insensitively, ignoring spaces.
  Empty: every model of the brand.
- ``serial_from``/``serial_to``: an inclusive range. A serial is compared only with bounds of the
  same length, character by character (upper case, spaces removed), so ``CD0000000`` ..
  ``CD9999999`` holds ``CD3700848`` but not ``CD37008``. Either bound may be empty.
- ``date_from``/``date_to``: manufacture months, ``YYYY-MM`` or ``YYYY`` (``2019`` as a start is
  January, as an end December), compared with the record's ``manufactured`` year and month (the
  month is derived from the ISO week when only a week is known).
- ``recall_id``: required; ``url`` and ``title``: shown with a match.
Lines starting with ``#`` are comments. Empty optional cells mean "no condition".

A record matches when its brand matches and no condition fails. A condition the record cannot
answer (the model, serial or date was not read) does not exclude it: the match is then reported as
POSSIBLE (``Match.certain`` is false) with the reason, because a recall missed is worse than one
checked by hand. A record that answers none of the recall's conditions beyond the brand is not
reported (it would flag every unread label of the brand); a year that straddles the date range
while the month is unknown counts as an answer (a POSSIBLE match).
"""
from __future__ import annotations

import csv
import fnmatch
import functools
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterable

from .errors import UsageError
from .records import Record

COLUMNS = ("brand", "model_pattern", "serial_from", "serial_to", "date_from", "date_to",
           "recall_id", "url", "title")
REQUIRED = ("brand", "recall_id")


class RecallListError(UsageError):
    """The recall list is malformed; the message names the file and line."""


@dataclass(frozen=True)
class Recall:
    brands: tuple[str, ...]
    model_pattern: str | None
    serial_from: str | None
    serial_to: str | None
    date_from: tuple[int, int] | None
    date_to: tuple[int, int] | None
    recall_id: str
    url: str | None = None
    title: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Match:
    record: Record
    recall: Recall
    why: str
    certain: bool = True


def normalize_brand(brand: str | None) -> str:
    """Case- and punctuation-insensitive brand key: ``Jenn-Air`` -> ``jennair``."""
    return "".join(ch for ch in (brand or "").casefold() if ch.isalnum())


def _squash(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "").upper()


@functools.lru_cache(maxsize=None)
def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(_squash(pattern)))


_DATE = re.compile(r"(\d{4})(?:-(\d{1,2}))?")


def _parse_month(text: str, *, end: bool, where: str) -> tuple[int, int]:
    m = _DATE.fullmatch(text)
    if not m or (m.group(2) and not 1 <= int(m.group(2)) <= 12):
        raise RecallListError(f"{where}: date {text!r} is not YYYY-MM or YYYY")
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else (12 if end else 1)
    return year, month


def load_recall_list(path: str | Path) -> list[Recall]:
    """Read and validate a recall list; errors name the file, line and column."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise RecallListError(f"cannot read recall list {path}: {e}") from e
    # Drop comment lines but remember each kept line's number for messages.
    kept = [(n, line) for n, line in enumerate(text.splitlines(), 1)
            if line.strip() and not line.lstrip().startswith("#")]
    if not kept:
        raise RecallListError(f"{path}: no header line", hint=f"columns: {','.join(COLUMNS)}")
    rows = list(csv.reader([line for _, line in kept]))
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RecallListError(f"{path}:{kept[0][0]}: missing column(s) {', '.join(missing)}",
                              hint=f"the header is: {','.join(COLUMNS)}")
    recalls = []
    for (lineno, _), cells in zip(kept[1:], rows[1:]):
        where = f"{path}:{lineno}"
        if len(cells) != len(header):
            raise RecallListError(f"{where}: {len(cells)} cells, the header has {len(header)}")
        row = {h: (c.strip() or None) for h, c in zip(header, cells)}
        for col in REQUIRED:
            if not row[col]:
                raise RecallListError(f"{where}: {col} is empty")
        brands = tuple(b for b in (normalize_brand(x) for x in row["brand"].split(";")) if b)
        if not brands:
            raise RecallListError(f"{where}: brand {row['brand']!r} has no letters or digits")
        s_from, s_to = _squash(row["serial_from"]) or None, _squash(row["serial_to"]) or None
        if s_from and s_to:
            if len(s_from) != len(s_to):
                raise RecallListError(f"{where}: serial_from and serial_to differ in length")
            if s_from > s_to:
                raise RecallListError(f"{where}: serial_from is after serial_to")
        d_from = _parse_month(row["date_from"], end=False, where=where) if row["date_from"] else None
        d_to = _parse_month(row["date_to"], end=True, where=where) if row["date_to"] else None
        if d_from and d_to and d_from > d_to:
            raise RecallListError(f"{where}: date_from is after date_to")
        recalls.append(Recall(
            brands=brands, model_pattern=row["model_pattern"], serial_from=s_from, serial_to=s_to,
            date_from=d_from, date_to=d_to, recall_id=row["recall_id"], url=row["url"],
            title=row["title"], line=lineno))
    return recalls


def _record_months(manufactured: dict | None) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The first and last month the record's manufacture date can mean, or None if unknown."""
    if not isinstance(manufactured, dict) or not manufactured.get("year"):
        return None
    try:
        year = int(manufactured["year"])
        if manufactured.get("month"):
            month = int(manufactured["month"])
            return (year, month), (year, month)
        if manufactured.get("week"):
            month = date.fromisocalendar(year, int(manufactured["week"]), 4).month
            return (year, month), (year, month)
    except (TypeError, ValueError):
        return None
    return (year, 1), (year, 12)


def _fmt(ym: tuple[int, int]) -> str:
    return f"{ym[0]}-{ym[1]:02d}"


def _check(record: Record, recall: Recall) -> Match | None:
    if normalize_brand(record.brand) not in recall.brands:
        return None
    reasons: list[str] = []
    unknown: list[str] = []
    partial_date = False
    if recall.model_pattern is not None:
        model = _squash(record.model)
        if not model:
            unknown.append("model not read")
        elif _glob(recall.model_pattern).fullmatch(model):
            reasons.append(f"model {record.model} matches {recall.model_pattern}")
        else:
            return None
    if recall.serial_from or recall.serial_to:
        serial = _squash(record.serial)
        bound_len = len(recall.serial_from or recall.serial_to or "")
        if not serial:
            unknown.append("serial not read")
        elif len(serial) != bound_len:
            return None
        elif (recall.serial_from and serial < recall.serial_from) or (
                recall.serial_to and serial > recall.serial_to):
            return None
        else:
            reasons.append(f"serial {serial} in {recall.serial_from or '…'}..{recall.serial_to or '…'}")
    if recall.date_from or recall.date_to:
        span = _record_months(record.manufactured)
        lo, hi = recall.date_from or (0, 1), recall.date_to or (9999, 12)
        if span is None:
            unknown.append("manufacture date unknown")
        elif span[1] < lo or span[0] > hi:
            return None
        elif lo <= span[0] and span[1] <= hi:
            reasons.append(f"made {_fmt(span[0]) if span[0] == span[1] else span[0][0]} "
                           f"in {_fmt(lo) if recall.date_from else '…'}..{_fmt(hi) if recall.date_to else '…'}")
        else:  # the year overlaps the range at one end and the month is not known
            unknown.append(f"made in {span[0][0]}, month unknown")
            partial_date = True
    has_conditions = bool(recall.model_pattern or recall.serial_from or recall.serial_to
                          or recall.date_from or recall.date_to)
    if has_conditions and not reasons and not partial_date:
        return None
    why = "; ".join([f"brand {record.brand}"] + reasons + unknown)
    return Match(record=record, recall=recall, why=why, certain=not unknown)


def check_records(records: Iterable[Record], recalls: list[Recall]) -> list[Match]:
    """Every (record, recall) that matches, in record order then list order."""
    matches = []
    for record in records:
        if record.error is not None:
            continue
        for recall in recalls:
            m = _check(record, recall)
            if m is not None:
                matches.append(m)
    return matches


__all__ = ["Recall", "Match", "RecallListError", "load_recall_list", "check_records",
           "normalize_brand", "COLUMNS"]

"""The SQLite inventory: one row per appliance, and a ledger of photos already processed.

A unit is keyed by brand + serial (upper case, no spaces) when the record has a serial, otherwise
by the photo's content hash (plus the page for a PDF). The same unit seen in a second photo
updates its row: each value is kept from whichever photo read it with the higher confidence, and
every photo is remembered in the ``files`` JSON column.

``photos`` records each processed photo (content hash + page). ``is_done`` answers whether a rerun
may skip it, so a batch interrupted by Ctrl-C, a crash or a power cut resumes where it stopped:
``add`` writes the unit and the photo in ONE transaction, so either both are stored or neither
(and the photo is simply read again). Photos whose record carries an ``error`` are recorded with
the error but are not "done": the next run retries them.

Durability: WAL journal, ``synchronous=NORMAL``, one commit per record. After a power cut the
database is consistent; at worst the last few commits are lost, and their photos then count as
not done and are read again: nothing lost, nothing twice.

Exports (``Inventory.export``):

``snipeit``
    Snipe-IT asset import CSV. Column names from the Snipe-IT documentation "Importing Assets"
    (https://snipe-it.readme.io/docs/importing-assets) and its linked sample
    ``sample_csvs/assets-sample.csv``, checked against the header names the importer maps
    automatically (``app/Livewire/Importer.php``: field labels and aliases): ``Name``,
    ``Asset Tag``, ``Serial Number``, ``Model Name``, ``Model Number``, ``Manufacturer``,
    ``Category``, ``Status``, ``Asset Notes``. ``Model Name``, ``Category`` and ``Status`` are
    required when Snipe-IT creates an asset; ``Asset Tag`` is its lookup key, so it is derived
    from the unit key and a re-import updates instead of duplicating. The manufacture date goes
    in the notes (it is not a purchase date).
``homebox``
    HomeBox CSV import. Column names from HomeBox's "CSV Imports" documentation
    (https://hay-kot.github.io/homebox/import-csv/, ``docs/docs/import-csv.md``):
    ``HB.import_ref`` (the unit key, so a re-import updates), ``HB.location`` (required by the
    importer), ``HB.labels``, ``HB.quantity``, ``HB.name``, ``HB.manufacturer``,
    ``HB.model_number``, ``HB.serial_number``, ``HB.notes``, and the custom field
    ``HB.field.Manufactured``.
``csv``, ``jsonl``, ``json``
    Every row. ``csv`` has the flat inventory columns (``INVENTORY_COLUMNS``); ``jsonl``/``json``
    hold each unit's merged record (readable back with ``Record.from_dict``) plus ``key``,
    ``files`` and ``scanned_at``.
"""
from __future__ import annotations

import csv
import json
import re
import sqlite3
import sys
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Iterator

from .errors import UsageError
from .records import Record
from .sinks import atomic_write, csv_cell

EXPORT_FORMATS = ("csv", "jsonl", "json", "snipeit", "homebox")

SCHEMA = """
CREATE TABLE IF NOT EXISTS units (
    key                TEXT PRIMARY KEY,
    file               TEXT NOT NULL,
    page               INTEGER,
    files              TEXT NOT NULL,
    brand              TEXT,
    model              TEXT,
    serial             TEXT,
    brand_confidence   REAL,
    model_confidence   REAL,
    serial_confidence  REAL,
    model_source       TEXT,
    serial_source      TEXT,
    manufactured_year  INTEGER,
    manufactured_month INTEGER,
    manufactured_week  INTEGER,
    manufactured       TEXT,
    age_years          REAL,
    error              TEXT,
    scanned_at         TEXT NOT NULL,
    sha256             TEXT,
    record             TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS photos (
    sha256     TEXT NOT NULL,
    page       INTEGER,
    file       TEXT NOT NULL,
    scanned_at TEXT NOT NULL,
    error      TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS photos_by_hash ON photos (sha256, ifnull(page, -1));
CREATE TABLE IF NOT EXISTS complete_files (
    sha256     TEXT PRIMARY KEY,
    file       TEXT NOT NULL,
    scanned_at TEXT NOT NULL
);
"""

# Flat columns of the ``csv`` export, in order (the ``units`` table without the record JSON).
INVENTORY_COLUMNS = (
    "key", "brand", "model", "serial", "brand_confidence", "model_confidence", "serial_confidence",
    "model_source", "serial_source", "manufactured_year", "manufactured_month", "manufactured_week",
    "manufactured", "age_years", "file", "page", "files", "error", "scanned_at", "sha256",
)

SNIPEIT_COLUMNS = (
    "Name", "Asset Tag", "Serial Number", "Model Name", "Model Number", "Manufacturer",
    "Category", "Status", "Asset Notes",
)
SNIPEIT_CATEGORY = "Appliances"
SNIPEIT_STATUS = "Ready to Deploy"  # a status label every new Snipe-IT install has

HOMEBOX_COLUMNS = (
    "HB.import_ref", "HB.location", "HB.labels", "HB.quantity", "HB.name", "HB.manufacturer",
    "HB.model_number", "HB.serial_number", "HB.notes", "HB.field.Manufactured",
)
HOMEBOX_LOCATION = "Appliances"
HOMEBOX_LABELS = "appliance"

_SPACE = re.compile(r"\s+")


def _squash(text: str | None) -> str:
    return _SPACE.sub("", text or "").upper()


def unit_key(record: Record) -> str:
    """The row key: ``serial:BRAND:SERIAL`` when there is a serial, else the photo's content hash
    (``sha256:<hex>``, with ``#<page>`` for a PDF page), else the file name as a last resort."""
    serial = _squash(record.serial)
    if serial:
        return f"serial:{_squash(record.brand)}:{serial}"
    page = "" if record.page is None else f"#{record.page}"
    if record.sha256:
        return f"sha256:{record.sha256}{page}"
    return f"file:{record.file}{page}"


def _photo_key(record: Record) -> str | None:
    if not record.sha256:
        return None
    return f"sha256:{record.sha256}" + ("" if record.page is None else f"#{record.page}")


def _file_ref(record: Record) -> str:
    return record.file if record.page is None else f"{record.file}#{record.page}"


def _conf(value: float | None) -> float:
    return -1.0 if value is None else value


def merge_records(old: Record, new: Record) -> Record:
    """The same unit seen twice: keep each value from the reading with the higher confidence.

    An errored reading never replaces values; values replace an errored reading. The first photo
    stays the unit's ``file`` (with its boxes); ``warnings`` and ``models`` are united.
    """
    if new.error is not None:
        return new if old.error is not None else old
    if old.error is not None:
        return new
    take: dict[str, Any] = {}
    if new.brand and (not old.brand or _conf(new.brand_confidence) > _conf(old.brand_confidence)):
        take.update(brand=new.brand, brand_confidence=new.brand_confidence)
    if new.model and (not old.model or _conf(new.model_confidence) > _conf(old.model_confidence)):
        take.update(model=new.model, model_confidence=new.model_confidence,
                    model_source=new.model_source)
    new_serial_wins = bool(new.serial) and (
        not old.serial or _conf(new.serial_confidence) > _conf(old.serial_confidence))
    if new_serial_wins:
        take.update(serial=new.serial, serial_confidence=new.serial_confidence,
                    serial_source=new.serial_source)
    # The manufacture date is decoded from the serial: it follows the serial that won.
    if new.manufactured and (new_serial_wins or not old.manufactured):
        take.update(manufactured=new.manufactured, age_years=new.age_years)
    take["warnings"] = tuple(dict.fromkeys(old.warnings + new.warnings))
    take["models"] = tuple(dict.fromkeys(old.models + new.models))
    return replace(old, **take)


def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _date_parts(manufactured: dict[str, Any] | None) -> tuple[Any, Any, Any]:
    if not isinstance(manufactured, dict):
        return None, None, None
    return manufactured.get("year"), manufactured.get("month"), manufactured.get("week")


class Inventory:
    """A SQLite inventory file. Use as a context manager, or call ``close()``."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE in ``add``).
        self._db = sqlite3.connect(str(self.path), isolation_level=None, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    # -- context manager -------------------------------------------------------------------
    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Inventory":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------
    def add(self, record: Record, *, scanned_at: str | None = None) -> str:
        """Store one record (unit row + photo ledger) in one transaction; returns the unit key."""
        when = scanned_at or _utc_now()
        key = unit_key(record)
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            files: list[str] = []
            merged = record
            old = db.execute("SELECT record, files FROM units WHERE key = ?", (key,)).fetchone()
            if old is not None:
                files = json.loads(old["files"])
                merged = merge_records(Record.from_dict(json.loads(old["record"])), record)
            photo_key = _photo_key(record)
            if photo_key and photo_key != key and record.error is None:
                # This photo was read before without a serial (or with an error): that row is the
                # same unit, superseded by this reading.
                stale = db.execute("SELECT files FROM units WHERE key = ?", (photo_key,)).fetchone()
                if stale is not None:
                    files = json.loads(stale["files"]) + files
                    db.execute("DELETE FROM units WHERE key = ?", (photo_key,))
            files = list(dict.fromkeys(files + [_file_ref(record)]))
            self._upsert_unit(key, merged, files, when)
            if record.sha256:
                db.execute("DELETE FROM photos WHERE sha256 = ? AND ifnull(page, -1) = ifnull(?, -1)",
                           (record.sha256, record.page))
                db.execute("INSERT INTO photos (sha256, page, file, scanned_at, error) "
                           "VALUES (?, ?, ?, ?, ?)",
                           (record.sha256, record.page, record.file, when, record.error))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return key

    def _upsert_unit(self, key: str, r: Record, files: list[str], when: str) -> None:
        year, month, week = _date_parts(r.manufactured)
        values = {
            "key": key, "file": r.file, "page": r.page, "files": json.dumps(files, ensure_ascii=False),
            "brand": r.brand, "model": r.model, "serial": r.serial,
            "brand_confidence": r.brand_confidence, "model_confidence": r.model_confidence,
            "serial_confidence": r.serial_confidence, "model_source": r.model_source,
            "serial_source": r.serial_source, "manufactured_year": year,
            "manufactured_month": month, "manufactured_week": week,
            "manufactured": None if r.manufactured is None else json.dumps(r.manufactured),
            "age_years": r.age_years, "error": r.error, "scanned_at": when, "sha256": r.sha256,
            "record": r.to_json(),
        }
        names = ", ".join(values)
        marks = ", ".join(f":{n}" for n in values)
        updates = ", ".join(f"{n} = excluded.{n}" for n in values if n != "key")
        # An upsert, not INSERT OR REPLACE: the row keeps its rowid, so listings keep their order.
        self._db.execute(f"INSERT INTO units ({names}) VALUES ({marks}) "
                         f"ON CONFLICT(key) DO UPDATE SET {updates}", values)

    # -- reading ---------------------------------------------------------------------------
    def mark_complete(self, sha256: str, file: str) -> None:
        """Say that every page of a multi-page file (PDF, multi-page TIFF) has been added. Until
        then ``is_done(sha256)`` is false for it: a batch cut off after page 2 of 5 must read the
        file again on resume (pages already stored are merged, not duplicated)."""
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("INSERT OR REPLACE INTO complete_files (sha256, file, scanned_at) "
                             "VALUES (?, ?, ?)", (sha256, file, _utc_now()))

    def is_done(self, sha256: str, page: int | None = None) -> bool:
        """True when this photo (this page, for a PDF) was processed without an error.

        Without ``page``: true when the file was processed and none of its pages failed; for a
        multi-page file also ``mark_complete`` must have been called (see there)."""
        if page is not None:
            row = self._db.execute(
                "SELECT error FROM photos WHERE sha256 = ? AND page = ?", (sha256, page)).fetchone()
            return row is not None and row["error"] is None
        row = self._db.execute(
            "SELECT count(*) AS n, count(error) AS failed, count(page) AS paged "
            "FROM photos WHERE sha256 = ?", (sha256,)).fetchone()
        if row["n"] == 0 or row["failed"] > 0:
            return False
        if row["paged"] == 0:
            return True
        return self._db.execute("SELECT 1 FROM complete_files WHERE sha256 = ?",
                                (sha256,)).fetchone() is not None

    def photos(self) -> Iterator[dict[str, Any]]:
        for row in self._db.execute("SELECT * FROM photos ORDER BY rowid"):
            yield dict(row)

    def count(self) -> int:
        return self._db.execute("SELECT count(*) FROM units").fetchone()[0]

    def rows(self) -> Iterator[dict[str, Any]]:
        """Each unit as a dict of its columns; ``files`` and ``manufactured`` decoded from JSON."""
        for row in self._db.execute("SELECT * FROM units ORDER BY rowid").fetchall():
            d = dict(row)
            d["files"] = json.loads(d["files"])
            d["manufactured"] = None if d["manufactured"] is None else json.loads(d["manufactured"])
            yield d

    def records(self) -> Iterator[Record]:
        for d in self.rows():
            yield Record.from_dict(json.loads(d["record"]))

    # -- export ----------------------------------------------------------------------------
    def export(self, fmt: str, out: str | Path | IO[str] | None = None) -> int:
        """Write every unit in ``fmt`` to ``out`` (a path, written atomically; an open text
        file; or stdout for ``None``/``-``). Returns the number of units written."""
        name = (fmt or "").strip().lower()
        writers = {"csv": self._write_csv, "jsonl": self._write_jsonl, "json": self._write_json,
                   "snipeit": self._write_snipeit, "homebox": self._write_homebox}
        if name not in writers:
            raise UsageError(f"unknown export format {fmt!r}",
                             hint=f"use one of: {', '.join(EXPORT_FORMATS)}")
        writer = writers[name]
        if out is None or (isinstance(out, (str, Path)) and str(out) == "-"):
            n = writer(sys.stdout)
            sys.stdout.flush()
            return n
        if isinstance(out, (str, Path)):
            with atomic_write(out, newline="") as fh:
                return writer(fh)
        return writer(out)

    def _write_csv(self, fh: IO[str]) -> int:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(INVENTORY_COLUMNS)
        n = 0
        for d in self.rows():
            w.writerow([csv_cell(c, d[c]) for c in INVENTORY_COLUMNS])
            n += 1
        return n

    def _export_dicts(self) -> Iterator[dict[str, Any]]:
        for d in self.rows():
            rec = json.loads(d["record"])
            rec.update(key=d["key"], files=d["files"], scanned_at=d["scanned_at"])
            yield rec

    def _write_jsonl(self, fh: IO[str]) -> int:
        n = 0
        for rec in self._export_dicts():
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
        return n

    def _write_json(self, fh: IO[str]) -> int:
        items = list(self._export_dicts())
        fh.write(json.dumps(items, ensure_ascii=False, indent=1) + "\n")
        return len(items)

    def _importable(self) -> Iterator[dict[str, Any]]:
        """Units worth importing into an asset tracker: read without error, with a model or serial."""
        for d in self.rows():
            if d["error"] is None and (d["model"] or d["serial"]):
                yield d

    def _write_snipeit(self, fh: IO[str]) -> int:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(SNIPEIT_COLUMNS)
        n = 0
        for d in self._importable():
            w.writerow([
                _display_name(d), asset_tag(d["key"]), d["serial"] or "",
                d["model"] or "Unknown model", d["model"] or "", d["brand"] or "",
                SNIPEIT_CATEGORY, SNIPEIT_STATUS, _notes(d),
            ])
            n += 1
        return n

    def _write_homebox(self, fh: IO[str]) -> int:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(HOMEBOX_COLUMNS)
        n = 0
        for d in self._importable():
            w.writerow([
                d["key"][:100], HOMEBOX_LOCATION, HOMEBOX_LABELS, 1, _display_name(d),
                d["brand"] or "", d["model"] or "", d["serial"] or "", _notes(d),
                format_manufactured(d["manufactured"]),
            ])
            n += 1
        return n


def asset_tag(key: str) -> str:
    """A stable Snipe-IT asset tag from a unit key: ``BRAND-SERIAL`` or ``PHOTO-<hash prefix>``."""
    kind, _, rest = key.partition(":")
    if kind == "serial":
        brand, _, serial = rest.partition(":")
        return f"{brand}-{serial}" if brand else serial
    if kind == "sha256":
        digest, _, page = rest.partition("#")
        return f"PHOTO-{digest[:16]}" + (f"-P{page}" if page else "")
    return "FILE-" + rest


def format_manufactured(m: dict[str, Any] | None) -> str:
    """``2013-09``, ``2013 week 37`` or ``2013``; empty when unknown."""
    if not isinstance(m, dict) or not m.get("year"):
        return ""
    year = int(m["year"])
    if m.get("month"):
        return f"{year}-{int(m['month']):02d}"
    if m.get("week"):
        return f"{year} week {int(m['week'])}"
    return str(year)


def _display_name(d: dict[str, Any]) -> str:
    return " ".join(p for p in (d["brand"], d["model"]) if p) or f"Appliance {d['serial'] or ''}".strip()


def _notes(d: dict[str, Any]) -> str:
    parts = []
    made = format_manufactured(d["manufactured"])
    if made:
        parts.append(f"Manufactured {made}")
    if d["age_years"] is not None:
        parts.append(f"age {d['age_years']:.1f} years")
    parts.append("read by ocr-labels from " + ", ".join(d["files"]))
    return "; ".join(parts)


__all__ = ["Inventory", "unit_key", "merge_records", "EXPORT_FORMATS", "INVENTORY_COLUMNS",
           "SNIPEIT_COLUMNS", "HOMEBOX_COLUMNS", "format_manufactured", "asset_tag"]

"""Record writers: JSON Lines (default), CSV and a JSON array, to a file or stdout.

Streaming formats (``jsonl``, ``csv``) write and flush each record as it comes, so a batch
killed half way (Ctrl-C, SIGKILL, a crash) keeps every record written before it; with
``append=True`` a rerun adds to the same file. The ``json`` array cannot be streamed: it is
written once, on ``close()``, through a temporary file in the same folder and ``os.replace``,
so a reader never sees half an array and an existing file is only replaced by a complete one.

>>> with open_sink("csv", "out.csv", append=True) as sink:   # doctest: +SKIP
...     sink.write(record)
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import IO, Any, Iterator

from .errors import UsageError
from .records import RECORD_FIELDS, Record

FORMATS = ("jsonl", "csv", "json")
DEFAULT_FORMAT = "jsonl"

# Record fields whose values are lists or dicts: JSON-encoded inside their CSV cell.
NESTED_FIELDS = frozenset({"manufactured", "candidates", "warnings", "models", "boxes"})


@contextlib.contextmanager
def atomic_write(path: str | Path, *, mode: str = "w", encoding: str | None = "utf-8",
                 newline: str | None = None) -> Iterator[IO[Any]]:
    """Open a temporary file next to ``path``; on success fsync it and ``os.replace`` it over
    ``path``. On an exception the temporary file is removed and ``path`` is left untouched."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        kwargs: dict[str, Any] = {} if "b" in mode else {"encoding": encoding, "newline": newline}
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates the file 0600; give it the permissions a normal open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def csv_cell(name: str, value: Any) -> str:
    """One record value as CSV cell text: nested values as JSON, ``None`` as empty."""
    if value is None:
        return ""
    if name in NESTED_FIELDS or isinstance(value, (list, tuple, dict)):
        if isinstance(value, tuple):
            value = list(value)
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class Sink:
    """Writes records somewhere; a context manager that closes itself."""

    def write(self, record: Record) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> "Sink":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _StreamSink(Sink):
    """Common part of the line-at-a-time sinks: own the file (or borrow stdout), flush per record."""

    def __init__(self, path: Path | None, *, append: bool):
        self.path = path
        self.closed = False
        if path is None:
            self._fh: IO[str] = sys.stdout
            self._owns = False
            self._was_empty = True
        else:
            self._was_empty = not (append and path.exists() and path.stat().st_size > 0)
            if append and not self._was_empty:
                _end_with_newline(path)
            self._fh = open(path, "a" if append else "w", encoding="utf-8", newline="")
            self._owns = True

    def _emit(self, text: str) -> None:
        if self.closed:
            raise ValueError("write to a closed sink")
        self._fh.write(text)
        self._fh.flush()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self._owns:
            self._fh.close()
        else:
            self._fh.flush()


def _end_with_newline(path: Path) -> None:
    """A run killed in the middle of a line leaves a fragment; start the next record on a new
    line so it is not glued to the fragment (the fragment stays visible as one bad line)."""
    with open(path, "rb+") as fh:
        fh.seek(-1, os.SEEK_END)
        if fh.read(1) not in (b"\n", b"\r"):
            fh.write(b"\n")


class JsonlSink(_StreamSink):
    """One ``Record.to_json()`` per line."""

    def write(self, record: Record) -> None:
        self._emit(record.to_json() + "\n")


class CsvSink(_StreamSink):
    """Columns ``RECORD_FIELDS``; the header once (not again when appending to a non-empty file)."""

    def __init__(self, path: Path | None, *, append: bool):
        if path is not None and append and path.exists() and path.stat().st_size > 0:
            _check_header(path)
        super().__init__(path, append=append)
        if self._was_empty:
            self._emit(_csv_line(RECORD_FIELDS))

    def write(self, record: Record) -> None:
        d = record.to_dict()
        self._emit(_csv_line([csv_cell(name, d[name]) for name in RECORD_FIELDS]))


def _csv_line(cells: Any) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(cells)
    return buf.getvalue()


def _check_header(path: Path) -> None:
    with open(path, encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh), [])
    if tuple(header) != RECORD_FIELDS:
        raise UsageError(
            f"cannot append to {path}: its header is not this version's record columns",
            hint="write to a new file, or without --append",
        )


class JsonArraySink(Sink):
    """One JSON array, written atomically on ``close()`` (appending reads the existing array)."""

    def __init__(self, path: Path | None, *, append: bool):
        self.path = path
        self.closed = False
        self._items: list[dict[str, Any]] = []
        if path is not None and append and path.exists() and path.stat().st_size > 0:
            try:
                existing = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError) as e:
                raise UsageError(f"cannot append to {path}: not valid JSON ({e})") from e
            if not isinstance(existing, list):
                raise UsageError(f"cannot append to {path}: it is not a JSON array")
            self._items = existing

    def write(self, record: Record) -> None:
        if self.closed:
            raise ValueError("write to a closed sink")
        self._items.append(record.to_dict())

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        text = json.dumps(self._items, ensure_ascii=False, indent=1) + "\n"
        if self.path is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            with atomic_write(self.path) as fh:
                fh.write(text)


_SINKS = {"jsonl": JsonlSink, "csv": CsvSink, "json": JsonArraySink}


def open_sink(fmt: str | None, path: str | Path | None, *, append: bool = False) -> Sink:
    """A sink for ``fmt`` (``jsonl`` when empty) writing to ``path`` (stdout when ``None`` or ``-``)."""
    name = (fmt or DEFAULT_FORMAT).strip().lower()
    if name not in _SINKS:
        raise UsageError(f"unknown output format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}")
    target = None if path is None or str(path) == "-" else Path(path)
    return _SINKS[name](target, append=append)


__all__ = ["Sink", "open_sink", "atomic_write", "csv_cell", "FORMATS", "NESTED_FIELDS"]

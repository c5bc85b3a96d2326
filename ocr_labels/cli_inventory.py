"""Commands over stored results: ``inventory list|export``, ``report``, ``recalls check``.

These are defined here and registered on the main group by ``cli.py``:
``main.add_command(inventory_cmd); main.add_command(report_cmd); main.add_command(recalls_cmd)``.
They hold no business logic: each calls ``inventory``, ``report`` or ``recalls``. Library errors
leave with their own exit code (2 for usage errors such as a malformed records or recall file).
"""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import IO, Any, Callable, Iterator, TypeVar

import click

from .errors import OcrLabelsError, UsageError
from .inventory import EXPORT_FORMATS, Inventory, format_manufactured
from .records import Record

DB_ENVVAR = "OCR_LABELS_DB"
DEFAULT_DB = "inventory.sqlite"

F = TypeVar("F", bound=Callable[..., Any])


def _library_errors(func: F) -> F:
    """Turn a library error into a click error carrying the error's own exit code."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except OcrLabelsError as e:
            err = click.ClickException(str(e))
            err.exit_code = e.exit_code
            raise err from e
    return wrapper  # type: ignore[return-value]


def _db_option(func: F) -> F:
    return click.option(
        "--db", "db", envvar=DB_ENVVAR, default=DEFAULT_DB, show_default=True, show_envvar=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help=f"inventory file (default: {DEFAULT_DB} in the current folder, or ${DB_ENVVAR})",
    )(func)


def read_records(fh: IO[str], name: str | None = None) -> Iterator[Record]:
    """Records from a JSON Lines stream; blank lines skipped; a malformed line is a UsageError
    naming the file and the line number."""
    where = name or getattr(fh, "name", "<stdin>")
    for lineno, line in enumerate(fh, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            yield Record.from_dict(data)
        except (ValueError, TypeError) as e:
            raise UsageError(f"{where}, line {lineno}: not a record ({e})",
                             hint="expected one JSON object per line, as `ocr-labels scan` writes") from e


# -- inventory ----------------------------------------------------------------------------------

@click.group("inventory")
def inventory_cmd() -> None:
    """The SQLite inventory of units that `scan --db` fills."""


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    def fmt(r: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
    return "\n".join([fmt(header), fmt(["-" * w for w in widths]), *map(fmt, rows)])


@inventory_cmd.command("list")
@_db_option
@_library_errors
def inventory_list(db: Path) -> None:
    """Show the units as a table."""
    with Inventory(db) as inv:
        rows = []
        for d in inv.rows():
            age = "" if d["age_years"] is None else f"{d['age_years']:.1f}"
            rows.append([d["brand"] or "?", d["model"] or "?", d["serial"] or "?",
                         format_manufactured(d["manufactured"]), age, str(len(d["files"])),
                         f"error: {d['error']}" if d["error"] else ", ".join(d["files"])])
    if not rows:
        click.echo(f"{db}: no units yet")
        return
    click.echo(_table(rows, ["BRAND", "MODEL", "SERIAL", "MADE", "AGE", "PHOTOS", "FILES"]))
    click.echo(f"{len(rows)} unit{'s' if len(rows) != 1 else ''}")


@inventory_cmd.command("export")
@_db_option
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True,
              help="csv/jsonl/json: every unit; snipeit/homebox: CSV for those tools' importers")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="output file, written atomically (default: stdout)")
@_library_errors
def inventory_export(db: Path, fmt: str, output: Path | None) -> None:
    """Export the units for a spreadsheet, Snipe-IT or HomeBox."""
    with Inventory(db) as inv:
        n = inv.export(fmt, output)  # None: stdout
    click.echo(f"exported {n} unit{'s' if n != 1 else ''}" + (f" to {output}" if output else ""),
               err=True)


# -- report -------------------------------------------------------------------------------------

@click.command("report")
@click.argument("records", type=click.File("r", encoding="utf-8"))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="the HTML file to write")
@click.option("--base-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="folder the records' photo paths are relative to (default: current folder)")
@_library_errors
def report_cmd(records: IO[str], output: Path, base_dir: Path | None) -> None:
    """Write an HTML page to review RECORDS (JSON Lines; - for stdin)."""
    from .report import write_report  # PIL only when a report is asked for

    n = write_report(read_records(records), output, base_dir=base_dir)
    click.echo(f"wrote {n} record{'s' if n != 1 else ''} to {output}", err=True)


# -- recalls ------------------------------------------------------------------------------------

@click.group("recalls")
def recalls_cmd() -> None:
    """Check units against a recall list (see docs/recalls.md)."""


@recalls_cmd.command("check")
@click.argument("records", type=click.File("r", encoding="utf-8"))
@click.option("--list", "list_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="the recall list CSV")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_library_errors
def recalls_check(records: IO[str], list_path: Path, fmt: str) -> None:
    """Print the units in RECORDS (JSON Lines; - for stdin) that a recall in the list covers.

    Exits 0 whether or not there are matches (read the output, not the exit code); exits 2 when
    the recall list or the records file is malformed. A POSSIBLE match is one where a value the
    recall depends on (model, serial, date) was not read: check that unit by hand.
    """
    from .recalls import check_records, load_recall_list

    recalls = load_recall_list(list_path)
    recs = list(read_records(records))
    matches = check_records(recs, recalls)
    if fmt == "json":
        out = [{
            "recall_id": m.recall.recall_id, "title": m.recall.title, "url": m.recall.url,
            "certain": m.certain, "why": m.why, "file": m.record.file, "page": m.record.page,
            "brand": m.record.brand, "model": m.record.model, "serial": m.record.serial,
        } for m in matches]
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        for m in matches:
            r = m.record
            where = r.file + ("" if r.page is None else f" page {r.page}")
            unit = " ".join(x for x in (r.brand, r.model, r.serial and f"S/N {r.serial}") if x)
            click.echo(f"{'' if m.certain else 'POSSIBLE '}{m.recall.recall_id}: {unit} ({where})")
            if m.recall.title:
                click.echo(f"    {m.recall.title}")
            if m.recall.url:
                click.echo(f"    {m.recall.url}")
            click.echo(f"    why: {m.why}")
    possible = sum(not m.certain for m in matches)
    click.echo(f"{len(matches)} match{'es' if len(matches) != 1 else ''}"
               f"{f' ({possible} possible)' if possible else ''} in {len(recs)} records "
               f"against {len(recalls)} recalls", err=True)


__all__ = ["inventory_cmd", "report_cmd", "recalls_cmd", "read_records", "DB_ENVVAR", "DEFAULT_DB"]

"""Command line. No business logic here: options are parsed, the API is called, records are
written, and errors become exit codes in one place (0 all inputs read, 1 some failed,
2 usage error)."""
from __future__ import annotations

import hashlib
import logging
import sys
import time
from datetime import date
from pathlib import Path

import click

from . import __version__
from .api import DEFAULT_MIN_CONFIDENCE, ScanOptions, check_setup, scan_files
from .errors import OcrLabelsError
from .sources import iter_inputs

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, prog_name="ocr-labels")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
def main(verbose: int) -> None:
    """Read model and serial numbers from photos of appliance, HVAC, water-heater and
    electronics rating labels (and from PDFs and manuals).

    \b
    Examples:
      ocr-labels scan photos/                      JSON Lines on stdout
      ocr-labels scan photos/ -o labels.csv --format csv --workers 2
      ocr-labels scan photos/ --db inventory.sqlite   resumable inventory
      ocr-labels decode Whirlpool CD3700848         manufacture date from a serial
      ocr-labels patterns list                      known brands
    """
    level = logging.WARNING - 10 * verbose
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("ocr-labels: %(levelname)s: %(message)s"))
    logger = logging.getLogger("ocr_labels")
    logger.handlers[:] = [handler]
    logger.setLevel(max(level, logging.DEBUG))


def _fail(e: OcrLabelsError) -> None:
    click.echo(f"ocr-labels: error: {e}", err=True)
    sys.exit(e.exit_code)


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


@main.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write records to this file instead of stdout.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "json"]), default=None,
              help="Record format. Default: from the -o suffix, else jsonl.")
@click.option("--append", is_flag=True, help="Append to -o instead of replacing it.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path),
              help="Also store records in this SQLite inventory; photos already in it are skipped, so an "
                   "interrupted batch resumes where it stopped.")
@click.option("-w", "--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Photos scanned in parallel (processes). Records stay in input order.")
@click.option("--engine", type=click.Choice(["tesseract", "rapidocr", "auto"]), default="tesseract",
              show_default=True,
              help="OCR engine; auto = Tesseract, then RapidOCR where fields stay empty.")
@click.option("--cross-check/--no-cross-check", default=None,
              help="RapidOCR re-reads each zoomed model and serial line Tesseract read (~10 ms each); a value "
                   "it reads one character otherwise, or reads surely as another string of its length, is left empty "
                   "as a guess, and where Tesseract stays unsure "
                   "of a field, a value RapidOCR read surely on that line fills it (the record warns). Default: "
                   "on when the rapidocr extra is installed; --cross-check fails at the start without it.")
@click.option("--patterns", "pattern_dirs", multiple=True, type=click.Path(exists=True, file_okay=False),
              help="Folder of extra brand pattern files (TOML); may repeat.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=DEFAULT_MIN_CONFIDENCE, show_default=True,
              help="Below this a model or serial is left empty (and the record says why).")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Date that age_years counts to (default: today), for reproducible reports.")
@click.option("--debug", "debug_dir", type=click.Path(file_okay=False), default=None,
              help="Save each processed view with the words found boxed into this folder.")
@click.option("--no-barcodes", is_flag=True, help="Do not read barcodes.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where photos are scanned: local processes (--workers), or a Dask cluster (see docs/dask.md).")
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler address for --executor dask (tcp://HOST:8786).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary on stderr.")
def scan(paths, output, fmt, append, db, workers, engine, cross_check, pattern_dirs, min_confidence, as_of, debug_dir,
         no_barcodes, executor, scheduler, quiet) -> None:
    """Scan label photos, PDFs and folders of them; one record per photo or PDF page.

    Folders are walked recursively for .jpg .jpeg .png .webp .tif .tiff .bmp .pdf; a file named
    on the command line is always tried. Images are decoded by content, so WebP bytes behind a
    .png name are fine. A file that cannot be read gets a record with "error" set and the batch
    goes on; the exit code is then 1.
    """
    from .sinks import open_sink

    if fmt is None:
        fmt = output.suffix.lower().lstrip(".") if output and output.suffix.lower() in (".csv", ".json") else "jsonl"
    options = ScanOptions(engine=engine, min_confidence=min_confidence, patterns=tuple(pattern_dirs),
                          workers=workers, barcodes=not no_barcodes, cross_check=cross_check,
                          as_of=as_of.date() if as_of else None, debug_dir=debug_dir)
    if executor == "dask" and not scheduler:
        raise click.UsageError("--executor dask needs --scheduler ADDRESS")
    if scheduler and executor != "dask":
        raise click.UsageError("--scheduler goes with --executor dask")
    try:
        check_setup(options)
        files = list(iter_inputs(paths))
        inventory = None
        skipped = 0
        if db is not None:
            from .inventory import Inventory

            inventory = Inventory(db)
            todo = []
            for f in files:
                digest = _file_digest(f)
                if digest is not None and inventory.is_done(digest):
                    skipped += 1
                else:
                    todo.append(f)
            files = todo
        show_bar = not quiet and sys.stderr.isatty() and len(files) > 1
        bar = None
        if show_bar:
            from tqdm import tqdm

            bar = tqdm(total=len(files), unit="photo", file=sys.stderr, leave=False)
        counts = {"records": 0, "errors": 0, "model": 0, "serial": 0}
        t0 = time.perf_counter()
        paged: dict[str, str] = {}  # multi-page files seen: file -> content hash
        last_file = None
        with open_sink(fmt, output, append=append) as sink:
            if executor == "dask":
                from .executors import scan_files_dask

                records = scan_files_dask(files, options, scheduler)
            else:
                records = scan_files(files, options)
            for record in records:
                sink.write(record)
                if record.file != last_file:
                    _file_done(inventory, paged, last_file)
                    last_file = record.file
                    if bar is not None:
                        bar.update(1)
                if inventory is not None:
                    inventory.add(record)
                    if record.page is not None and record.sha256:
                        paged[record.file] = record.sha256
                counts["records"] += 1
                counts["errors"] += record.error is not None
                counts["model"] += record.model is not None
                counts["serial"] += record.serial is not None
            _file_done(inventory, paged, last_file)
        if bar is not None:
            bar.close()
        if inventory is not None:
            inventory.close()
    except OcrLabelsError as e:
        _fail(e)
    except KeyboardInterrupt:
        click.echo("ocr-labels: interrupted; records written so far are kept", err=True)
        sys.exit(130)
    if not quiet:
        elapsed = time.perf_counter() - t0
        extra = f", {skipped} already in the inventory" if skipped else ""
        plural = "" if counts["records"] == 1 else "s"
        click.echo(f"ocr-labels: {counts['records']} record{plural} from {len(files)} files{extra}: "
                   f"model {counts['model']}, serial {counts['serial']}, errors {counts['errors']}, "
                   f"{elapsed:.1f} s", err=True)
    sys.exit(1 if counts["errors"] else 0)


def _file_done(inventory, paged: dict[str, str], file: str | None) -> None:
    """Tell the inventory that every page of a multi-page file is stored (resume skips it)."""
    if inventory is not None and file in paged:
        inventory.mark_complete(paged.pop(file), file)


def _register() -> None:
    from .cli_brands import decode_cmd, patterns_cmd
    from .cli_inventory import inventory_cmd, recalls_cmd, report_cmd

    for command in (patterns_cmd, decode_cmd, inventory_cmd, report_cmd, recalls_cmd):
        main.add_command(command)


_register()

if __name__ == "__main__":  # pragma: no cover
    main()

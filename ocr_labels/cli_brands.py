"""Command-line commands for brand patterns and serial dates (registered on the main group by cli.py).

Thin wrappers: the work is done in ``patterns`` and ``dates``.
"""
from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

import click

from .dates import decode_serial
from .patterns import FIELDS, PatternSet, builtin_dir, check_dir, load_patterns

_patterns_option = click.option(
    "--patterns", "pattern_dirs", multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Extra folder of pattern files (repeatable); a file replaces a built-in brand of the same name.")


def _brand_or_fail(ps: PatternSet, name: str):
    brand = ps.get(name)
    if brand is None:
        raise click.BadParameter(
            f"unknown brand {name!r}; 'ocr-labels patterns list' shows the known ones",
            param_hint="BRAND")
    return brand


@click.group("patterns")
def patterns_cmd() -> None:
    """List, check and try the brand pattern files."""


@patterns_cmd.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@_patterns_option
def list_cmd(fmt: str, pattern_dirs: tuple[Path, ...]) -> None:
    """Each brand with its family and what it supports (model, serial, date)."""
    ps = load_patterns(pattern_dirs)
    rows = [{"brand": b.name, "file": b.file.name, "family": list(b.family),
             "category": list(b.category), "confidence": b.confidence, **b.supports}
            for b in sorted(ps.brands, key=lambda b: b.name.lower())]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for r in rows:
        has = ",".join(k for k in ("model", "serial", "date") if r[k]) or "-"
        fam = f"  (family: {', '.join(r['family'])})" if r["family"] else ""
        click.echo(f"{r['brand']:<18} {has:<18} {r['confidence']:<12}{fam}")


@patterns_cmd.command("check")
@click.argument("directory", required=False,
                type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def check_cmd(ctx: click.Context, directory: Path | None) -> None:
    """Validate the built-in pattern files, or those in DIRECTORY."""
    folder = directory or builtin_dir()
    problems = check_dir(folder)
    if problems:
        for p in problems:
            click.echo(p)
        click.echo(f"{len(problems)} problem(s)", err=True)
        ctx.exit(1)
    n = len(list(Path(folder).glob("*.toml")))
    click.echo(f"{n} files OK")


@patterns_cmd.command("test")
@click.argument("brand")
@click.argument("value")
@_patterns_option
@click.pass_context
def test_cmd(ctx: click.Context, brand: str, value: str, pattern_dirs: tuple[Path, ...]) -> None:
    """Which rule of which field of BRAND matches VALUE."""
    ps = load_patterns(pattern_dirs)
    b = _brand_or_fail(ps, brand)
    hits = [(f, r) for f in FIELDS for r in b.rules(f) if r.fullmatch(value)]
    if not hits:
        click.echo(f"{b.name}: no rule matches {value!r}")
        ctx.exit(1)
    for f, r in sorted(hits, key=lambda h: -h[1].strength):
        extra = f", date rule {r.date}" if r.date else ""
        click.echo(f"{f}: {r.id} (strength {r.strength:g}{extra})")


@click.command("decode")
@click.argument("brand")
@click.argument("serial")
@click.option("--model", default=None, help="Model number (picks the era, or the maker for Kenmore).")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD",
              help="Date to judge plausibility against (default: today).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@_patterns_option
def decode_cmd(brand: str, serial: str, model: str | None, as_of: str | None, fmt: str,
               pattern_dirs: tuple[Path, ...]) -> None:
    """Manufacture date encoded in SERIAL by BRAND's rules."""
    when = None
    if as_of:
        try:
            when = _dt.date.fromisoformat(as_of)
        except ValueError:
            raise click.BadParameter(f"{as_of!r} is not a YYYY-MM-DD date",
                                     param_hint="--as-of") from None
    ps = load_patterns(pattern_dirs)
    b = _brand_or_fail(ps, brand)
    m = decode_serial(ps, brand, serial, model=model, as_of=when)
    if m is None:
        why = ("no date rule for this brand" if not b.supports["date"]
               else "the serial matches no dated serial rule, or its date code is invalid")
        raise click.ClickException(f"cannot decode {serial!r} for {b.name}: {why}")
    if fmt == "json":
        click.echo(json.dumps({"brand": ps.display_name(brand), **m.to_dict()}))
        return
    when_txt = "unknown" if m.year is None else str(m.year)
    if m.month:
        when_txt += f"-{m.month:02d}"
    if m.week:
        when_txt += f" week {m.week}"
    click.echo(f"{ps.display_name(brand)} {serial}: {when_txt}")
    click.echo(f"  rule {m.rule}, confidence {m.confidence:.2f}, "
               f"candidate years {', '.join(map(str, m.candidates))}")

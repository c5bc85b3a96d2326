#!/usr/bin/env python3
"""Accuracy and speed of ocr-labels against plain Tesseract, on the same images, in one run.

    python scripts/bench.py DIR [--engine tesseract|rapidocr|auto] [--workers N] [--limit N]

DIR holds images and a truth.jsonl (one line per image: file, model, serial; null = not
scored). A field is right when it equals the truth after upper-casing and removing white
space; a value that is present but different is wrong (worse than empty). On an image whose
truth has neither model nor serial (not a label), any value reported counts as wrong.

Plain Tesseract is the `tesseract` command on the whole photo with its default settings,
followed by a simple key regex (the value after MODEL / SERIAL / S/N).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

# the checkout this script sits in is what it measures, installed or not (`make` installs the
# package in editable mode: a copy of a checkout would otherwise measure the original)
_CHECKOUT = Path(__file__).resolve().parent.parent
if (_CHECKOUT / "ocr_labels" / "__init__.py").is_file():
    sys.path.insert(0, str(_CHECKOUT))

import regex

from ocr_labels.api import ScanOptions, scan_files
from ocr_labels.records import Record

FIELDS = ("model", "serial")
PLAIN_KEYS = {
    "model": regex.compile(r"\b(?:MODEL|MOD|M/N)\b(?:\s*(?:NO|NUMBER|#)\.?)?\s*[:#.]?\s*([A-Z0-9][A-Z0-9\-/.]{2,})"),
    "serial": regex.compile(r"\b(?:SERIAL|SER|S/N|SN)\b(?:\s*(?:NO|NUMBER|#)\.?)?\s*[:#.]?\s*([A-Z0-9][A-Z0-9\-/.]{2,})"),
}


def norm(v: object) -> str | None:
    if v is None:
        return None
    s = "".join(str(v).upper().split())
    return s or None


def load_truth(folder: Path) -> list[dict]:
    rows = []
    with open(folder / "truth.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def plain_tesseract(path: Path) -> dict[str, str | None]:
    proc = subprocess.run(["tesseract", str(path), "stdout"], capture_output=True, text=True, timeout=300)
    text = proc.stdout.upper()
    out: dict[str, str | None] = {}
    for f, pat in PLAIN_KEYS.items():
        m = pat.search(text)
        out[f] = m.group(1).strip(".") if m else None
    return out


def score(rows: list[dict], preds: list[dict[str, str | None]]) -> dict:
    tally = {f: {"right": 0, "wrong": 0, "empty": 0, "n": 0} for f in FIELDS}
    both = both_n = 0
    for truth, pred in zip(rows, preds):
        no_label = truth.get("model") is None and truth.get("serial") is None
        oks = []
        for f in FIELDS:
            t, p = norm(truth.get(f)), norm(pred.get(f))
            if t is None and not no_label:
                continue
            tally[f]["n"] += 1
            if t is None:
                key = "wrong" if p else "right"
            elif p is None:
                key = "empty"
            else:
                key = "right" if p == t else "wrong"
            tally[f][key] += 1
            oks.append(key == "right")
        if oks:
            both_n += 1
            both += all(oks)
    return {"fields": tally, "both": both, "both_n": both_n}


def pct(a: int, n: int) -> str:
    return f"{100.0 * a / n:5.1f}" if n else "  -  "


def table(name: str, s: dict, secs: float) -> str:
    t = s["fields"]
    wrong = sum(t[f]["wrong"] for f in FIELDS)
    n = sum(t[f]["n"] for f in FIELDS)
    cells = []
    for f in FIELDS:
        cells += [pct(t[f]["right"], t[f]["n"]), pct(t[f]["wrong"], t[f]["n"]), pct(t[f]["empty"], t[f]["n"])]
    return (f"| {name:<22} | " + " | ".join(cells) + f" | {pct(s['both'], s['both_n'])} | {pct(wrong, n)} | {secs:6.2f} |")


HEADER = ("| engine                 | model right % | model wrong % | model empty % | serial right % | serial wrong % "
          "| serial empty % | both right % | wrong fields % | s/image |\n|---|---|---|---|---|---|---|---|---|---|")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path)
    ap.add_argument("--engine", default="tesseract", choices=["tesseract", "rapidocr", "auto"])
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0, help="only the first N images")
    ap.add_argument("--no-plain", action="store_true", help="skip the plain-Tesseract baseline")
    ap.add_argument("--records", type=Path, help="also write ocr-labels' records (JSON Lines) here")
    ap.add_argument("--show", action="store_true", help="print each image's truth and answers")
    ap.add_argument("--cross-check", action=argparse.BooleanOptionalAction, default=None,
                    help="RapidOCR re-reads Tesseract's zoomed crops (default: on when the rapidocr extra is installed)")
    ap.add_argument("--patterns", type=Path, help="use only the pattern files in this folder (e.g. a subset of brands)")
    args = ap.parse_args(argv)

    rows = load_truth(args.folder)
    if args.limit:
        rows = rows[: args.limit]
    files = [args.folder / r["file"] for r in rows]
    # every value is kept (min_confidence 0) but views are read exactly as in a default run, so
    # the table at the default threshold is what `ocr-labels scan` reports
    options = ScanOptions(engine=args.engine, workers=args.workers, min_confidence=0.0,
                          stop_confidence=ScanOptions().min_confidence,
                          patterns=(str(args.patterns),) if args.patterns else (),
                          builtin_patterns=args.patterns is None, cross_check=args.cross_check)

    t0 = time.perf_counter()
    records: dict[str, Record] = {}
    for rec in scan_files(files, options):
        records.setdefault(rec.file, rec)  # first page of each file
    ours_secs = (time.perf_counter() - t0) / max(1, len(files))
    ours_raw = [records[str(f)] for f in files]
    if args.records:
        with open(args.records, "w", encoding="utf-8") as fh:
            for r in ours_raw:
                fh.write(r.to_json() + "\n")

    default_min = ScanOptions().min_confidence
    brands = f", patterns={args.patterns}" if args.patterns else ", all built-in patterns"
    checked = {True: ", cross-checked by RapidOCR", False: ", no cross-check", None: ""}[args.cross_check]
    print(f"# {args.folder}: {len(files)} images, workers={args.workers}, engine={args.engine}{brands}{checked}\n")
    print(HEADER)

    def at(threshold: float) -> list[dict]:
        out = []
        for r in ours_raw:
            out.append({f: (getattr(r, f) if (getattr(r, f"{f}_confidence") or 0) >= threshold else None) for f in FIELDS})
        return out

    ours = at(default_min)
    print(table(f"ocr-labels ({args.engine})", score(rows, ours), ours_secs))
    plain_secs = None
    if not args.no_plain:
        t0 = time.perf_counter()
        plain, plain_each = [], []
        for f in files:
            t1 = time.perf_counter()
            plain.append(plain_tesseract(f))
            plain_each.append(time.perf_counter() - t1)
        plain_secs = (time.perf_counter() - t0) / max(1, len(files))
        print(table("plain tesseract + regex", score(rows, plain), plain_secs))
        print(f"\nspeed: ocr-labels takes {ours_secs / plain_secs:.2f}x the time of plain tesseract per image")
    errors = sum(1 for r in ours_raw if r.error)
    print(f"records with error: {errors}")
    if all("value_cap_px" in r and "blur_px" in r for r in rows):
        # generated photos say how tall their values are and how far the blur smears them
        print("\nby character height over blur (generated truth: value_cap_px / blur_px):\n")
        print(HEADER.replace("| engine                 |", "| cap/blur, engine       |", 1))
        for name, lo, hi in (("< 2", 0, 2), ("2-4", 2, 4), (">= 4", 4, float("inf"))):
            idx = [i for i, r in enumerate(rows) if lo <= r["value_cap_px"] / max(r["blur_px"], 1.0) < hi]
            if not idx:
                continue
            pick = lambda xs: [xs[i] for i in idx]  # noqa: E731
            secs = sum(ours_raw[i].seconds or 0.0 for i in idx) / len(idx)
            print(table(f"{name} ({len(idx)}) ours", score(pick(rows), pick(ours)), secs))
            if plain_secs is not None:
                print(table(f"{name} ({len(idx)}) plain", score(pick(rows), pick(plain)),
                            sum(pick(plain_each)) / len(idx)))

    print(f"\nocr-labels by --min-confidence (default {default_min}; views read as in a default run):\n")
    print("| min-confidence | model R/W/E % | serial R/W/E % | both right % | wrong fields % |\n|---|---|---|---|---|")
    for th in (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        s = score(rows, at(th))
        t = s["fields"]
        cells = ["/".join(pct(t[f][k], t[f]["n"]).strip() for k in ("right", "wrong", "empty")) for f in FIELDS]
        wrong = sum(t[f]["wrong"] for f in FIELDS)
        n = sum(t[f]["n"] for f in FIELDS)
        print(f"| {th:.1f} | {cells[0]} | {cells[1]} | {pct(s['both'], s['both_n'])} | {pct(wrong, n)} |")
    if args.show:
        print()
        for truth, r, o in zip(rows, ours_raw, ours):
            print(f"{truth['file']}: truth {truth.get('model')} / {truth.get('serial')}; "
                  f"got {o['model']} / {o['serial']} (raw {r.model}@{r.model_confidence} / {r.serial}@{r.serial_confidence}) "
                  f"brand {r.brand} {r.error or ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Generate synthetic rating-label photos with known truth.

    python scripts/make_samples.py OUT_DIR --count N --seed S --difficulty easy|medium|hard|mixed

Writes OUT_DIR/0000.jpg, 0001.jpg, ... and OUT_DIR/truth.jsonl (one JSON line per image).
Works from a source checkout without installing the package.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

# the checkout this script sits in draws the photos, installed or not (see bench.py)
_CHECKOUT = Path(__file__).resolve().parent.parent
if (_CHECKOUT / "ocr_labels" / "__init__.py").is_file():
    sys.path.insert(0, str(_CHECKOUT))

from ocr_labels import synth  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out_dir", type=Path, help="folder to write images and truth.jsonl into")
    p.add_argument("--count", "-n", type=int, default=20, help="number of images (default 20)")
    p.add_argument("--seed", "-s", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--difficulty", "-d", choices=[*synth.DIFFICULTIES, "mixed"], default="mixed")
    p.add_argument("--brand", action="append", choices=synth.BRANDS, metavar="BRAND",
                   help="only these brands, cycled in order (repeatable; default: random brands)")
    p.add_argument("--max-kb", type=int, default=None,
                   help="keep each JPEG under this many KB (lowers quality, then size)")
    args = p.parse_args(argv)
    if args.count < 0:
        p.error("--count must be >= 0")
    rows = synth.generate(args.out_dir, args.count, seed=args.seed, difficulty=args.difficulty,
                          brands=args.brand, max_bytes=args.max_kb * 1024 if args.max_kb else None)
    for row in rows:
        print(f"{row['file']}  {row['difficulty']:<6}  {row['brand']:<15} model={row['model']}  "
              f"serial={row['serial']}", file=sys.stderr)
    print(f"wrote {len(rows)} images and truth.jsonl to {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Measure a long batch the way a user runs it: photos per second with 1 and 2 workers, and
resuming an inventory batch killed half way.

    python scripts/batch_resume.py PHOTO_DIR [--workers 1 2] [--kill-after N]

For each worker count: `ocr-labels scan DIR --db X.sqlite -o X.jsonl --workers N`, timed.
Then a resume run: started, killed (SIGKILL) once the inventory holds N photos, rerun to the
end; prints the inventory's row and photo counts before and after and the time of the rerun.
"""
from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "ocr_labels"]


def count(db: Path) -> tuple[int, int]:
    if not db.exists():
        return 0, 0
    con = sqlite3.connect(db)
    try:
        units = con.execute("SELECT count(*) FROM units").fetchone()[0]
        photos = con.execute("SELECT count(*) FROM photos").fetchone()[0]
    except sqlite3.OperationalError:
        return 0, 0
    finally:
        con.close()
    return units, photos


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("photos", type=Path)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--kill-after", type=int, default=0, help="photos stored before the kill (default: half)")
    args = ap.parse_args()
    n = sum(1 for p in args.photos.iterdir() if p.suffix.lower() in (".jpg", ".png"))
    env = dict(os.environ, PYTHONPATH=str(HERE))
    work = Path(tempfile.mkdtemp(prefix="batch-"))
    print(f"{n} photos in {args.photos}")
    print("| workers | seconds | photos/s |\n|---|---|---|")
    for w in args.workers:
        db, out = work / f"w{w}.sqlite", work / f"w{w}.jsonl"
        t0 = time.perf_counter()
        subprocess.run(CLI + ["scan", str(args.photos), "--db", str(db), "-o", str(out), "--workers", str(w), "-q"],
                       env=env, check=False)
        dt = time.perf_counter() - t0
        print(f"| {w} | {dt:.1f} | {n / dt:.2f} |", flush=True)
    # kill half way, then resume
    kill_after = args.kill_after or n // 2
    db, out = work / "resume.sqlite", work / "resume.jsonl"
    cmd = CLI + ["scan", str(args.photos), "--db", str(db), "-o", str(out), "--workers", str(max(args.workers)), "-q"]
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)
    while proc.poll() is None and count(db)[1] < kill_after:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = count(db)
    lines_before = len(out.read_text().splitlines()) if out.exists() else 0
    t0 = time.perf_counter()
    subprocess.run(cmd + ["--append"], env=env, check=False)
    dt = time.perf_counter() - t0
    after = count(db)
    print(f"\nkilled with {before[1]} photos / {before[0]} units in the inventory ({lines_before} JSONL lines);"
          f" resume took {dt:.1f} s and left {after[1]} photos / {after[0]} units (of {n} photos)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

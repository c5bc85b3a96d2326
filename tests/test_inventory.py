"""Inventory: keys, merging, the photo ledger, resume after SIGKILL, and every export format."""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from ocr_labels.errors import UsageError
from ocr_labels.inventory import (
    HOMEBOX_COLUMNS, INVENTORY_COLUMNS, SNIPEIT_COLUMNS, Inventory, unit_key,
)
from ocr_labels.records import Record

REPO = Path(__file__).resolve().parents[1]
SHA_A = "a" * 64
SHA_B = "b" * 64
SHA_C = "c" * 64


def washer(**kw) -> Record:
    base = dict(file="photos/washer.jpg", brand="Whirlpool", model="WFW4720RW0", serial="CD3700848",
                model_confidence=0.9, serial_confidence=0.95, model_source="key+pattern",
                serial_source="key", manufactured={"year": 2013, "week": 37, "rule": "whirlpool-2letter"},
                age_years=11.2, sha256=SHA_A)
    base.update(kw)
    return Record(**base)


def test_unit_keys() -> None:
    assert unit_key(washer(brand="General Electric", serial=" cd 370 0848 ")) == "serial:GENERALELECTRIC:CD3700848"
    assert unit_key(washer(serial=None)) == f"sha256:{SHA_A}"
    assert unit_key(washer(serial=None, page=3)) == f"sha256:{SHA_A}#3"
    assert unit_key(Record(file="x.jpg")) == "file:x.jpg"


def test_add_row_columns(tmp_path: Path) -> None:
    with Inventory(tmp_path / "inv.sqlite") as inv:
        key = inv.add(washer(), scanned_at="2024-05-01T10:00:00+00:00")
        assert key == "serial:WHIRLPOOL:CD3700848"
        assert inv.count() == 1
        (row,) = list(inv.rows())
    assert row["brand"] == "Whirlpool" and row["model"] == "WFW4720RW0" and row["serial"] == "CD3700848"
    assert (row["manufactured_year"], row["manufactured_month"], row["manufactured_week"]) == (2013, None, 37)
    assert row["manufactured"] == {"year": 2013, "week": 37, "rule": "whirlpool-2letter"}
    assert row["model_confidence"] == 0.9 and row["serial_source"] == "key"
    assert row["age_years"] == 11.2 and row["error"] is None
    assert row["files"] == ["photos/washer.jpg"]
    assert row["scanned_at"] == "2024-05-01T10:00:00+00:00"
    assert Record.from_dict(json.loads(row["record"])) == washer()


def test_scanned_at_defaults_to_utc_iso(tmp_path: Path) -> None:
    with Inventory(tmp_path / "inv.sqlite") as inv:
        inv.add(washer())
        (row,) = list(inv.rows())
    assert row["scanned_at"].endswith("+00:00") and row["scanned_at"][:2] == "20"


def test_wal_mode(tmp_path: Path) -> None:
    Inventory(tmp_path / "inv.sqlite").close()
    con = sqlite3.connect(tmp_path / "inv.sqlite")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_same_unit_in_two_photos_keeps_best_values(tmp_path: Path) -> None:
    with Inventory(tmp_path / "inv.sqlite") as inv:
        inv.add(washer(model="WFW472ORW0", model_confidence=0.6, warnings=("blur",)))
        inv.add(washer(file="photos/washer2.jpg", sha256=SHA_B, serial="CD 3700848",
                       model_confidence=0.98, serial_confidence=0.5, warnings=("glare",)))
        assert inv.count() == 1
        (row,) = list(inv.rows())
    assert row["model"] == "WFW4720RW0" and row["model_confidence"] == 0.98  # from the 2nd photo
    assert row["serial"] == "CD3700848" and row["serial_confidence"] == 0.95  # kept from the 1st
    assert row["files"] == ["photos/washer.jpg", "photos/washer2.jpg"]
    assert row["file"] == "photos/washer.jpg"
    assert json.loads(row["record"])["warnings"] == ["blur", "glare"]


def test_same_photo_twice_is_not_duplicated(tmp_path: Path) -> None:
    with Inventory(tmp_path / "inv.sqlite") as inv:
        inv.add(washer())
        inv.add(washer())
        assert inv.count() == 1
        assert list(inv.rows())[0]["files"] == ["photos/washer.jpg"]
        assert len(list(inv.photos())) == 1


def test_errored_photos_are_retried(tmp_path: Path) -> None:
    with Inventory(tmp_path / "inv.sqlite") as inv:
        inv.add(Record.failed("photos/blurry.jpg", "tesseract timed out", sha256=SHA_C))
        assert inv.is_done(SHA_C) is False
        (photo,) = list(inv.photos())
        assert photo["error"] == "tesseract timed out" and photo["file"] == "photos/blurry.jpg"
        # The retry reads a serial: the error row is replaced by the unit, not kept beside it.
        inv.add(washer(file="photos/blurry.jpg", sha256=SHA_C))
        assert inv.is_done(SHA_C) is True
        assert inv.count() == 1
        (row,) = list(inv.rows())
        assert row["key"] == "serial:WHIRLPOOL:CD3700848" and row["error"] is None
        assert [p["error"] for p in inv.photos()] == [None]


def test_an_error_never_replaces_values(tmp_path: Path) -> None:
    with Inventory(tmp_path / "inv.sqlite") as inv:
        inv.add(washer(serial=None, serial_confidence=None))
        inv.add(Record.failed("photos/washer.jpg", "disk error", sha256=SHA_A))
        (row,) = list(inv.rows())
        assert row["model"] == "WFW4720RW0" and row["error"] is None
        assert inv.is_done(SHA_A) is False  # but the photo is retried next time


def test_pdf_pages(tmp_path: Path) -> None:
    with Inventory(tmp_path / "inv.sqlite") as inv:
        inv.add(washer(file="manual.pdf", page=1, serial=None, sha256=SHA_B))
        inv.add(Record.failed("manual.pdf", "render failed", page=2, sha256=SHA_B))
        assert inv.is_done(SHA_B, 1) is True
        assert inv.is_done(SHA_B, 2) is False
        assert inv.is_done(SHA_B) is False
        assert inv.is_done(SHA_C) is False
        assert inv.count() == 2


def test_multi_page_file_done_only_when_marked_complete(tmp_path: Path) -> None:
    with Inventory(tmp_path / "inv.sqlite") as inv:
        inv.add(washer(file="manual.pdf", page=1, serial=None, sha256=SHA_B))
        inv.add(washer(file="manual.pdf", page=2, serial="X1", sha256=SHA_B))
        assert inv.is_done(SHA_B) is False   # a batch cut off here must read the rest on resume
        inv.mark_complete(SHA_B, "manual.pdf")
        assert inv.is_done(SHA_B) is True
        inv.add(washer(file="manual.pdf", page=1, serial=None, sha256=SHA_B))  # a rerun merges
        assert inv.count() == 2


_WORKER = """
import sys, time
from ocr_labels.inventory import Inventory
from ocr_labels.records import Record
path, n = sys.argv[1], int(sys.argv[2])
inv = Inventory(path)
for i in range(n):
    sha = f"{i:064x}"
    if inv.is_done(sha):
        continue
    inv.add(Record(file=f"p{i}.jpg", brand="LG", serial=f"S{i:05d}", serial_confidence=0.9, sha256=sha))
    print(i, flush=True)
time.sleep(60)
"""


def test_resume_after_sigkill(tmp_path: Path) -> None:
    db = tmp_path / "inv.sqlite"
    proc = subprocess.Popen([sys.executable, "-c", _WORKER, str(db), "40"], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        for _ in range(15):        # wait until 15 records are committed, then kill mid-batch
            proc.stdout.readline()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    with Inventory(db) as inv:
        done_before = inv.count()
        assert 15 <= done_before <= 40
        assert all(inv.is_done(f"{i:064x}") for i in range(done_before))
    # The rerun skips what is done and adds the rest: 40 units, none twice.
    rerun = subprocess.run([sys.executable, "-c", _WORKER.replace("time.sleep(60)", ""), str(db), "40"],
                           cwd=REPO, capture_output=True, text=True, timeout=60, check=True)
    assert len(rerun.stdout.split()) == 40 - done_before
    with Inventory(db) as inv:
        assert inv.count() == 40
        assert sorted(r["serial"] for r in inv.rows()) == [f"S{i:05d}" for i in range(40)]
        assert len(list(inv.photos())) == 40


@pytest.fixture()
def filled(tmp_path: Path) -> Iterator[Inventory]:
    inv = Inventory(tmp_path / "inv.sqlite")
    inv.add(washer(), scanned_at="2024-05-01T10:00:00+00:00")
    inv.add(Record(file="photos/fridge.jpg", brand="LG", model="LRMVS3006S", model_confidence=0.85,
                   manufactured={"year": 2019, "month": 4}, sha256=SHA_B),
            scanned_at="2024-05-01T10:01:00+00:00")
    inv.add(Record.failed("photos/broken.jpg", "not an image", sha256=SHA_C),
            scanned_at="2024-05-01T10:02:00+00:00")
    yield inv
    inv.close()


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_export_csv(filled: Inventory, tmp_path: Path) -> None:
    out = tmp_path / "inv.csv"
    assert filled.export("csv", out) == 3
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(INVENTORY_COLUMNS)
    rows = _csv(text)
    assert [r["key"] for r in rows] == ["serial:WHIRLPOOL:CD3700848", f"sha256:{SHA_B}", f"sha256:{SHA_C}"]
    assert rows[0]["manufactured_week"] == "37" and rows[1]["manufactured_month"] == "4"
    assert json.loads(rows[0]["files"]) == ["photos/washer.jpg"]
    assert rows[2]["error"] == "not an image"


def test_export_jsonl_and_json_read_back_as_records(filled: Inventory, tmp_path: Path) -> None:
    buf = io.StringIO()
    assert filled.export("jsonl", buf) == 3
    dicts = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert Record.from_dict(dicts[0]) == washer()
    assert dicts[0]["files"] == ["photos/washer.jpg"] and dicts[0]["key"] == "serial:WHIRLPOOL:CD3700848"
    out = tmp_path / "inv.json"
    assert filled.export("json", out) == 3
    assert [d["brand"] for d in json.loads(out.read_text(encoding="utf-8"))] == ["Whirlpool", "LG", None]


def test_export_snipeit(filled: Inventory) -> None:
    buf = io.StringIO()
    assert filled.export("snipeit", buf) == 2  # the errored photo is not an asset
    lines = buf.getvalue().splitlines()
    assert lines[0] == "Name,Asset Tag,Serial Number,Model Name,Model Number,Manufacturer,Category,Status,Asset Notes"
    assert tuple(lines[0].split(",")) == SNIPEIT_COLUMNS
    first, second = _csv(buf.getvalue())
    assert first["Name"] == "Whirlpool WFW4720RW0"
    assert first["Asset Tag"] == "WHIRLPOOL-CD3700848"
    assert first["Serial Number"] == "CD3700848"
    assert first["Model Name"] == first["Model Number"] == "WFW4720RW0"
    assert first["Manufacturer"] == "Whirlpool" and first["Category"] == "Appliances"
    assert first["Status"] == "Ready to Deploy"
    assert first["Asset Notes"] == "Manufactured 2013 week 37; age 11.2 years; read by ocr-labels from photos/washer.jpg"
    assert second["Asset Tag"] == "PHOTO-" + "b" * 16 and second["Serial Number"] == ""
    assert second["Asset Notes"].startswith("Manufactured 2019-04;")


def test_export_homebox(filled: Inventory) -> None:
    buf = io.StringIO()
    assert filled.export("homebox", buf) == 2
    assert tuple(buf.getvalue().splitlines()[0].split(",")) == HOMEBOX_COLUMNS
    first, second = _csv(buf.getvalue())
    assert first["HB.import_ref"] == "serial:WHIRLPOOL:CD3700848"
    assert first["HB.name"] == "Whirlpool WFW4720RW0"
    assert first["HB.manufacturer"] == "Whirlpool"
    assert first["HB.model_number"] == "WFW4720RW0"
    assert first["HB.serial_number"] == "CD3700848"
    assert first["HB.location"] == "Appliances" and first["HB.quantity"] == "1"
    assert first["HB.field.Manufactured"] == "2013 week 37"
    assert second["HB.field.Manufactured"] == "2019-04" and second["HB.serial_number"] == ""


def test_export_to_stdout_and_unknown_format(filled: Inventory, capsys: pytest.CaptureFixture[str]) -> None:
    assert filled.export("jsonl", "-") == 3
    assert len(capsys.readouterr().out.splitlines()) == 3
    with pytest.raises(UsageError, match="xlsx"):
        filled.export("xlsx", None)


# -- command line ---------------------------------------------------------------------------

def _cli():
    import click

    from ocr_labels.cli_inventory import inventory_cmd
    group = click.Group("main")
    group.add_command(inventory_cmd)
    return group


def _fill(db: Path) -> None:
    with Inventory(db) as inv:
        inv.add(washer())
        inv.add(Record.failed("photos/broken.jpg", "not an image", sha256=SHA_C))


def test_cli_list(tmp_path: Path) -> None:
    from click.testing import CliRunner
    db = tmp_path / "inv.sqlite"
    _fill(db)
    result = CliRunner().invoke(_cli(), ["inventory", "list", "--db", str(db)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["BRAND", "MODEL", "SERIAL", "MADE", "AGE", "PHOTOS", "FILES"]
    assert lines[2].split() == ["Whirlpool", "WFW4720RW0", "CD3700848", "2013", "week", "37", "11.2",
                                "1", "photos/washer.jpg"]
    assert lines[3].split()[:3] == ["?", "?", "?"] and "error: not an image" in lines[3]
    assert lines[-1] == "2 units"


def test_cli_default_db_from_cwd_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OCR_LABELS_DB", raising=False)
    result = CliRunner().invoke(_cli(), ["inventory", "list"])
    assert result.exit_code == 2 and "inventory.sqlite" in result.stderr  # no DB yet: clear error
    _fill(tmp_path / "inventory.sqlite")
    result = CliRunner().invoke(_cli(), ["inventory", "list"])
    assert result.exit_code == 0 and result.stdout.splitlines()[-1] == "2 units"
    other = tmp_path / "other.sqlite"
    Inventory(other).close()
    result = CliRunner().invoke(_cli(), ["inventory", "list"], env={"OCR_LABELS_DB": str(other)})
    assert result.exit_code == 0 and result.stdout == f"{other}: no units yet\n"


def test_cli_export(tmp_path: Path) -> None:
    from click.testing import CliRunner
    db = tmp_path / "inv.sqlite"
    _fill(db)
    out = tmp_path / "snipe.csv"
    result = CliRunner().invoke(_cli(), ["inventory", "export", "--db", str(db), "--format", "snipeit",
                                         "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"exported 1 unit to {out}" in result.stderr
    rows = _csv(out.read_text(encoding="utf-8"))
    assert [r["Serial Number"] for r in rows] == ["CD3700848"]
    result = CliRunner().invoke(_cli(), ["inventory", "export", "--db", str(db), "--format", "jsonl"])
    assert result.exit_code == 0
    assert [json.loads(line)["serial"] for line in result.stdout.splitlines()] == ["CD3700848", None]
    result = CliRunner().invoke(_cli(), ["inventory", "export", "--db", str(db), "--format", "xml"])
    assert result.exit_code == 2

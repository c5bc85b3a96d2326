"""Sinks: each format's exact shape, append, atomic JSON, and records surviving a SIGKILL."""
from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ocr_labels.errors import UsageError
from ocr_labels.records import RECORD_FIELDS, Record
from ocr_labels.sinks import open_sink

REPO = Path(__file__).resolve().parents[1]


def _record(i: int) -> Record:
    return Record(
        file=f"photos/unit{i}.jpg", brand="Whirlpool", model=f"WFW47{i:02d}RW0", serial=f"CD37{i:05d}",
        model_confidence=0.97, serial_confidence=0.9, model_source="key+pattern",
        serial_source="barcode", manufactured={"year": 2013, "week": 37, "rule": "whirlpool-2letter"},
        candidates=({"field": "model", "value": "WFW47", "confidence": 0.4},),
        warnings=("glare",), seconds=0.5, models=("WFW4720RW0",), sha256=f"{i:064x}",
        boxes={"label": [1, 2, 30, 40], "model": [5, 6, 7, 8]},
    )


def test_jsonl_one_record_per_line(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with open_sink("jsonl", out) as sink:
        sink.write(_record(1))
        sink.write(Record.failed("bad.jpg", "not an image"))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert list(first) == list(RECORD_FIELDS)
    assert Record.from_dict(first) == _record(1)
    assert json.loads(lines[1])["error"] == "not an image"


def test_jsonl_append_keeps_earlier_records_and_repairs_a_cut_line(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with open_sink("jsonl", out) as sink:
        sink.write(_record(1))
    with open(out, "a", encoding="utf-8") as fh:
        fh.write('{"file": "cut')  # what a kill in the middle of a write would leave
    with open_sink("jsonl", out, append=True) as sink:
        sink.write(_record(2))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    assert json.loads(lines[0])["model"] == "WFW4701RW0"
    assert lines[1] == '{"file": "cut'
    assert json.loads(lines[2])["model"] == "WFW4702RW0"


def test_without_append_the_file_is_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("old\nold\n", encoding="utf-8")
    with open_sink("jsonl", out) as sink:
        sink.write(_record(3))
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1


def test_csv_columns_and_nested_cells(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    with open_sink("csv", out) as sink:
        sink.write(_record(1))
        sink.write(Record(file="x, \"quoted\".jpg"))
    with open(out, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == RECORD_FIELDS
    row = dict(zip(rows[0], rows[1]))
    assert row["model"] == "WFW4701RW0"
    assert row["page"] == ""
    assert row["model_confidence"] == "0.97"
    assert json.loads(row["manufactured"]) == {"year": 2013, "week": 37, "rule": "whirlpool-2letter"}
    assert json.loads(row["candidates"]) == [{"field": "model", "value": "WFW47", "confidence": 0.4}]
    assert json.loads(row["warnings"]) == ["glare"]
    assert json.loads(row["models"]) == ["WFW4720RW0"]
    assert json.loads(row["boxes"]) == {"label": [1, 2, 30, 40], "model": [5, 6, 7, 8]}
    second = dict(zip(rows[0], rows[2]))
    assert second["file"] == 'x, "quoted".jpg'
    assert second["boxes"] == "" and second["warnings"] == "[]"


def test_csv_header_once_when_appending(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    with open_sink("csv", out, append=True) as sink:   # new file: header written
        sink.write(_record(1))
    with open_sink("csv", out, append=True) as sink:   # existing file: no second header
        sink.write(_record(2))
    with open(out, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 3
    assert rows[0][0] == "file" and rows[1][0] == "photos/unit1.jpg" and rows[2][0] == "photos/unit2.jpg"


def test_csv_append_to_a_foreign_csv_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "other.csv"
    out.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(UsageError, match="header"):
        open_sink("csv", out, append=True)
    assert out.read_text(encoding="utf-8") == "a,b\n1,2\n"


def test_json_array_written_atomically_on_close(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    out.write_text('"previous complete file"', encoding="utf-8")
    sink = open_sink("json", out)
    sink.write(_record(1))
    sink.write(_record(2))
    # Until close the old file is untouched: no reader ever sees half an array.
    assert out.read_text(encoding="utf-8") == '"previous complete file"'
    sink.close()
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [d["serial"] for d in data] == ["CD3700001", "CD3700002"]
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temp file left behind


def test_json_append_extends_the_array(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    with open_sink("json", out) as sink:
        sink.write(_record(1))
    with open_sink("json", out, append=True) as sink:
        sink.write(_record(2))
    assert [d["serial"] for d in json.loads(out.read_text(encoding="utf-8"))] == ["CD3700001", "CD3700002"]


def test_stdout_when_no_path(capsys: pytest.CaptureFixture[str]) -> None:
    with open_sink(None, None) as sink:
        sink.write(_record(1))
    with open_sink("json", "-") as sink:
        sink.write(_record(2))
    out = capsys.readouterr().out
    first, rest = out.split("\n", 1)
    assert json.loads(first)["serial"] == "CD3700001"
    assert json.loads(rest)[0]["serial"] == "CD3700002"


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="xml") as info:
        open_sink("xml", tmp_path / "x")
    assert info.value.exit_code == 2


_WRITER = """
import sys, time
from ocr_labels.records import Record
from ocr_labels.sinks import open_sink
fmt, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
sink = open_sink(fmt, path, append=True)
for i in range(n):
    sink.write(Record(file=f"p{i}.jpg", brand="LG", serial=f"S{i:06d}", serial_confidence=0.9,
                      warnings=("a", "b")))
print("written", flush=True)
time.sleep(60)  # killed here, before close()
"""


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_records_survive_sigkill(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    n = 25
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, fmt, str(out), str(n)], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "written"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    if fmt == "jsonl":
        lines = out.read_text(encoding="utf-8").splitlines()
        assert [json.loads(line)["serial"] for line in lines] == [f"S{i:06d}" for i in range(n)]
    else:
        with open(out, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert [r["serial"] for r in rows] == [f"S{i:06d}" for i in range(n)]
        assert all(json.loads(r["warnings"]) == ["a", "b"] for r in rows)

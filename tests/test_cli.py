"""The command line: formats, exit codes, bad input in a batch, and the missing-Tesseract message."""
import csv
import io
import json

import pytest
from click.testing import CliRunner

from ocr_labels.cli import main
from tests.labels import WHIRLPOOL, draw_label, write_jpeg


@pytest.fixture()
def batch(tmp_path, tesseract):
    folder = tmp_path / "photos"
    folder.mkdir()
    write_jpeg(folder / "a_good.jpg", draw_label(WHIRLPOOL))
    (folder / "b_empty.jpg").write_bytes(b"")
    (folder / "c_text.png").write_text("not an image")
    write_jpeg(folder / "d_good_rotated.jpg", draw_label(WHIRLPOOL, angle=4))
    (folder / "notes.txt").write_text("skipped: not an image suffix")
    return folder


def _jsonl(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_batch_with_bad_files_goes_on_and_exits_1(batch):
    result = CliRunner().invoke(main, ["scan", str(batch), "--quiet"])
    assert result.exit_code == 1, result.output
    records = _jsonl(result.stdout)
    assert [r["file"].split("/")[-1] for r in records] == ["a_good.jpg", "b_empty.jpg", "c_text.png", "d_good_rotated.jpg"]
    good = [records[0], records[3]]
    for r in good:
        assert (r["brand"], r["model"], r["serial"]) == ("Whirlpool", "WFW4720RW0", "CD3700848")
        assert r["error"] is None
        assert r["model_source"] == "key+pattern"
    assert "empty" in records[1]["error"] and records[1]["model"] is None
    assert "not an image" in records[2]["error"]


def test_all_good_exits_0_and_writes_csv(batch, tmp_path):
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(main, ["scan", str(batch / "a_good.jpg"), "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(rows) == 1 and rows[0]["model"] == "WFW4720RW0" and rows[0]["serial"] == "CD3700848"


def test_json_format_is_one_array(batch):
    result = CliRunner().invoke(main, ["scan", str(batch / "a_good.jpg"), str(batch / "b_empty.jpg"),
                                       "--format", "json", "-q"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert isinstance(data, list) and len(data) == 2


def test_workers_keep_input_order(batch):
    result = CliRunner().invoke(main, ["scan", str(batch), "--workers", "2", "-q"])
    names = [r["file"].split("/")[-1] for r in _jsonl(result.stdout)]
    assert names == ["a_good.jpg", "b_empty.jpg", "c_text.png", "d_good_rotated.jpg"]


def test_summary_on_stderr(batch):
    result = CliRunner().invoke(main, ["scan", str(batch / "a_good.jpg")])
    assert "1 record from 1 files" in result.stderr
    assert "ocr-labels:" not in result.stdout


def test_usage_errors_exit_2():
    runner = CliRunner()
    assert runner.invoke(main, ["scan"]).exit_code == 2
    assert runner.invoke(main, ["scan", "x.jpg", "--min-confidence", "7"]).exit_code == 2
    assert runner.invoke(main, ["scan", "x.jpg", "--format", "xml"]).exit_code == 2


def test_help_explains():
    out = CliRunner().invoke(main, ["scan", "--help"]).output
    for words in ("--min-confidence", "--workers", "decoded by", "--db"):
        assert words in out


def test_missing_tesseract_says_how_to_install(tmp_path, monkeypatch):
    from ocr_labels import engines

    write_jpeg(tmp_path / "a.jpg", draw_label(WHIRLPOOL))
    import pytesseract

    old = pytesseract.pytesseract.tesseract_cmd
    monkeypatch.setenv("OCR_LABELS_TESSERACT", str(tmp_path / "no-tesseract-here"))
    engines.tesseract_version.cache_clear()
    try:
        result = CliRunner().invoke(main, ["scan", str(tmp_path / "a.jpg")])
    finally:
        engines.tesseract_version.cache_clear()
        pytesseract.pytesseract.tesseract_cmd = old
    assert result.exit_code == 1
    assert "apt-get install tesseract-ocr" in result.stderr
    assert result.stdout == ""


def test_debug_folder_shows_views_crop_and_choice(batch, tmp_path):
    debug = tmp_path / "debug"
    result = CliRunner().invoke(main, ["scan", str(batch / "a_good.jpg"), "--debug", str(debug), "-q"])
    assert result.exit_code == 0
    names = sorted(p.name for p in debug.iterdir())
    assert "a_good.chosen.jpg" in names and "a_good.label.jpg" in names
    assert any(n.startswith("a_good.level") for n in names)

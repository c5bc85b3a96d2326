"""Recall lists: parsing and validation, each condition, possible matches, the example list and
`recalls check` on the command line."""
from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ocr_labels.cli_inventory import recalls_cmd
from ocr_labels.recalls import RecallListError, check_records, load_recall_list, normalize_brand
from ocr_labels.records import Record

REPO = Path(__file__).resolve().parents[1]
HEADER = "brand,model_pattern,serial_from,serial_to,date_from,date_to,recall_id,url,title\n"


def _list(tmp_path: Path, *rows: str) -> Path:
    p = tmp_path / "recalls.csv"
    p.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return p


def rec(**kw) -> Record:
    base = dict(file="photo.jpg", brand="Whirlpool", model="WFW4720RW0", serial="CD3700848",
                manufactured={"year": 2013, "week": 37})
    base.update(kw)
    return Record(**base)


def test_brand_normalisation() -> None:
    assert normalize_brand("Jenn-Air") == normalize_brand("JENN AIR") == "jennair"
    assert normalize_brand("Fisher & Paykel") == "fisherpaykel"
    assert normalize_brand(None) == ""


def test_load_parses_every_column(tmp_path: Path) -> None:
    path = _list(tmp_path, "Maytag; Amana ,MED8*, cd000 ,CD999,2019,2020-06,R-1,https://x.example/1,Lint")
    (r,) = load_recall_list(path)
    assert r.brands == ("maytag", "amana")
    assert r.model_pattern == "MED8*"
    assert (r.serial_from, r.serial_to) == ("CD000", "CD999")
    assert (r.date_from, r.date_to) == ((2019, 1), (2020, 6))
    assert (r.recall_id, r.url, r.title, r.line) == ("R-1", "https://x.example/1", "Lint", 2)


@pytest.mark.parametrize("row, message", [
    (",WFW*,,,,,R-1,,", "brand is empty"),
    ("LG,,,,,,,,", "recall_id is empty"),
    ("LG,,AB1,AB12,,,R-1,,", "differ in length"),
    ("LG,,AB9,AB1,,,R-1,,", "serial_from is after serial_to"),
    ("LG,,,,2019-13,,R-1,,", "not YYYY-MM or YYYY"),
    ("LG,,,,March 2019,,R-1,,", "not YYYY-MM or YYYY"),
    ("LG,,,,2020,2019,R-1,,", "date_from is after date_to"),
    ("LG,,,,,,R-1", "7 cells, the header has 9"),
])
def test_bad_rows_name_file_and_line(tmp_path: Path, row: str, message: str) -> None:
    path = _list(tmp_path, "LG,,,,,,R-0,,", row)
    with pytest.raises(RecallListError, match=message) as info:
        load_recall_list(path)
    assert f"{path}:3" in str(info.value)
    assert info.value.exit_code == 2


def test_bad_header_and_missing_file(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    p.write_text("brand,model,recall_id\nLG,X,R\n", encoding="utf-8")
    with pytest.raises(RecallListError, match="missing column"):
        load_recall_list(p)
    with pytest.raises(RecallListError, match="cannot read"):
        load_recall_list(tmp_path / "absent.csv")


def test_model_glob_is_whole_and_case_insensitive(tmp_path: Path) -> None:
    recalls = load_recall_list(_list(tmp_path, "whirlpool,wfw47?0*,,,,,R-1,,"))
    assert [m.record.model for m in check_records(
        [rec(), rec(model="WFW4720"), rec(model="XWFW4720RW0"), rec(model="WFW4820RW0")], recalls)
    ] == ["WFW4720RW0", "WFW4720"]


def test_brand_must_match(tmp_path: Path) -> None:
    recalls = load_recall_list(_list(tmp_path, "Jenn-Air,,,,,,R-1,,"))
    matches = check_records([rec(brand="JENN AIR"), rec(brand="Whirlpool"), rec(brand=None)], recalls)
    assert [m.record.brand for m in matches] == ["JENN AIR"]
    assert matches[0].certain and matches[0].why == "brand JENN AIR"


def test_serial_range_same_length_lexicographic(tmp_path: Path) -> None:
    recalls = load_recall_list(_list(tmp_path, "Whirlpool,,CD0000000,CD4999999,,,R-1,,"))
    serials = ["CD3700848", "cd 370 0848", "CD5000000", "CD370084", "CB9999999", "CD4999999"]
    matches = check_records([rec(serial=s) for s in serials], recalls)
    assert [m.record.serial for m in matches] == ["CD3700848", "cd 370 0848", "CD4999999"]
    assert "serial CD3700848 in CD0000000..CD4999999" in matches[0].why


def test_open_serial_range(tmp_path: Path) -> None:
    recalls = load_recall_list(_list(tmp_path, "Whirlpool,,CD5000000,,,,R-1,,"))
    assert [m.record.serial for m in check_records(
        [rec(serial="CD3700848"), rec(serial="ZZ0000000")], recalls)] == ["ZZ0000000"]


def test_date_range(tmp_path: Path) -> None:
    recalls = load_recall_list(_list(tmp_path, "Whirlpool,,,,2013-09,2014-02,R-1,,"))
    records = [
        rec(file="week37", manufactured={"year": 2013, "week": 37}),     # ISO week 37 -> September
        rec(file="month", manufactured={"year": 2014, "month": 2}),
        rec(file="before", manufactured={"year": 2013, "month": 8}),
        rec(file="after", manufactured={"year": 2014, "month": 3}),
        rec(file="year-only-straddles", manufactured={"year": 2014}),   # could be Jan..Dec 2014
        rec(file="year-outside", manufactured={"year": 2012}),
    ]
    got = {m.record.file: m.certain for m in check_records(records, recalls)}
    assert got == {"week37": True, "month": True, "year-only-straddles": False}


def test_unread_values_give_possible_matches(tmp_path: Path) -> None:
    recalls = load_recall_list(_list(tmp_path, "Whirlpool,WFW47*,CD0000000,CD9999999,,,R-1,,"))
    matches = check_records([
        rec(file="no-serial", serial=None),
        rec(file="nothing", model=None, serial=None),           # only the brand: not reported
        rec(file="wrong-model", model="MED8200", serial=None),  # a read value that fails excludes
        Record.failed("err.jpg", "unreadable"),
    ], recalls)
    assert [(m.record.file, m.certain) for m in matches] == [("no-serial", False)]
    assert matches[0].why == "brand Whirlpool; model WFW4720RW0 matches WFW47*; serial not read"


def test_example_list_loads_and_is_marked_as_example() -> None:
    path = REPO / "docs" / "recalls-example.csv"
    recalls = load_recall_list(path)
    assert len(recalls) >= 3
    assert all(r.recall_id.startswith("EXAMPLE-") for r in recalls)
    assert all("EXAMPLE ONLY" in (r.title or "") for r in recalls)
    matches = check_records([rec()], recalls)
    assert [m.recall.recall_id for m in matches] == ["EXAMPLE-0001"]


def _cli() -> click.Group:
    group = click.Group("main")
    group.add_command(recalls_cmd)
    return group


def _jsonl(tmp_path: Path, records: list[Record]) -> Path:
    p = tmp_path / "records.jsonl"
    p.write_text("".join(r.to_json() + "\n" for r in records), encoding="utf-8")
    return p


def test_cli_check_text_and_json(tmp_path: Path) -> None:
    recs = _jsonl(tmp_path, [rec(), rec(file="other.jpg", brand="LG", model="X", serial="1")])
    lst = REPO / "docs" / "recalls-example.csv"
    result = CliRunner().invoke(_cli(), ["recalls", "check", str(recs), "--list", str(lst)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "EXAMPLE-0001: Whirlpool WFW4720RW0 S/N CD3700848 (photo.jpg)"
    assert "https://example.org/recalls/EXAMPLE-0001" in result.stdout
    assert "1 match in 2 records against 4 recalls" in result.stderr
    result = CliRunner().invoke(_cli(), ["recalls", "check", "-", "--list", str(lst), "--format", "json"],
                                input=recs.read_text(encoding="utf-8"))
    assert result.exit_code == 0
    (m,) = json.loads(result.stdout)
    assert m["recall_id"] == "EXAMPLE-0001" and m["serial"] == "CD3700848" and m["certain"] is True


def test_cli_no_match_exits_0_bad_list_exits_2(tmp_path: Path) -> None:
    recs = _jsonl(tmp_path, [rec(brand="Bosch")])
    good = _list(tmp_path, "LG,,,,,,R-1,,")
    result = CliRunner().invoke(_cli(), ["recalls", "check", str(recs), "--list", str(good)])
    assert result.exit_code == 0 and result.stdout == ""
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "LG,,,,2019-99,,R-1,,\n", encoding="utf-8")
    result = CliRunner().invoke(_cli(), ["recalls", "check", str(recs), "--list", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:2: date '2019-99' is not YYYY-MM or YYYY" in result.stderr


def test_cli_malformed_records_line(tmp_path: Path) -> None:
    recs = tmp_path / "records.jsonl"
    recs.write_text(rec().to_json() + "\n\n{not json\n", encoding="utf-8")
    result = CliRunner().invoke(_cli(), ["recalls", "check", str(recs), "--list",
                                         str(REPO / "docs" / "recalls-example.csv")])
    assert result.exit_code == 2
    assert "line 3: not a record" in result.stderr

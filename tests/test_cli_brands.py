"""The `patterns` and `decode` commands, run through a throwaway click group."""
from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from ocr_labels.cli_brands import decode_cmd, patterns_cmd


@pytest.fixture(scope="module")
def cli() -> click.Group:
    @click.group()
    def main() -> None:
        """test group"""

    main.add_command(patterns_cmd)
    main.add_command(decode_cmd)
    return main


@pytest.fixture()
def run(cli):
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args), catch_exceptions=False)


def test_list_text(run):
    r = run("patterns", "list")
    assert r.exit_code == 0
    whirlpool = next(line for line in r.output.splitlines() if line.startswith("Whirlpool"))
    assert "model,serial,date" in whirlpool and "Maytag" in whirlpool
    assert any(line.startswith("Dell ") and "date" not in line for line in r.output.splitlines())


def test_list_json(run):
    r = run("patterns", "list", "--format", "json")
    rows = json.loads(r.output)
    assert len(rows) >= 39
    bosch = next(x for x in rows if x["brand"] == "Bosch")
    assert bosch["date"] is True and "Siemens" in bosch["family"] and bosch["file"] == "bosch.toml"


def test_check_builtin(run):
    r = run("patterns", "check")
    assert r.exit_code == 0 and r.output.strip().endswith("files OK")
    assert int(r.output.split()[0]) >= 40


def test_check_dir_with_problems(run, tmp_path):
    (tmp_path / "x.toml").write_text(
        'brand = "X"\n[[model]]\nid = "x"\nregex = "X\\\\d"\nexamples = ["X12"]\n')
    r = run("patterns", "check", str(tmp_path))
    assert r.exit_code == 1 and "example 'X12' does not match" in r.output


def test_check_good_dir(run, tmp_path):
    (tmp_path / "x.toml").write_text(
        'brand = "X"\n[[model]]\nid = "x"\nregex = "X\\\\d"\nexamples = ["X1"]\n')
    r = run("patterns", "check", str(tmp_path))
    assert r.exit_code == 0 and r.output.strip() == "1 files OK"


def test_test_command(run):
    r = run("patterns", "test", "Maytag", "CD3700848")
    assert r.exit_code == 0 and r.output.startswith("serial: maytag-serial-9")
    r = run("patterns", "test", "whirlpool corporation", "WFW4720RW0")
    assert r.exit_code == 0 and "model: whirlpool-model" in r.output
    r = run("patterns", "test", "Whirlpool", "W10336553")
    assert "distractor: whirlpool-part-number" in r.output


def test_test_command_no_match(run):
    r = run("patterns", "test", "GE", "BK123456G")
    assert r.exit_code == 1 and "no rule matches" in r.output


def test_unknown_brand_is_a_usage_error(run):
    r = run("patterns", "test", "Acme", "X")
    assert r.exit_code == 2 and "unknown brand" in r.output
    r = run("decode", "Acme", "X")
    assert r.exit_code == 2


def test_decode_text(run):
    r = run("decode", "Whirlpool", "CD3700848", "--as-of", "2025-06-01")
    assert r.exit_code == 0
    assert "2024 week 37" in r.output and "1994, 2024" in r.output


def test_decode_json(run):
    r = run("decode", "Apple", "C02G7BDVQ6L4", "--model", "A2337", "--as-of", "2025-06-01",
            "--format", "json")
    d = json.loads(r.output)
    assert d["year"] == 2021 and d["week"] == 33 and d["rule"] == "apple-12"
    assert d["brand"] == "Apple" and d["candidates"] == [2011, 2021] and d["source"] == "decoded"


def test_decode_display_name_of_family_member(run):
    r = run("decode", "HOTPOINT", "AL123456S", "--as-of", "2010-01-01", "--format", "json")
    d = json.loads(r.output)
    assert d["brand"] == "Hotpoint" and (d["year"], d["month"]) == (2006, 1)


def test_decode_failure(run):
    r = run("decode", "Whirlpool", "M80003177")
    assert r.exit_code == 1 and "cannot decode" in r.output
    r = run("decode", "Dell", "5RFDP01")
    assert r.exit_code == 1 and "no date rule" in r.output


def test_decode_bad_as_of(run):
    r = run("decode", "Whirlpool", "CD3700848", "--as-of", "June")
    assert r.exit_code == 2


def test_user_patterns_option(run, tmp_path):
    (tmp_path / "acme.toml").write_text(
        'brand = "Acme"\n[[serial]]\nid = "acme-s"\nregex = "S\\\\d{4}"\ndate = "d"\n'
        '[[date]]\nid = "d"\nyear = { at = [2, 3] }\nmonth = { at = [4, 5] }\n')
    r = run("decode", "Acme", "S1905", "--patterns", str(tmp_path), "--as-of", "2025-01-01")
    assert r.exit_code == 0 and "2019-05" in r.output

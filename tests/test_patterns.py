"""Pattern files: every built-in file loads and its examples hold; the loader and checker
catch broken files; brand lookup by name, alias and family member."""
from __future__ import annotations

import math
import time
from pathlib import Path

import pytest

from ocr_labels.errors import PatternFileError
from ocr_labels.patterns import (
    Brand, PatternSet, builtin_dir, check_dir, load_file, load_patterns, normalise, pattern_lengths,
)

BUILTIN = builtin_dir()
FILES = sorted(BUILTIN.glob("*.toml"))


@pytest.fixture(scope="module")
def ps() -> PatternSet:
    return load_patterns()


def _rules(brand: Brand):
    return [*brand.models, *brand.serials, *brand.distractors]


# ---------------------------------------------------------------- the built-in set
def test_builtin_dir_is_the_repo_patterns_folder():
    assert BUILTIN.name == "patterns" and BUILTIN.is_dir()


def test_at_least_40_brand_files():
    assert len(FILES) >= 40


def test_builtin_set_has_no_problems():
    assert check_dir(BUILTIN) == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_file_loads_and_examples_hold(path: Path):
    brand = load_file(path)
    assert path.stem.replace("-", "") == _file_stem(brand.name) or brand.generic
    for r in _rules(brand):
        for ex in r.examples:
            assert r.fullmatch(ex), f"{r.id}: example {ex!r}"
        for ex in r.counter_examples:
            assert not r.fullmatch(ex), f"{r.id}: counter-example {ex!r}"
        if r.date:
            assert r.date in brand.dates


def _file_stem(name: str) -> str:
    """File name rule: lower-case brand name with punctuation and spaces dropped or dashed."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def test_rule_ids_unique_across_files():
    ids = [r.id for p in FILES for r in _rules(load_file(p))]
    assert len(ids) == len(set(ids))


def test_brand_names_unique(ps):
    names = [b.name.lower() for b in ps.brands]
    assert len(names) == len(set(names))


def test_exactly_one_generic_and_it_is_weak(ps):
    assert ps.generic.generic and ps.generic.name == "Generic"
    assert all(not b.generic for b in ps.brands)
    rules = [*ps.generic.models, *ps.generic.serials]
    assert rules and all(r.strength <= 0.3 for r in rules)


@pytest.mark.parametrize("value,field,ok", [
    ("WFW4720RW0", "model", True), ("58STA090-1-12", "model", True),
    ("ABCDEF", "model", False), ("123456", "model", False),
    ("CD3700848", "serial", True), ("AB12", "serial", False), ("ABCDE12", "serial", False),
])
def test_generic_shapes(ps, value, field, ok):
    assert (ps.generic.match(field, value) is not None) is ok


REQUIRED = ["Whirlpool", "GE", "Samsung", "LG", "Frigidaire", "Bosch", "Bradford White",
            "A. O. Smith", "Rheem", "Carrier", "Apple", "Dell", "Speed Queen", "ICP", "Trane",
            "Lennox", "Goodman", "York", "HP", "Lenovo", "Sony", "Sub-Zero", "Miele",
            "Fisher & Paykel", "Haier", "Kenmore", "Thermo Pride"]


@pytest.mark.parametrize("name", REQUIRED)
def test_required_brands_present(ps, name):
    assert ps.get(name) is not None and ps.get(name).name == name


# Serial examples of a brand must not fullmatch its model rules (and vice versa) where the
# formats can be told apart. Pairs listed here share a shape on purpose.
SHARED_SHAPES = {
    ("Dell", "P75F001"),        # a 7-char regulatory model has the Service Tag shape
    ("Generic", "*"),
}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_models_and_serials_are_told_apart(path: Path):
    b = load_file(path)
    if b.generic:
        return
    for s in b.serials:
        for ex in s.examples:
            hits = [m.id for m in b.models if m.fullmatch(ex)]
            assert not hits, f"serial example {ex!r} matches model rules {hits}"
    for m in b.models:
        for ex in m.examples:
            if (b.name, ex) in SHARED_SHAPES:
                continue
            hits = [s.id for s in b.serials if s.fullmatch(ex)]
            assert not hits, f"model example {ex!r} matches serial rules {hits}"


def test_whirlpool_serial_is_not_a_model(ps):
    b = ps.get("Whirlpool")
    assert b.match("model", "CD3700848") is None
    assert b.match("serial", "CD3700848").id == "whirlpool-serial-9"
    assert b.match("model", "WFW4720RW0").id == "whirlpool-model-revision"
    assert b.match("model", "MDB4000AWB").id == "whirlpool-model"
    assert b.distractor("W10336553").id == "whirlpool-part-number"


def test_match_normalises_case_and_spaces(ps):
    assert ps.get("GE").match("model", "gxsf30v 00") is not None
    assert ps.get("Bosch").match("serial", "FD9006 00067").id == "bosch-fd"
    assert normalise(" fd 9006\t00067 ") == "FD900600067"


def test_match_picks_the_strongest_rule(ps):
    k = ps.get("KitchenAid")
    assert k.match("model", "KDFE104DBL5").id == "kitchenaid-model"


def test_supports(ps):
    assert ps.get("Whirlpool").supports == {"model": True, "serial": True, "date": True}
    assert ps.get("Dell").supports["date"] is False
    assert ps.get("Haier").supports == {"model": False, "serial": False, "date": False}
    assert ps.get("Kenmore").supports["date"] is True     # through the maker


# ---------------------------------------------------------------- lookup
@pytest.mark.parametrize("name,brand,display", [
    ("WHIRLPOOL CORPORATION", "Whirlpool", "Whirlpool"),
    ("whirlpool", "Whirlpool", "Whirlpool"),
    ("Roper", "Whirlpool", "Roper"),
    ("INGLIS", "Whirlpool", "Inglis"),
    ("MAYTAG", "Maytag", "Maytag"),           # own file wins over the Whirlpool family entry
    ("Admiral", "Maytag", "Admiral"),
    ("Hotpoint", "GE", "Hotpoint"),
    ("GE Profile", "GE", "GE Profile"),
    ("cafe", "GE", "Cafe"),
    ("Café", "GE", "Café"),
    ("General Electric", "GE", "GE"),
    ("A.O. Smith", "A. O. Smith", "A. O. Smith"),
    ("AO SMITH", "A. O. Smith", "A. O. Smith"),
    ("Reliance", "A. O. Smith", "Reliance"),
    ("State", "State", "State"),
    ("Ruud", "Rheem", "Ruud"),
    ("Bryant", "Carrier", "Bryant"),
    ("Payne", "Carrier", "Payne"),
    ("Siemens", "Bosch", "Siemens"),
    ("thermador", "Bosch", "Thermador"),
    ("Neff", "Bosch", "Neff"),
    ("Electrolux", "Electrolux", "Electrolux"),
    ("Kelvinator", "Frigidaire", "Kelvinator"),
    ("American Standard", "Trane", "American Standard"),
    ("Tempstar", "ICP", "Tempstar"),
    ("bradford-white", "Bradford White", "Bradford White"),
    ("Fisher and Paykel", "Fisher & Paykel", "Fisher & Paykel"),
    ("Generic", "Generic", "Generic"),
])
def test_get_and_display_name(ps, name, brand, display):
    assert ps.get(name).name == brand
    assert ps.display_name(name) == display


def test_unknown_brand(ps):
    assert ps.get("Acme Widgets") is None
    assert ps.display_name("Acme Widgets") is None
    assert ps.get("") is None


def test_identifiers(ps):
    ids = ps.identifiers()
    assert ("Maytag", "Maytag") in ids
    assert ("Whirlpool Corporation", "Whirlpool") in ids
    assert ("Hotpoint", "Hotpoint") in ids
    texts = [t.upper() for t, _ in ids]
    assert len(texts) == len(set(texts))
    assert all(len(a) >= len(b) for (a, _), (b, _) in zip(ids, ids[1:]))


def test_all_rules(ps):
    serials = ps.all_rules("serial")
    assert any(r.id == "whirlpool-serial-9" for r in serials)
    assert serials[-1].brand == "Generic"
    with pytest.raises(ValueError):
        ps.all_rules("colour")


def test_builtin_load_is_cached():
    assert load_patterns().brands[0] is load_patterns().brands[0]


# ---------------------------------------------------------------- user folders
GOOD = """
brand = "Acme"
aliases = ["ACME CORP"]
category = ["appliance"]
confidence = "LOW"
[[model]]
id = "acme-model"
regex = 'AC\\d{4}'
strength = 0.7
examples = ["AC1234"]
not = ["AC12"]
[[serial]]
id = "acme-serial"
regex = 'S\\d{2}(?:0[1-9]|1[0-2])\\d{4}'
strength = 0.8
date = "acme-yymm"
examples = ["S19051234"]
[[date]]
id = "acme-yymm"
year = { at = [2, 3] }
month = { at = [4, 5] }
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_user_folder_adds_a_brand(tmp_path):
    _write(tmp_path, "acme.toml", GOOD)
    ps = load_patterns([tmp_path])
    assert ps.get("acme corp").name == "Acme"
    assert ps.get("Whirlpool") is not None
    assert check_dir(tmp_path) == []


def test_user_file_overrides_builtin_brand(tmp_path):
    _write(tmp_path, "dell.toml", 'brand = "Dell"\n[[serial]]\nid = "my-dell"\nregex = "X\\\\d{3}"\n')
    ps = load_patterns([tmp_path])
    assert [r.id for r in ps.get("Dell").serials] == ["my-dell"]
    assert [b.name for b in ps.brands].count("Dell") == 1


def test_builtin_false_has_an_empty_generic(tmp_path):
    _write(tmp_path, "acme.toml", GOOD)
    ps = load_patterns([tmp_path], builtin=False)
    assert [b.name for b in ps.brands] == ["Acme"]
    assert ps.generic.generic and ps.generic.models == ()


# ---------------------------------------------------------------- errors and check
@pytest.mark.parametrize("text,needle", [
    ('brand = "X"\n[[model]]\nid = "x"\nregex = "A(B"\n', "does not compile"),
    ('aliases = ["X"]\n', "missing 'brand'"),
    ('brand = "X"\n[[model]]\nregex = "A"\n', "missing 'id'"),
    ('brand = "X"\n[[model]]\nid = "x"\n', "missing 'regex'"),
    ('brand = "X"\n[[model]]\nid = "x"\nregex = "A"\nstrength = 2\n', "strength"),
    ('brand = "X"\n[[serial]]\nid = "x"\nregex = "A"\ndate = "nope"\n', "not defined"),
    ('brand = "X"\n[[model]]\nid = "x"\nregex = "A"\n[[serial]]\nid = "x"\nregex = "B"\n',
     "duplicate id"),
    ('brand = "X"\ncolour = "red"\n', "unknown keys"),
    ('brand = "X"\ncategory = ["toaster"]\n', "unknown category"),
    ('brand = "X"\n[[date]]\nid = "d"\nmonth = { at = 2 }\n', "missing 'year'"),
    ('brand = "X"\n[[date]]\nid = "d"\nyear = { at = 0 }\n', "bad span"),
    ('brand = "X"\n[[date]]\nid = "d"\nyear = { at = [1, 2], sequence = "AB" }\n',
     "one character"),
    ('brand = "X"\n[[date]]\nid = "d"\nyear = { group = "y" }\n', "named group"),
    ('brand = "X"\nthis is not toml\n', "invalid TOML"),
])
def test_load_file_rejects(tmp_path, text, needle):
    p = _write(tmp_path, "bad.toml", text)
    with pytest.raises(PatternFileError) as exc:
        load_file(p)
    assert needle in str(exc.value) and "bad.toml" in str(exc.value)


def test_check_dir_reports_each_problem(tmp_path):
    _write(tmp_path, "bad-regex.toml", 'brand = "A"\n[[model]]\nid = "a"\nregex = "[A-"\n')
    _write(tmp_path, "bad-example.toml",
           'brand = "B"\n[[model]]\nid = "b"\nregex = "B\\\\d{3}"\nexamples = ["B12"]\n')
    _write(tmp_path, "bad-counter.toml",
           'brand = "C"\n[[model]]\nid = "c"\nregex = "C\\\\d+"\nnot = ["C123"]\n')
    _write(tmp_path, "missing.toml", '[[model]]\nid = "d"\nregex = "D"\n')
    _write(tmp_path, "dup1.toml", 'brand = "E"\n[[model]]\nid = "same"\nregex = "E"\n')
    _write(tmp_path, "dup2.toml", 'brand = "F"\n[[model]]\nid = "same"\nregex = "F"\n')
    problems = check_dir(tmp_path)
    text = "\n".join(problems)
    assert "bad-regex.toml" in text and "does not compile" in text
    assert "example 'B12' does not match" in text
    assert "counter-example 'C123' matches" in text
    assert "missing.toml" in text and "missing 'brand'" in text
    assert "duplicate id" in text
    assert len(problems) == 5


def test_check_dir_reports_an_invalid_date_in_an_example(tmp_path):
    _write(tmp_path, "acme.toml", GOOD.replace('"S19051234"', '"S19131234"')
           .replace("(?:0[1-9]|1[0-2])", "\\d{2}"))
    assert any("no valid date" in p for p in check_dir(tmp_path))


def test_check_dir_empty_or_missing(tmp_path):
    assert check_dir(tmp_path) and "no *.toml" in check_dir(tmp_path)[0]
    assert check_dir(tmp_path / "nope")


def test_catastrophic_regex_is_reported_not_hung(tmp_path):
    long = "A" * 40 + "C"
    _write(tmp_path, "slow.toml",
           'brand = "Slow"\n[[model]]\nid = "slow"\nregex = "(A|AA)+B"\n'
           f'not = ["{long}"]\n'
           '[[serial]]\nid = "nested"\nregex = "(a+)+$"\n'
           f'examples = ["{"a" * 5000}!"]\n')
    t = time.perf_counter()
    problems = check_dir(tmp_path)
    assert time.perf_counter() - t < 2.0
    text = "\n".join(problems)
    assert "'slow': regex timed out on counter-example" in text
    assert "'nested'" in text                   # reported: the example does not match
    rule = load_file(tmp_path / "slow.toml").models[0]
    assert rule.fullmatch(long) is False and rule.test(long) is None


def test_only_a_distractor_can_name_the_brand(tmp_path):
    p = _write(tmp_path, "acme.toml", GOOD + '[[distractor]]\nid = "acme-fcc"\nregex = "ACM\\\\d{4}"\nnames_brand = true\n')
    rule = load_file(p).distractors[0]
    assert rule.names_brand
    bad = _write(tmp_path, "bad.toml", 'brand = "Bad"\n[[model]]\nid = "m"\nregex = "X\\\\d{3}"\nnames_brand = true\n')
    with pytest.raises(PatternFileError, match="only distractor rules can name the brand"):
        load_file(bad)


def test_a_distractor_gives_a_field_only_through_a_group_of_that_name(tmp_path):
    p = _write(tmp_path, "acme.toml", GOOD + '[[distractor]]\nid = "acme-fcc"\nregex = "ACM-?(?P<model>X\\\\d{4})"\ngives = "model"\n')
    rule = load_file(p).distractors[0]
    assert rule.given("ACM-X1234") == "X1234" and rule.given("ACM-Y1234") is None
    no_group = _write(tmp_path, "g.toml", GOOD + '[[distractor]]\nid = "acme-fcc"\nregex = "ACM\\\\d{4}"\ngives = "model"\n')
    with pytest.raises(PatternFileError, match=r"needs a group \(\?P<model>"):
        load_file(no_group)
    not_distractor = _write(tmp_path, "n.toml", 'brand = "Bad"\n[[model]]\nid = "m"\nregex = "(?P<model>X\\\\d{3})"\ngives = "model"\n')
    with pytest.raises(PatternFileError, match="only distractor rules can give"):
        load_file(not_distractor)


@pytest.mark.parametrize("pattern, lengths", [
    (r"C02[A-Z0-9]{9}", (12, 12)),
    (r"\d{2}(?:0[1-9]|[1-4]\d|5[0-3])[A-Z0-9]\d{5,9}", (10, 14)),
    (r"[A-Z]{2,5}\d{0,2}-\d{2,3}[A-Z0-9]*", (5, math.inf)),
    (r"[A-Z]{,3}", (0, 3)),
    # syntax of the regex module alone, or read otherwise by the standard parser: no bound
    (r"(?:MODEL){e<=1}", (0, math.inf)),
    (r"\p{Lu}{3}", (0, math.inf)),
    (r"(AB)\1", (0, math.inf)),
    (r"[", (0, math.inf)),
])
def test_pattern_lengths(pattern, lengths):
    assert pattern_lengths(pattern) == lengths


def test_every_builtin_rule_takes_its_own_examples_lengths(ps):
    # the length bound lets the repair search skip a rule: it must never refuse a value that fits
    rules = [r for b in (*ps.brands, ps.generic) for r in _rules(b)]
    assert rules
    for r in rules:
        for ex in r.examples:
            assert r.takes_length_of(ex), (r.id, ex)

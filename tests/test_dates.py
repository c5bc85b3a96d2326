"""Manufacture-date decoding: the worked examples of brand_formats.md, cycles and ambiguity,
printed dates, ages."""
from __future__ import annotations

from datetime import date

import pytest

from ocr_labels.dates import (
    Manufactured, age_years, compile_date_rule, decode_serial, decode_with_rule,
    parse_printed_date,
)
from ocr_labels.patterns import PatternSet, load_patterns

AS_OF = date(2025, 6, 1)


@pytest.fixture(scope="module")
def ps() -> PatternSet:
    return load_patterns()


# (brand as written on the label, serial, as_of or None for AS_OF, year, month, week)
# as_of is the source's own date where the example is only unambiguous in its era.
WORKED = [
    # Whirlpool family, 30-symbol year cycle (§3.1, §9)
    ("Whirlpool", "MT2513399", None, 2006, None, 25),
    ("Whirlpool", "M32323892", None, 2013, None, 23),
    ("Whirlpool", "CD3700848", None, 2024, None, 37),
    ("Maytag", "M81603177", None, 2018, None, 16),
    ("Maytag", "C82350288", None, 2018, None, 23),
    ("Whirlpool", "R81030795", None, 2018, None, 10),
    ("Whirlpool", "M74416721", None, 2017, None, 44),
    ("Roper", "M32323892", None, 2013, None, 23),
    # GE (§3.3)
    ("GE", "LG312345C", date(2017, 1, 1), 2016, 6, None),
    ("GE", "AL123456S", date(2010, 1, 1), 2006, 1, None),
    ("GE", "LT221102", date(2000, 1, 1), 1998, 6, None),
    ("Café", "ML041307Q", None, 2018, 7, None),
    ("GE", "ZA160697B", None, 2013, 12, None),
    # Samsung (§3.4)
    ("Samsung", "W66143BH400494B", None, 2016, 4, None),
    ("Samsung", "R58M315CL4T", None, 2019, 3, None),
    # LG (§3.5)
    ("LG", "603KWWZ73713", date(2020, 1, 1), 2016, 3, None),
    ("LG", "701TRMF00091", date(2020, 1, 1), 2017, 1, None),
    # Frigidaire (§3.6)
    ("Frigidaire", "4A44813686", date(2020, 1, 1), 2014, None, 48),
    ("Frigidaire", "AB32012345", date(2005, 1, 1), 2003, None, 20),
    # BSH (§3.7)
    ("Bosch", "FD9006", None, 2010, 6, None),
    ("Bosch", "FD8303", None, 2003, 3, None),
    ("Bosch", "FD8410", None, 2004, 10, None),
    ("Siemens", "FD8308", None, 2003, 8, None),
    ("Bosch", "FD8703001911", None, 2007, 3, None),
    ("Bosch", "FD0103", None, 2021, 3, None),
    ("Thermador", "FD9006 00067", None, 2010, 6, None),
    ("Bosch", "10 3 03 0081344 00011 5", date(2005, 1, 1), 2003, 3, None),
    # Speed Queen (§3.8)
    ("Speed Queen", "2309024571", None, 2023, 9, None),
    # Carrier (§4.1)
    ("Carrier", "1104B12345", None, 2004, None, 11),
    ("Carrier", "4006A17320", None, 2006, None, 40),
    ("Bryant", "1014E12345", None, 2014, None, 10),
    ("Payne", "3298E12345", None, 1998, None, 32),
    # ICP (§4.2)
    ("Tempstar", "L970751855", None, 1997, None, 7),
    ("Heil", "R883512345", None, 1988, None, 35),
    # Trane / American Standard (§4.3)
    ("Trane", "17103N6MF4", None, 2017, None, 10),
    ("Trane", "11241KADBB", None, 2011, None, 24),
    ("American Standard", "81422S41G", None, 2008, None, 14),
    ("Trane", "7165RHAIG", None, 2007, None, 16),
    ("Trane", "B50632891", None, 1987, None, 50),
    # Lennox (§4.4)
    ("Lennox", "5621M99989", None, 2021, 12, None),
    ("Lennox", "1602H13034", None, 2002, 8, None),
    ("Armstrong", "1215M12345", None, 2015, 12, None),
    # Rheem / Ruud (§4.5, §5.3)
    ("Ruud", "W291013412", None, 2010, None, 29),
    ("Rheem", "RHA251405618", None, 2014, None, 25),
    ("Rheem", "1291A39968", None, 1991, 12, None),
    ("Rheem", "RH0419A12345", None, 2019, 4, None),
    ("Richmond", "RN1221A12345", None, 2021, 12, None),
    # Goodman (§4.6)
    ("Goodman", "040852398", None, 2004, 8, None),
    ("Goodman", "1609123456", None, 2016, 9, None),
    ("Goodman", "1404123456", None, 2014, 4, None),
    # York (§4.7)
    ("York", "N0D6653823", None, 2006, 4, None),
    ("York", "W0A5480548", None, 2005, 1, None),
    ("York", "N1L5123456", None, 2015, 10, None),
    ("York", "XBFM220710", date(2000, 1, 1), 1997, 2, None),
    # A.O. Smith group (§5.1)
    ("A.O. Smith", "1732J123456", None, 2017, None, 32),
    ("Reliance", "0833A032628", None, 2008, None, 33),
    ("AO Smith", "1805A123456", None, 2018, None, 5),
    ("State", "1912J123456", None, 2019, None, 12),
    ("State", "C05123456", None, 2005, 3, None),
    # Bradford White (§5.2)
    ("Bradford White", "SB40976517", None, 2018, 2, None),
    ("Bradford White", "DD9041943", None, 2007, 4, None),
    ("Bradford White", "HG4829551", None, 2011, 7, None),
    ("Bradford White", "OA1234567", None, 1997, 1, None),
    # Apple (§6.1)
    ("Apple", "C02ZX3B4MD6N", None, 2019, None, 52),
    ("Apple", "C02YQH9BLVCF", None, 2019, None, 21),
    ("Apple", "C02G7BDVQ6L4", None, 2021, None, 33),
    ("Apple", "C02NQJD9G3QD", None, 2014, None, 47),
    # Indesit (§3.14)
    ("Hotpoint-Ariston", "3 10 02 0895", date(2015, 1, 1), 2013, 10, None),
]


@pytest.mark.parametrize("brand,serial,as_of,year,month,week", WORKED,
                         ids=[f"{w[0]}-{w[1]}" for w in WORKED])
def test_worked_examples(ps, brand, serial, as_of, year, month, week):
    m = decode_serial(ps, brand, serial, as_of=as_of or AS_OF)
    assert m is not None
    assert (m.year, m.month, m.week) == (year, month, week)
    assert year in m.candidates
    assert m.source == "decoded" and 0 < m.confidence <= 1


def test_result_names_the_rule(ps):
    m = decode_serial(ps, "Whirlpool", "CD3700848", as_of=AS_OF)
    assert m.rule == "whirlpool-9"
    assert decode_serial(ps, "Whirlpool", "MCT2513399", as_of=AS_OF).rule == "whirlpool-10"


# ---------------------------------------------------------------- cycles and ambiguity
def test_letter_cycle_lists_both_candidates_and_picks_the_recent_one(ps):
    m = decode_serial(ps, "Whirlpool", "CD3700848", as_of=AS_OF)
    assert m.candidates == (1994, 2024)
    assert m.year == 2024
    assert m.confidence < 0.5


def test_as_of_changes_the_pick(ps):
    m = decode_serial(ps, "Whirlpool", "CD3700848", as_of=date(2020, 1, 1))
    assert m.year == 1994 and m.candidates == (1994,)
    assert m.confidence > 0.8


def test_a_date_later_in_the_as_of_year_is_not_possible(ps):
    # GE ZA = December of 2013 or 2025; on 1 June 2025 December 2025 has not happened yet
    m = decode_serial(ps, "GE", "ZA160697B", as_of=date(2025, 6, 1))
    assert m.year == 2013 and 2025 not in m.candidates
    m = decode_serial(ps, "GE", "ZA160697B", as_of=date(2025, 12, 20))
    assert m.year == 2025 and {2013, 2025} <= set(m.candidates)


def test_twelve_year_cycle_candidates(ps):
    m = decode_serial(ps, "GE", "LT221102", as_of=date(2011, 6, 30))
    assert {1986, 1998, 2010} <= set(m.candidates)
    assert m.year == 2010
    assert m.confidence < 0.4


def test_ten_year_cycle_is_ambiguous(ps):
    m = decode_serial(ps, "LG", "603KWWZ73713", as_of=AS_OF)
    assert m.year == 2016
    assert {1996, 2006, 2016} <= set(m.candidates)
    assert m.confidence < 0.3


def test_window_drops_candidates_older_than_40_years(ps):
    m = decode_serial(ps, "Whirlpool", "M32323892", as_of=AS_OF)
    assert m.candidates == (1983, 2013)         # both listed ...
    assert m.year == 2013 and m.confidence > 0.8   # ... but 1983 is out of the window


def test_model_era_resolves_samsung(ps):
    serial = "W66143BX400494B"                  # X = 2004 or 2024
    bare = decode_serial(ps, "Samsung", serial, as_of=AS_OF)
    assert bare.candidates == (2004, 2024) and bare.confidence < 0.5
    dated = decode_serial(ps, "Samsung", serial, model="WA50T5300AC/US", as_of=AS_OF)
    assert dated.year == 2024 and dated.confidence > 0.8
    assert decode_serial(ps, "Samsung", serial, as_of=date(2010, 1, 1)).year == 2004


def test_model_era_resolves_apple(ps):
    bare = decode_serial(ps, "Apple", "C02G7BDVQ6L4", as_of=AS_OF)
    assert bare.candidates == (2011, 2021) and bare.confidence < 0.5
    dated = decode_serial(ps, "Apple", "C02G7BDVQ6L4", model="A2337", as_of=AS_OF)
    assert dated.year == 2021 and dated.confidence > 0.9


def test_scheme_years_limit_candidates(ps):
    # Trane 9-char serials were used 2002-2009 only: the 8 cannot be 1998 or 2018
    m = decode_serial(ps, "Trane", "81422S41G", as_of=AS_OF)
    assert m.candidates == (2008,) and m.confidence > 0.9


def test_yyww_in_the_future_falls_back_to_wwyy(ps):
    m = decode_serial(ps, "A. O. Smith", "2912A002243", as_of=AS_OF)
    assert (m.year, m.week, m.rule) == (2012, 29, "aosmith-wwyy")


def test_kenmore_decodes_with_the_maker_named_by_the_model(ps):
    m = decode_serial(ps, "Kenmore", "M32323892", model="110.28002012", as_of=AS_OF)
    assert (m.year, m.week, m.rule) == (2013, 23, "whirlpool-9")
    m = decode_serial(ps, "Kenmore", "4A44813686", model="253.12345678", as_of=date(2020, 1, 1))
    assert (m.year, m.week) == (2014, 48)
    assert decode_serial(ps, "Kenmore", "M32323892", as_of=AS_OF) is None


def test_blackhorse_year_letter(ps):
    rule = ps.get("Amana").dates["amana-blackhorse"]
    m = decode_with_rule(rule, "BB80200127", as_of=date(1990, 1, 1))
    assert m.candidates == (1971, 1981) and m.year == 1981 and m.confidence < 0.5


def test_maytag_pre2006_is_recognised_but_not_dated(ps):
    assert ps.get("Maytag").match("serial", "12559635SY").id == "maytag-serial-pre2006"
    assert decode_serial(ps, "Maytag", "12559635SY", as_of=AS_OF) is None


@pytest.mark.parametrize("brand,serial", [
    ("Whirlpool", "M80003177"),        # week 00
    ("Whirlpool", "M85403177"),        # week 54
    ("GE", "BK123456G"),               # B is not a GE month letter
    ("LG", "613KWWZ73713"),            # month 13
    ("Lennox", "5621I99989"),          # I is not a Lennox month
    ("Samsung", "W66143BH000494B"),    # month 0
    ("Dell", "5RFDP01"),               # no date rule
    ("Acme", "M81603177"),             # unknown brand
    ("Whirlpool", ""),
    ("Trane", "99103N6MF4"),           # 2099 is in the future, 1999 before the scheme
])
def test_invalid_codes_return_none(ps, brand, serial):
    assert decode_serial(ps, brand, serial, as_of=AS_OF) is None


def test_to_dict_keys():
    m = Manufactured(2018, None, 16, (2018,), "whirlpool-9", "decoded", 0.9)
    d = m.to_dict()
    assert list(d) == ["year", "month", "week", "candidates", "rule", "source", "confidence"]
    assert d["candidates"] == [2018]
    with pytest.raises(ValueError):
        Manufactured(2018, None, None, (), "x", "decoded", 1.5)


def test_date_rule_scattered_and_grouped_positions():
    rule = compile_date_rule({"id": "t", "year": {"chars": [2, 4]},
                              "month": {"at": 3, "sequence": "ABCDEFGHKLMN"}})
    assert decode_with_rule(rule, "N0D6653823", as_of=AS_OF).year == 2006
    rule = compile_date_rule({"id": "g", "regex": "[A-Z]*(?P<m>\\d{2})(?P<y>\\d{2})\\d+",
                              "month": {"group": "m"}, "year": {"group": "y"}})
    m = decode_with_rule(rule, "RH041912345", as_of=AS_OF)
    assert (m.year, m.month) == (2019, 4)
    rule = compile_date_rule({"id": "neg", "year": {"at": [-4, -3]}, "week": {"at": [-2, -1]}})
    assert decode_with_rule(rule, "XYZ1712", as_of=AS_OF).week == 12


@pytest.mark.parametrize("data,needle", [
    ({"id": "x"}, "missing 'year'"),
    ({"id": "x", "year": {"at": 1}, "month": {"at": 2}, "week": {"at": 3}}, "not both"),
    ({"id": "x", "year": {"at": 1, "chars": [1]}}, "exactly one"),
    ({"id": "x", "year": {"at": 1, "sequence": "AA"}}, "distinct"),
    ({"id": "x", "year": {"at": 1}, "colour": 1}, "unknown keys"),
    ({"id": "x", "year": {"at": 1}, "confidence": "SURE"}, "confidence"),
])
def test_bad_date_rules(data, needle):
    with pytest.raises(ValueError, match=needle):
        compile_date_rule(data)


# ---------------------------------------------------------------- printed dates
@pytest.mark.parametrize("text,year,month", [
    ("MFG DATE 03/2017", 2017, 3),
    ("MFG. DATE: 2019-05", 2019, 5),
    ("MFD 05/19", 2019, 5),
    ("DATE OF MFR 11/2008", 2008, 11),
    ("Manufactured 12/14", 2014, 12),
    ("MFR DATE: MAR 2017", 2017, 3),
    ("mfg date 2016", 2016, None),
    ("MFD: 19/05", 2019, 5),                    # YY/MM (newer ThinkPad labels)
    ("MFG DATE 2019/05/14", 2019, 5),
    ("Manufactured on 03/14/2017", 2017, 3),
    ("MODEL FFHS2622MBNA\nSERIAL 4A44813686\nmanufactured 12/14\n120V 60Hz", 2014, 12),
])
def test_parse_printed_date(text, year, month):
    m = parse_printed_date(text, as_of=AS_OF)
    assert (m.year, m.month, m.week) == (year, month, None)
    assert m.source == "printed" and m.rule == "printed" and m.confidence >= 0.9
    assert m.candidates == (year,)


@pytest.mark.parametrize("text", [
    "MODEL WFW4720RW0 SERIAL CD3700848",
    "MFG NO 12345",
    "MFG DATE 03/2030",                         # after as_of
    "MFG DATE 13/2017",
    "",
])
def test_parse_printed_date_none(text):
    assert parse_printed_date(text, as_of=AS_OF) is None


def test_printed_date_is_more_confident_than_a_decoded_one(ps):
    # the realdata Frigidaire label prints "manufactured 12/14" and its serial says week 48
    printed = parse_printed_date("manufactured 12/14", as_of=AS_OF)
    decoded = decode_serial(ps, "Frigidaire", "4A44813686", as_of=AS_OF)
    assert printed.confidence > decoded.confidence
    assert decoded.year in (2014, 2024) and 2014 in decoded.candidates


# ---------------------------------------------------------------- age
def test_age_years():
    week = Manufactured(2018, None, 16, (2018,), "r", "decoded", 0.9)
    assert age_years(week, date(2023, 4, 19)) == 5.0
    month = Manufactured(2010, 6, None, (2010,), "r", "decoded", 0.9)
    assert age_years(month, date(2020, 6, 15)) == 10.0
    year = Manufactured(2000, None, None, (2000,), "r", "decoded", 0.9)
    assert age_years(year, date(2010, 7, 1)) == 10.0
    assert age_years(None, date(2020, 1, 1)) is None
    unknown = Manufactured(None, None, None, (1990,), "r", "decoded", 0.0)
    assert age_years(unknown, date(2020, 1, 1)) is None


def test_default_as_of_is_today(ps):
    assert decode_serial(ps, "Bosch", "FD8703001911").year == 2007
    assert parse_printed_date("MFG DATE 03/2017").year == 2017

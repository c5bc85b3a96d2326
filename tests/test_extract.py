"""Extraction on text the tests write: brand detection, repair, distractors, the threshold."""
from dataclasses import replace

import pytest
from hypothesis import given, strategies as st

from ocr_labels import ScanOptions, classify_text
from ocr_labels.extract import CONFUSABLE, Cand, agrees, barcode_candidates, brand_marks, choose, detect_brand, payload_parts, global_distractor, near_miss, normalise, repair, repairs
from ocr_labels.patterns import load_patterns

PATTERNS = load_patterns()


@pytest.mark.parametrize("lines, brand", [
    (["MAYTAG", "Whirlpool Corporation, Benton Harbor, MI"], "Maytag"),  # the family member printed as logo
    (["FRIGIDAIRE", "Electrolux Home Products, Inc."], "Frigidaire"),
    (["GE Appliances, a Haier company"], "GE"),
    (["Made in the United States of America", "New York, NY"], None),  # common words are no brand
    (["1 GE 2 x"], None),  # a two-letter name inside noise does not count
    (["GE"], None),  # nor alone: OCR noise makes such lines; "GE Appliances" counts
])
def test_brand_detection(lines, brand):
    guess = detect_brand(lines, PATTERNS)
    assert (guess.name if guess else None) == brand


def test_repair_by_the_patterns_character_classes():
    apple = PATTERNS.get("Apple")
    rule = next(r for r in apple.serials if r.id == "apple-serial-12")
    assert repair("CO2G414GMD6N", rule) == ("C02G414GMD6N", 1)
    assert repair("C02G414GMD6N", rule) == ("C02G414GMD6N", 0)
    assert repair("XXXXXXXXXXXXXXXXXX", rule) is None


def test_a_blurred_t_read_as_7_or_1_is_repaired_where_the_shape_wants_a_letter():
    rule = next(r for r in PATTERNS.get("GE").serials if r.id == "ge-serial")
    assert repair("7D177172H", rule) == ("TD177172H", 1)  # only T of 7's look-alikes is a month letter
    found, n = repairs("1Z567427", rule)
    assert n == 1 and sorted(found) == ["LZ567427", "TZ567427"]  # L or T: a guess, unless read otherwise too


def test_a_g_where_the_shape_wants_a_digit_is_a_6_or_a_0_cut_short():
    rule = next(r for r in PATTERNS.get("Apple").models if r.id == "apple-model")
    found, n = repairs("A199G", rule)
    assert n == 1 and sorted(found) == ["A1990", "A1996"]  # a guess: not 'A1996' for certain
    record = classify_text("Designed by Apple in California\nModel A199G  EMC 3215")
    assert record.model is None and "a guess: A1996 or A1990" in record.candidates[0]["reason"]


@pytest.mark.parametrize("value, kind", [
    ("03/2017", "date"), ("1-800-253-1301", "phone number"), ("120V", "rating"), ("15A", "rating"),
    ("012345678905", "UPC/EAN"), ("4006381333931", "UPC/EAN"), ("WFW4720RW0", None), ("CD3700848", None),
    ("241401920019", None),  # twelve digits whose last is no GS1 check digit: not a product code
])
def test_global_distractors(value, kind):
    assert global_distractor(value) == kind


def test_an_all_digit_serial_is_not_taken_for_a_upc():
    r = classify_text("A. O. SMITH\nMODEL GDHE-50 200\nSERIAL NO. 241401920019\nUPC 036000291452")
    assert r.serial == "241401920019"
    assert "036000291452" not in (r.model, r.serial)


def test_part_number_is_never_the_serial():
    r = classify_text("WHIRLPOOL\nP/N W10336553\nMODEL WFW4720RW0\nSERIAL CD3700848")
    assert (r.brand, r.model, r.serial) == ("Whirlpool", "WFW4720RW0", "CD3700848")
    assert r.model_source == r.serial_source == "key+pattern"
    assert "W10336553" not in (r.model, r.serial)


def test_confusable_zero_repaired_by_brand_shape():
    r = classify_text("Whirlpool\nMODEL WFW4720RWO\nSERIAL CD37OO848")
    assert (r.model, r.serial) == ("WFW4720RW0", "CD3700848")
    assert any("repaired" in c.get("reason", "") for c in r.candidates)


def test_a_rheem_tank_model_read_with_s_for_5_is_repaired_by_its_shape():
    # gallons and warranty years are digits, the series and the letters after them letters
    r = classify_text("RHEEM\nMODEL PROESST06PV67U5\nSERIAL Q0521J60702")
    assert r.brand == "Rheem" and r.model == "PROE55T06PV67U5"
    assert any(c["value"] == "PROE55T06PV67U5" and "repaired" in c.get("reason", "") for c in r.candidates)
    # with no brand read, Rheem's shape is not tried and the string is not repaired so
    assert classify_text("MODEL PROESST06PV67U5").model != "PROE55T06PV67U5"


def test_unsure_field_stays_empty_and_says_why():
    # a serial next to its key that fits none of GE's shapes: left empty at the default threshold
    r = classify_text("GE Appliances\nMODEL GTS18GBSARWW\nSERIAL 12-34")
    assert r.model == "GTS18GBSARWW"
    assert r.serial is None
    assert any(w.startswith("serial:") for w in r.warnings)


def test_printed_date_wins_over_decoded():
    r = classify_text("Whirlpool\nMODEL WFW4720RW0\nSERIAL CD3700848\nMFG DATE 05/2014")
    assert r.manufactured["source"] == "printed"
    assert (r.manufactured["year"], r.manufactured["month"]) == (2014, 5)


def test_serial_date_decoded():
    r = classify_text("Whirlpool\nMODEL WFW4720RW0\nSERIAL CD3700848")
    assert r.manufactured["source"] == "decoded"
    # char 2 = year code D (1994 or 2024 on the 30-symbol cycle), chars 3-4 = week 37
    assert r.manufactured["candidates"] == [1994, 2024]
    assert r.manufactured["week"] == 37


def test_barcode_agreement_rules():
    assert agrees("CD37OO848", "CD3700848")
    assert agrees("D3700848", "CD3700848")  # OCR lost the first character
    assert not agrees("CD3700849", "CD3700848")


@given(st.text(alphabet="ABCDEFGHJKLMNPRSTUVWXYZ0123456789 -/.:", max_size=30))
def test_normalise_is_idempotent_and_has_no_spaces(text):
    once = normalise(text)
    assert normalise(once) == once
    assert " " not in once


def test_confusion_table_is_symmetric_enough():
    for a, alts in CONFUSABLE.items():
        for b in alts:
            assert b in CONFUSABLE, (a, b)


def test_bsh_fd_is_part_of_the_serial():
    r = classify_text("BOSCH\nE-Nr. SHPM2E1/11\nFD 0406786831")
    assert (r.brand, r.model, r.serial) == ("Bosch", "SHPM2E1/11", "FD0406786831")


@pytest.mark.parametrize("key", ["Fo", "F0", "FO"])
def test_bsh_fd_key_read_with_an_o_or_a_0_still_counts(key):
    # Tesseract reads the D of a blurred 'FD' as o in most views of a generated Bosch label
    r = classify_text(f"BOSCH\nE-Nr. SHPM2E1/11\n{key} 0406786831")
    assert (r.serial, r.serial_source) == ("FD0406786831", "key+pattern")


def _cand(field, value, conf, reading, source="key+pattern", rule="brand-rule"):
    return Cand(field, value, conf, source, None, rule, [], reading)


def test_independent_readings_that_agree_raise_a_value():
    one = choose([_cand("serial", "CD3700848", 0.7, 1)], 0.0)
    two = choose([_cand("serial", "CD3700848", 0.7, 1), _cand("serial", "CD3700848", 0.7, 2)], 0.0)
    assert two.fields["serial"].confidence > one.fields["serial"].confidence
    # the same reading counted twice (a keyed and an unkeyed candidate) is not agreement
    same = choose([_cand("serial", "CD3700848", 0.7, 1), _cand("serial", "CD3700848", 0.7, 1, "pattern")], 0.0)
    assert same.fields["serial"].confidence < two.fields["serial"].confidence


def test_readings_of_the_same_key_that_disagree_lower_a_value():
    alone = choose([_cand("model", "A1996", 0.8, 1)], 0.0)
    disputed = choose([_cand("model", "A1996", 0.8, 1), _cand("model", "H199", 0.0, 2, "key", None)], 0.0)
    assert disputed.fields["model"].confidence < alone.fields["model"].confidence
    # a reading that saw only part of the value does not dispute it
    partial = choose([_cand("serial", "9709132282", 0.8, 1), _cand("serial", "970913228", 0.5, 2)], 0.0)
    assert partial.fields["serial"].value == "9709132282"
    assert not any("disagree" in c.reason for c in partial.candidates if c.value == "9709132282")


def test_a_digit_the_shape_made_a_letter_read_once_and_disputed_is_a_guess():
    def made(reading, value="3114B69929", read_as="3114869929"):
        return replace(_cand("serial", value, 0.86, reading), read_as=read_as)

    other = _cand("serial", "3IIA869929", 0.0, 2, "key", None)
    guess = choose([made(1), other], 0.6)
    assert "serial" not in guess.fields
    assert any(c.reason.endswith("a guess: the shape made a letter of a digit read as 3114869929, read so once")
               for c in guess.candidates if c.value == "3114B69929")
    # undisputed, the repair stands
    assert choose([made(1)], 0.6).fields["serial"].value == "3114B69929"
    # read so by two readings, it stands though a third read something else
    assert choose([made(1), made(3), other], 0.6).fields["serial"].value == "3114B69929"
    # a letter read and reported as a digit (the other way) is left to the usual weighing
    digit = choose([made(1, "ABB060TBR7", "ABBO6OTBR7"), _cand("serial", "A8806", 0.0, 2, "key", None)], 0.6)
    assert digit.fields["serial"].value == "ABB060TBR7"
    # a guess is left empty, yet still competes at the weight its reading gave it: a value close
    # to it is no surer for it (Dell's P124N and P128S: the key was read either way)
    rival = _cand("model", "P124N", 0.66, 1)
    guessed = replace(_cand("model", "P128S", 0.64, 2), rivals=("P1285",))
    assert choose([rival], 0.6).fields["model"].value == "P124N"
    assert "model" not in choose([rival, guessed], 0.6).fields


def _check(field, value, reading=9):
    c = _cand(field, value, 0.5, reading)
    c.check = True
    return c


def test_a_second_engine_reading_one_character_otherwise_makes_the_value_a_guess():
    mine = [_cand("serial", "C02Y77Y2JGSH", 0.9, 1), _cand("serial", "C02Y77Y2JGSH", 0.85, 2)]
    assert choose(mine, 0.6).fields["serial"].value == "C02Y77Y2JGSH"
    checked = choose(mine + [_check("serial", "C02Y77Y2JG5H")], 0.6)
    assert "serial" not in checked.fields
    assert any("C02Y77Y2JGSH was read C02Y77Y2JG5H by the second engine" in w for w in checked.warnings)
    # a check never votes: what it read is no candidate, and it adds no agreement either
    assert [c.value for c in checked.candidates] == ["C02Y77Y2JGSH"]
    alike = choose(mine + [_check("serial", "C02Y77Y2JGSH")], 0.0)
    assert alike.fields["serial"].confidence == choose(mine, 0.0).fields["serial"].confidence
    # O and 0 are alike; two characters apart, the second engine misread the line itself;
    # one crop read alike outweighs another read otherwise; another field's reading is no dissent
    for checks in (["CO2Y77Y2JGSH"], ["C02Y77Y2J65H"], ["C02Y77Y2JG5H", "C02Y77Y2JGSH"], ["C02Y77Y2JGS"]):
        kept = choose(mine + [_check("serial", v, 9 + i) for i, v in enumerate(checks)], 0.6)
        assert kept.fields["serial"].value == "C02Y77Y2JGSH", checks
    assert choose(mine + [_check("model", "C02Y77Y2JG5H")], 0.6).fields["serial"].value == "C02Y77Y2JGSH"
    # I and 1 are alike too: an Amana model whose shape takes either is no dissent so
    amana = [_cand("model", "ASI9092FFF", 0.9, 1), _cand("model", "ASI9092FFF", 0.85, 2)]
    assert choose(amana + [_check("model", "AS19092FFF")], 0.6).fields["model"].value == "ASI9092FFF"
    assert choose(amana + [_check("model", "AS19O92FFF")], 0.6).fields["model"].value == "ASI9092FFF"
    assert "model" not in choose(amana + [_check("model", "ASI9093FFF")], 0.6).fields  # 3 for 2 is a dissent


def test_a_dissent_the_brand_shapes_refuse_is_the_second_engine_misreading():
    mine = [_cand("model", "ME00T335VQ/AC", 0.95, 1, rule="samsung-model"),
            _cand("model", "ME00T335VQ/AC", 0.9, 2, rule="samsung-model")]

    def check(value, rule):
        c = _check("model", value)
        c.rule = rule
        return c

    # the slash read as an I: a string no Samsung model shape takes
    kept = choose(mine + [check("ME00T335VQIAC", "generic-model")], 0.6)
    assert kept.fields["model"].value == "ME00T335VQ/AC" and kept.fields["model"].confidence > 0.9
    assert not any("second engine" in w for w in kept.warnings)
    # one the brand's shape takes too still makes the value a guess
    assert "model" not in choose(mine + [check("ME00T335VQ/AD", "samsung-model")], 0.6).fields
    # and where only the generic shapes take the value, any dissent counts, as before
    loose = [_cand("model", "QX12345Z", 0.9, 1, rule="generic-model")]
    assert "model" not in choose(loose + [check("QX12346Z", "generic-model")], 0.6).fields


def test_a_second_engine_breaks_a_tie_it_reads_one_side_of():
    tie = [_cand("model", "LSXS903NIQ", 0.8, 1), _cand("model", "LSXS903NJQ", 0.78, 2)]
    assert "model" not in choose(tie, 0.6).fields  # a coin toss
    got = choose(tie + [_check("model", "LSXS903NJQ")], 0.6)
    assert got.fields["model"].value == "LSXS903NJQ" and got.fields["model"].confidence < 0.78  # its own
    assert any("the second engine read it so" in w for w in got.warnings)
    # reading both, or neither, leaves the tie as it was
    for checks in (["LSXS903NJQ", "LSXS903NIQ"], ["LSXS903NTQ0"]):
        assert "model" not in choose(tie + [_check("model", v, 9 + i) for i, v in enumerate(checks)], 0.6).fields


def test_a_confusable_variant_the_second_engine_read_is_chosen_when_nearly_as_sure():
    # the brand's shape takes both S and 5 there, so the variant is no rival of its own; the second
    # engine read it, and Tesseract did too nearly as surely: the two engines agree on it
    mine = [_cand("model", "LRBPS856MFL", 0.8, 1, rule="lg-model"), _cand("model", "LRBP5856MFL", 0.78, 2, rule="lg-model")]
    got = choose(mine + [_check("model", "LRBP5856MFL")], 0.6)
    assert got.fields["model"].value == "LRBP5856MFL" and got.fields["model"].confidence == 0.78
    assert any("LRBP5856MFL chosen over LRBPS856MFL" in w for w in got.warnings)
    # far behind, it is no twin: the dissent leaves the value a guess, as before
    far = [mine[0], _cand("model", "LRBP5856MFL", 0.65, 2, rule="lg-model")]
    assert "model" not in choose(far + [_check("model", "LRBP5856MFL")], 0.6).fields


def _second(field, value, conf, reading=20):
    c = _cand(field, value, conf, reading)
    c.second = True
    return c


def test_the_second_engines_own_value_fills_a_field_tesseract_leaves_unsure():
    unsure = [_cand("serial", "470EGOROTG", 0.4, 1)]
    got = choose(unsure + [_second("serial", "1708G08976", 0.85)], 0.6)
    assert got.fields["serial"].value == "1708G08976" and got.fields["serial"].confidence == 0.85
    assert any("1708G08976 was read by the second engine alone" in w for w in got.warnings)
    # where Tesseract's own value is sure, the second engine's does not overrule it
    sure = [_cand("serial", "1708G08975", 0.9, 1)]
    kept = choose(sure + [_second("serial", "1708G089", 0.95)], 0.6)
    assert kept.fields["serial"].value == "1708G08975"
    assert [c.value for c in kept.candidates] == ["1708G08975"]
    # nor for the other field, which Tesseract left unsure
    other = choose(sure + [_second("model", "58STA070A310", 0.85)], 0.6)
    assert other.fields["model"].value == "58STA070A310"
    # a value only the generic shapes take (no brand read, or the brand's shapes refuse it) is
    # the second engine's guess: nothing of Tesseract's backs it
    generic = choose(unsure + [replace(_second("serial", "1708G08976", 0.85), rule="generic-serial")], 0.6)
    assert "serial" not in generic.fields
    assert any("fits no brand's own shape" in w for w in generic.warnings)
    # a look-alike variant of a value Tesseract read is the cross-check's to weigh, not a value
    alike = choose([_cand("model", "ASI9092FFF", 0.55, 1), _second("model", "AS19092FFF", 0.9)], 0.0)
    assert alike.fields["model"].value == "ASI9092FFF"
    assert [c.value for c in alike.candidates] == ["ASI9092FFF"]


def test_the_second_engines_own_value_neither_votes_nor_backs_itself():
    # Tesseract read the key twice, unsurely and otherwise: that does not weigh on the second
    # engine's value, and its value does not weigh on Tesseract's
    mine = [_cand("serial", "2198Z1F", 0.55, 1), _cand("serial", "219821", 0.45, 2)]
    alone = choose(mine, 0.0).fields["serial"].confidence
    with_second = choose(mine + [_second("serial", "A1B2C3D", 0.5)], 0.0)
    assert [c.confidence for c in with_second.candidates if c.value == "2198Z1F"] == [alone]
    assert not any("disagree" in c.reason for c in with_second.candidates if c.value == "A1B2C3D")
    # close to Tesseract's value, its own check reading of the same line does not pick it
    tie = [_cand("serial", "2198Z1F", 0.7, 1), _second("serial", "2198Z11", 0.72), _check("serial", "2198Z11")]
    got = choose(tie, 0.6)
    assert "serial" not in got.fields
    assert not any("the second engine read it so" in w for w in got.warnings)


def test_a_value_the_second_engine_read_alike_on_its_own_clears_the_threshold():
    from ocr_labels.extract import AGREED, AGREED_FROM

    unsure = [_cand("model", "XG75T10PV20U6", 0.57, 1)]
    assert "model" not in choose(unsure, 0.6).fields
    got = choose(unsure + [_second("model", "XG75T10PV20U6", 0.95)], 0.6)
    assert (got.fields["model"].value, got.fields["model"].confidence) == ("XG75T10PV20U6", AGREED)
    assert any("read alike by the second engine on its own" in w for w in got.warnings)
    # a sure value keeps its own confidence
    sure = choose([_cand("model", "XG75T10PV20U6", 0.8, 1), _second("model", "XG75T10PV20U6", 0.95)], 0.6)
    assert sure.fields["model"].confidence == 0.8
    # not when it read another value, or two values for the key, or Tesseract's was a scrap
    for mine, seconds in ((0.57, ["XG75T10PV20U8"]), (0.57, ["XG75T10PV20U6", "XG75T1OPV20U6"]),
                          (AGREED_FROM - 0.05, ["XG75T10PV20U6"])):
        cands = [_cand("model", "XG75T10PV20U6", mine, 1)] + [_second("model", v, 0.95, 20 + i)
                                                              for i, v in enumerate(seconds)]
        got = choose(cands, 0.6)
        assert got.fields.get("model") is None or got.fields["model"].value != "XG75T10PV20U6", (mine, seconds)
        assert not any("read alike" in w for w in got.warnings)
    # its reading of the key's first piece alone, cut short by the two pieces, is no other value
    smith = [_cand("model", "ECRT-75300", 0.57, 1), replace(_cand("model", "ECRT-75", 0.37, 1), cut=True),
             _second("model", "ECRT-75300", 0.85, 20), replace(_second("model", "ECRT-75", 0.62, 20), cut=True)]
    assert choose(smith, 0.6).fields["model"].value == "ECRT-75300"
    smith[-1] = replace(smith[-1], cut=False)
    assert "model" not in choose(smith, 0.6).fields
    # a check reading that dissents keeps it unsure
    assert "model" not in choose(unsure + [_second("model", "XG75T10PV20U6", 0.95),
                                           _check("model", "XG75T1QPV20U6")], 0.6).fields


def test_a_value_the_second_engine_surely_read_otherwise_is_a_guess():
    # Tesseract read the line twice alike, and sure; the second engine read the key's line surely
    # with another value of the same length, two characters apart: one of them misread it
    mine = [_cand("model", "XGR7STOGEN71U2", 0.8, 1), _cand("model", "XGR7STOGEN71U2", 0.75, 2)]
    assert choose(mine, 0.6).fields["model"].value == "XGR7STOGEN71U2"
    got = choose(mine + [_second("model", "XGR75T06EN71U2", 0.95)], 0.6)
    assert "model" not in got.fields
    assert any("XGR7STOGEN71U2 was read XGR75T06EN71U2 by the second engine" in w for w in got.warnings)
    assert [c.value for c in got.candidates] == ["XGR7STOGEN71U2"]  # no value of its own
    # it agrees (O and 0 alike), its value has another length (a value cut short, or another
    # string beside the key), or it agrees on one of the key's lines: the value stands
    for seconds in (["XGR7ST0GEN71U2"], ["XGR75T06EN71U"], ["XGR75T06EN71U2", "XGR7STOGEN71U2"]):
        kept = choose(mine + [_second("model", v, 0.95, 20 + i) for i, v in enumerate(seconds)], 0.6)
        assert kept.fields["model"].value == "XGR7STOGEN71U2", seconds
    # where the brand's own shape takes the value, a reading no own shape takes does not count
    own = [_cand("model", "MHW6726P5H", 0.8, 1, rule="whirlpool-model")]
    loose = _second("model", "MHW6728PSB", 0.95)
    loose.rule = "generic-model"
    assert choose(own + [loose], 0.6).fields["model"].value == "MHW6726P5H"
    loose.rule = "whirlpool-model"
    assert "model" not in choose(own + [loose], 0.6).fields


def test_a_barcode_confirmed_value_is_not_second_guessed():
    coded = [_cand("serial", "CD3700848", 0.9, 1, "barcode"), _cand("serial", "CD3700848", 0.8, 2)]
    got = choose(coded + [_check("serial", "CD3700846")], 0.6)
    assert got.fields["serial"].value == "CD3700848"
    assert choose(coded + [_second("serial", "CD3700846", 0.95)], 0.6).fields["serial"].value == "CD3700848"


def test_express_codes_are_read_in_groups_or_run_together():
    from ocr_labels.extract import express_codes

    lines = ["Express Service Code: 125-423-316-01", "Exp Svc Code 125 423 316 01", "ESC 12542331601",
             "P/N 123-45678-90", "Service: 1-800-624-9896"]
    assert express_codes(lines) == {12542331601}
    assert express_codes(["Express Service Code 372 152 37477"]) == {37215237477}  # a gap read elsewhere


def test_a_service_tag_its_express_code_confirms_is_no_guess():
    from ocr_labels.extract import CODE_CHECKED, code_checked

    dell = PATTERNS.get("Dell")
    lines = ["DELL", "Service Tag: 5RFDPO1", "Express Service Code: 125-423-316-01"]
    # Tesseract read an O for the 0, in one reading; another reading read a 4 for the 1
    read = [_cand("serial", "5RFDPO1", 0.7, 1), _cand("serial", "5RFDP04", 0.72, 2)]
    plain = choose(read, 0.6)
    assert "serial" not in plain.fields  # two close readings: a coin toss
    checked = code_checked(read, lines, dell)
    got = choose(checked, 0.6)
    assert got.fields["serial"].value == "5RFDP01" and got.fields["serial"].confidence >= CODE_CHECKED
    assert "its express code 12542331601 is printed too (read 5RFDPO1)" in got.candidates[0].reason
    assert [c.value for c in got.candidates if c.field == "serial" and c.confidence > 0] == ["5RFDP01"]
    refused = next(c for c in got.candidates if c.value == "5RFDP04")
    assert refused.confidence == 0 and "the express code printed is another tag's" in refused.reason
    # the second engine reading the tag otherwise does not make it a guess: the code settles it
    assert choose(checked + [_check("serial", "5RFDP0I")], 0.6).fields["serial"].value == "5RFDP01"
    # no code printed, another number, or a brand that prints none: the readings stay as read
    for other_lines, brand in ((lines[:2], dell), (lines[:2] + ["Express Service Code: 125-423-316-02"], dell),
                               (lines, PATTERNS.get("Whirlpool"))):
        assert code_checked(read, other_lines, brand) == read


def test_majority_wins_a_tie():
    got = choose([_cand("serial", "9709132202", 0.8, 1), _cand("serial", "9709132282", 0.8, 2),
                  _cand("serial", "9709132282", 0.78, 3)], 0.0)
    assert got.fields["serial"].value == "9709132282"


def test_text_two_characters_from_a_barcode_is_the_barcode_misread():
    assert near_miss("C02YQEYGLYCF", "C02YQEYGLVCF")
    assert not near_miss("C02YQ", "C02YV")  # short codes: too easy to be a different code
    assert not near_miss("C02YQEYGLYCF", "C02YQEYGLVCFX")
    got = choose([_cand("serial", "C02YQEYGLYCF", 0.95, 1), _cand("serial", "C02YQEYGLVCF", 0.85, 0, "barcode")], 0.0)
    assert got.fields["serial"].value == "C02YQEYGLVCF"
    assert got.fields["serial"].source == "barcode"


def test_confusable_variants_compete_when_no_brand_shape_settles_them():
    generic = choose([_cand("model", "XGSOT10EN21U6", 0.7, 1, rule="generic-model"),
                      _cand("model", "XG50T10EN21U6", 0.65, 2, rule="generic-model")], 0.0)
    assert any("compete" in w for w in generic.warnings)
    branded = choose([_cand("model", "XG50T10EN21U6", 0.7, 1, rule="rheem-model"),
                      _cand("model", "XGSOT10EN21U6", 0.65, 2, rule="generic-model")], 0.0)
    assert not any("compete" in w for w in branded.warnings)


def test_a_repair_the_rule_cannot_settle_is_weighed_down():
    from ocr_labels.extract import repairs

    rule = PATTERNS.get("Dell").rules("model")[0]
    found, n = repairs("P1060", rule)
    assert n == 1 and {"P106O", "P106D"} <= set(found)  # the last 0 may be an O or a D
    assert repairs("P106D", rule) == (["P106D"], 0)


def test_a_glyph_read_twice_as_both_look_alikes_gives_a_rival():
    from ocr_labels.extract import doubled_glyph_variants

    assert doubled_glyph_variants("NE37RS596ZX") == ["NE37R596ZX", "NE37RS96ZX"]
    assert doubled_glyph_variants("CD3700848") == []
    r = classify_text("SAMSUNG\nMODEL NE37RS596ZX\nSERIAL 0B8K7ABT500123F")
    assert r.model is None  # NE37R596ZX or NE37R5596ZX: left empty, not guessed
    assert any(c["value"] == "NE37R596ZX" for c in r.candidates)


def test_an_identifier_registered_to_one_brand_names_it():
    # an etched case where the name itself is cut off: the FCC ID, even read one character off, says Apple
    guess = brand_marks(["3CGA2337 and IC: 579C-A7337 Serial CO2G7BDVQ6L4"], PATTERNS)
    assert guess is not None and guess.name == "Apple" and guess.evidence == "mark:apple-fcc-id"
    assert brand_marks(["MODEL WFW4720RW0 SERIAL CD3700848"], PATTERNS) is None
    assert brand_marks(["FCC ID: XYZA2337"], PATTERNS) is None  # two characters off: no mark
    # with the brand known, the serial's O is repaired by Apple's alphabet (no O in its serials)
    r = classify_text("Assembled in China FCC ID: BCGA2337\nSerial CO2G7BDVQ6L4")
    assert (r.brand, r.serial) == ("Apple", "C02G7BDVQ6L4")
    assert any("registered to it" in w for w in r.warnings)


def test_a_second_piece_joins_the_value_only_when_the_brands_shape_says_so():
    # no brand read: the generic shapes take 'MDB4000AWB' and 'MDB4000AWBBW' alike, so the
    # longer reading does not win over the shorter
    r = classify_text("MODEL NO. MDB4000AWB BW\nSERIAL NO. 12559635SY", ScanOptions(min_confidence=0.0))
    assert r.model != "MDB4000AWBBW"
    # A. O. Smith's shape takes both pieces of 'GCV-50 300'
    r = classify_text("A. O. SMITH\nMODEL GCV-50 300\nSERIAL 1732J123456")
    assert r.model == "GCV-50300"


def test_one_printed_string_is_never_both_model_and_serial():
    box = (100, 40, 180, 30)
    serial = Cand("serial", "SM167807S", 0.70, "pattern", box, "ge-serial")
    model = Cand("model", "SMI67807S", 0.62, "pattern", box, "ge-model")  # the same word, 1 read as I
    elsewhere = Cand("model", "JGB94JVFDKW", 0.61, "pattern", (100, 90, 220, 30), "ge-model")
    choice = choose([serial, model], 0.6)
    assert choice.fields["serial"].value == "SM167807S" and "model" not in choice.fields
    choice = choose([serial, model, elsewhere], 0.6)
    assert choice.fields["model"].value == "JGB94JVFDKW"  # the serial's string is no rival of it
    # the same place but not the same up to confusion: one word read two ways still counts once
    other_reading = Cand("model", "SN16780", 0.62, "pattern", (104, 42, 170, 28), "ge-model")
    assert "model" not in choose([serial, other_reading], 0.6).fields
    # a Data Matrix carrying model<GS>serial gives both from one place
    dm = (10, 10, 80, 80)
    both = choose([Cand("model", "WFW4720RW0", 0.8, "barcode", dm, "whirlpool-model"),
                   Cand("serial", "CD3700848", 0.8, "barcode", dm, "whirlpool-serial")], 0.6)
    assert set(both.fields) == {"model", "serial"}


def test_a_model_glued_from_the_serials_line_is_the_serial_string():
    # a tilted label: one view paired the model's key with the serial's line, cut short and glued
    # to a stray word; the serial, read whole and confirmed by its barcode, sits elsewhere
    serial = Cand("serial", "KY3385093", 0.98, "barcode+ocr", (300, 240, 260, 40), "amana-serial")
    glued = Cand("model", "KY33850AKA", 0.78, "key+pattern", (150, 180, 330, 60), "generic-model")
    cut = Cand("model", "KY33850", 0.6, "key+pattern", (150, 180, 200, 60), "generic-model")
    choice = choose([serial, glued, cut], 0.6)
    assert "model" not in choice.fields and choice.fields["serial"].value == "KY3385093"
    # a model and a serial that share a few characters are two strings
    two = choose([Cand("model", "NTW8011BCF", 0.8, "key+pattern", (150, 100, 300, 40)),
                  Cand("serial", "BCF80119", 0.8, "key+pattern", (150, 160, 300, 40))], 0.6)
    assert (two.fields["model"].value, two.fields["serial"].value) == ("NTW8011BCF", "BCF80119")


def test_a_registration_link_gives_the_fields_its_query_names():
    from ocr_labels.elements import Barcode
    link = Barcode("QRCode", "https://www.dell.com/reg?m=D67M&s=62NVFQF&lang=en", (0, 0, 90, 90))
    assert payload_parts(link) == ["MODEL:D67M", "SERIAL:62NVFQF"]
    dell = PATTERNS.get("Dell")
    found = {(c.field, c.value) for c in barcode_candidates([link], dell, PATTERNS, lambda b: b)}
    assert ("serial", "62NVFQF") in found and ("model", "62NVFQF") not in found
    # a link without such parameters gives nothing (its host and path are no values)
    assert payload_parts(Barcode("QRCode", "https://www.whirlpool.com/register", (0, 0, 9, 9))) == []
    # Data Matrix group separators still split as before
    assert payload_parts(Barcode("DataMatrix", "WFW4720RW0\x1dCD3700848", (0, 0, 9, 9))) == ["WFW4720RW0", "CD3700848"]
    # so do underscores and spaces, padding included
    assert payload_parts(Barcode("Code128", "WFW4720RW 0_CD3700848  ", (0, 0, 9, 9))) == ["WFW4720RW", "0", "CD3700848"]
    whirlpool = PATTERNS.get("Whirlpool")
    found = {(c.field, c.value) for c in barcode_candidates(
        [Barcode("Code128", "WFW4720RW 0_CD3700848  ", (0, 0, 9, 9))], whirlpool, PATTERNS, lambda b: b)}
    assert ("serial", "CD3700848") in found


def test_a_two_word_distractor_key_keeps_its_value_out():
    from ocr_labels.api import _text_lines
    from ocr_labels.extract import pattern_candidates
    dell = PATTERNS.get("Dell")
    values = {c.value for c in pattern_candidates(_text_lines("Reg Type D67M628"), dell, PATTERNS, lambda b: b)}
    assert "D67M628" not in values  # Dell's regulatory type: the model with a suffix, neither field
    values = {c.value for c in pattern_candidates(_text_lines("Made D67M628"), dell, PATTERNS, lambda b: b)}
    assert "D67M628" in values  # the same string after another word would be a candidate


def test_the_domain_of_a_registration_link_names_the_brand():
    from ocr_labels.elements import Barcode
    from ocr_labels.extract import brand_from_links
    code = Barcode("QRCode", "https://www.hotpoint.com/reg?m=HPS240JZWW&s=TM810111H", (0, 0, 90, 90))
    guess = brand_from_links([code], PATTERNS)
    assert guess is not None and guess.name == "Hotpoint" and guess.brand.name == "GE"
    assert guess.evidence.startswith("link:")
    assert brand_from_links([Barcode("QRCode", "https://example.com/x?s=1", (0, 0, 9, 9))], PATTERNS) is None
    assert brand_from_links([Barcode("Code128", "CD3700848", (0, 0, 9, 9))], PATTERNS) is None


def test_a_barcode_outvotes_near_misses_whatever_the_order_of_readings():
    code = Cand("model", "GXSF30V00", 0.85, "barcode", (0, 0, 90, 90), "ge-model")
    confirming = Cand("model", "GXSF3OV00", 0.7, "key+pattern", (0, 100, 90, 20), "ge-model")
    misread = Cand("model", "GXSF50V00", 0.9, "key+pattern", (0, 100, 90, 20), "ge-model")
    for order in ([code, confirming, misread], [code, misread, confirming], [misread, confirming, code]):
        choice = choose(order, 0.6)
        assert choice.fields["model"].value == "GXSF30V00", [c.value for c in order]
        assert choice.fields["model"].source == "barcode+ocr"


def test_a_read_q_is_not_taken_for_a_zero_when_the_value_fits_as_read():
    # Maytag's usual shape ends in a revision digit, but 'MHW543EQJQ' fits its looser shape as read
    assert classify_text("MAYTAG\nMODEL MHW543EQJQ\nSERIAL K42539343").model == "MHW543EQJQ"
    # a final O still is: O and 0 are one glyph in many label fonts
    assert classify_text("MAYTAG\nMODEL MHW8200FCO\nSERIAL C82350288").model == "MHW8200FC0"


def test_a_read_d_is_not_taken_for_a_zero_when_the_value_fits_as_read():
    # Whirlpool's usual shape ends in a revision digit, but 'WGD164WD' fits its looser shape as read
    assert classify_text("WHIRLPOOL\nMODEL WGD164WD\nSERIAL C81203472").model == "WGD164WD"


def test_an_o_touching_a_digit_is_read_as_zero():
    # the brand's shape takes WMHO381EG and WMH0381EG alike: the digit is the likelier
    assert classify_text("WHIRLPOOL\nMODEL WMHO381EG\nSERIAL FW1150433").model == "WMH0381EG"
    # no brand: the generic shapes take both too
    got = classify_text("MODEL GTS6OSKKW\nSERIAL LHO71717Q", ScanOptions(min_confidence=0.0))
    assert (got.model, got.serial) == ("GTS60SKKW", "LH071717Q")
    # an O among letters is a letter (KitchenAid's KOSE: oven, single, electric)
    assert classify_text("KITCHENAID\nMODEL KOSE500ESS\nSERIAL D81203472").model == "KOSE500ESS"


def test_a_serials_letter_o_or_i_that_its_shape_takes_as_a_digit_is_a_guess():
    # Samsung's shape takes 0YEORVYD243041S and 0YE0RVYD243041S alike; serials seldom use the
    # letter, and fonts draw the two alike: no value, and the record says which two it was
    got = classify_text("SAMSUNG\nMODEL RF28R7351SR/AA\nSERIAL NO. 0YEORVYD243041S")
    assert got.model == "RF28R7351SR/AA" and got.serial is None
    assert any(c["reason"] == "a guess: 0YEORVYD243041S or 0YE0RVYD243041S"
               for c in got.candidates if c["field"] == "serial")
    # read with the digit, it stands
    assert classify_text("SAMSUNG\nMODEL RF28R7351SR/AA\nSERIAL NO. 0YE0RVYD243041S").serial == "0YE0RVYD243041S"
    # a shape that wants the letter settles it (Bradford White's 'OA' serials of January 1997)
    assert classify_text("BRADFORD WHITE\nMODEL M250S6-4NWNX\nSERIAL OA1234567").serial == "OA1234567"
    # an I among letters, likewise (L1WWCUCS908349B read LIWWCUCS908349B)
    got = classify_text("SAMSUNG\nMODEL RF28R7351SR/AA\nSERIAL NO. LIWWCUCS908349B")
    assert got.serial is None
    assert any(c["reason"] == "a guess: LIWWCUCS908349B or L1WWCUCS908349B"
               for c in got.candidates if c["field"] == "serial")
    # a barcode that reads the letter settles it: its value is read as it is, never a guess
    guess = replace(_cand("serial", "0YEORVYD243041S", 0.9, 1), rivals=("0YE0RVYD243041S",))
    coded = _cand("serial", "0YEORVYD243041S", 0.8, 2, source="barcode")
    assert choose([guess, coded], 0.6).fields["serial"].value == "0YEORVYD243041S"
    assert "serial" not in choose([guess], 0.6).fields
    # a model keeps its letters: Frigidaire's FGID, Amana's ASI
    assert classify_text("AMANA\nMODEL ASI9557ZH58\nSERIAL 18115090PA").model == "ASI9557ZH58"


def test_a_models_letter_o_that_its_brands_shape_takes_as_a_digit_is_a_guess():
    # KitchenAid's shape takes KMHS7842VOR4 and KMHS7842V0R4 alike (the 0 of a hard photo read O)
    got = classify_text("KITCHENAID\nMODEL KMHS7842VOR4\nSERIAL D81203472")
    assert got.model is None and got.serial == "D81203472"
    assert any(c.get("reason") == "a guess: KMHS7842VOR4 or KMHS7842V0R4"
               for c in got.candidates if c["field"] == "model")
    assert classify_text("KITCHENAID\nMODEL KMHS7842V0R4\nSERIAL D81203472").model == "KMHS7842V0R4"
    samsung = classify_text("SAMSUNG\nMODEL WA42A178E/AAO\nSERIAL NO. 0YE0RVYD243041S")
    assert samsung.model is None and samsung.serial == "0YE0RVYD243041S"
    # an O where no digit fits stays a letter: Rheem's PRO, KitchenAid's KOSE
    assert classify_text("RHEEM\nMODEL PROG50T10EN81U3\nSERIAL Q1221N12345").model == "PROG50T10EN81U3"
    assert classify_text("KITCHENAID\nMODEL KOSE500ESS\nSERIAL D81203472").model == "KOSE500ESS"
    # the generic shapes take any O as a 0 too: with no brand they do not make it a guess
    assert classify_text("MODEL KMHS7842VOR4\nSERIAL D81203472").model == "KMHS7842VOR4"


def test_a_zero_the_shape_wants_as_a_letter_is_not_made_an_o_beside_digits():
    rule = PATTERNS.get("Frigidaire").rules("serial")[0]
    # O and D both fit the letter the shape wants in second place: D, not an O touching digits
    assert repair("7000927672", rule) == ("7D00927672", 1)


def test_a_value_only_one_of_several_readings_of_its_key_read_is_held_back():
    lone = choose([_cand("model", "FPBC2339CFIN", 0.85, 1), _cand("model", "WENA09/18", 0.4, 2),
                   _cand("model", "PENNEFN", 0.0, 3, "key", None)], 0.0)
    assert lone.fields["model"].confidence <= 0.5
    assert any("read by 1 of 3 readings" in c.reason for c in lone.candidates if c.value == "FPBC2339CFIN")
    # the other readings read the same value a little differently: the key is legible, no hold-back
    echoed = choose([_cand("serial", "ML041307Q", 0.86, 1), _cand("serial", "IML0413070", 0.17, 2),
                     _cand("serial", "MLO4T307ATM", 0.44, 3)], 0.0)
    assert echoed.fields["serial"].confidence > 0.6
    # one other reading is not enough to doubt it
    pair = choose([_cand("model", "FPBC2339CFIN", 0.85, 1), _cand("model", "WENA09/18", 0.4, 2)], 0.0)
    assert pair.fields["model"].confidence > 0.6


def test_edit_distance_treats_confusable_pairs_as_equal():
    from ocr_labels.extract import edit_distance

    assert edit_distance("RE350T6-1NCWW", "RE35OT6-1NCHY") == 2
    assert edit_distance("CD3700848", "CD3700848") == 0
    assert edit_distance("ABC", "") == 3


def test_a_registered_identifier_gives_the_model_only_as_corroboration():
    text = "Designed by Apple in California\nFCC ID: BCGA2337 IC: 579C-A2337 Serial C02G7BDVQ6L4"
    got = classify_text(text, ScanOptions(min_confidence=0.5))
    assert (got.model, got.model_source) == ("A2337", "mark")
    assert any("given alike by 2 identifiers" in c["reason"] for c in got.candidates if c["value"] == "A2337")
    # one printing of the identifiers is not enough at the default threshold: a misread digit fits too
    assert classify_text(text).model is None
    # beside its key, the identifier adds a reading and the source stays the key's
    keyed = classify_text("Designed by Apple in California\nModel A2337 FCC ID: BCGA2337 Serial C02G7BDVQ6L4")
    assert (keyed.model, keyed.model_source) == ("A2337", "key+pattern")


def test_a_value_cut_short_is_no_rival_of_its_longer_reading():
    got = choose([_cand("model", "MI340S6-6XANWW", 0.95, 1, rule="bradfordwhite-model"),
                  _cand("model", "MI340S6-6XANWW", 0.95, 2, rule="bradfordwhite-model"),
                  _cand("model", "MI340S6-6XA", 0.95, 3, rule="bradfordwhite-model"),
                  _cand("model", "MI340S6-6XA", 0.95, 4, rule="bradfordwhite-model")], 0.6)
    assert got.fields["model"].value == "MI340S6-6XANWW"
    assert not any("compete" in w for w in got.warnings)
    # a gap that splits the value may split it in most views: two readings of the whole suffice
    split = choose([_cand("serial", "FD9904645703", 0.95, r, rule="bosch-fd") for r in (1, 2)]
                   + [_cand("serial", "FD9904", 0.95, r, rule="bosch-fd") for r in (3, 4, 5, 6, 7)], 0.6)
    assert split.fields["serial"].value == "FD9904645703"
    once = choose([_cand("serial", "FD9904645703", 0.95, 1, rule="bosch-fd")]
                  + [_cand("serial", "FD9904", 0.95, r, rule="bosch-fd") for r in (3, 4, 5)], 0.6)
    assert "serial" not in once.fields  # read whole only once: a coin toss, as before
    # a longer reading that only the generic shapes take proves nothing ('MDB4000AWB BW')
    generic = choose([_cand("model", "MDB4000AWBBW", 0.8, 1, rule="generic-model"),
                      _cand("model", "MDB4000AWB", 0.8, 2, rule="generic-model")], 0.6)
    assert "model" not in generic.fields
    # unless more readings read it whole than cut (a brand with no shape of its own: Rheem's
    # PROG40T12HD10U5, read whole twice and once without its last glyph)
    more = choose([_cand("model", "PROG40T12HD10U5", 0.6, r, rule="generic-model") for r in (1, 2)]
                  + [_cand("model", "PROG40T12HD10U", 0.63, 3, rule="generic-model")], 0.6)
    assert more.fields["model"].value == "PROG40T12HD10U5"
    assert not any("compete" in w for w in more.warnings)


def test_a_barcode_is_never_taken_for_a_value_cut_short():
    got = choose([_cand("serial", "CD3700848", 0.8, 0, "barcode"),
                  _cand("serial", "CD3700848X", 0.7, 1, rule="whirlpool-serial"),
                  _cand("serial", "CD3700848X", 0.7, 2, rule="whirlpool-serial")], 0.0)
    assert not any("a longer reading fits too" in c.reason for c in got.candidates if c.value == "CD3700848")


def test_a_repair_changes_as_few_characters_as_read_as_it_can():
    rule = PATTERNS.get("Bosch").rules("model")[0]
    # O -> 0 alone fits; reading the L as 1 as well (and then the O beside it as 0) is two changes
    assert repair("HBLOZ6/09", rule) == ("HBL0Z6/09", 1)


def test_a_repair_the_shape_cannot_settle_is_a_guess_and_left_empty():
    # a Whirlpool serial starts with a letter: the 1 read there is I or L, and nothing tells which
    got = classify_text("WHIRLPOOL\nMODEL WFW4720RW0\nSERIAL 140206592")
    assert got.model == "WFW4720RW0" and got.serial is None
    assert any("a guess: I40206592 or L40206592" in c["reason"] for c in got.candidates if c["field"] == "serial")
    # read as itself once, it is no guess
    got = classify_text("WHIRLPOOL\nMODEL WFW4720RW0\nSERIAL 140206592\nSERIAL L40206592")
    assert got.serial == "L40206592"
    # an O beside a digit is 0, not D: the reading is settled (Apple's serials have no letter O)
    assert classify_text("Apple\nModel A2141\nSerial CO2G414GMD6N").serial == "C02G414GMD6N"


def test_a_look_alike_pair_that_many_readings_read_alike_is_two_glyphs():
    from dataclasses import replace

    def readings(n):
        out = []
        for r in range(1, n + 1):
            out.append(_cand("model", "LDF176G", 0.8, r))
            out.append(replace(_cand("model", "LDF17G", 0.75, r), doubled=True))
        return out

    # one or two readings: '6G' may be one glyph read twice; the two values compete, none is kept
    assert "model" not in choose(readings(2), 0.6).fields
    # three views, sampled and thresholded differently, all read both: the value as read stands
    got = choose(readings(3), 0.6)
    assert got.fields["model"].value == "LDF176G"
    assert any("both look-alikes read by 3 readings" in c.reason for c in got.candidates if c.value == "LDF17G")


def test_an_amana_model_ends_in_its_revision_digit():
    # Whirlpool-era Amana models end in an engineering-revision digit: a final 'OO' is 00
    assert classify_text("AMANA\nMODEL ASI2270JCOO\nSERIAL L72032738").model == "ASI2270JC00"
    # an older model without the revision digit is read as it is
    assert classify_text("AMANA\nMODEL TX18VW\nSERIAL 9709132282").model == "TX18VW"


def test_a_value_cut_short_is_lowered_once():
    from ocr_labels.extract import CUT_SHORT, keyed_candidates
    from ocr_labels.elements import Word
    from ocr_labels.layout import KeyValue

    whirlpool = PATTERNS.get("Whirlpool")
    key = Word("MODEL", (0, 0, 100, 30), 0.9)
    first, rest = Word("WFW4720RW", (120, 0, 180, 30), 0.9), Word("0", (310, 0, 20, 30), 0.9)
    one = KeyValue("model", key, "WFW4720RW", (first,), "right")
    two = KeyValue("model", key, "WFW4720RW 0", (first, rest), "right")
    cands = keyed_candidates([one, two], whirlpool, PATTERNS, lambda b: b)
    short = next(c for c in cands if c.value == "WFW4720RW")
    assert short.cut and "a longer reading of the same key fits too" in short.notes
    before = short.confidence
    got = choose(cands, 0.0)
    kept = next(c for c in got.candidates if c.value == "WFW4720RW")
    assert kept.confidence == pytest.approx(before, abs=1e-3)  # not a second CUT_SHORT
    assert got.fields["model"].value == "WFW4720RW0" and CUT_SHORT > 0


def test_a_mark_read_as_a_lower_case_letter_before_a_value_is_left_out():
    # 'e' before a serial printed in capitals: a mark beside it, not a character of it
    assert normalise("eM0209F30661") == "M0209F30661"
    # letters whose capital looks the same are the capital; short or lower-case words stay
    assert normalise("sM0209F30661") == "SM0209F30661"
    assert normalise("eM02") == "EM02" and normalise("model") == "MODEL"
    assert classify_text("RHEEM\nSERIAL eM0209F30661").serial == "M0209F30661"


def _line(*words):
    from ocr_labels.elements import Line, Word

    return Line(tuple(Word(text, (10 + 200 * i, top, 40 * len(text), h), conf) for i, (text, top, h, conf) in enumerate(words)))


def test_a_two_letter_name_is_a_brand_as_a_tall_sure_logo_on_its_own_line():
    from ocr_labels.extract import brand_logo

    body = [_line(("MODEL", 200, 30, 0.95), ("WM9596MF", 200, 30, 0.9)),
            _line(("SERIAL", 260, 30, 0.95), ("210RAYC63888", 260, 30, 0.9))]
    logo = brand_logo([[_line(("LG", 100, 60, 0.96))] + body], PATTERNS)
    assert logo is not None and (logo.name, logo.evidence) == ("LG", "logo:LG")
    assert brand_logo([[_line(("LG", 100, 30, 0.96))] + body], PATTERNS) is None  # no taller than the text
    assert brand_logo([[_line(("LG", 100, 60, 0.45))] + body], PATTERNS) is None  # texture reads it unsure
    assert brand_logo([[_line(("LG", 100, 60, 0.96), ("2x", 100, 30, 0.9))] + body], PATTERNS) is None  # not alone
    assert brand_logo([[_line(("LG", 100, 60, 0.96)), _line(("GE", 400, 60, 0.96))] + body], PATTERNS) is None
    assert brand_logo([[_line(("LG", 100, 60, 0.96))]], PATTERNS) is None  # no text to be taller than


def test_one_printed_string_is_not_both_fields_but_two_lines_of_a_tilted_label_are_two():
    # the same word read as a model in one view and as a serial in another: one place, one value
    one = choose([Cand("model", "WFW4720RW0", 0.9, "key+pattern", (100, 100, 300, 40)),
                  Cand("serial", "4720RW0", 0.7, "key+pattern", (160, 104, 240, 36))], 0.6)
    assert set(one.fields) == {"model"} and any("same value was read" in w for w in one.warnings)
    # a label tilted by 12 degrees: each line's page box is taller than its words, and the boxes of
    # the model and the serial under it overlap, yet the middle of each lies outside the other
    two = choose([Cand("model", "DLE998VUZ", 0.83, "key+pattern", (2121, 61, 137, 49)),
                  Cand("serial", "109PAH689740", 0.95, "key+pattern", (2119, 74, 184, 91))], 0.6)
    assert (two.fields["model"].value, two.fields["serial"].value) == ("DLE998VUZ", "109PAH689740")
    assert not any("same value was read" in w for w in two.warnings)
    # a label turned a quarter and tilted (hard 7272 0045): its lines run up the page, side by side;
    # the model's box holds the serial's, and each one's middle lies within the other's height
    turned = choose([Cand("model", "FGHD9458RM", 1.0, "key+pattern", (257, 1801, 130, 406)),
                     Cand("serial", "4M24232886", 0.97, "key+pattern", (269, 1857, 52, 149))], 0.6)
    assert (turned.fields["model"].value, turned.fields["serial"].value) == ("FGHD9458RM", "4M24232886")
    # two values read at one place on a line up the page: one print, kept where it is stronger
    same = choose([Cand("model", "FGHD9458RM", 1.0, "key+pattern", (257, 1801, 60, 406)),
                   Cand("serial", "7X31K0Q2", 0.7, "key+pattern", (262, 1900, 50, 300))], 0.6)
    assert set(same.fields) == {"model"}


_RULES = [r for b in (*PATTERNS.brands, PATTERNS.generic) for f in ("model", "serial") for r in b.rules(f)]


@given(st.sampled_from(_RULES), st.text("ABDGILOQSZ0125678T|$ -/", max_size=16), st.booleans())
def test_the_repair_search_skips_only_rules_no_variant_fits(rule, value, lookalike):
    # the length bound and the kept answers give what the whole search gives
    from ocr_labels.extract import LOOKALIKE, _repairs
    table = LOOKALIKE if lookalike else CONFUSABLE
    whole = _repairs(value, rule, table)
    assert repairs(value, rule, table) == whole
    assert repairs(value, rule, table) == whole  # asked again
    if not rule.takes_length_of(value):
        assert whole == ([], 0)


def test_bsh_z_nr_is_no_key_of_the_serial():
    # BSH's customer serial is the FD; the Z-Nr is a production counter (brand_formats.md §3.7)
    record = classify_text("BOSCH\nE-Nr. WAT7GU6/01\nZ-Nr. 5524 04295")
    assert record.model == "WAT7GU6/01" and record.serial is None
    assert not [c for c in record.candidates if c["field"] == "serial" and c["confidence"] > 0]
    record = classify_text("BOSCH\nZ-Nr. 5524 04295\nE-Nr. WAT7GU6/01\nFD 9503 602540")
    assert record.serial == "FD9503602540"


def _rheem_serial(text, *alternatives):
    from ocr_labels.elements import Word
    from ocr_labels.extract import keyed_candidates
    from ocr_labels.layout import KeyValue

    key = Word("SERIAL", (0, 0, 100, 30), 0.9)
    value = Word(text, (120, 0, 220, 30), 0.9, alternatives=alternatives)
    cands = keyed_candidates([KeyValue("serial", key, text, (value,), "right")], PATTERNS.get("Rheem"),
                             PATTERNS, lambda b: b)
    return next(c for c in cands if c.value == text)


def test_a_character_tesseract_nearly_read_otherwise_makes_the_value_unsure():
    # the sixth character read '3' where the LSTM scored 'J' nearly as high: Rheem's shape takes
    # a plant letter or a digit there, so both values fit
    unsure = _rheem_serial("Q0521360702", (5, "J"))
    assert unsure.doubts == ("Q0521J60702",)
    sure = _rheem_serial("Q0521360702")
    assert sure.doubts == ()
    # the second engine checked the page (here the model's line) and did not read the value
    alike = [replace(unsure, reading=1), replace(unsure, reading=2), _check("model", "WFW4720RW0")]
    held = choose(alike, 0.6)
    assert "serial" not in held.fields
    assert any("Q0521360702 is unsure: Tesseract nearly read Q0521J60702" in w for w in held.warnings)
    assert any("nearly read Q0521J60702" in c.reason for c in held.candidates)
    # one reading that read it without a doubt, or the second engine reading it so, settles it
    assert choose([alike[0], replace(sure, reading=2), alike[2]], 0.6).fields["serial"].value == "Q0521360702"
    assert "serial" not in choose([alike[0], alike[2]], 0.6).fields
    # a reading whose engine was not asked for its runners-up (a view) says nothing either way
    assert "serial" not in choose(alike + [replace(sure, reading=3, doubts=None)], 0.6).fields
    assert choose(alike + [_check("serial", "Q0521360702")], 0.6).fields["serial"].value == "Q0521360702"
    # with no second engine in the run (--no-cross-check) nothing could lift the doubt: it is noted only
    alone = choose(alike[:2], 0.6)
    assert alone.fields["serial"].value == "Q0521360702" and not any("unsure" in w for w in alone.warnings)
    assert any("nearly read Q0521J60702" in c.reason for c in alone.candidates)
    # the value stays the best: a doubt makes no rival stronger
    other = _cand("serial", "Q0521J360702", 0.58, 3)
    assert choose(alike + [other], 0.5).fields["serial"].value == "Q0521360702"
    # the second engine read what Tesseract nearly read: two engines agree on it
    agreed = choose(alike + [_check("serial", "Q0521J60702")], 0.6)
    assert agreed.fields["serial"].value == "Q0521J60702"
    assert any("Q0521J60702 chosen over Q0521360702" in w for w in agreed.warnings)
    # a sure value the second engine read otherwise stays a guess (no runner-up said so)
    assert "serial" not in choose([replace(sure, reading=1), _check("serial", "Q0521J60702")], 0.6).fields



def test_o_or_0_i_or_1_the_second_engine_read_as_tesseract_nearly_did_is_taken():
    # the cross-check counts I and 1 alike, so it backs 'DLEI456VT' as read; it read the 1 that
    # Tesseract scored next at that glyph: two engines agree on the 1
    lg = replace(_cand("model", "DLEI456VT", 0.75, 1, rule="lg-model"), doubts=("DLEL456VT", "DLE1456VT"))
    got = choose([lg, _check("model", "DLE1456VT")], 0.6)
    assert got.fields["model"].value == "DLE1456VT"
    assert any("DLE1456VT chosen over DLEI456VT" in w for w in got.warnings)
    # the second engine's own value of the key counts so too
    second = replace(_cand("model", "DLE1456VT", 0.77, 20, rule="lg-model"), second=True)
    assert choose([lg, second], 0.6).fields["model"].value == "DLE1456VT"
    # where Tesseract never nearly read the 1, its I stands
    plain = replace(lg, doubts=("DLEL456VT",))
    assert choose([plain, _check("model", "DLE1456VT")], 0.6).fields["model"].value == "DLEI456VT"
    # a serial's digit is not turned into the letter drawn like it (Frigidaire's 0P13672292, which
    # the second engine read OP13672292): serials avoid the letter (see the guess above)
    fr = replace(_cand("serial", "0P13672292", 0.9, 1, rule="frigidaire-serial"), doubts=("OP13672292",))
    got = choose([fr, _check("serial", "OP13672292")], 0.6)
    assert got.fields["serial"].value == "0P13672292"
    assert not any("chosen over" in w for w in got.warnings)


def test_a_near_reading_the_shape_refuses_or_repairs_back_is_no_doubt():
    from ocr_labels.elements import Word
    from ocr_labels.extract import keyed_candidates
    from ocr_labels.layout import KeyValue

    assert _rheem_serial("Q0521360702", (9, "A")).doubts == ()  # the shape wants digits at the end
    # Whirlpool's revision digit: an O nearly read for the final 0 is the same value repaired
    key = Word("MODEL", (0, 0, 100, 30), 0.9)
    value = Word("WFW4720RW0", (120, 0, 200, 30), 0.9, alternatives=((9, "O"),))
    kv = KeyValue("model", key, value.text, (value,), "right")
    [cand] = [c for c in keyed_candidates([kv], PATTERNS.get("Whirlpool"), PATTERNS, lambda b: b)
              if c.value == "WFW4720RW0"]
    assert cand.doubts == ()
    # no brand, only the generic shapes: they take nearly any string, so they settle nothing
    unknown = keyed_candidates([KeyValue("serial", Word("SERIAL", (0, 0, 100, 30), 0.9), "Q0521360702",
                                         (Word("Q0521360702", (120, 0, 220, 30), 0.9, alternatives=((5, "J"),)),),
                                         "right")], None, PATTERNS, lambda b: b)
    assert all(c.doubts == () for c in unknown)


def test_near_readings_follow_the_words_into_the_value():
    from ocr_labels.elements import Word
    from ocr_labels.extract import near_readings

    glued = Word("MODEL:WFW849C2", (0, 0, 300, 30), 0.9, alternatives=((9, "S"), (1, "0")))
    piece = glued.part("WFW849C2")
    assert piece.alternatives == ((3, "S"),) and piece == Word("WFW849C2", glued.box, 0.9)
    assert near_readings("WFW849C2", [piece]) == ["WFWS49C2"]
    assert near_readings("WFW849C2", [glued]) == ["WFWS49C2"]  # the value is a piece of the word
    first, second = Word("GCV-40", (0, 0, 90, 30), 0.9, alternatives=((5, "8"),)), Word("400", (100, 0, 50, 30), 0.9,
                                                                                          alternatives=((0, "A"),))
    assert near_readings("GCV-40 400", [first, second]) == ["GCV-48 400", "GCV-40 A00"]
    assert near_readings("A2141", [Word("B9", (0, 0, 9, 9), 0.9, alternatives=((0, "8"),))]) == []
    assert Word.from_dict(glued.to_dict()).alternatives == glued.alternatives
    unasked = Word("CD3700848", (0, 0, 90, 30), 0.9)
    assert unasked.alternatives is None and Word.from_dict(unasked.to_dict()).alternatives is None
    assert unasked.part("3700848").alternatives is None and near_readings("CD3700848", [unasked]) == []


def test_a_stroke_glued_to_a_values_end_may_be_a_one():
    from ocr_labels.extract import stroke_as_one
    assert stroke_as_one("MRT689SD]") == "MRT689SD1" and stroke_as_one("AB12|") == "AB121"
    assert stroke_as_one("MHW6726P5)") == "MHW6726P51"
    assert stroke_as_one("MRT689SD") is None and stroke_as_one("]") is None
    # a rule under the model's last glyph made a 1 a bracket: the value without it is a guess
    r = classify_text("MAYTAG\nMODEL MRT689SD]\nSERIAL MC3700848")
    assert r.model is None and r.serial == "MC3700848"
    assert any(c["value"] == "MRT689SD" and "a guess: MRT689SD or MRT689SD1" in c["reason"] for c in r.candidates)
    # read plainly in another reading too: then the value is no guess
    r = classify_text("MAYTAG\nMODEL MRT689SD]\nSERIAL MC3700848\nMODEL MRT689SD1")
    assert r.model == "MRT689SD1"
    # a stroke whose one no shape of the brand takes leaves the value as it is
    r = classify_text("APPLE\nSerial C02G414GMD6N|")
    assert r.serial == "C02G414GMD6N"


def test_a_value_without_its_key_read_in_two_pieces_is_read_whole():
    from ocr_labels.api import _text_lines
    from ocr_labels.extract import pattern_candidates
    smith = PATTERNS.get("A. O. Smith")
    cands = {c.value: c for c in pattern_candidates(_text_lines("mop. ECT-30 100"), smith, PATTERNS, lambda b: b)}
    assert cands["ECT-30100"].field == "model"
    assert cands["ECT-30"].cut and cands["ECT-30"].confidence < cands["ECT-30100"].confidence
    # a rating or a date after the value is no piece of it
    for after in ("120V", "05/22"):
        cands = {c.value: c for c in pattern_candidates(_text_lines(f"mop. ECT-30 {after}"), smith, PATTERNS, lambda b: b)}
        assert set(cands) == {"ECT-30"} and not cands["ECT-30"].cut
    # nor a word far from it
    cands = {c.value for c in pattern_candidates(_text_lines("mop. ECT-30     100"), smith, PATTERNS, lambda b: b)}
    assert cands == {"ECT-30"}


def test_dells_desktop_regulatory_models_are_models():
    # 'Regulatory Model: D07S' (an OptiPlex): D for desktops as P for portables
    r = classify_text("DELL\nRegulatory Model: D125F\nService Tag: 5RFDP01")
    assert (r.model, r.serial) == ("D125F", "5RFDP01")
    # such a model's barcode fits the old five-character tag too: it is no sure serial
    from ocr_labels.elements import Barcode
    dell = PATTERNS.get("Dell")
    coded = barcode_candidates([Barcode("Code128", "D120D", (0, 0, 9, 9))], dell, PATTERNS, lambda b: b)
    assert {c.field for c in coded} == {"model", "serial"}
    assert choose(coded, 0.6).fields.get("serial") is None


def test_with_no_brand_a_barcode_that_both_fields_shapes_take_alike_is_a_guess():
    from ocr_labels.elements import Barcode

    def fields(value):
        cands = barcode_candidates([Barcode("Code128", value, (0, 0, 9, 9))], None, PATTERNS, lambda b: b)
        return {f: c.value for f, c in choose(cands, 0.6).fields.items()}

    # a Rheem serial that Kenmore's model shape takes at 0.85, Trane's serial shape at 0.8
    assert fields("0823437538") == {}
    # where one field's shapes take it far more strongly, that field has it
    assert fields("WFW4720RW0") == {"model": "WFW4720RW0"}
    assert fields("CD3700848") == {"serial": "CD3700848"}
    # and with the brand read, its own shapes say which
    rheem = PATTERNS.get("Rheem")
    coded = barcode_candidates([Barcode("Code128", "0823437538", (0, 0, 9, 9))], rheem, PATTERNS, lambda b: b)
    assert {f: c.value for f, c in choose(coded, 0.6).fields.items()} == {"serial": "0823437538"}


def test_a_value_read_in_pieces_does_not_cut_short_a_value_ending_inside_a_piece():
    from ocr_labels.extract import seams
    from ocr_labels.elements import Word

    assert seams([Word("JA79", (0, 0, 60, 50), 0.9), Word("294086", (80, 0, 290, 50), 0.9)]) == (4,)
    assert seams([Word("294086", (80, 0, 290, 50), 0.9)], "FD") == ()
    assert seams([Word("8703", (0, 0, 90, 50), 0.9), Word("001911", (100, 0, 130, 50), 0.9)], "FD") == (6,)
    pieces = replace(_cand("serial", "JA79294086", 0.95, 1, rule="bradfordwhite-serial"), seams=(4,))
    whole = _cand("serial", "JA7929408", 0.91, 2, rule="bradfordwhite-serial")
    # the full view read 'JA79' and '294086'; a zoomed crop read 'JA7929408' whole: one glyph
    # more or one less, not a value cut where its pieces meet
    got = choose([pieces, whole], 0.6)
    assert "serial" not in got.fields and any("compete" in w for w in got.warnings)
    assert not any("a longer reading fits too" in c.reason for c in got.candidates)
    # cut where the pieces meet, the shorter one is the first piece alone: cut short, as before
    first = _cand("serial", "JA79", 0.91, 2, rule="bradfordwhite-serial")
    assert choose([pieces, first], 0.6).fields["serial"].value == "JA79294086"
    # a longer value read whole somewhere may cut a shorter one anywhere (a view's edge)
    read_whole = replace(pieces, seams=(), reading=3)
    assert choose([pieces, read_whole, whole], 0.6).fields["serial"].value == "JA79294086"


def test_a_value_read_once_competes_with_its_place_read_otherwise_more_often():
    box = (100, 200, 300, 50)
    keyed = Cand("serial", "LL259925H", 0.88, "key+pattern", box, "ge-serial", [], 1)
    unkeyed = [Cand("serial", "LL859985H", 0.58, "pattern", (104, 203, 296, 48), "ge-serial", [], r)
               for r in (2, 3)]
    got = choose([keyed, *unkeyed], 0.6)
    assert "serial" not in got.fields and any("compete" in w for w in got.warnings)
    # read so elsewhere on the label (another line), the other value is no reading of its place
    elsewhere = [replace(c, box=(100, 400, 300, 50)) for c in unkeyed]
    assert choose([keyed, *elsewhere], 0.6).fields["serial"].value == "LL259925H"
    # read so by as many readings as the other, the surer value stands
    twice = choose([keyed, replace(keyed, reading=4), *unkeyed], 0.6)
    assert twice.fields["serial"].value == "LL259925H"
    # a value only the generic shapes take is no reading of a brand's value
    generic = [replace(c, rule="generic-serial") for c in unkeyed]
    assert choose([keyed, *generic], 0.6).fields["serial"].value == "LL259925H"
    # nor is a guess among repairs, which may as well be the value read once
    guess = [replace(c, rivals=("LL259925H",)) for c in unkeyed]
    assert choose([keyed, *guess], 0.6).fields["serial"].value == "LL259925H"


def test_a_serial_whose_check_digit_holds_as_a_upcs_is_read_beside_its_key():
    from ocr_labels.extract import gs1_check_digit_holds

    # one twelve-digit number in ten has a check digit that holds: A. O. Smith's serial shape
    # takes this one, and it stands beside its key
    assert gs1_check_digit_holds("211566881945")
    assert classify_text("A. O. SMITH\nMODEL XCR-50200\nSERIAL 211566881945").serial == "211566881945"
    # under the key it may be the product code printed under a barcode; with no brand, no
    # shape of the brand's takes it; and a shape that refuses it leaves it a UPC
    assert classify_text("A. O. SMITH\nMODEL XCR-50200\nSERIAL\n211566881945").serial is None
    assert classify_text("MODEL XCR-50200\nSERIAL 211566881945").serial is None
    got = classify_text("WHIRLPOOL\nMODEL WFW4720RW0\nSERIAL 036000291452")
    assert got.serial is None
    assert any(c["reason"] == "refused: UPC/EAN" for c in got.candidates if c["value"] == "036000291452")


def test_a_dissent_the_second_engine_read_surely_in_every_character_is_the_value():
    from ocr_labels.extract import READ_SURELY

    # Tesseract read an 8 for the S twice; RapidOCR's recogniser read the S with no other glyph near
    mine = [_cand("model", "LFTR42858Q", 0.9, 1, rule="frigidaire-model"),
            _cand("model", "LFTR42858Q", 0.85, 2, rule="frigidaire-model")]
    sure = replace(_check("model", "LFTR4285SQ"), confidence=0.88, rule="frigidaire-model", doubts=())
    got = choose(mine + [sure], 0.6)
    assert got.fields["model"].value == "LFTR4285SQ" and got.fields["model"].confidence == READ_SURELY
    assert any("LFTR4285SQ chosen over LFTR42858Q: the second engine read each of its characters surely" in w
               for w in got.warnings)
    # not while Tesseract has views left to read (the pipeline asks so: see api._settled)
    assert "model" not in choose(mine + [sure], 0.6, overrule=False).fields
    # nor against a value Tesseract read as surely (no runner-up near any glyph), alike in every
    # reading of its key: two sure engines disagree, and the value stays a guess
    firm = [replace(c, doubts=()) for c in mine]
    got = choose(firm + [sure], 0.6)
    assert "model" not in got.fields
    assert any("LFTR42858Q was read LFTR4285SQ by the second engine" in w for w in got.warnings)
    # read so by one reading only, or repaired to it in one, Tesseract's value is overruled
    assert choose(firm[:1] + [sure], 0.6).fields["model"].value == "LFTR4285SQ"
    repaired = [firm[0], replace(firm[1], read_as="LFTR42B58Q")]
    assert choose(repaired + [sure], 0.6).fields["model"].value == "LFTR4285SQ"
    # a glyph it nearly read otherwise, a crop whose runners-up were not asked, a value it read
    # otherwise and was repaired to, or another crop that doubted it: the dissent leaves the
    # value a guess, as before
    for doubted in ([replace(sure, doubts=("LFTR42858Q",))], [replace(sure, doubts=None)],
                    [replace(sure, read_as="LFTR4285ST")], [sure, replace(sure, reading=10, doubts=("LFTR42B5SQ",))]):
        assert "model" not in choose(mine + doubted, 0.6).fields, doubted
    # and one only the generic shapes take is no dissent from a value in the brand's own shape
    assert choose(mine + [replace(sure, rule="generic-model")], 0.6).fields["model"].value == "LFTR42858Q"
    # a repair between O and 0 (or I and 1), which the cross-check counts alike, is no other reading
    samsung = [_cand("serial", "0ABC3AFS900123X", 0.9, 1, rule="samsung-serial-15")]
    read = replace(_check("serial", "0ABC3AFS900128X"), confidence=0.9, rule="samsung-serial-15", doubts=(),
                   read_as="OABC3AFS900128X")
    assert choose(samsung + [read], 0.6).fields["serial"].value == "0ABC3AFS900128X"


def test_an_l_the_second_engine_read_where_tesseract_read_i_or_1_is_the_l():
    from ocr_labels.extract import READ_SURELY, lost_feet

    assert lost_feet("IS43893419", "LS43893419") == (0,)
    assert lost_feet("154413468742", "1544L3468742") == (4,)
    # anything else apart, or the other way round, is no lost foot
    assert lost_feet("I71482995", "LT1482995") == ()
    assert lost_feet("LS43893419", "IS43893419") == ()
    assert lost_feet("IS43893419", "IS43893419") == ()
    # Tesseract read the stroke as I in every reading, with no runner-up near (firmly); the second
    # engine read an L there, nearly an I, and each other glyph surely
    mine = [replace(_cand("serial", "IS43893419", 0.9, r, rule="kitchenaid-serial-10"), doubts=())
            for r in (1, 2, 3)]
    foot = replace(_check("serial", "LS43893419"), confidence=0.91, rule="kitchenaid-serial-10",
                   doubts=("IS43893419",))
    got = choose(mine + [foot], 0.6)
    assert got.fields["serial"].value == "LS43893419" and got.fields["serial"].confidence == READ_SURELY
    assert any("LS43893419 chosen over IS43893419: the second engine read an L where Tesseract read I or 1" in w
               for w in got.warnings)
    # not while Tesseract has views left to read, as for any dissent read surely
    assert "serial" not in choose(mine + [foot], 0.6, overrule=False).fields
    # the second engine unsure of another glyph too, or its doubts not asked: the value stays a guess
    for doubted in (replace(foot, doubts=("IS43893419", "LS48893419")), replace(foot, doubts=None)):
        assert "serial" not in choose(mine + [doubted], 0.6).fields, doubted
    # and an L only the generic shapes take is no dissent from a value in the brand's own shape
    assert choose(mine + [replace(foot, rule="generic-serial")], 0.6).fields["serial"].value == "IS43893419"
    # an I the second engine read where Tesseract read an L is no lost foot: a dissent as before
    theirs = [replace(c, value="LS43893419") for c in mine]
    got = choose(theirs + [replace(foot, value="IS43893419", doubts=("LS43893419",))], 0.6)
    assert "serial" not in got.fields
    assert any("LS43893419 was read IS43893419 by the second engine" in w for w in got.warnings)


def test_an_e_the_second_engine_read_where_tesseract_read_f_is_no_dissent():
    from ocr_labels.extract import bar_added

    assert bar_added("MFI6176X4", "MEI6176X4")
    assert bar_added("FFHS8241HZK", "EEHS8241HZK")
    # anything else apart, the other way round, or nothing apart
    assert not bar_added("MFI8508XKI1", "MEI8508XKL1")
    assert not bar_added("MEI6176X4", "MFI6176X4")
    assert not bar_added("MFI6176X4", "MFI6176X4")
    mine = [_cand("model", "MFI6176X4", 0.9, 1, rule="maytag-model"),
            _cand("model", "MFI6176X4", 0.85, 2, rule="maytag-model")]
    got = choose(mine + [replace(_check("model", "MEI6176X4"), rule="maytag-model")], 0.6)
    assert got.fields["model"].value == "MFI6176X4" and got.fields["model"].confidence > 0.55
    assert any("the second engine read MEI6176X4, an E for an F" in w for w in got.warnings)
    assert not any("was read MEI6176X4 by the second engine" in w for w in got.warnings)
    # its F where Tesseract read an E is a dissent as before: the value is a guess
    theirs = [replace(c, value="MEI6176X4") for c in mine]
    got = choose(theirs + [replace(_check("model", "MFI6176X4"), rule="maytag-model")], 0.6)
    assert "model" not in got.fields
    assert any("MEI6176X4 was read MFI6176X4 by the second engine" in w for w in got.warnings)


def test_a_value_repaired_from_what_was_read_keeps_the_string_read():
    from ocr_labels.elements import Word
    from ocr_labels.extract import keyed_candidates
    from ocr_labels.layout import KeyValue

    key = Word("SERIAL", (0, 0, 100, 30), 0.9)

    def cand(text, alternatives=None):
        value = Word(text, (120, 0, 220, 30), 0.9, alternatives=alternatives)
        return next(c for c in keyed_candidates([KeyValue("serial", key, text, (value,), "right")],
                                                PATTERNS.get("Apple"), PATTERNS, lambda b: b)
                    if c.value == "C02G414GMD6N")

    assert cand("CO2G414GMD6N").read_as == "CO2G414GMD6N"
    assert cand("C02G414GMD6N").read_as == ""
    # the engine was asked, but the words it read do not hold the string: its doubts are not known
    from ocr_labels.extract import _doubts
    rule = cand("C02G414GMD6N").rule
    apple = next(r for r in PATTERNS.get("Apple").rules("serial") if r.id == rule)
    assert _doubts("C02G414GMD6N", [Word("C02G414GMD6N", (0, 0, 9, 9), 0.9, alternatives=())], "C02G414GMD6N",
                   apple, PATTERNS) == ()
    assert _doubts("C02G414GMD6N", [Word("SERIAL:", (0, 0, 9, 9), 0.9, alternatives=())], "C02G414GMD6N",
                   apple, PATTERNS) is None

from ocr_labels.elements import Word
from ocr_labels.layout import find_pairs, group_lines, key_field, split_glued, trim_glued_tail


def w(text, x, y, width=None, h=30, conf=0.9):
    return Word(text, (x, y, width or 18 * len(text), h), conf)


def test_key_words_exact_fuzzy_and_bilingual():
    assert key_field("MODEL") == "model"
    assert key_field("Model:") == "model"
    assert key_field("M0DEL") == "model"  # one OCR slip still counts
    assert key_field("MODÈLE") == "model"
    assert key_field("SERlAL") == "serial"
    assert key_field("S/N") == "serial"
    assert key_field("SÉRIE") == "serial"
    assert key_field("E-Nr") == "model"
    assert key_field("FD") == "serial"
    assert key_field("VOLTS") is None
    assert key_field("MOTEL") == "model"  # one edit: accepted by design, the value must still fit
    assert key_field("HOTEL") is None
    # M/N and S/N with the slash read as an I, with their colon only (MIN alone is a minimum)
    assert key_field("MIN:") == "model" and key_field("SIN:") == "serial"
    assert key_field("MIN") is None and key_field("Min.") is None
    # the second half of a bilingual key read apart from the first ('Model /Modèle:')
    assert key_field("/MODÈLE") == "model" and key_field("/SÉRIE:") == "serial"
    assert split_glued("/MODILE:PROG50T06HD57U4") == ("model", "PROG50T06HD57U4")
    assert key_field("NO/") is None and key_field("/") is None


def test_glued_key_and_value():
    assert split_glued("MODEL:WFW4720RW0") == ("model", "WFW4720RW0")
    assert split_glued("S/N:CD3700848") == ("serial", "CD3700848")
    assert split_glued("12:30") == (None, "12:30")


def test_lines_split_columns_and_merge_rows():
    words = [w("MODEL", 10, 100), w("WFW4720RW0", 130, 102), w("SERIAL", 700, 101), w("CD3700848", 830, 99),
             w("120V", 10, 200)]
    lines = group_lines(words)
    assert [ln.text for ln in lines] == ["MODEL WFW4720RW0", "SERIAL CD3700848", "120V"]


def test_value_right_of_key_with_filler():
    lines = group_lines([w("MODEL", 10, 100), w("NO.", 120, 100), w("WFW4720RW0", 190, 100)])
    pairs = find_pairs(lines)
    assert [(p.field, p.value, p.position) for p in pairs] == [("model", "WFW4720RW0", "right")]
    # the number word read with one error just after the key is a filler too, not the value
    lines = group_lines([w("SERIAI", 10, 100), w("N0.", 140, 100), w("RU0112H47479", 210, 100)])
    assert [(p.field, p.value) for p in find_pairs(lines)] == [("serial", "RU0112H47479")]


def test_value_under_key():
    lines = group_lines([w("SERIAL NO.", 10, 100, 180), w("CD3700848", 12, 140), w("MODEL", 400, 100),
                         w("WFW4720RW0", 402, 140)])
    got = {(p.field, p.value, p.position) for p in find_pairs(lines)}
    assert ("serial", "CD3700848", "below") in got
    assert ("model", "WFW4720RW0", "below") in got


def test_value_under_a_two_word_caption_is_flush_with_its_start():
    # 'Regulatory Model' over P108T, printed flush left; a long part number on the line after
    # reaches under the word 'Model', the value itself does not
    lines = group_lines([w("Regulatory", 10, 100), w("Model", 210, 100), w("P108T", 12, 140),
                         w("CN-0TU5K6-64096-530-U1JX", 10, 180)])
    got = [(p.field, p.value, p.position) for p in find_pairs(lines)]
    assert got[0] == ("model", "P108T", "below"), got
    # a number before the key is no part of its caption
    lines = group_lines([w("230V", 10, 100), w("MODEL", 100, 100), w("X1", 12, 140, 30),
                         w("WFW4720RW0", 102, 140)])
    assert [(p.field, p.value) for p in find_pairs(lines)][0] == ("model", "WFW4720RW0")


def test_an_equals_sign_after_the_key_is_no_value():
    # 'SERIAL =' with the value on the next line; and 'MODEL = value' on one line
    lines = group_lines([w("SERIAL", 10, 100), w("=", 130, 100), w("VV7VA9NPC63589Z", 12, 140),
                         w("MODEL", 10, 300), w("=", 130, 300), w("NX67N759JR/A3", 170, 300)])
    got = [(p.field, p.value, p.position) for p in find_pairs(lines)]
    assert got == [("serial", "VV7VA9NPC63589Z", "below"), ("model", "NX67N759JR/A3", "right")]


def test_specks_under_a_key_are_no_value():
    lines = group_lines([w("MODEL", 10, 100), w("NO.:", 120, 100), w("“a", 12, 140, 20), w("~", 40, 140, 10),
                         w("WM8698DMC", 60, 140)])
    got = [(p.field, p.value, p.position) for p in find_pairs(lines)]
    assert got == [("model", "WM8698DMC", "below")]


def test_two_piece_value_offered_joined():
    lines = group_lines([w("MODEL", 10, 100), w("GXSF30V", 130, 100), w("00", 130 + 18 * 7 + 15, 100)])
    values = [p.value for p in find_pairs(lines)]
    assert values == ["GXSF30V", "GXSF30V00"]


def test_key_glued_to_value_without_space():
    assert split_glued("MODELWFW4720RW0") == ("model", "WFW4720RW0")
    assert split_glued("SERIALNO.CD3700848") == ("serial", "CD3700848")
    assert split_glued("S/NCD3700848") == ("serial", "CD3700848")
    assert split_glued("MODELS") == (None, "MODELS")  # no digit: not a value
    assert split_glued("MODULE1234") == (None, "MODULE1234")


def test_two_word_key_and_key_with_colon_filler():
    lines = group_lines([w("Service", 10, 100), w("Tag:", 150, 100), w("MPWKST6", 12, 140),
                         w("Service:", 10, 300), w("1-800-987-6074", 180, 300)])
    got = [(p.field, p.value, p.position) for p in find_pairs(lines)]
    assert got == [("serial", "MPWKST6", "below")]  # a lone "Service:" is no key


def test_a_caption_read_with_two_errors_counts_before_a_number_word():
    # a bold caption under blur: 'MODEL NO.' read 'mopet wo.', 'SERIAL NO.' read 'SERUAI N0.'
    lines = group_lines([w("mopet", 10, 100), w("wo.", 120, 100), w("XE75T12HD96U3", 190, 100),
                         w("SERUAI", 10, 160), w("N0.", 140, 160), w("RU0112H47479", 210, 160)])
    got = [(p.field, p.value) for p in find_pairs(lines)]
    assert got == [("model", "XE75T12HD96U3"), ("serial", "RU0112H47479")]
    # two errors without the number word, or with a wrong first letter or length: no key
    for first, second in (("mopet", "XE75T12HD96U3"), ("HOTEL", "NO."), ("nopet", "NO."), ("mopett", "NO.")):
        lines = group_lines([w(first, 10, 100), w(second, 140, 100), w("XE75T12HD96U3", 260, 100)])
        assert find_pairs(lines) == [], (first, second)


def test_label_word_glued_after_a_value_is_cut_off():
    assert trim_glued_tail("A2141RATED") == "A2141"
    assert trim_glued_tail("A2141Rated:") == "A2141"
    assert trim_glued_tail("12345MADE") == "12345"
    # values that merely end in letters are left alone
    for value in ("WRF555SDFZ", "MDB4000AWB", "RATED"):
        assert trim_glued_tail(value) == value
    pairs = find_pairs(group_lines([w("Model", 10, 100), w("A2141RATED", 120, 100)]))
    assert [p.value for p in pairs] == ["A2141"]


def test_label_word_after_a_value_is_not_joined_to_it():
    lines = group_lines([w("Model", 10, 100), w("A2141", 120, 100), w("Rated", 120 + 5 * 18 + 10, 100)])
    assert [p.value for p in find_pairs(lines)] == ["A2141"]


def test_bilingual_key_in_one_token():
    # Canadian labels print both languages around a slash, often with no space
    assert key_field("MODEL/MODÈLE") == "model"
    assert key_field("SERIAL/SÉRIE") == "serial"
    assert key_field("MODEL/SERIAL") is None  # halves that disagree name no field
    assert key_field("S/N") == "serial" and key_field("M/N") == "model"
    lines = group_lines([w("MODEL/MODÈLE", 10, 100), w("XE75T12ST14U2", 260, 100)])
    assert [(p.field, p.value) for p in find_pairs(lines)] == [("model", "XE75T12ST14U2")]
    # 'Model No./No. de modèle': the slashed fillers stand between the key and its value
    lines = group_lines([w("Model", 10, 100), w("No./No.", 110, 100), w("de", 250, 100), w("modèle", 300, 100),
                         w("WFW4720RW0", 430, 100)])
    assert [(p.field, p.value) for p in find_pairs(lines)] == [("model", "WFW4720RW0")]


def test_a_filler_glued_to_the_value_is_cut_off():
    lines = group_lines([w("Model", 10, 100), w("No:M265R6DS-1NCWW", 120, 100),
                         w("SERIAL", 10, 200), w("NO.:CD3700848", 150, 200),
                         w("S/N", 10, 300), w("#L84P0QS", 90, 300)])
    got = [(p.field, p.value) for p in find_pairs(lines)]
    assert got == [("model", "M265R6DS-1NCWW"), ("serial", "CD3700848"), ("serial", "L84P0QS")]
    # a value that only starts like a filler keeps its letters
    lines = group_lines([w("MODEL", 10, 100), w("NOR2200X", 130, 100)])
    assert [p.value for p in find_pairs(lines)] == ["NOR2200X"]


def test_a_hyphen_read_as_its_own_word_joins_the_pieces_on_both_sides():
    lines = group_lines([w("MODEL", 10, 100), w("MI340S6", 130, 100), w("-", 130 + 18 * 7 + 10, 100, 12),
                         w("9AX", 130 + 18 * 7 + 32, 100)])
    assert [p.value for p in find_pairs(lines)] == ["MI340S6", "MI340S6-", "MI340S6-9AX"]


def test_a_speck_within_the_values_width_is_no_word_after_it():
    # a '-' read from a speck under the value's own glyphs (within its box) stands between it
    # and its second piece only in the order of x: 'EES-75 200' is still offered whole
    lines = group_lines([w("Model", 10, 100), w("EES-75", 130, 100), w("-", 130 + 18 * 5, 110, 12, 5),
                         w("200", 130 + 18 * 6 + 20, 100)])
    assert [p.value for p in find_pairs(lines)] == ["EES-75", "EES-75200"]


def test_more_keys_given_by_a_brand():
    # Miele's 'Fabr.-Nr.' and Dell's 'SVC Tag' are no key words of their own; a brand's pattern
    # file can name them, and a brand's key comes before a built-in meaning ('P/N' on HP)
    extra = {"FABR-NR": "serial", "SVCTAG": "serial", "P/N": "model"}
    lines = group_lines([w("Fabr.-Nr.", 10, 100), w("12345678", 200, 100), w("Svc", 10, 200), w("Tag", 80, 200),
                         w("5RFDP01", 180, 200), w("P/N", 10, 300), w("4QM83UA", 100, 300)])
    assert find_pairs(lines) == []
    got = [(p.field, p.value) for p in find_pairs(lines, extra)]
    assert got == [("serial", "12345678"), ("serial", "5RFDP01"), ("model", "4QM83UA")]


def test_words_within_the_keys_width_are_not_after_it():
    # the key's box drawn too tall took a short line above it into its row: that line's words
    # lie within the key's width, and the value is the line under the key
    key = Word("MODEL/MODELE", (20, 229, 390, 105), 0.9)
    above = [Word("STED", (154, 220, 66, 18), 0.9), Word("3FC", (238, 221, 34, 17), 0.9)]
    value = Word("NFW715U27", (20, 352, 337, 43), 0.9)
    lines = group_lines([key, *above, value])
    assert [(p.value, p.position) for p in find_pairs(lines)] == [("NFW715U27", "below")]
    # a key's box drawn over its value, level with it, still has the value after it
    key = Word("MODEL", (653, 303, 259, 25), 0.9)
    value = Word("NE39A9468H", (774, 303, 138, 25), 0.9)
    assert [(p.value, p.position) for p in find_pairs(group_lines([key, value]))] == [("NE39A9468H", "right")]

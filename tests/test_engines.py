"""The engines on images the tests draw: real Tesseract, real RapidOCR, real zxing-cpp."""
import os
import sys

import cv2
import numpy as np
import pytest
import zxingcpp

from ocr_labels import ScanOptions, api, extract, scan_files, scan_image, synth
from ocr_labels.api import LEGIBLE_MIN, LEGIBLE_RATIO, _orientation, _PageState, check_setup, legibility
from ocr_labels.elements import Word
from ocr_labels.engines import RapidOcrEngine, TesseractEngine, read_barcodes
from ocr_labels.errors import MissingEngineError, OcrTimeoutError
from tests.labels import WHIRLPOOL, draw_label


def _code(content, fmt, scale=4):
    img = np.asarray(zxingcpp.create_barcode(content, fmt).to_image(scale=scale, add_quiet_zones=True))
    return np.ascontiguousarray(img if img.ndim == 2 else img[:, :, 0])


def test_tesseract_words_have_boxes_and_confidences(tesseract):
    img = cv2.cvtColor(draw_label(WHIRLPOOL), cv2.COLOR_BGR2GRAY)
    words = TesseractEngine().read(img)
    texts = [w.text for w in words]
    assert any(t.startswith("WFW4720RW") for t in texts) and "CD3700848" in texts  # final 0 may read O
    serial = next(w for w in words if w.text == "CD3700848")
    x, y, w, h = serial.box
    assert 20 < h < 80 and w > 3 * h
    assert 0.5 < serial.confidence <= 1.0


def test_tesseract_timeout_is_our_error(tesseract):
    big = cv2.resize(cv2.cvtColor(draw_label(WHIRLPOOL * 6), cv2.COLOR_BGR2GRAY), None, fx=3, fy=3)
    with pytest.raises(OcrTimeoutError, match="longer than"):
        TesseractEngine(timeout=0.01).read(big)


def test_patience_scales_the_time_limit(tesseract):
    # 0.4 MP: the usual limit is 1.9 s, which this label keeps well within; a thousandth of it not
    label = cv2.cvtColor(draw_label(WHIRLPOOL * 2), cv2.COLOR_BGR2GRAY)
    assert TesseractEngine().read(label)
    with pytest.raises(OcrTimeoutError, match="longer than 0.00"):
        TesseractEngine().read(label, patience=0.001)


def test_a_limit_in_seconds_caps_the_time_limit(tesseract):
    label = cv2.cvtColor(draw_label(WHIRLPOOL * 2), cv2.COLOR_BGR2GRAY)
    assert TesseractEngine().read(label, most=30.0)  # above the usual limit: the usual one holds
    with pytest.raises(OcrTimeoutError, match="longer than 0.001"):
        TesseractEngine().read(label, most=0.001)


def test_a_variant_gets_a_few_times_its_views_time():
    from ocr_labels.api import VARIANT_FLOOR, VARIANT_TIMES, _variant_limit
    from ocr_labels.preprocess import View

    state = _PageState(family_seconds={"tesseract:label0": 0.5, "tesseract:level0": 0.01})
    binary = View(np.zeros((8, 8), np.uint8), np.eye(3), "binary", spare=True, family="label0")
    assert _variant_limit(state, binary, "tesseract:label0") == VARIANT_TIMES * 0.5
    assert _variant_limit(state, binary, "tesseract:level0") == VARIANT_FLOOR  # a quick view: the floor
    # a view of the family that is no second chance, or a family not read yet: the usual limit
    turned = View(np.zeros((8, 8), np.uint8), np.eye(3), "label180", turned=True, family="label0")
    assert _variant_limit(state, turned, "tesseract:label0") is None
    assert _variant_limit(state, binary, "tesseract:label90") is None


def test_a_dell_service_tag_is_confirmed_by_its_express_code(tesseract):
    rec = scan_image(draw_label(["DELL", "Service Tag: 5RFDP01", "Express Service Code: 125-423-316-01",
                                 "Reg Model: P75F"]))
    assert rec.brand == "Dell" and rec.serial == "5RFDP01"
    assert rec.serial_confidence >= 0.9
    assert any("its express code 12542331601 is printed too" in c["reason"] for c in rec.candidates if c["field"] == "serial")


def test_rapidocr_reads_the_same_label():
    words = RapidOcrEngine().read(draw_label(WHIRLPOOL))
    joined = " ".join(w.text for w in words).replace(" ", "")
    assert "CD3700848" in joined
    assert all(0 <= w.confidence <= 1 for w in words)


def test_rapidocr_reads_one_line_without_finding_it_first():
    line = cv2.cvtColor(draw_label(["SERIAL CD3700848"], size=(600, 50)), cv2.COLOR_BGR2GRAY)
    words = RapidOcrEngine().read_line(line)
    assert "".join(w.text for w in words).upper().endswith("CD3700848")
    assert all(0 <= w.confidence <= 1 and w.box[0] + w.box[2] <= line.shape[1] for w in words)


def test_parallel_workers_share_the_cores_out_to_rapidocr():
    shared = api._Context(ScanOptions(workers=2), None).engine("rapidocr")
    assert shared._options == {"intra_op_num_threads": max(1, (os.cpu_count() or 1) // 2)}
    assert api._Context(ScanOptions(), None).engine("rapidocr")._options == {}  # onnxruntime's own choice
    assert "CD3700848" in "".join(w.text for w in shared.read(draw_label(WHIRLPOOL)))


def _key_over_value():
    """A key with its value under it, as a focused crop holds them (36 px capitals)."""
    return cv2.cvtColor(draw_label(["MODEL NO.", "WFW4720RW0"], size=(520, 60), font_px=36), cv2.COLOR_BGR2GRAY)


def test_rapidocr_finds_the_lines_of_a_small_crop():
    crop = _key_over_value()
    engine = RapidOcrEngine()
    words = engine.read_block(crop)
    key = next(w for w in words if w.text.upper() == "MODEL")
    value = next(w for w in words if w.text == "WFW4720RW0")
    assert value.confidence >= api.SECOND_SURE
    assert value.box[1] > key.box[1] + key.box[3]  # under the key, in the crop's own pixels
    assert all(0 <= w.box[0] and w.box[0] + w.box[2] <= crop.shape[1] for w in words)
    # the recogniser alone takes the crop for one line and reads neither
    assert "WFW4720RW0" not in [w.text for w in engine.read_line(crop)]


def test_the_second_engines_values_from_the_lines_it_found():
    from dataclasses import replace

    from ocr_labels.api import SECOND_SURE, _block_values

    key = Word("MODEL", (20, 10, 120, 30), 0.95, (0,))
    value = Word("WFW4720RW0", (20, 60, 260, 30), 0.98, (1,))
    assert [(kv.value, kv.position) for kv in _block_values([key, value], {"model"}, 400)] == [("WFW4720RW0", "below")]
    assert _block_values([key, value], {"serial"}, 400) == []  # a field whose value is settled
    # the other field's key and value in the same crop count, where that field is open too
    skey = Word("SERIAL", (20, 110, 130, 30), 0.95, (2,))
    sval = Word("CD3700848", (170, 110, 200, 30), 0.97, (2,))
    both = _block_values([key, value, skey, sval], {"model", "serial"}, 400)
    assert sorted((kv.field, kv.value) for kv in both) == [("model", "WFW4720RW0"), ("serial", "CD3700848")]
    assert _block_values([key, replace(value, confidence=SECOND_SURE - 0.01)], {"model"}, 400) == []
    # a value that reaches the crop's side may go on beyond it ('TX18' of a real 'TX18VW')
    assert _block_values([key, value], {"model"}, 290) == []
    assert _block_values([key, replace(value, box=(5, 60, 260, 30))], {"model"}, 400) == []


def test_the_second_engine_reads_the_keys_crops_only_where_a_field_stays_unsure(monkeypatch):
    from ocr_labels.api import _add_reading, _read_blocks, _shared_context, _text_lines
    from ocr_labels.layout import find_pairs
    from ocr_labels.preprocess import View

    calls = []
    original = RapidOcrEngine.read_block
    monkeypatch.setattr(RapidOcrEngine, "read_block", lambda self, image: calls.append(1) or original(self, image))
    ctx = _shared_context(ScanOptions(cross_check=True))
    crop = View(_key_over_value(), np.eye(3), "focus-model")

    def page(text):
        state = _PageState()
        lines = _text_lines(text)
        _add_reading(state, ctx, lines, find_pairs(lines), [], lambda b: b)
        state.blocks.append(("model", crop))
        _read_blocks(state, ctx)
        return [c for c in state.candidates(ctx.patterns) if c.second]

    # Tesseract read the key and nothing of its value: the second engine's value fills in
    second = page("WHIRLPOOL\nMODEL NO.")
    assert calls and [(c.field, c.value) for c in second] == [("model", "WFW4720RW0")]
    calls.clear()
    # Tesseract read the model surely: the crop is not read again
    assert page("WHIRLPOOL\nMODEL NO. WFW4720RW0") == [] and not calls
    # less surely (no brand read): it is, and its sure value of the same length dissents
    state = _PageState()
    lines = _text_lines("MODEL NO. WFW4720RW8")
    _add_reading(state, ctx, lines, find_pairs(lines), [], lambda b: b)
    alone = extract.choose(state.candidates(ctx.patterns), 0.6)
    assert 0.6 <= alone.fields["model"].confidence < api.BLOCKS_UNDER
    state.blocks.append(("model", crop))
    _read_blocks(state, ctx)
    held = extract.choose(state.candidates(ctx.patterns), 0.6)
    assert calls and "model" not in held.fields
    assert any("WFW4720RW8 was read WFW4720RW0 by the second engine" in w for w in held.warnings)


def test_a_second_engines_reading_has_no_doubled_glyph_rivals():
    from ocr_labels.api import _add_reading, _shared_context, _text_lines
    from ocr_labels.layout import KeyValue

    ctx = _shared_context(ScanOptions(cross_check=False))
    state = _PageState()
    _add_reading(state, ctx, _text_lines("SAMSUNG"), [], [], lambda b: b)
    read = Word("NE37RS596ZX", (100, 0, 300, 30), 0.97, (0,))
    kv = KeyValue("model", Word("MODEL", (0, 0, 90, 30), 0.97, (0,)), read.text, (read,), "right")
    _add_reading(state, ctx, (), [kv], (), lambda b: b, second=True)
    second = {c.value for c in state.candidates(ctx.patterns) if c.second}
    assert second == {"NE37R5596ZX"}  # repaired by Samsung's shape; no rival without one glyph
    # Tesseract's habit: the same reading of its own gives the rival
    _add_reading(state, ctx, (), [kv], (), lambda b: b)
    assert "NE37R596ZX" in {c.value for c in state.candidates(ctx.patterns) if not c.second}


def test_cross_check_reads_each_focused_line_again(tesseract, monkeypatch):
    lines = []
    original = RapidOcrEngine.read_line

    def spy(self, image):
        words = original(self, image)
        lines.append(" ".join(w.text for w in words))
        return words

    monkeypatch.setattr(RapidOcrEngine, "read_line", spy)
    record = scan_image(draw_label(WHIRLPOOL), ScanOptions(cross_check=True))
    assert (record.model, record.serial) == ("WFW4720RW0", "CD3700848")
    assert any("WFW4720RW0" in t for t in lines) and any("CD3700848" in t for t in lines)
    assert not any("second engine" in w for w in record.warnings)
    assert record.engine == "tesseract"  # the check reads, but every value is Tesseract's
    plain = scan_image(draw_label(WHIRLPOOL), ScanOptions(cross_check=False))
    assert record.model_confidence == plain.model_confidence  # agreement adds nothing


def test_cross_check_is_on_by_default_when_the_extra_is_installed(tesseract, monkeypatch):
    calls = []
    original = RapidOcrEngine.read_line
    monkeypatch.setattr(RapidOcrEngine, "read_line", lambda self, image: calls.append(1) or original(self, image))
    scan_image(draw_label(WHIRLPOOL), ScanOptions())
    assert calls
    calls.clear()
    record = scan_image(draw_label(WHIRLPOOL), ScanOptions(cross_check=False))
    assert not calls and (record.model, record.serial) == ("WFW4720RW0", "CD3700848")


def test_without_the_extra_the_default_scan_goes_unchecked(tesseract, monkeypatch):
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # import fails as if not installed
    monkeypatch.setattr(api, "_contexts", {})  # none built with RapidOCR already
    check_setup(ScanOptions())
    record = scan_image(draw_label(WHIRLPOOL), ScanOptions())
    assert (record.model, record.serial, record.error) == ("WFW4720RW0", "CD3700848", None)
    with pytest.raises(MissingEngineError, match="--cross-check needs"):
        check_setup(ScanOptions(cross_check=True))


def test_barcodes_code128_and_datamatrix_with_group_separator():
    code128 = _code("CD3700848", zxingcpp.BarcodeFormat.Code128)
    dm = _code("WFW4720RW0\x1dCD3700848", zxingcpp.BarcodeFormat.DataMatrix, scale=8)
    canvas = np.full((600, 900), 255, np.uint8)
    canvas[50:50 + code128.shape[0], 50:50 + code128.shape[1]] = code128
    canvas[300:300 + dm.shape[0], 500:500 + dm.shape[1]] = dm
    found = {b.format: b for b in read_barcodes(canvas)}
    assert any("128" in f for f in found)
    code = next(b for f, b in found.items() if "128" in f)
    assert code.text == "CD3700848"
    assert 40 <= code.box[0] <= 60 + code128.shape[1]
    matrix = next(b for f, b in found.items() if "Matrix" in f or "DataMatrix" in f)
    assert "WFW4720RW0" in matrix.text and "CD3700848" in matrix.text


def test_a_barcode_too_soft_for_the_photo_is_read_in_the_label_view(tesseract):
    # a sticker on a darker surface: brand and model, a blurred serial barcode, a part number
    top = draw_label(WHIRLPOOL[:2], size=(700, 60), font_px=22)
    bottom = draw_label(WHIRLPOOL[3:], size=(700, 60), font_px=22)
    code = cv2.GaussianBlur(_code("CD3700848", zxingcpp.BarcodeFormat.Code128, scale=2), (0, 0), 1.3)
    band = np.full((code.shape[0], 700, 3), 255, np.uint8)
    band[:, 40:40 + code.shape[1]] = code[..., None]
    sticker = np.vstack([top, band, bottom])
    photo = np.full((sticker.shape[0] + 400, sticker.shape[1] + 400, 3), 110, np.uint8)
    photo[200:200 + sticker.shape[0], 200:200 + sticker.shape[1]] = sticker
    assert read_barcodes(photo) == []  # the whole photo gives nothing
    record = scan_image(photo)
    assert (record.model, record.serial, record.serial_source) == ("WFW4720RW0", "CD3700848", "barcode")
    x, y, w, h = record.boxes["serial"]  # mapped back from the view onto the photo
    by = 200 + top.shape[0]
    assert 240 <= x and x + w <= 240 + code.shape[1] and by - 5 <= y and y + h <= by + code.shape[0] + 5
    assert scan_image(photo, ScanOptions(barcodes=False)).serial is None


def _label_over_code() -> np.ndarray:
    """The Whirlpool label with its serial's Code 128 printed under it."""
    label = draw_label(WHIRLPOOL)
    code = cv2.cvtColor(_code("CD3700848", zxingcpp.BarcodeFormat.Code128), cv2.COLOR_GRAY2BGR)
    canvas = np.full((label.shape[0] + code.shape[0] + 40, label.shape[1], 3), 255, np.uint8)
    canvas[: label.shape[0]] = label
    canvas[label.shape[0] + 20: label.shape[0] + 20 + code.shape[0], 40:40 + code.shape[1]] = code
    return canvas


def test_barcode_confirms_text(tesseract):
    record = scan_image(_label_over_code())
    assert record.serial == "CD3700848"
    assert record.serial_source == "barcode+ocr"
    assert record.model == "WFW4720RW0" and record.model_source == "key+pattern"


def test_auto_engine_gives_the_same_answer_on_a_clean_label(tesseract):
    record = scan_image(draw_label(WHIRLPOOL), ScanOptions(engine="auto"))
    assert (record.model, record.serial) == ("WFW4720RW0", "CD3700848")
    assert record.engine == "tesseract"  # resolved without the second engine
    record = scan_image(draw_label(WHIRLPOOL), ScanOptions(engine="rapidocr"))
    assert (record.model, record.serial) == ("WFW4720RW0", "CD3700848")
    assert record.engine == "rapidocr"


def test_focused_rereads_confirm_the_values(tesseract):
    img = draw_label(WHIRLPOOL)
    with_focus = scan_image(img, ScanOptions())
    without = scan_image(img, ScanOptions(focus=False))
    assert (with_focus.model, with_focus.serial) == ("WFW4720RW0", "CD3700848")
    assert (without.model, without.serial) == ("WFW4720RW0", "CD3700848")
    chosen = {c["field"]: c for c in with_focus.candidates if c["value"] in ("WFW4720RW0", "CD3700848")}
    assert all("read alike" in chosen[f]["reason"] for f in ("model", "serial"))
    assert with_focus.model_confidence >= without.model_confidence
    assert with_focus.boxes["model"][2] > 0  # boxes from a focused crop still map to the photo


def test_benchmark_mode_reads_the_same_views_as_a_default_run(tmp_path, tesseract):
    """bench.py keeps every value (min_confidence 0) but must report what `scan` reports."""
    synth.generate(tmp_path, 3, 41, "medium")
    files = sorted(tmp_path.glob("*.jpg"))
    default = list(scan_files(files, ScanOptions()))
    bench = list(scan_files(files, ScanOptions(min_confidence=0.0, stop_confidence=ScanOptions().min_confidence)))
    for d, b in zip(default, bench):
        for f in ("model", "serial"):
            kept = getattr(b, f) if (getattr(b, f"{f}_confidence") or 0) >= ScanOptions().min_confidence else None
            assert kept == getattr(d, f)


def test_legibility_tells_which_way_is_up(tesseract):
    """Tesseract still returns words for text upside down or sideways, but unsure ones."""
    img = draw_label(WHIRLPOOL)
    engine = TesseractEngine()
    upright = legibility(engine.read(img))
    for k in (1, 2, 3):
        turned = legibility(engine.read(np.ascontiguousarray(np.rot90(img, k))))
        assert upright >= LEGIBLE_MIN and upright >= LEGIBLE_RATIO * max(turned, 1), (k, upright, turned)


def _state(rotation=None, **seen):
    return _PageState(rotation=rotation, legibility={int(k[1:]): v for k, v in seen.items()})


def test_a_check_reading_is_not_among_the_values_read():
    from ocr_labels.api import _Reading
    from ocr_labels.elements import Word
    from ocr_labels.layout import KeyValue
    from ocr_labels.patterns import load_patterns

    key = Word("SERIAL", (0, 0, 60, 20), 0.9)

    def reading(n, value, check):
        word = Word(value, (70, 0, 90, 20), 0.9)
        return _Reading(n, (), (KeyValue("serial", key, value, (word,), "right"),), (), lambda b: b, check)

    state = _PageState(readings=[reading(1, "CD3700848", False), reading(2, "CD3700846", True)])
    assert state.values("serial", load_patterns()) == {"CD3700848"}


def test_a_brand_read_at_a_wrong_turn_gives_way_once_the_turn_is_known():
    from ocr_labels.api import _add_reading, _shared_context, _text_lines

    ctx = _shared_context(ScanOptions(cross_check=False))
    state = _PageState()
    # the label read upside down first: garbage that happens to spell a brand
    _add_reading(state, ctx, _text_lines("poys 3dO\nSONY\nVNVWV 0Z0"), [], [], lambda b: b, turn=180)
    assert state.brand.name == "Sony"
    # the right way up: the label's own brand, and a key that says which way is up
    state.rotation = 0
    _add_reading(state, ctx, _text_lines("AMANA\nMODEL ABB0883KNA"), [], [], lambda b: b, turn=0)
    assert state.brand.name == "Amana" and state.texts() == ["AMANA", "MODEL ABB0883KNA"]
    # text from views that are not one of the label's turns (the page, fine print) still counts
    _add_reading(state, ctx, _text_lines("MADE IN USA"), [], [], lambda b: b)
    assert state.texts()[-1] == "MADE IN USA"


def test_the_second_engines_values_come_from_its_sure_lines_only():
    from ocr_labels.api import SECOND_SURE, _second_values

    def line(*texts, score=0.95):
        return [Word(t, (i * 100, 0, 90, 30), score, (0,)) for i, t in enumerate(texts)]

    assert [kv.value for kv in _second_values(line("SER:", "1708G08976"), "serial", False)] == ["1708G08976"]
    assert _second_values(line("SER:", "1708G08976"), "model", False) == []  # another key's line
    assert _second_values(line("SER:", "1708G08976", score=SECOND_SURE - 0.02), "serial", False) == []
    # the line cut out under a key: its one word is the value; two words are no one value
    below = _second_values(line("GDT381PXQZKW"), "model", True)
    assert [(kv.value, kv.position) for kv in below] == [("GDT381PXQZKW", "below")]
    assert _second_values(line("GDT381PXQZKW", "XYZ"), "model", True) == []
    assert _second_values([], "model", True) == []


def test_tesseracts_own_values_decide_when_the_views_stop():
    from ocr_labels.api import _add_reading, _resolved, _shared_context, _text_lines
    from ocr_labels.layout import KeyValue, find_pairs

    ctx = _shared_context(ScanOptions(cross_check=False))
    state = _PageState()

    def tesseract_read(text):
        lines = _text_lines(text)
        _add_reading(state, ctx, lines, find_pairs(lines), [], lambda b: b)

    tesseract_read("WHIRLPOOL\nMODEL WFW4720RW0")
    key = Word("", (0, 0, 10, 10), 0.0, ())
    serial = KeyValue("serial", key, "CD3700848", (Word("CD3700848", (0, 40, 90, 30), 0.97, ()),), "below")
    _add_reading(state, ctx, (), [serial], (), lambda b: b, second=True)
    assert any(c.second and c.value == "CD3700848" for c in state.candidates(ctx.patterns))
    # the second engine's serial would settle the page, but Tesseract's views go on for their chance
    assert not _resolved(state, ctx)
    tesseract_read("SERIAL NO. CD3700848")
    assert _resolved(state, ctx)


def test_second_chance_views_only_once_a_value_came_near(tesseract):
    from ocr_labels.api import _add_reading, _near_a_value, _shared_context, _text_lines

    def near(text, options):
        ctx = _shared_context(options)
        state = _PageState()
        _add_reading(state, ctx, _text_lines(text), [], [], lambda b: b)
        return _near_a_value(state, ctx)

    default = ScanOptions(cross_check=False)
    assert not near("CAUTION HOT SURFACE\nDO NOT TOUCH", default)
    assert near("WHIRLPOOL\nWFW4720RW0", default)  # a model without its key: 0.57
    assert not near("WHIRLPOOL\nWFW4720RW0", ScanOptions(cross_check=False, min_confidence=0.9))
    # the benchmark keeps every value but reads views as a run at its stop_confidence does
    assert not near("WHIRLPOOL\nWFW4720RW0", ScanOptions(cross_check=False, min_confidence=0.0, stop_confidence=0.9))
    # a label with no model or serial on it: the label's views only, and the record says why
    record = scan_image(draw_label(["CAUTION: HOT SURFACE", "DO NOT TOUCH WHILE IN USE"]))
    assert record.model is None and record.serial is None and record.error is None
    assert any("second-chance views skipped" in w for w in record.warnings)
    # a label whose value is read: no such warning
    assert not any("skipped" in w for w in scan_image(draw_label(WHIRLPOOL)).warnings)


def test_views_cut_short_by_max_views_say_so(tesseract):
    caution = draw_label(["CAUTION: HOT SURFACE", "DO NOT TOUCH WHILE IN USE"])
    record = scan_image(caution, ScanOptions(cross_check=False, max_views=1))
    assert record.model is None and record.serial is None
    assert any(w.startswith("tesseract: stopped after 1 view (max_views) with a field unresolved; view ")
               for w in record.warnings), record.warnings
    # the usual limit leaves room for the label's views: they run out first, and no such warning
    assert not any("max_views" in w for w in scan_image(caution, ScanOptions(cross_check=False)).warnings)
    # a label read on its first view stops there, whatever the limit
    assert not any("max_views" in w for w in scan_image(draw_label(WHIRLPOOL), ScanOptions(max_views=1)).warnings)


def test_a_brands_own_key_from_a_users_pattern_file(tmp_path):
    # Acme prints its serial after 'Fabr.-Nr.', which no built-in key word names: the user's
    # pattern file says so, and the value comes from that key once the brand is read
    (tmp_path / "acme.toml").write_text(
        'brand = "Acme"\n[keys]\nserial = ["Fabr.-Nr."]\n'
        '[[model]]\nid = "acme-m"\nregex = "AC\\\\d{4}[A-Z]"\nstrength = 0.8\n'
        '[[serial]]\nid = "acme-s"\nregex = "\\\\d{8}"\nstrength = 0.7\n')
    label = draw_label(["ACME", "MODEL AC1234X", "Fabr.-Nr. 12345678"])
    with_key = scan_image(label, options=ScanOptions(cross_check=False, patterns=(str(tmp_path),)))
    assert with_key.brand == "Acme" and with_key.model == "AC1234X"
    assert with_key.serial == "12345678" and "key" in with_key.serial_source
    # without the file's key the same number is only a shape (a part number would do as well)
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "acme.toml").write_text((tmp_path / "acme.toml").read_text().replace('serial = ["Fabr.-Nr."]', ""))
    without = scan_image(label, options=ScanOptions(cross_check=False, patterns=(str(plain),)))
    assert without.serial_source is None or "key" not in without.serial_source


def test_orientation_from_keys_then_legibility():
    assert _orientation(_state()) is None
    assert _orientation(_state(rotation=90, r0=80, r180=0)) == 90  # a key read says so first
    assert _orientation(_state(r0=60, r180=4)) == 0  # far more legible than upside down
    assert _orientation(_state(r90=3, r270=12)) is None  # too few legible characters to tell yet
    assert _orientation(_state(r0=60)) is None  # the opposite turn not read yet
    assert _orientation(_state(r0=60, r180=30)) is None  # not clearly better
    # all four turns read: the most legible, unless nothing was legible
    assert _orientation(_state(r90=3, r270=25, r0=0, r180=20)) == 270
    assert _orientation(_state(r90=3, r270=12, r0=0, r180=0)) is None  # too little read to tell
    assert _orientation(_state(r90=0, r270=0, r0=0, r180=0)) is None


def test_a_photo_on_which_every_pass_times_out_says_so(tesseract):
    record = scan_image(draw_label(WHIRLPOOL), ScanOptions(timeout=0.01))
    # the label upside down is the same texture: once the first view timed out it is not tried
    assert record.error and record.error.startswith("every tesseract pass timed out (1 view, each given")
    assert record.model is None and record.serial is None


def test_a_code_outlives_the_text_when_every_pass_times_out(tesseract):
    # the code decoded from the whole photo still gives its value; the timeout becomes a warning
    record = scan_image(_label_over_code(), ScanOptions(timeout=0.01))
    assert record.error is None
    assert (record.model, record.serial, record.serial_source) == (None, "CD3700848", "barcode")
    assert any(w.startswith("every tesseract pass timed out") for w in record.warnings)


def test_auto_asks_the_second_engine_when_every_tesseract_pass_times_out(tesseract):
    record = scan_image(draw_label(WHIRLPOOL), ScanOptions(engine="auto", timeout=0.01))
    assert record.error is None and record.engine == "rapidocr"
    assert (record.model, record.serial) == ("WFW4720RW0", "CD3700848")
    assert any(w.startswith("every tesseract pass timed out") for w in record.warnings)


def test_a_typewritten_plate_with_the_value_glued_to_the_key(tesseract):
    # 'Model No:M265R6DS-1NCWW': no space after the colon, as on a Bradford White plate
    img = draw_label(["BRADFORD WHITE CORPORATION", "Model No:M265R6DS-1NCWW", "Serial No:DD9041943"])
    rec = scan_image(img)
    assert (rec.model, rec.serial) == ("M265R6DS-1NCWW", "DD9041943")
    assert rec.model_source == "key+pattern" and rec.serial_source == "key+pattern"


def test_a_value_at_the_views_edge_is_reread_with_room_beyond_it():
    from ocr_labels.api import FOCUS_SEARCH, _focus_targets
    from ocr_labels.elements import Word
    from ocr_labels.layout import find_pairs, group_lines

    words = [Word("MODEL", (10, 100, 90, 30), 0.9), Word("MI340S6-6XA", (120, 100, 200, 30), 0.9)]
    pairs = find_pairs(group_lines(words))
    (_, _, _, _, room, under), = _focus_targets([], pairs, width=330)  # the value ends at the edge
    assert room == FOCUS_SEARCH and under is None  # beside its key: one line
    (_, _, _, _, room, _), = _focus_targets([], pairs, width=900)
    assert room == 2.0


def test_a_value_under_its_key_has_a_box_of_its_own_for_the_line_recogniser():
    from ocr_labels.api import _focus_targets
    from ocr_labels.elements import Word
    from ocr_labels.layout import find_pairs, group_lines

    words = [Word("SER", (10, 100, 60, 30), 0.9), Word("VR258487C", (10, 150, 200, 30), 0.9)]
    (field, box, _, psm, _, under), = _focus_targets([], find_pairs(group_lines(words)), width=900)
    assert (field, psm) == ("serial", 6)
    assert under == (10, 150, 200, 30) and box == (10, 100, 200, 80)


def test_the_library_in_this_process_reads_what_the_program_reads(tesseract, monkeypatch):
    """Reads go to libtesseract inside this process when it is the program's own version: the
    same words, boxes and confidences as the program run through pytesseract."""
    from ocr_labels import engines

    img = cv2.cvtColor(draw_label(WHIRLPOOL), cv2.COLOR_BGR2GRAY)
    engines._LIB_STATE.clear()
    assert engines._library() is not None  # Debian's tesseract-ocr brings its libtesseract
    in_process = TesseractEngine().read(img)
    colour = TesseractEngine().read(draw_label(WHIRLPOOL), psm=6)
    monkeypatch.setenv("OCR_LABELS_TESSERACT_LIBRARY", "0")
    assert engines._library() is None
    assert TesseractEngine().read(img) == in_process
    assert TesseractEngine().read(draw_label(WHIRLPOOL), psm=6) == colour
    assert any(w.text == "CD3700848" for w in in_process)


def test_each_thread_reads_with_its_own_tesseract(tesseract):
    from concurrent.futures import ThreadPoolExecutor

    img = cv2.cvtColor(draw_label(WHIRLPOOL), cv2.COLOR_BGR2GRAY)
    alone = TesseractEngine().read(img)
    with ThreadPoolExecutor(3) as pool:
        together = list(pool.map(lambda _: TesseractEngine().read(img), range(6)))
    assert all(words == alone for words in together)


def test_the_library_keeps_the_time_limit_too(tesseract):
    from ocr_labels import engines

    img = cv2.cvtColor(draw_label(WHIRLPOOL * 3), cv2.COLOR_BGR2GRAY)[:900]
    assert img.shape[0] * img.shape[1] <= engines.LIBRARY_MAX_PIXELS and engines._library() is not None
    assert TesseractEngine().read(img)  # ~0.2 s of text
    with pytest.raises(OcrTimeoutError, match="longer than"):
        TesseractEngine(timeout=0.02).read(img)


def _large_label() -> np.ndarray:
    """A label view of more than the library's megapixel: the worker process reads it."""
    from ocr_labels import engines

    img = cv2.cvtColor(draw_label(WHIRLPOOL), cv2.COLOR_BGR2GRAY)
    img = cv2.resize(img, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_CUBIC)
    assert img.shape[0] * img.shape[1] > engines.LIBRARY_MAX_PIXELS
    return img


def test_large_views_go_to_a_worker_that_reads_what_the_program_reads(tesseract, monkeypatch):
    from ocr_labels import engines

    img = _large_label()
    engines._LIB_STATE.clear()
    worker_words = TesseractEngine().read(img)
    worker = engines._PER_THREAD.worker
    assert worker.alive() and worker.proc.pid != os.getpid()
    assert TesseractEngine().read(img) == worker_words and engines._PER_THREAD.worker is worker  # kept loaded
    assert any(w.text == "CD3700848" for w in worker_words)
    monkeypatch.setenv("OCR_LABELS_TESSERACT_LIBRARY", "0")
    assert engines._worker() is None
    assert TesseractEngine().read(img) == worker_words


def test_words_come_with_the_characters_tesseract_nearly_read_otherwise_when_asked(tesseract, monkeypatch):
    """Asked for them, the library in this process gives each word the LSTM's runners-up near a
    character's score (extract weighs a focused value by them); the words are the same. Views
    too large for it (the worker) and the program give none (None: not asked)."""
    from ocr_labels import engines

    img = np.full((80, 380), 255, np.uint8)
    cv2.putText(img, "WFW849C2", (30, 55), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3, cv2.LINE_AA)
    img = cv2.GaussianBlur(img, (0, 0), 3.5)  # blurred so far that some characters read two ways
    plain = TesseractEngine().read(img, psm=7)
    asked = TesseractEngine().read(img, psm=7, alternatives=True)
    assert asked == plain and all(w.alternatives is None for w in plain)
    doubted = [w for w in asked if w.alternatives]
    assert doubted and all(w.alternatives is not None for w in asked)
    for w in doubted:
        for i, ch in w.alternatives:
            assert 0 <= i < len(w.text) and ch.isalnum() and ch == ch.upper() and ch != w.text[i].upper()
    monkeypatch.setattr(engines, "LIBRARY_MAX_PIXELS", 0)  # every view to the worker
    assert all(w.alternatives is None for w in TesseractEngine().read(img, psm=7, alternatives=True))
    monkeypatch.setenv("OCR_LABELS_TESSERACT_LIBRARY", "0")
    program = TesseractEngine().read(img, psm=7, alternatives=True)
    assert program == plain and all(w.alternatives is None for w in program)


def test_the_worker_is_stopped_at_the_time_limit_and_a_fresh_one_reads_the_next_view(tesseract):
    from ocr_labels import engines

    texture = np.random.default_rng(7).integers(0, 256, (1400, 1400), dtype=np.uint8)
    img = _large_label()
    TesseractEngine().read(img)
    first = engines._PER_THREAD.worker
    with pytest.raises(OcrTimeoutError, match="longer than"):
        TesseractEngine(timeout=0.05).read(texture)
    assert not first.alive()  # killed, not left running on the texture
    assert any(w.text == "CD3700848" for w in TesseractEngine().read(img))
    second = engines._PER_THREAD.worker
    assert second is not first and second.alive()
    second.proc.kill()  # a worker that died between views is replaced too
    second.proc.wait()
    assert any(w.text == "CD3700848" for w in TesseractEngine().read(img))
    assert engines._PER_THREAD.worker is not second


def test_a_two_letter_logo_names_the_brand_through_the_pipeline(tesseract):
    body = draw_label(["MODEL WM9596MF", "SERIAL 210RAYC63888", "120V 60Hz 15A"])
    logo = draw_label(["LG"], size=(body.shape[1], 130), font_px=90)
    record = scan_image(np.vstack([logo, body]), ScanOptions(cross_check=False))
    assert (record.brand, record.model, record.serial) == ("LG", "WM9596MF", "210RAYC63888")
    # the same text without the logo: no brand, and the serial is read by the generic shapes
    bare = scan_image(body, ScanOptions(cross_check=False))
    assert bare.brand is None and any("no brand name" in w for w in bare.warnings)


def test_a_light_code_on_a_dark_plate_is_read_once_the_print_is_seen_to_be_light(tesseract):
    # white print and bars on a black sticker, the code below the text: the photo is searched for
    # dark bars only; once the label's print is seen to be light, the page is searched inverted
    text = draw_label(WHIRLPOOL[:2], size=(700, 60), font_px=24)
    code = _code("CD3700848", zxingcpp.BarcodeFormat.Code128, scale=3)
    band = np.full((code.shape[0] + 20, 700, 3), 255, np.uint8)
    band[10:10 + code.shape[0], 40:40 + code.shape[1]] = code[..., None]
    sticker = 255 - np.vstack([text, band])
    photo = np.full((sticker.shape[0] + 400, sticker.shape[1] + 400, 3), 150, np.uint8)
    photo[200:200 + sticker.shape[0], 200:200 + sticker.shape[1]] = sticker
    assert read_barcodes(photo) == []
    record = scan_image(photo, ScanOptions(cross_check=False))
    assert record.serial == "CD3700848" and "barcode" in record.serial_source
    assert record.model == "WFW4720RW0"


def _workers_of_other_processes() -> set[int]:
    """Live tesseract worker processes that this test process did not start."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read().split(b"\0")
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if any(b"ocr_labels.tesseract_worker" in part for part in cmd) and fields[0] != "Z" and int(fields[1]) != os.getpid():
            found.add(int(entry))
    return found


def test_no_worker_outlives_a_command_line_run(tesseract, tmp_path):
    import subprocess

    from ocr_labels import engines, preprocess

    path = tmp_path / "large.png"
    cv2.imwrite(str(path), draw_label(WHIRLPOOL * 4))
    first = next(preprocess.plan_views(draw_label(WHIRLPOOL * 4)))
    assert first.image.size > engines.LIBRARY_MAX_PIXELS  # the worker reads it
    before = _workers_of_other_processes()
    out = subprocess.run([sys.executable, "-m", "ocr_labels", "scan", str(path), "--no-cross-check"],
                         capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    assert out.returncode == 0 and "CD3700848" in out.stdout
    assert _workers_of_other_processes() - before == set()


def test_the_worker_is_this_package_whatever_the_working_directory_holds(tesseract, monkeypatch, tmp_path):
    """A run started in a folder that holds another copy of the package (an older checkout)
    still gets a worker of its own package, which answers in its protocol."""
    from ocr_labels import engines

    decoy = tmp_path / "ocr_labels"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("raise ImportError('the decoy package was imported')\n")
    img = _large_label()
    expected = TesseractEngine().read(img)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(engines._PER_THREAD, "worker", None, raising=False)
    engines._LIB_STATE.pop("worker off", None)
    assert TesseractEngine().read(img) == expected
    worker = engines._PER_THREAD.worker
    assert worker is not None and worker.alive()


def test_a_worker_that_cannot_start_leaves_large_views_to_the_program(tesseract, monkeypatch):
    from ocr_labels import engines

    img = _large_label()
    expected = TesseractEngine().read(img)
    engines._LIB_STATE.clear()
    monkeypatch.setattr(engines._PER_THREAD, "worker", None, raising=False)
    monkeypatch.setattr(sys, "executable", "/bin/false")  # the worker's interpreter exits at once
    try:
        assert TesseractEngine().read(img) == expected
        assert engines._LIB_STATE.get("worker off") and engines._worker() is None
    finally:
        engines._LIB_STATE.clear()


def test_rapidocr_tells_the_characters_it_nearly_read_on_a_line():
    engine = RapidOcrEngine()
    line = cv2.cvtColor(draw_label(["SERIAL CD3700848"], size=(600, 50)), cv2.COLOR_BGR2GRAY)
    words = engine.read_line(line)
    assert words[-1].text.upper().endswith("CD3700848")
    assert all(w.alternatives is not None for w in words)  # asked: crisp print, nothing near enough
    # the recogniser's output, step by step: 'C' sure; '0' where 'O' scored half as much (a doubt);
    # '8' over two steps where 'B' scored a hundredth (no doubt); blanks between
    chars = engine._kept.decode.character
    at = {ch: chars.index(ch) for ch in "C0O8B"}
    steps = np.full((1, 6, len(chars)), 1e-4, np.float32)
    for t, scores in enumerate([{"C": 0.99}, {}, {"0": 0.6, "O": 0.3}, {"8": 0.5, "B": 0.006}, {"8": 0.95, "B": 0.01}, {}]):
        steps[0, t, 0] = 0.99 if not scores else 1e-4  # CTC's blank
        for ch, p in scores.items():
            steps[0, t, at[ch]] = p
    [(text, _)] = engine._kept.decode(steps)
    assert text == "C08"
    from ocr_labels.engines import ctc_alternatives
    assert ctc_alternatives(steps, chars, "C08") == ((1, "O"),)
    assert ctc_alternatives(steps, chars, "C0B") is None  # not the line read
    # the output is handed back for the one call asked about, and only then
    assert engine._kept.keeping(lambda: engine._kept(steps))[1] is steps
    assert engine._kept.keeping(lambda: None)[1] is None
    engine._kept(steps)
    assert engine._kept.keeping(lambda: [engine._kept(steps), engine._kept(steps)])[1] is None  # two batches
    # each word of a line gets the doubts that fall in it, counted from its own start
    from ocr_labels.engines import _line_words
    ser, no, value = _line_words("SER NO 12AB", 0.9, (0, 0, 110, 10), 0, ((0, "5"), (8, "Z"), (10, "8")))
    assert (ser.alternatives, no.alternatives, value.alternatives) == (((0, "5"),), (), ((1, "Z"), (3, "8")))
    assert _line_words("12AB", 0.9, (0, 0, 40, 10), 0)[0].alternatives is None

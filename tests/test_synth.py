"""Tests for the synthetic label generator (ocr_labels.synth)."""
from __future__ import annotations

import json
import re

import cv2
import numpy as np
import pytest

from ocr_labels import synth

import zxingcpp  # noqa: E402  (a dependency)


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s).upper()


# ---------------------------------------------------------------- determinism

def test_render_label_is_deterministic():
    a, ta = synth.render_label(np.random.default_rng(11), difficulty="medium")
    b, tb = synth.render_label(np.random.default_rng(11), difficulty="medium")
    assert ta == tb
    assert a.dtype == np.uint8 and a.ndim == 3 and a.shape[2] == 3
    assert np.array_equal(a, b)
    c, tc = synth.render_label(np.random.default_rng(12), difficulty="medium")
    assert (tc["model"], tc["serial"]) != (ta["model"], ta["serial"]) or not np.array_equal(a, c) \
        if a.shape == c.shape else True


def test_generate_is_deterministic(tmp_path):
    d1, d2, d3 = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    r1 = synth.generate(d1, 2, seed=5, difficulty="medium")
    r2 = synth.generate(d2, 2, seed=5, difficulty="medium")
    r3 = synth.generate(d3, 2, seed=6, difficulty="medium")
    assert r1 == r2
    for row in r1:
        assert (d1 / row["file"]).read_bytes() == (d2 / row["file"]).read_bytes()
    assert (d1 / "truth.jsonl").read_bytes() == (d2 / "truth.jsonl").read_bytes()
    assert [(r["model"], r["serial"]) for r in r1] != [(r["model"], r["serial"]) for r in r3]
    assert (d1 / "0000.jpg").read_bytes() != (d3 / "0000.jpg").read_bytes()


# ---------------------------------------------------------------- truth and value shapes

def test_hard_photo_is_deterministic():
    a, ta = synth.render_label(np.random.default_rng(3), brand="GE", difficulty="hard")
    b, tb = synth.render_label(np.random.default_rng(3), brand="GE", difficulty="hard")
    assert ta == tb and np.array_equal(a, b)
    assert max(a.shape[:2]) >= 2000          # phone-photo size
    assert ta["jpeg_quality"] <= 60 and len(ta["label_quad"]) == 4


def test_generate_writes_images_and_truth(tmp_path):
    import cv2

    rows = synth.generate(tmp_path, 4, seed=3, difficulty="easy")
    assert len(rows) == 4
    lines = (tmp_path / "truth.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x) for x in lines] == rows
    for i, row in enumerate(rows):
        assert row["file"] == f"{i:04d}.jpg"
        for key in ("brand", "model", "serial", "tier", "difficulty", "seed"):
            assert key in row
        assert row["tier"] == "synthetic" and row["seed"] == 3 and row["difficulty"] == "easy"
        img = cv2.imread(str(tmp_path / row["file"]))
        assert img is not None and img.shape[0] > 300 and img.shape[1] > 300
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0000.jpg", "0001.jpg", "0002.jpg", "0003.jpg",
                                                          "truth.jsonl"]


def test_all_brands_covered_and_mixed_difficulty(tmp_path):
    rows = synth.generate(tmp_path, 3, seed=1, difficulty="mixed", brands=["Apple", "Bosch", "GE"])
    assert [r["brand"] for r in rows] == ["Apple", "Bosch", "GE"]
    assert all(r["difficulty"] in synth.DIFFICULTIES for r in rows)
    required = {"Whirlpool", "Maytag", "KitchenAid", "Amana", "GE", "Hotpoint", "Samsung", "LG", "Frigidaire",
                "Bosch", "Bradford White", "A. O. Smith", "Rheem", "Carrier", "Apple", "Dell"}
    assert required <= set(synth.BRANDS)


@pytest.mark.parametrize("brand", synth.BRANDS)
def test_values_match_brand_shapes(brand):
    rng = np.random.default_rng([synth.BRANDS.index(brand), 77])
    shapes = synth.VALUE_SHAPES[brand]
    seen = set()
    for _ in range(200):
        v = synth.brand_values(rng, brand)
        assert v.model and v.serial
        assert v.model == _norm(v.model) and v.serial == _norm(v.serial)
        assert re.fullmatch(shapes["model"], v.model), (brand, v.model)
        assert re.fullmatch(shapes["serial"], v.serial), (brand, v.serial)
        seen.add(v.serial)
    assert len(seen) > 150  # values vary


def test_known_formats():
    """A few hand-checked shapes from brand_formats.md."""
    s = synth.VALUE_SHAPES
    assert re.fullmatch(s["Whirlpool"]["model"], "WFW4720RW0")
    assert re.fullmatch(s["Whirlpool"]["serial"], "CD3700848")
    assert re.fullmatch(s["GE"]["serial"], "ZA160697B")
    assert re.fullmatch(s["GE"]["model"], "GTS18GBSARWW")
    assert re.fullmatch(s["LG"]["serial"], "701TRMF00091")
    assert re.fullmatch(s["Bosch"]["model"], "HMV9305/01")
    assert re.fullmatch(s["Bosch"]["serial"], "FD8703001911")
    assert re.fullmatch(s["Bradford White"]["serial"], "DD9041943")
    assert re.fullmatch(s["Carrier"]["serial"], "2417E12345")
    assert re.fullmatch(s["Apple"]["serial"], "C02ZX3B4MD6N")
    assert re.fullmatch(s["Samsung"]["serial"], "W66143BH400494B")
    assert not re.fullmatch(s["Whirlpool"]["model"], "W10336553")  # a part number is not a model


def test_generated_rows_match_shapes(tmp_path):
    rows = synth.generate(tmp_path, 8, seed=21, difficulty="easy")
    for row in rows:
        shapes = synth.VALUE_SHAPES[row["brand"]]
        assert re.fullmatch(shapes["model"], row["model"]), row
        assert re.fullmatch(shapes["serial"], row["serial"]), row


def test_bad_arguments():
    with pytest.raises(ValueError):
        synth.render_label(np.random.default_rng(0), brand="Nonexistent")
    with pytest.raises(ValueError):
        synth.render_label(np.random.default_rng(0), difficulty="impossible")


# ---------------------------------------------------------------- barcodes

def _find_seed_with_serial_barcode(brand: str) -> int:
    for seed in range(200):
        _img, t = synth.render_flat_label(np.random.default_rng(seed), brand=brand)
        if any(b["role"] == "serial" for b in t["barcodes"]):
            return seed
    raise AssertionError("the generator never drew a serial barcode")


@pytest.mark.parametrize("brand", ["Whirlpool", "Samsung"])
def test_serial_barcode_decodes(brand):
    seed = _find_seed_with_serial_barcode(brand)
    flat, t = synth.render_flat_label(np.random.default_rng(seed), brand=brand)
    drawn = [b for b in t["barcodes"] if b["role"] == "serial"]
    assert drawn[0]["text"] == t["serial"] and drawn[0]["format"] == "Code128"
    photo, t2 = synth.render_label(np.random.default_rng(seed), brand=brand, difficulty="easy")
    assert t2["serial"] == t["serial"]
    for img in (flat, photo):
        found = {(str(b.format), b.text) for b in zxingcpp.read_barcodes(img)}
        assert any(text == t["serial"] and "128" in fmt for fmt, text in found), found


def test_one_code_for_both_values_splits_into_them(tesseract):
    from ocr_labels import scan_image

    seps = set()
    for seed in range(300):
        flat, t = synth.render_flat_label(np.random.default_rng(seed), brand="Whirlpool")
        both = [b for b in t["barcodes"] if b["role"] == "model+serial"]
        if not both:
            continue
        text = both[0]["text"]
        assert text.startswith(t["model"]) and text.endswith(t["serial"]), text
        seps.add(text[len(t["model"]):-len(t["serial"])])
        if len(seps) == 1:  # the first one found: read through the whole pipeline
            record = scan_image(flat)
            assert (record.model, record.serial) == (t["model"], t["serial"])
            assert "barcode" in record.serial_source and "barcode" in record.model_source
        if len(seps) == 3:
            break
    assert seps == {"<GS>", "_", " "}


def test_every_drawn_barcode_decodes_on_flat_label():
    checked = 0
    for seed in range(12):
        flat, t = synth.render_flat_label(np.random.default_rng(seed))
        texts = {b.text for b in zxingcpp.read_barcodes(flat)}
        for b in t["barcodes"]:
            # UPC-A is read as EAN-13 with a leading zero
            assert b["text"] in texts or "0" + b["text"] in texts, (seed, b, texts)
            checked += 1
    assert checked > 3


# ---------------------------------------------------------------- legibility (real Tesseract)



def _ocr(img) -> str:
    import pytesseract

    return _norm(pytesseract.image_to_string(img[:, :, ::-1].copy(), config="--psm 11"))


@pytest.mark.parametrize("brand,seed", [("Whirlpool", 0), ("GE", 0), ("Samsung", 1), ("Bosch", 1)])
def test_easy_label_is_legible(brand, seed, tesseract):
    img, t = synth.render_label(np.random.default_rng([seed, 99]), brand=brand, difficulty="easy")
    text = _ocr(img)
    assert t["model"] in text, (t["model"], text)
    assert t["serial"] in text, (t["serial"], text)


def test_truth_says_how_tall_and_how_blurred_the_values_are():
    """value_cap_px (the values' capital height in the photo) and blur_px let a benchmark tell
    characters too small or smeared to read from the pipeline's own failures."""
    rng = np.random.default_rng(5)
    easy = [synth.render_label(rng, difficulty="easy")[1] for _ in range(3)]
    hard = [synth.render_label(rng, difficulty="hard")[1] for _ in range(3)]
    for t in easy:
        assert t["label_scale"] == 1.0 and t["blur_px"] == 0.0
        assert 17 <= t["value_cap_px"] <= 34  # drawn at 22-34 px (Apple's at 0.8-1.0 of that)
    for t in hard:
        assert t["blur_px"] >= 2.4  # disk of radius 1.2+ or motion of 4+ px
        assert 0 < t["value_cap_px"] < 34 * 1.5 and 0 < t["label_scale"] < 1.5


def _find(brand: str, difficulty: str, placement: str):
    for seed in range(400):
        img, truth = synth.render_flat_label(np.random.default_rng(seed), brand=brand, difficulty=difficulty)
        if any(b.get("placement") == placement for b in truth["barcodes"]):
            return img, truth
    raise AssertionError(f"no {placement} barcode in 400 seeds")


def test_value_under_a_barcode_beside_its_key_is_read(tesseract):
    """Whirlpool prints 'MOD' | bars, with the model under the bars: the generator draws it and
    the pipeline reads the value there."""
    from ocr_labels.api import scan_image
    img, truth = _find("Whirlpool", "easy", "between")
    record = scan_image(img)
    role = next(b["role"] for b in truth["barcodes"] if b.get("placement") == "between")
    assert getattr(record, role) == truth[role]


def test_apple_case_with_an_asset_sticker(tesseract):
    """An asset sticker under the etched text repeats the serial after 'SL.#' beside a long asset
    number; the serial is read, never the asset number."""
    from ocr_labels.api import scan_image
    img, truth = _find("Apple", "medium", "asset sticker")
    record = scan_image(img)
    assert record.serial == truth["serial"] and "barcode" in record.serial_source
    assert record.model in (truth["model"], None)
    assert record.brand == "Apple"


def test_some_values_are_glued_to_their_keys_colon():
    drawn = []
    original = synth._text_mask

    def recording(text, font):
        drawn.append(text)
        return original(text, font)

    synth._text_mask = recording
    try:
        for i in range(80):
            synth.render_flat_label(np.random.default_rng([3030, i]), None, "hard")
    finally:
        synth._text_mask = original
    glued = [t for t in drawn if re.fullmatch(r"(?:MODEL|SERIAL|Serial) NO:\S+", t, re.I)]
    assert glued, "the typewritten layout ('SERIAL NO:CSD2364219') is drawn"


def _longest_rule(img: np.ndarray) -> int:
    """The longest straight horizontal dark run on a label, in pixels."""
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    dark = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 10)
    runs = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((1, 60), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(runs)
    return max((int(stats[i, cv2.CC_STAT_WIDTH]) for i in range(1, n)), default=0)


def test_labels_are_ruled_and_a_rule_may_cross_a_value():
    """Printed rating plates carry a frame and rules between rows, and a value printed by a
    second printer may sit on a rule (a real LG plate's serial): the truth says which."""
    seen = {"frame": 0, "rules": 0, "crossed": 0}
    crossed = None
    for seed in range(40):
        img, t = synth.render_flat_label(np.random.default_rng(seed), difficulty="hard")
        seen["frame"] += t["frame"]
        seen["rules"] += t["rules"]
        seen["crossed"] += bool(t["crossed"])
        assert set(t["crossed"]) <= {"model", "serial"}
        if t["crossed"] and not (t["frame"] or t["rules"]) and t["material"] == "paper" and crossed is None:
            crossed = (img, t)
    assert all(seen.values()), seen
    img, t = crossed
    # no glyph draws a dark run this long: the rule under the crossed row does
    assert _longest_rule(img) > 8 * t["value_cap"]
    for seed in range(20):
        t = synth.render_flat_label(np.random.default_rng(seed), difficulty="easy")[1]
        assert t["crossed"] == []

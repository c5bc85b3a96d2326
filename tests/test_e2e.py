"""End to end on generated photos: real Tesseract, the generator's own truth files."""
import json

import numpy as np
import pytest

from ocr_labels import ScanOptions, preprocess, scan_image, scan_paths, synth

# Sets the pipeline must read exactly, photo by photo.
EXACT = [("easy", 7, 6), ("medium", 11, 4)]
# Sets where a field may stay empty (Tesseract misreads a character the brand's shape cannot
# settle) but must never be wrong: a wrong value is worse than none.
NEVER_WRONG = [("easy", 3, 6), ("medium", 5, 6)]


def _generate(tmp_path_factory, difficulty, seed, count):
    folder = tmp_path_factory.mktemp(f"{difficulty}{seed}")
    synth.generate(folder, count, seed, difficulty)
    truth = [json.loads(line) for line in (folder / "truth.jsonl").read_text().splitlines()]
    records = list(scan_paths([folder], ScanOptions()))
    assert len(records) == len(truth)
    return truth, records


@pytest.mark.parametrize("difficulty, seed, count", EXACT)
def test_generated_photos_read_exactly(tmp_path_factory, difficulty, seed, count, tesseract):
    truth, records = _generate(tmp_path_factory, difficulty, seed, count)
    got = [(r.file.split("/")[-1], r.model, r.serial) for r in records]
    want = [(t["file"], t["model"], t["serial"]) for t in truth]
    assert got == want
    for r in records:
        assert r.model_source and r.serial_source
        assert 0.0 < r.model_confidence <= 1.0 and 0.0 < r.serial_confidence <= 1.0
        assert r.boxes["model"][2] > 0 and r.boxes["serial"][2] > 0


@pytest.mark.parametrize("difficulty, seed, count", NEVER_WRONG)
def test_generated_photos_never_wrong(tmp_path_factory, difficulty, seed, count, tesseract):
    truth, records = _generate(tmp_path_factory, difficulty, seed, count)
    right = 0
    for t, r in zip(truth, records):
        for field in ("model", "serial"):
            value = getattr(r, field)
            assert value in (None, t[field]), (t["file"], field, value, t[field])
            right += value == t[field]
        if r.model is None or r.serial is None:
            assert any(w.startswith(("model:", "serial:")) for w in r.warnings)  # says why
    assert right >= 0.75 * 2 * len(truth)


def test_a_model_printed_over_a_rule_is_read_in_a_view_without_the_rule(tesseract, monkeypatch):
    """A generated hard label whose model row a rule runs through (as a second printer put a
    real LG plate's serial over a rule): its views as they are leave the model unread; the
    second-chance view with the rule drawn over reads it."""
    img, truth = synth.render_flat_label(np.random.default_rng(11), difficulty="hard")
    assert "model" in truth["crossed"]
    assert scan_image(img).model == truth["model"]
    monkeypatch.setattr(preprocess, "hide_rules", lambda grey, char_height: grey)
    assert scan_image(img).model is None

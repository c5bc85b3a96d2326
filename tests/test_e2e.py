"""End to end on generated photos: real Tesseract, exact model and serial for each photo."""
import json

import pytest

from ocr_labels import ScanOptions, scan_paths, synth

# (difficulty, seed, count): fixed so that the expected values are known; these are the
# generator's own images with their truth, not tuned answers (the assertion is the truth file)
SETS = [("easy", 7, 6), ("medium", 11, 4)]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = []
    for difficulty, seed, count in SETS:
        folder = tmp_path_factory.mktemp(f"{difficulty}{seed}")
        synth.generate(folder, count, seed, difficulty)
        truth = [json.loads(line) for line in (folder / "truth.jsonl").read_text().splitlines()]
        out.append((folder, truth))
    return out


@pytest.mark.parametrize("index", range(len(SETS)))
def test_generated_photos_read_exactly(generated, index, tesseract):
    folder, truth = generated[index]
    records = list(scan_paths([folder], ScanOptions()))
    assert len(records) == len(truth)
    got = [(r.file.split("/")[-1], r.model, r.serial) for r in records]
    want = [(t["file"], t["model"], t["serial"]) for t in truth]
    assert got == want


def test_records_say_where_values_came_from(generated, tesseract):
    folder, truth = generated[0]
    record = next(iter(scan_paths([folder / truth[0]["file"]])))
    assert record.brand == truth[0]["brand"] or record.brand is not None
    assert record.model_source in ("key+pattern", "barcode+ocr", "key", "pattern", "barcode")
    assert 0.0 < record.model_confidence <= 1.0
    x, y, w, h = record.boxes["model"]
    assert w > 0 and h > 0

"""PDFs: a page with a text layer is read without OCR; a manual's page lists every model on it."""
from ocr_labels import ScanOptions, scan_paths
from ocr_labels.sources import load_path
from tests.labels import text_pdf

MANUAL = [
    ["Whirlpool Use and Care Guide", "This manual covers models WFW4720RW0, WFW4750RW1 and WFW5090JW0.",
     "Part number W10336553 (not a model)", "Call 1-800-253-1301"],
    ["WHIRLPOOL", "MODEL WED7500GW0", "SERIAL M74416721", "MFG DATE 03/2017"],
]


def test_text_layer_is_read_directly(tmp_path):
    path = tmp_path / "manual.pdf"
    path.write_bytes(text_pdf(MANUAL))
    pages = load_path(path)
    assert [p.page for p in pages] == [1, 2]
    assert all(p.image is None for p in pages)
    assert "WED7500GW0" in pages[1].text


def test_manual_pages_become_records_with_models(tmp_path):
    path = tmp_path / "manual.pdf"
    path.write_bytes(text_pdf(MANUAL))
    first, second = list(scan_paths([path], ScanOptions(barcodes=False)))
    assert (first.page, second.page) == (1, 2)
    assert first.engine == "text-layer"
    assert first.models == ("WFW4720RW0", "WFW4750RW1", "WFW5090JW0")
    assert "W10336553" not in first.models
    assert (second.brand, second.model, second.serial) == ("Whirlpool", "WED7500GW0", "M74416721")
    assert second.manufactured["source"] == "printed"
    assert (second.manufactured["year"], second.manufactured["month"]) == (2017, 3)

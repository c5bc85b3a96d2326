"""The HTML review page: content, boxes drawn where they belong, escaping, self-containment, and
what a real headless Chromium shows (every record; only the ones needing review after #needs-review)."""
from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from ocr_labels.records import Record
from ocr_labels.report import needs_review, write_report

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class _Page(HTMLParser):
    """Collects the record elements (attributes) and the images inside each."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[dict[str, str | None]] = []
        self.images: list[list[dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("class") == "record":
            self.records.append(a)
            self.images.append([])
        elif tag == "img" and self.records:
            self.images[-1].append(a)


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


def _decode(uri: str | None) -> Image.Image:
    assert uri is not None and uri.startswith("data:image/jpeg;base64,")
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGB")


def _is_blue(px: tuple[int, int, int]) -> bool:
    r, g, b = px
    return b > 170 and r < 90


def _is_orange(px: tuple[int, int, int]) -> bool:
    r, g, b = px
    return r > 190 and 60 < g < 180 and b < 90


@pytest.fixture()
def photos(tmp_path: Path) -> Path:
    Image.new("RGB", (1000, 500), "white").save(tmp_path / "washer.jpg", quality=95)
    # 300 wide x 200 high as stored, EXIF says "rotate 90° clockwise": upright it is 200 x 300.
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("RGB", (300, 200), "white").save(tmp_path / "exif_rotated.jpg", exif=exif, quality=95)
    (tmp_path / "not_an_image.jpg").write_bytes(b"this is text, not a JPEG")
    return tmp_path


def _records() -> list[Record]:
    return [
        Record(file="washer.jpg", brand="Whirlpool", model="WFW4720RW0", serial="CD3700848",
               brand_confidence=0.95, model_confidence=0.97, serial_confidence=0.99,
               model_source="key+pattern", serial_source="barcode+ocr",
               manufactured={"year": 2013, "week": 37, "rule": "whirlpool-2letter"}, age_years=11.2,
               boxes={"label": [50, 50, 600, 300], "model": [100, 100, 200, 50],
                      "serial": [100, 200, 200, 50]}),
        Record(file="exif_rotated.jpg", brand="LG", model="LRMVS3006S", serial=None,
               brand_confidence=0.9, model_confidence=0.55, boxes={"model": [20, 100, 100, 40]},
               candidates=({"field": "serial", "value": "9O3KRXX", "confidence": 0.3},)),
        Record.failed("not_an_image.jpg", "cannot identify image file"),
        Record(file='dir/<script>alert("x")</script>.jpg', brand="Bosch & Co", model="WAT28400UC",
               serial="FD9101", brand_confidence=0.9, model_confidence=0.9, serial_confidence=0.9),
    ]


def test_needs_review_rules() -> None:
    ok, low, failed, missing = _records()
    assert not needs_review(ok)
    assert needs_review(low)                          # model 0.55 and no serial
    assert needs_review(failed)
    assert not needs_review(missing)                  # photo missing, but all values confident
    assert needs_review(Record(file="x", brand="LG", model="M", serial="S", model_confidence=0.9,
                               serial_confidence=0.9))  # brand without confidence


def test_report_content(photos: Path, tmp_path: Path) -> None:
    out = tmp_path / "review.html"
    assert write_report(_records(), out, base_dir=photos) == 4
    text = out.read_text(encoding="utf-8")
    page = _parse(text)
    assert [r["data-file"] for r in page.records] == [
        "washer.jpg", "exif_rotated.jpg", "not_an_image.jpg", 'dir/<script>alert("x")</script>.jpg']
    assert [r["data-review"] for r in page.records] == ["0", "1", "1", "0"]
    # washer: photo + label crop; rotated: photo only; unreadable and missing: placeholders.
    assert [len(imgs) for imgs in page.images] == [2, 1, 0, 0]
    assert text.count('class="placeholder"') == 2
    assert "photo not shown: UnidentifiedImageError" in text
    assert "Manufactured</th><td colspan=\"4\">2013 week 37 (rule whirlpool-2letter); about 11.2 years old" in text
    assert "needs review: low confidence 0.55" in text and "needs review: empty" in text
    assert "<code>9O3KRXX</code> (0.30)" in text          # the serial candidate shown for review
    assert "Error: cannot identify image file" in text
    assert "barcode+ocr" in text and "0.97" in text
    # escaped everywhere, and nothing fetched from outside the file
    assert "<script>alert" not in text and "Bosch &amp; Co" in text
    assert not re.search(r"""(?:src|href)=["'](?!data:|#)""", text)
    assert "http://" not in text and "https://" not in text
    assert '<p id="summary">4 records, 2 need review</p>' in text


def test_boxes_drawn_scaled_on_photo_and_crop(photos: Path, tmp_path: Path) -> None:
    out = tmp_path / "review.html"
    write_report(_records()[:2], out, base_dir=photos)
    page = _parse(out.read_text(encoding="utf-8"))
    thumb = _decode(page.images[0][0]["src"])
    assert thumb.size == (480, 240)                       # 1000x500 scaled to 480 px
    # model box [100,100,200,50] at scale 0.48: left edge x≈48 for y in 48..72; inside stays white
    assert _is_blue(thumb.getpixel((49, 60)))
    assert thumb.getpixel((100, 60)) > (230, 230, 230)
    assert _is_orange(thumb.getpixel((49, 108)))           # serial box [100,200,...]: y≈96..120
    crop = _decode(page.images[0][1]["src"])
    assert crop.size == (480, 240)                         # the 600x300 label at scale 0.8
    # model box relative to the label: (100-50)*0.8 = 40
    assert _is_blue(crop.getpixel((41, 55)))
    assert crop.getpixel((120, 55)) > (230, 230, 230)
    rotated = _decode(page.images[1][0]["src"])
    assert rotated.size == (200, 300)                      # EXIF orientation applied
    assert _is_blue(rotated.getpixel((21, 120)))           # box in upright coordinates


def test_generator_input_and_cwd_default(photos: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(photos)
    out = tmp_path / "r.html"
    assert write_report((r for r in _records()[:1]), out) == 1
    assert len(_parse(out.read_text(encoding="utf-8")).images[0]) == 2
    assert write_report([], out) == 0
    assert "0 records, 0 need review" in out.read_text(encoding="utf-8")


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None and Path("/usr/bin/chromium").exists():
        path = "/usr/bin/chromium"
    if path is None:
        pytest.fail("Chromium is not installed; this test opens the report in a real browser. "
                    "`make test` installs it (apt-get install -y chromium).")
    return path


def _dump_dom(url: str, profile: Path) -> str:
    result = subprocess.run(
        [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True, text=True, timeout=90)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_report_in_headless_chromium(photos: Path, tmp_path: Path) -> None:
    out = tmp_path / "review.html"
    write_report(_records(), out, base_dir=photos)
    dom = _dump_dom(out.as_uri(), tmp_path / "profile")
    page = _parse(dom)
    assert len(page.records) == 4
    assert all("hidden" not in r for r in page.records)
    assert '<body data-filter="all">' in dom
    assert '<span id="shown">4</span>' in dom              # the script ran
    filtered = _parse(_dump_dom(out.as_uri() + "#needs-review", tmp_path / "profile"))
    assert len(filtered.records) == 4
    shown = [r["data-file"] for r in filtered.records if "hidden" not in r]
    assert shown == ["exif_rotated.jpg", "not_an_image.jpg"]
    assert all(r["data-review"] == "1" for r in filtered.records if "hidden" not in r)


# -- command line ---------------------------------------------------------------------------

def _cli():
    import click

    from ocr_labels.cli_inventory import report_cmd
    group = click.Group("main")
    group.add_command(report_cmd)
    return group


def test_cli_report_from_file_and_stdin(photos: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner
    jsonl = tmp_path / "records.jsonl"
    jsonl.write_text("".join(r.to_json() + "\n" for r in _records()) + "\n", encoding="utf-8")
    out = tmp_path / "review.html"
    result = CliRunner().invoke(_cli(), ["report", str(jsonl), "-o", str(out), "--base-dir", str(photos)])
    assert result.exit_code == 0, result.output
    assert f"wrote 4 records to {out}" in result.stderr
    page = _parse(out.read_text(encoding="utf-8"))
    assert len(page.records) == 4 and [len(i) for i in page.images] == [2, 1, 0, 0]
    out2 = tmp_path / "review2.html"
    result = CliRunner().invoke(_cli(), ["report", "-", "-o", str(out2), "--base-dir", str(photos)],
                                input=jsonl.read_text(encoding="utf-8"))
    assert result.exit_code == 0
    assert len(_parse(out2.read_text(encoding="utf-8")).records) == 4


def test_cli_report_malformed_line(tmp_path: Path) -> None:
    from click.testing import CliRunner
    jsonl = tmp_path / "records.jsonl"
    jsonl.write_text(_records()[0].to_json() + '\n{"file": "x.jpg", "model_confidence": 7}\n',
                     encoding="utf-8")
    out = tmp_path / "review.html"
    result = CliRunner().invoke(_cli(), ["report", str(jsonl), "-o", str(out)])
    assert result.exit_code == 2
    assert f"{jsonl}, line 2: not a record (model_confidence=7 outside [0, 1])" in result.stderr
    assert not out.exists()                     # no half-written page left behind
    assert list(tmp_path.iterdir()) == [jsonl]

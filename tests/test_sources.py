"""Decoding by content, EXIF orientation and the errors of unreadable input."""
import io

import numpy as np
import pytest
from PIL import Image

from ocr_labels.errors import ImageLoadError, ImageTooLargeError, InputError
from ocr_labels.sources import iter_inputs, load_bytes, load_path


def _image(w=60, h=40, colour=(255, 0, 0)):
    return Image.new("RGB", (w, h), colour)


def _encode(im, fmt, **kw):
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def test_webp_named_png_is_decoded_by_content(tmp_path):
    path = tmp_path / "webp_named.png"
    path.write_bytes(_encode(_image(), "WEBP", lossless=True))
    (page,) = load_path(path)
    assert page.image.shape == (40, 60, 3)
    assert tuple(page.image[5, 5]) == (0, 0, 255)  # BGR order
    assert page.sha256 and len(page.sha256) == 64


def test_exif_orientation_applied(tmp_path):
    im = _image(60, 40)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    path = tmp_path / "exif_rotated.jpg"
    path.write_bytes(_encode(im, "JPEG", exif=exif.tobytes()))
    (page,) = load_path(path)
    assert page.image.shape[:2] == (60, 40)


def test_multipage_tiff_gives_pages(tmp_path):
    frames = [_image(30, 20, c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    path = tmp_path / "scan.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    pages = load_path(path)
    assert [p.page for p in pages] == [1, 2, 3]
    assert tuple(pages[2].image[0, 0]) == (255, 0, 0)


def test_grey_and_alpha_images_become_bgr():
    (grey,) = load_bytes(_encode(Image.new("L", (10, 10), 128), "PNG"))
    assert grey.image.shape == (10, 10, 3)
    (rgba,) = load_bytes(_encode(Image.new("RGBA", (10, 10), (0, 0, 0, 0)), "PNG"))
    assert tuple(rgba.image[0, 0]) == (255, 255, 255)  # transparent → white background


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"hello, this is not an image at all", "not an image"),
])
def test_unreadable_bytes(data, message):
    with pytest.raises(ImageLoadError, match=message):
        load_bytes(data, "x.jpg")


def test_truncated_jpeg(tmp_path):
    data = _encode(Image.fromarray(np.random.default_rng(0).integers(0, 255, (200, 200, 3), dtype=np.uint8)), "JPEG")
    with pytest.raises(ImageLoadError, match="corrupt or truncated"):
        load_bytes(data[: len(data) // 2], "cut.jpg")


def test_pixel_bomb_refused():
    data = _encode(Image.new("1", (12000, 12000)), "PNG")  # small file, 144 MP
    with pytest.raises(ImageTooLargeError, match="too large|over the"):
        load_bytes(data, "bomb.png")


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_path(tmp_path / "nope.jpg")
    with pytest.raises(InputError, match="directory"):
        load_path(tmp_path)


def test_errors_are_value_errors():
    assert issubclass(ImageLoadError, ValueError)


def test_walk_skips_other_files_but_tries_named_ones(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.JPG").write_bytes(b"x")
    (tmp_path / "a" / "notes.txt").write_text("x")
    (tmp_path / "two.webp").write_bytes(b"x")
    named = tmp_path / "notes.txt"
    named.write_text("x")
    found = [p.name for p in iter_inputs([tmp_path])]
    assert found == ["one.JPG", "two.webp"]
    assert [p.name for p in iter_inputs([named])] == ["notes.txt"]


def test_pdf_text_layer_and_rendered_page(tmp_path):
    # a PDF made by Pillow has no text layer: its page is rendered
    path = tmp_path / "scan.pdf"
    _image(200, 100).save(path, "PDF", resolution=72)
    pages = load_path(path)
    assert len(pages) == 1 and pages[0].page == 1 and pages[0].text is None
    assert pages[0].image.shape[2] == 3 and pages[0].image.shape[1] >= 800  # 300 dpi
    b, g, r = (int(v) for v in pages[0].image[50, 100])
    assert b < 5 and g < 5 and r > 250


def test_corrupt_pdf():
    with pytest.raises(InputError, match="PDF"):
        load_bytes(b"%PDF-1.4\nthis is not really a pdf", "bad.pdf")

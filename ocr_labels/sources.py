"""Inputs → pages: decode by content (never by extension), apply EXIF orientation, guard size.

A page is BGR uint8 pixels plus where it came from. PDFs give one page per PDF page, with the
page's text layer when it has one; multi-page TIFFs give one page per frame.
"""
from __future__ import annotations

import hashlib
import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ImageLoadError, ImageTooLargeError, InputError, PdfError

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp"})
SCAN_SUFFIXES = IMAGE_SUFFIXES | {".pdf"}
MAX_PIXELS = 80_000_000  # per page; a phone photo is 12-50 MP, a bomb is billions
MAX_BYTES = 200 * 1024 * 1024
PDF_DPI = 300
MAX_PAGES = 500


@dataclass(frozen=True)
class Page:
    image: np.ndarray | None  # BGR uint8; None for a PDF page read from its text layer only
    file: str
    page: int | None = None  # 1-based page number for PDFs and multi-page TIFFs
    text: str | None = None  # PDF text layer, when the page has one
    sha256: str | None = None  # of the whole input file


def iter_inputs(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files to scan, in a stable order: a named file is always tried; a directory is walked
    recursively for image and PDF suffixes, other files in it skipped."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = [p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SCAN_SUFFIXES]
            yield from sorted(found, key=lambda p: str(p))
        else:
            yield path  # missing files become error records downstream


def _sniff(data: bytes) -> str:
    if data.startswith(b"%PDF-"):
        return "pdf"
    return "image"


def load_path(path: str | os.PathLike[str], *, max_pixels: int = MAX_PIXELS) -> list[Page]:
    """Read a file into pages. Raises an :class:`InputError` subclass with a readable message."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise ImageTooLargeError(f"file is {size / 2**20:.0f} MiB, more than the {MAX_BYTES // 2**20} MiB limit")
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file") from None
    except IsADirectoryError:
        raise InputError("is a directory") from None
    except PermissionError:
        raise InputError("permission denied") from None
    except OSError as e:
        raise InputError(f"cannot read file: {e.strerror or e}") from e
    return load_bytes(data, str(path), max_pixels=max_pixels)


def load_bytes(data: bytes, name: str = "<bytes>", *, max_pixels: int = MAX_PIXELS) -> list[Page]:
    if not data:
        raise ImageLoadError("empty file (0 bytes)")
    digest = hashlib.sha256(data).hexdigest()
    if _sniff(data) == "pdf":
        return _load_pdf(data, name, digest)
    return _load_image(data, name, digest, max_pixels)


def _load_image(data: bytes, name: str, digest: str, max_pixels: int) -> list[Page]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
            fmt = im.format or "unknown"
            n_frames = getattr(im, "n_frames", 1)
            pages = []
            for index in range(min(n_frames, MAX_PAGES)):
                if n_frames > 1:
                    im.seek(index)
                w, h = im.size
                if w * h > max_pixels:
                    raise ImageTooLargeError(
                        f"{fmt} image of {w}x{h} = {w * h / 1e6:.0f} MP is over the {max_pixels / 1e6:.0f} MP limit"
                    )
                frame = ImageOps.exif_transpose(im) if index == 0 else im.copy()
                pages.append(Page(_to_bgr(frame), name, index + 1 if n_frames > 1 else None, None, digest))
            return pages
    except InputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise ImageTooLargeError(f"image is too large to decode safely: {e}") from e
    except UnidentifiedImageError:
        raise ImageLoadError(f"not an image or PDF (starts with {data[:8]!r})") from None
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        raise ImageLoadError(f"corrupt or truncated image: {e}") from e


def _to_bgr(im: Image.Image) -> np.ndarray:
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(im, dtype=np.float64)
        top = arr.max() or 1.0
        grey = (arr * (255.0 / top)).clip(0, 255).astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(bg, rgba)
    rgb = np.asarray(im.convert("RGB"))
    return np.ascontiguousarray(rgb[:, :, ::-1])


def _load_pdf(data: bytes, name: str, digest: str) -> list[Page]:
    try:
        import pypdfium2 as pdfium
    except ImportError as e:  # a dependency, so this is a broken install
        raise PdfError("PDF support needs the pypdfium2 package (pip install pypdfium2)") from e
    try:
        doc = pdfium.PdfDocument(data)
    except Exception as e:  # pdfium raises its own PdfiumError
        raise PdfError(f"cannot open PDF: {e}") from e
    pages: list[Page] = []
    try:
        if len(doc) == 0:
            raise PdfError("PDF has no pages")
        for index in range(min(len(doc), MAX_PAGES)):
            page = doc[index]
            textpage = page.get_textpage()
            text = textpage.get_text_range().strip()
            if len(text) >= 20:
                pages.append(Page(None, name, index + 1, text, digest))
                continue
            bitmap = page.render(scale=PDF_DPI / 72, grayscale=False)
            # pypdfium2 renders BGR(x) byte order by default, which is OpenCV's order
            bgr = np.ascontiguousarray(bitmap.to_numpy()[:, :, :3])
            pages.append(Page(bgr, name, index + 1, None, digest))
    except InputError:
        raise
    except Exception as e:
        raise PdfError(f"cannot render PDF: {e}") from e
    finally:
        doc.close()
    return pages

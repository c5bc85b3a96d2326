"""OCR engines behind one small protocol: ``read(image) -> list[Word]``; plus barcodes.

Tesseract is called through ``pytesseract.image_to_data`` with a timeout on every call; its
bare errors are turned into ours. Other engines plug into ``ENGINES``.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from functools import lru_cache
from typing import Callable, Protocol

import cv2
import numpy as np

from .elements import Barcode, Word
from .errors import EngineError, MissingEngineError, MissingTesseractError, OcrTimeoutError

# sparse text, LSTM only, no dictionary words forced onto serial numbers
TIMEOUT_BASE = 1.5  # seconds a Tesseract call gets, plus TIMEOUT_PER_MP per megapixel of the view
TIMEOUT_PER_MP = 1.0
TESSERACT_CONFIG = "--oem 1 -c load_system_dawg=0 -c load_freq_dawg=0 -c tessedit_do_invert=0"


class Engine(Protocol):
    name: str

    def read(self, image: np.ndarray) -> list[Word]: ...


@lru_cache(maxsize=None)
def tesseract_version() -> str:
    """The installed Tesseract version; raises MissingTesseractError when it is absent."""
    import pytesseract

    cmd = os.environ.get("OCR_LABELS_TESSERACT") or shutil.which("tesseract")
    if not cmd:
        raise MissingTesseractError("the 'tesseract' program is not installed or not on PATH")
    pytesseract.pytesseract.tesseract_cmd = cmd
    try:
        version = str(pytesseract.get_tesseract_version())
    except pytesseract.TesseractNotFoundError as e:
        raise MissingTesseractError(f"cannot run tesseract at {cmd}") from e
    try:
        langs = pytesseract.get_languages(config="")
    except Exception as e:  # pytesseract raises bare errors here
        raise MissingTesseractError(f"tesseract cannot list its languages: {e}") from e
    if "eng" not in langs:
        raise MissingTesseractError("Tesseract's English data (eng.traineddata) is not installed")
    return version


class TesseractEngine:
    name = "tesseract"

    def __init__(self, psm: int = 11, timeout: float = 60.0, config: str = TESSERACT_CONFIG):
        # Tesseract's OpenMP threads fight each other on small images: one thread per process is
        # 2-3x faster here (measured: 6 photos 10.7 s -> 3.8 s on 2 cores). A user's own setting wins.
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        self.psm = psm
        self.timeout = timeout
        self.config = config

    def read(self, image: np.ndarray, psm: int | None = None) -> list[Word]:
        import pytesseract

        tesseract_version()
        config = f"--psm {psm or self.psm} {self.config}"
        # a normal view takes ~0.15 s per megapixel here (median of 190 views of 0.5 MP or more on
        # real and generated photos; the slowest that finished took 1.6 s/MP); one that takes
        # longer is texture Tesseract is trying to read, not text: give up on it sooner
        limit = min(self.timeout, TIMEOUT_BASE + TIMEOUT_PER_MP * image.size / 1e6)
        # hand Tesseract an uncompressed BMP written by OpenCV: pytesseract would encode a PNG
        # with Pillow first, which cost ~10 % of a photo's time
        fd, path = tempfile.mkstemp(suffix=".bmp", prefix="ocr-labels-")
        os.close(fd)
        try:
            if not cv2.imwrite(path, image):
                raise EngineError("could not write the image for tesseract")
            data = pytesseract.image_to_data(path, lang="eng", config=config, timeout=limit,
                                             output_type=pytesseract.Output.DICT)
        except RuntimeError as e:
            if "timeout" in str(e).lower():
                raise OcrTimeoutError(f"tesseract took longer than {limit:.3g} s") from e
            raise EngineError(f"tesseract failed: {e}") from e
        except pytesseract.TesseractError as e:
            raise EngineError(f"tesseract failed: {e.message or e}") from e
        except pytesseract.TesseractNotFoundError as e:
            raise MissingTesseractError("the 'tesseract' program is not installed or not on PATH") from e
        finally:
            try:
                os.unlink(path)
            except OSError:
                pass
        words = []
        for i, text in enumerate(data["text"]):
            text = text.strip()
            conf = float(data["conf"][i])
            if not text or conf < 0:
                continue
            words.append(Word(text, (data["left"][i], data["top"][i], data["width"][i], data["height"][i]),
                              min(1.0, conf / 100.0),
                              (data["block_num"][i], data["par_num"][i], data["line_num"][i])))
        return words


class RapidOcrEngine:
    """The second engine (optional extra ``rapidocr``): its wheel ships its models."""

    name = "rapidocr"

    def __init__(self) -> None:
        try:
            from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-not-found]
        except ImportError as e:
            raise MissingEngineError("--engine rapidocr needs the optional package: pip install 'ocr-labels[rapidocr]'") from e
        self._ocr = RapidOCR()

    def read(self, image: np.ndarray) -> list[Word]:
        if image.ndim == 2:
            import cv2

            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        try:
            result, _ = self._ocr(image)
        except Exception as e:  # onnxruntime raises its own types
            raise EngineError(f"rapidocr failed: {e}") from e
        words = []
        for line_no, (points, text, score) in enumerate(result or ()):
            pts = np.asarray(points, dtype=np.float64)
            x0, y0 = pts.min(axis=0)
            x1, y1 = pts.max(axis=0)
            # one detection is one line: split into words, sharing the width by characters
            parts = text.split()
            total = max(1, len(text))
            pos = 0
            for part in parts:
                start = text.index(part, pos)
                left = x0 + (x1 - x0) * start / total
                width = (x1 - x0) * len(part) / total
                words.append(Word(part, (int(left), int(y0), int(width), int(y1 - y0)),
                                  float(min(1.0, max(0.0, score))), (line_no,)))
                pos = start + len(part)
        return words


ENGINES: dict[str, Callable[[], Engine]] = {"tesseract": TesseractEngine, "rapidocr": RapidOcrEngine}


def get_engine(name: str) -> Engine:
    try:
        factory = ENGINES[name]
    except KeyError:
        raise MissingEngineError(f"unknown engine {name!r}; choose from {', '.join(sorted(ENGINES))}") from None
    return factory()


def read_barcodes(image: np.ndarray) -> list[Barcode]:
    """Every 1D and 2D code zxing-cpp finds, with its box in the given image's pixels."""
    import zxingcpp

    found = []
    try:
        results = zxingcpp.read_barcodes(image)
    except Exception as e:  # a decoder failure must not lose the OCR result
        raise EngineError(f"barcode reader failed: {e}") from e
    for r in results:
        pos = r.position
        xs = [pos.top_left.x, pos.top_right.x, pos.bottom_left.x, pos.bottom_right.x]
        ys = [pos.top_left.y, pos.top_right.y, pos.bottom_left.y, pos.bottom_right.y]
        text = r.text.strip()
        if text:
            found.append(Barcode(str(r.format).split(".")[-1], text,
                                 (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))))
    return found
